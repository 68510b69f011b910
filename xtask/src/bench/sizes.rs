//! Transfer sizes as a browser or Cloudflare receives them: raw, `gzip -9` and `brotli -q 11` (the
//! command-line tools, so the figures are what anyone can reproduce). 1 KB = 1,000 bytes.
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::Result;
use shared::testing::table::Table;

/// Issue 14: what the browser must download before the control number shows (issue 4's budget)…
const FIRST_SCREEN_GZIP_BUDGET: u64 = 70_000;
const FIRST_SCREEN_BROTLI_BUDGET: u64 = 60_000;
/// …and everything the widget can ever download.
const EVER_GZIP_BUDGET: u64 = 91_000;
/// The worker's wasm, gzipped as Cloudflare counts it.
const WORKER_GZIP_BUDGET: u64 = 1_000_000;

#[derive(Default, Clone, Copy)]
struct Sizes {
    raw: u64,
    gzip: u64,
    brotli: u64,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, o: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + o.raw,
            gzip: self.gzip + o.gzip,
            brotli: self.brotli + o.brotli,
        }
    }
}

impl std::iter::Sum for Sizes {
    fn sum<I: Iterator<Item = Sizes>>(sizes: I) -> Sizes {
        sizes.fold(Sizes::default(), |a, b| a + b)
    }
}

impl std::ops::Sub for Sizes {
    type Output = Sizes;
    fn sub(self, o: Sizes) -> Sizes {
        Sizes {
            raw: self.raw - o.raw,
            gzip: self.gzip - o.gzip,
            brotli: self.brotli - o.brotli,
        }
    }
}

/// A size table row: name, raw, gzip, brotli, and the budget column.
fn size_row(name: impl Into<String>, s: Sizes, budget: String) -> Vec<String> {
    vec![name.into(), kb(s.raw), kb(s.gzip), kb(s.brotli), budget]
}

fn measure(path: &Path) -> Result<Sizes> {
    let compressed = |tool: &str, args: &[&str]| -> Result<u64> {
        let out = Command::new(tool)
            .args(args)
            .arg(path)
            .stderr(Stdio::inherit())
            .output()?;
        if !out.status.success() {
            return Err(format!("{tool} {} failed", path.display()).into());
        }
        Ok(out.stdout.len() as u64)
    };
    Ok(Sizes {
        raw: std::fs::metadata(path)?.len(),
        gzip: compressed("gzip", &["-9c"])?,
        brotli: compressed("brotli", &["-c", "-q", "11"])?,
    })
}

fn kb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1000.0)
}

fn verdict(size: u64, budget: u64) -> String {
    match size <= budget {
        true => format!("within ≤ {}", kb(budget)),
        false => format!("**over** ≤ {} by {}", kb(budget), kb(size - budget)),
    }
}

fn only_file(dir: &Path, suffix: &str) -> Result<PathBuf> {
    std::fs::read_dir(dir)?
        .filter_map(|e| Some(e.ok()?.path()))
        .find(|p| p.to_string_lossy().ends_with(suffix))
        .ok_or_else(|| format!("no *{suffix} in {}", dir.display()).into())
}

