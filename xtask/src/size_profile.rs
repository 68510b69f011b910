//! `cargo xtask size-profile`: where the widget's wasm bytes go, by crate, from twiggy (pinned,
//! from crates.io). The widget is packed exactly as shipped except that it keeps its function
//! names; twiggy's shallow size of every item is summed under the crate its name starts with.
//! Prints a Markdown table (docs/widget-size.md carries the last one).
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::widget::{pack, Names};
use crate::{tools, Result};

/// Pinned: the attribution is only comparable between runs of one version.
pub const TWIGGY_VERSION: &str = "0.8.0";

pub fn size_profile(root: &Path) -> Result<()> {
    tools::ensure(root, tools::Needs::Stack)?;
    tools::ensure_twiggy()?;
    let packed = pack(root, "widget", Names::Kept)?;
    let dir = root.join(".state/size-profile");
    std::fs::create_dir_all(&dir)?;
    let wasm = dir.join("widget_bg.wasm");
    std::fs::write(&wasm, &packed.wasm)?;
    let output = Command::new(tools::cargo_bin("twiggy"))
        .args(["top", "--format", "json", "-n", "1000000"])
        .arg(&wasm)
        .output()?;
    if !output.status.success() {
        return Err(format!("twiggy: {}", String::from_utf8_lossy(&output.stderr)).into());
    }
    let items: Vec<Value> = serde_json::from_slice(&output.stdout)?;
    let mut by_crate: BTreeMap<String, u64> = BTreeMap::new();
    for item in &items {
        let name = item["name"].as_str().unwrap_or_default();
        let size = item["shallow_size"].as_u64().unwrap_or(0);
        *by_crate.entry(crate_of(name)).or_default() += size;
    }
    by_crate.remove(NAMES);
    let total: u64 = by_crate.values().sum();
    let mut rows: Vec<(String, u64)> = by_crate.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    println!("| crate | bytes | share |\n| --- | --- | --- |");
    for (krate, bytes) in rows {
        println!(
            "| {krate} | {bytes} | {:.1} % |",
            bytes as f64 * 100.0 / total as f64
        );
    }
    println!("| **total** (raw wasm after wasm-opt, names section left out) | {total} | 100 % |");
    Ok(())
}

/// Not shipped: the names section exists only in this profiling build.
const NAMES: &str = "(names section: not shipped)";

/// The crate an item belongs to: the first path segment of its demangled name (`widget[9a99…]`
/// loses its hash), looking inside `<T as Trait>` for the type's crate, since the code is the
/// type's (or the trait's, for `<_ as Trait>`); non-code items by kind.
fn crate_of(name: &str) -> String {
    if name.contains("subsection") || name.starts_with("custom section") {
        return NAMES.into();
    }
    if name.starts_with("data segment") || name.starts_with("data[") {
        return "(data segments: strings, tables, CSS)".into();
    }
    if name.starts_with("code[") {
        return "(unnamed functions)".into();
    }
    if name.starts_with("import ") || name.starts_with("export ") {
        return "(imports and exports: the JS boundary)".into();
    }
    let path = name.trim_start_matches(['<', '&', '*', '(']);
    let path = path.strip_prefix("_ as ").unwrap_or(path);
    let path = path.strip_prefix("dyn ").unwrap_or(path);
    let path = path.strip_prefix("mut ").unwrap_or(path);
    let path = path.strip_prefix("const ").unwrap_or(path);
    let first = path.split("::").next().unwrap_or_default();
    let krate = first.split('[').next().unwrap_or_default();
    if path.contains("::") && is_ident(krate) {
        krate.into()
    } else {
        "(other: wasm-bindgen shims, tables, globals)".into()
    }
}

fn is_ident(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::crate_of;

    #[test]
    fn items_are_attributed_to_their_crate() {
        let cases = [
            (
                "a plain path",
                "tachys::view::Render::build::h1a2b",
                "tachys",
            ),
            (
                "a trait impl",
                "<leptos::prelude::RwSignal<T> as core::clone::Clone>::clone",
                "leptos",
            ),
            (
                "a reference",
                "<&T as core::fmt::Display>::fmt",
                "(other: wasm-bindgen shims, tables, globals)",
            ),
            (
                "a data segment",
                "data[3]",
                "(data segments: strings, tables, CSS)",
            ),
            ("an unnamed function", "code[17]", "(unnamed functions)"),
            ("std", "std[f3fd]::alloc::default_alloc_error_hook", "std"),
        ];
        for (case, name, expected) in cases {
            assert_eq!(crate_of(name), expected, "{case}");
        }
    }
}
