//! Time to control number and the widget's wasm start-up, in headless Chromium on the demo shop's
//! checkout page (one async script tag, strict CSP), the way a customer's browser loads it.
//!
//! Every time is read after the fact from the page's own clock, so nothing races the widget:
//! Resource Timing for what was fetched, and the marks the shop's script (synchronous, in `<head>`,
//! so listening before the widget loads) puts on the performance timeline when it hears a
//! `billpay:*` event. The widget announces `billpay:ready` just before it renders the screen with
//! the control number, and `billpay:paid` just before the receipt; the render follows in the same
//! task (Leptos updates the DOM in a microtask), before the next paint.
use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use super::report::{median, ms, percentile, Part, Table};
use crate::browser::{Browser, Network, Sent, SLOW_4G, THREE_G};
use crate::support::{stack, unique_ref};

/// How long the widget may take to answer before the run fails (with a screenshot).
const PATIENCE: Duration = Duration::from_secs(20);

/// Opens the checkout page for a fresh order of `amount` in `lang` (staying on the page once paid)
/// and returns its reference.
pub async fn open_checkout(browser: &Browser, prefix: &str, amount: u64, lang: &str) -> String {
    let reference = unique_ref(prefix);
    browser
        .goto(&format!(
            "{}/checkout?ref={reference}&amount={amount}&lang={lang}&redirect=no",
            stack().shop
        ))
        .await;
    reference
}

/// Finds the mark for `wanted` (set before this script) on the page's timeline, as milliseconds
/// since the epoch: the page's `timeOrigin` plus the mark, comparable with the driver's clock.
const HEARD: &str = "
const at = (type) => { const m = performance.getEntriesByName(type, 'mark')[0]; return m && performance.timeOrigin + m.startTime; };
if (at('billpay:error')) return {error: sessionStorage.getItem('billpayEvents')};
const t = at(wanted);
return t ? {at: t} : null;";

/// Waits until the page has heard `event` from the widget and returns when it did (ms since the
/// epoch). A `billpay:error` fails the run with the widget's error.
pub async fn heard(browser: &Browser, event: &str) -> f64 {
    let script = format!("const wanted = {};\n{HEARD}", json!(event));
    let answer = browser.wait(event, &script, PATIENCE).await;
    answer["at"].as_f64().unwrap_or_else(|| {
        panic!(
            "waiting for {event}, the widget reported an error: {}",
            answer["error"]
        )
    })
}

/// One load's way to the control number: what the page fetched (Resource Timing; cross-origin
/// entries without Timing-Allow-Origin still carry start and end) and the `billpay:ready` mark, in
/// ms since the page's time origin.
const LOAD: &str = "
const all = performance.getEntriesByType('resource');
const entry = (suffix) => all.find(e => e.name.split('?')[0].endsWith(suffix));
const [script, wasm, create] = ['/widget.js', '.wasm', '/v1/checkouts'].map(entry);
const ready = performance.getEntriesByName('billpay:ready', 'mark')[0];
if (!script || !wasm || !create || !ready) return {missing: all.map(e => e.name)};
return {script_start: script.startTime, script_end: script.responseEnd, wasm_end: wasm.responseEnd,
        create_start: create.startTime, create_end: create.responseEnd, ready: ready.startTime};";

#[derive(Debug, Deserialize)]
struct Load {
    script_start: f64,
    script_end: f64,
    wasm_end: f64,
    create_start: f64,
    create_end: f64,
    ready: f64,
}

/// The targets' language: the longer of the two, and the one most shoppers read.
const LANG: &str = "sw";

async fn load_once(browser: &Browser) -> Load {
    open_checkout(browser, "TTCN", 90_900, LANG).await;
    heard(browser, "billpay:ready").await;
    let load = browser.eval(LOAD, vec![]).await;
    serde_json::from_value(load.clone()).unwrap_or_else(|_| panic!("Resource Timing: {load}"))
}

/// Milestones of one load in ms since widget.js started: the bootstrap sends the create as soon as
/// it runs, so the create and the wasm overlap instead of following each other.
const MILESTONES: [Part<Load>; 5] = [
    ("widget.js fetched", |l| l.script_end - l.script_start),
    ("POST /v1/checkouts sent", |l| {
        l.create_start - l.script_start
    }),
    ("wasm fetched (compiled as the bytes arrive)", |l| {
        l.wasm_end - l.script_start
    }),
    (
        "POST /v1/checkouts answered (edge → Durable Object → ClickPesa)",
        |l| l.create_end - l.script_start,
    ),
    (
        "control number on screen (billpay:ready; the screen renders in the same task)",
        |l| l.ready - l.script_start,
    ),
];

/// Where a load runs: loopback, or a mobile network emulated by Chromium.
#[derive(Clone, Copy)]
pub struct Profile {
    network: Option<Network>,
    /// Issue 14's targets in ms, first and repeat visit.
    targets: Option<[f64; 2]>,
}