/// widget/dist as built, and `@paystack/inline-js` from node_modules measured the same way.
pub fn widget(root: &Path) -> Result<Table> {
    let dist = root.join("widget/dist");
    let parts = [
        ("widget.js (bootstrap)", dist.join("widget.js")),
        (
            "glue (assets/*.js)",
            only_file(&dist.join("assets"), ".js")?,
        ),
        (
            "wasm (assets/*_bg.wasm; CSS inside)",
            only_file(&dist.join("assets"), ".wasm")?,
        ),
    ];
    let mut table = Table::new(
        "Widget transfer size (KB, 1 KB = 1,000 bytes)",
        "gzip -9 and brotli -q 11 of each file as served from widget/dist, built with the pinned \
         nightly (`-Zbuild-std`, immediate abort; xtask/src/widget.rs). The peer is the JS a shop \
         loads for Paystack's inline checkout, from npm (its iframe's own assets come on top). The \
         reference is what Leptos alone costs, packed the same way: one signal, one button.",
        &["file", "raw", "gzip -9", "brotli", "budget"],
    );
    let mut total = Sizes::default();
    for (name, path) in parts {
        let s = measure(&path)?;
        total = total + s;
        table.row(size_row(name, s, String::new()));
    }
    // The three files above are all the widget is today: the first screen needs each of them.
    let budget = format!(
        "gzip {}, brotli {}",
        verdict(total.gzip, FIRST_SCREEN_GZIP_BUDGET),
        verdict(total.brotli, FIRST_SCREEN_BROTLI_BUDGET)
    );
    table.row(size_row("**before the control number**", total, budget));
    let ever = dist_files(&dist)?
        .iter()
        .map(|path| measure(path))
        .sum::<Result<Sizes>>()?;
    let budget = format!("gzip {}", verdict(ever.gzip, EVER_GZIP_BUDGET));
    table.row(size_row(
        "**ever** (every file in widget/dist)",
        ever,
        budget,
    ));

    let floor = leptos_floor(root)?;
    table.row(size_row(
        "reference: smallest Leptos CSR app (widget/floor: wasm + glue)",
        floor,
        String::new(),
    ));
    table.row(size_row(
        "the widget above that floor",
        total - floor,
        String::new(),
    ));

    let package = root.join("node_modules/@paystack/inline-js");
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(package.join("package.json"))?)?;
    let main = manifest["main"]
        .as_str()
        .ok_or("@paystack/inline-js has no main")?;
    let s = measure(&package.join(main))?;
    let name = format!(
        "peer: @paystack/inline-js {} ({main})",
        manifest["version"].as_str().unwrap_or("?")
    );
    table.row(size_row(name, s, String::new()));
    Ok(table)
}

/// What widget/dist serves to browsers: widget.js and the assets (not the `_headers` rules).
fn dist_files(dist: &Path) -> Result<Vec<PathBuf>> {
    let mut files = vec![dist.join("widget.js")];
    for entry in std::fs::read_dir(dist.join("assets"))? {
        files.push(entry?.path());
    }
    Ok(files)
}

/// `widget/floor` packed as the widget is, measured file by file like widget/dist.
fn leptos_floor(root: &Path) -> Result<Sizes> {
    let packed = crate::widget::pack(root, "leptos-floor", crate::widget::Names::Stripped)?;
    let dir = root.join(".state/bench/floor");
    std::fs::create_dir_all(&dir)?;
    let (wasm, glue) = (
        dir.join("leptos_floor_bg.wasm"),
        dir.join("leptos_floor.js"),
    );
    std::fs::write(&wasm, &packed.wasm)?;
    std::fs::write(&glue, &packed.glue)?;
    Ok(measure(&wasm)? + measure(&glue)?)
}

/// edge/build as worker-build left it, and how long a fresh `wrangler dev` takes to answer.
pub fn worker(root: &Path, cold_starts: &[Duration]) -> Result<Table> {
    let mut table = Table::new(
        "Worker size and cold start",
        "Cold start: a second `wrangler dev` with the stack's settings and empty storage (and, as \
         for the whole run, without its DevTools inspector), from spawn to the first 2xx on GET \
         /healthz (node, wrangler, workerd and the worker's wasm all start; polled every 20 ms). In \
         production, Cloudflare's own cold start replaces wrangler's.",
        &["what", "raw KB", "gzip -9 KB", "budget / samples"],
    );
    let wasm = measure(&root.join("edge/build/index_bg.wasm"))?;
    table.row(vec![
        "edge/build/index_bg.wasm".into(),
        kb(wasm.raw),
        kb(wasm.gzip),
        verdict(wasm.gzip, WORKER_GZIP_BUDGET),
    ]);
    let glue = measure(&root.join("edge/build/index.js"))?;
    table.row(vec![
        "edge/build/index.js".into(),
        kb(glue.raw),
        kb(glue.gzip),
        String::new(),
    ]);
    let mut ms: Vec<u128> = cold_starts.iter().map(Duration::as_millis).collect();
    ms.sort_unstable();
    let samples = ms
        .iter()
        .map(|m| format!("{m} ms"))
        .collect::<Vec<_>>()
        .join(", ");
    table.row(vec![
        format!("cold start, median of {}", ms.len()),
        format!("{} ms", ms[ms.len() / 2]),
        String::new(),
        samples,
    ]);
    Ok(table)
}