impl Profile {
    fn name(&self) -> String {
        match self.network {
            None => "loopback".into(),
            Some(n) => format!(
                "{} ({} ms, {} / {} kbit/s)",
                n.name, n.latency_ms, n.down_kbit_s, n.up_kbit_s
            ),
        }
    }
}

pub const PROFILES: [Profile; 3] = [
    Profile {
        network: None,
        targets: None,
    },
    Profile {
        network: Some(SLOW_4G),
        targets: Some([800.0, 300.0]),
    },
    Profile {
        network: Some(THREE_G),
        targets: Some([1_500.0, 450.0]),
    },
];

async fn open_on(test: &str, profile: Profile) -> Browser {
    let browser = Browser::open(test).await;
    if let Some(network) = profile.network {
        browser.throttle(network).await;
    }
    browser
}

/// `loads` first visits (a new browser profile each: nothing cached, no compiled wasm kept) and as
/// many repeat visits (one profile, after one load that fills its caches), each a fresh order.
async fn visits(profile: Profile, loads: usize) -> [Vec<Load>; 2] {
    let mut first = Vec::new();
    for i in 0..loads {
        let browser = open_on(&format!("bench-first-visit-{i}"), profile).await;
        first.push(load_once(&browser).await);
        browser.close().await;
    }
    let browser = open_on("bench-repeat-visit", profile).await;
    load_once(&browser).await;
    let mut repeat = Vec::new();
    for _ in 0..loads {
        repeat.push(load_once(&browser).await);
    }
    browser.close().await;
    [first, repeat]
}

const VISITS: [&str; 2] = ["first visit (empty cache)", "repeat visit (cached)"];

/// Time to control number on each profile (`loads` on loopback, `network_loads` on each emulated
/// network), first and repeat visit, then the milestones of those loads.
pub async fn time_to_control_number(loads: usize, network_loads: usize) -> [Table; 2] {
    let mut measured = Vec::new();
    for profile in PROFILES {
        let n = if profile.network.is_some() {
            network_loads
        } else {
            loads
        };
        measured.push((profile, visits(profile, n).await));
    }

    let mut whole = Table::new(
        "Time to control number (headless Chromium, demo shop, Swahili)",
        "From the moment widget.js starts to load (its Resource Timing entry) to the control number on \
         screen (the widget's `billpay:ready`, marked on the page's timeline by the shop's script), \
         each load a new order. The stack runs on this machine; on the mobile profiles chromedriver's \
         network conditions add the latency to every request and cap the throughput both ways \
         (Chromium's emulation, per request, in the browser). Targets from issue 14.",
        &["network", "visit", "loads", "median ms", "p95 ms", "min ms", "max ms", "target (median)"],
    );
    for (profile, visits) in &measured {
        for (v, samples) in visits.iter().enumerate() {
            let total: Vec<f64> = samples.iter().map(|l| l.ready - l.script_start).collect();
            let median = median(&total);
            let target = profile.targets.map_or(String::new(), |t| {
                let t = t[v];
                match median <= t {
                    true => format!("≤ {} ms: met", ms(t)),
                    false => format!("≤ {} ms: **missed by {} ms**", ms(t), ms(median - t)),
                }
            });
            whole.row(vec![
                profile.name(),
                VISITS[v].into(),
                samples.len().to_string(),
                ms(median),
                ms(percentile(&total, 95.0)),
                ms(percentile(&total, 0.0)),
                ms(percentile(&total, 100.0)),
                target,
            ]);
        }
    }

    let columns: Vec<String> = measured
        .iter()
        .flat_map(|(profile, _)| {
            let name = profile.network.map_or("loopback", |n| n.name);
            ["first", "repeat"].map(|v| format!("{name}, {v}"))
        })
        .collect();
    let mut headers = vec!["milestone"];
    headers.extend(columns.iter().map(String::as_str));
    let mut milestones = Table::new(
        "Time to control number, milestones (median ms since widget.js started)",
        "The same loads, cut at Resource Timing's response ends and the POST's start. The bootstrap \
         sends the create the moment it runs and fetches glue and wasm at the same time, so the \
         create's round trip overlaps the wasm download. Medians of milestones need not order \
         like the milestones of one load.",
        &headers,
    );
    for (milestone, part) in MILESTONES {
        let mut row = vec![milestone.to_string()];
        for (_, visits) in &measured {
            for samples in visits {
                row.push(ms(median(&samples.iter().map(part).collect::<Vec<_>>())));
            }
        }
        milestones.row(row);
    }
    [whole, milestones]
}

/// What the browser fetches from the edge before the control number shows, from Chromium's
/// network log of one first and one repeat visit on loopback (the network does not change what
/// is fetched). Polls come later and are left out.
pub async fn requests_to_control_number() -> Table {
    let mut table = Table::new(
        "Requests and bytes before the control number",
        "Every request the page made to the edge from the checkout page's load to `billpay:ready` \
         (Chromium's network log, which also shows CORS preflights; polls of the checkout come \
         later and are left out), and the bytes received for them, headers included, as the edge \
         served them on loopback. A repeat visit reads widget.js's short-lived cache or revalidates \
         it, and takes glue and wasm from the cache.",
        &["visit", "requests", "of which CORS preflights", "KB received", "requests in order"],
    );
    let browser = Browser::open_recording("bench-requests").await;
    for visit in VISITS {
        browser.requests().await;
        load_once(&browser).await;
        let edge = &stack().edge;
        let sent: Vec<Sent> = browser
            .requests()
            .await
            .into_iter()
            .filter(|s| s.url.starts_with(edge.as_str()))
            .filter(|s| !s.url.contains("/v1/checkouts/"))
            .collect();
        let names: Vec<String> = sent
            .iter()
            .map(|s| {
                let path = s.url[edge.len()..].split('?').next().unwrap_or_default();
                let short = path.rsplit('/').next().unwrap_or(path);
                format!(
                    "{} {}",
                    s.method,
                    if path.starts_with("/assets/") {
                        short
                    } else {
                        path
                    }
                )
            })
            .collect();
        let bytes: u64 = sent.iter().map(|s| s.bytes).sum();
        table.row(vec![
            visit.into(),
            sent.len().to_string(),
            sent.iter().filter(|s| s.preflight).count().to_string(),
            format!("{:.1}", bytes as f64 / 1000.0),
            names.join(", "),
        ]);
    }
    browser.close().await;
    table
}

/// Times `WebAssembly.compile` of the widget's wasm, then the glue's `initSync` (instantiate and the
/// start function), `rounds` times in the page. Each round compiles different bytes (a custom
/// section naming the round is appended), so that no round can reuse a module compiled in an
/// earlier one, and imports a fresh copy of the glue, so that it instantiates again.
const WASM_START: &str = "
const [glue, wasm, rounds] = arguments;
return (async () => {
  const bytes = new Uint8Array(await (await fetch(wasm)).arrayBuffer());
  const variant = (i) => {
    const name = new TextEncoder().encode('bench-round-' + i);
    const out = new Uint8Array(bytes.length + 3 + name.length);
    out.set(bytes);
    out.set([0, 1 + name.length, name.length], bytes.length);
    out.set(name, bytes.length + 3);
    return out;
  };
  const compile = [], instantiate = [];
  for (let i = 0; i < rounds; i++) {
    const round = variant(i);
    let t = performance.now();
    const module = await WebAssembly.compile(round);
    compile.push(performance.now() - t);
    const m = await import(glue + '?round=' + i);
    t = performance.now();
    m.initSync({module});
    instantiate.push(performance.now() - t);
  }
  return {compile, instantiate};
})();";

pub async fn wasm_start(rounds: usize) -> Table {
    let (glue, wasm) = dist_assets();
    let browser = Browser::open("bench-wasm-start").await;
    // The checkout page with nothing mounted: the shop's CSP (which allows 'wasm-unsafe-eval').
    let reference = unique_ref("WASM");
    browser
        .goto(&format!(
            "{}/checkout?ref={reference}&amount=1000&nowidget=1",
            stack().shop
        ))
        .await;
    let edge = &stack().edge;
    let result = browser
        .eval(
            WASM_START,
            vec![
                json!(format!("{edge}/{glue}")),
                json!(format!("{edge}/{wasm}")),
                json!(rounds),
            ],
        )
        .await;
    browser.close().await;
    let samples = |key: &str| -> Vec<f64> {
        result[key]
            .as_array()
            .unwrap_or_else(|| panic!("wasm start: {result}"))
            .iter()
            .filter_map(Value::as_f64)
            .collect()
    };
    let mut table = Table::new(
        "Widget wasm start-up in the page (headless Chromium)",
        &format!(
            "The widget's {wasm} from widget/dist, fetched once, then compiled from its bytes and \
             instantiated through the wasm-bindgen glue's initSync (which also runs the start \
             function), {rounds} rounds in one page. Each round compiles bytes that differ by a custom \
             section, so that none reuses an earlier round's module, and instantiates a fresh copy \
             of the glue. Inside the widget the compile overlaps the download (instantiateStreaming)."
        ),
        &["step", "rounds", "median ms", "p95 ms", "max ms"],
    );
    for (step, key) in [
        ("WebAssembly.compile", "compile"),
        ("instantiate + start (initSync)", "instantiate"),
    ] {
        let s = samples(key);
        table.row(vec![
            step.into(),
            s.len().to_string(),
            ms(median(&s)),
            ms(percentile(&s, 95.0)),
            ms(percentile(&s, 100.0)),
        ]);
    }
    table
}

/// The hashed glue and wasm in `widget/dist/assets`, as paths under the edge.
fn dist_assets() -> (String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../widget/dist/assets");
    let names: Vec<String> = std::fs::read_dir(dir)
        .expect("widget/dist (cargo xtask bench builds it)")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    let find = |suffix: &str| {
        let name = names
            .iter()
            .find(|n| n.ends_with(suffix))
            .unwrap_or_else(|| panic!("no *{suffix} in {dir}"));
        format!("assets/{name}")
    };
    (find(".js"), find(".wasm"))
}
