//! Time to control number: the demo shop's checkout page (one script tag, strict CSP) in headless
//! Chromium, from the moment `widget.js` starts to load to the moment the awaiting screen with the
//! control number is in the DOM; and the widget's wasm compile and instantiate on their own.
use serde::Deserialize;
use serde_json::{json, Value};

use super::report::{median, ms, percentile, Table};
use crate::browser::{Browser, SHADOW};
use crate::support::{stack, unique_ref};

/// Resolves when `[data-stage=awaiting]` appears in the widget's shadow root, with the Resource
/// Timing of what led there. A MutationObserver (not polling) stamps the DOM change itself; it is
/// installed when WebDriver returns from the navigation (the load event), which is before the
/// widget can have rendered: its glue is a dynamic import and its wasm a fetch, neither of which
/// holds the load event, and the checkout needs a round trip to the edge after them.
const WATCH: &str = "
if (!root) return {error: 'the widget attached no shadow root'};
const awaiting = () => { const s = root.querySelector('[data-stage]'); return !!s && s.dataset.stage === 'awaiting'; };
const timing = (shown) => {
  const entries = performance.getEntriesByType('resource');
  const find = (suffix) => entries.find(e => e.name.split('?')[0].endsWith(suffix)) || {};
  const script = find('/widget.js'), wasm = find('_bg.wasm'), create = find('/v1/checkouts');
  return {script: script.startTime, wasm_end: wasm.responseEnd, create_start: create.startTime, create_end: create.responseEnd, shown};
};
if (awaiting()) return {error: 'the control number was on screen before the observer was installed'};
return new Promise(resolve => {
  const observer = new MutationObserver(() => { if (awaiting()) { observer.disconnect(); resolve(timing(performance.now())); } });
  observer.observe(root, {subtree: true, childList: true, attributes: true});
  setTimeout(() => { observer.disconnect(); resolve({error: 'no control number within 20 s'}); }, 20000);
});";

#[derive(Debug, Deserialize)]
struct Load {
    script: f64,
    wasm_end: f64,
    create_start: f64,
    create_end: f64,
    shown: f64,
}

async fn load_once(browser: &Browser) -> Load {
    let reference = unique_ref("TTCN");
    browser.goto(&format!("{}/checkout?ref={reference}&amount=90900&lang=en&redirect=no", stack().shop)).await;
    let result = browser.eval(&format!("{SHADOW}\n{WATCH}"), vec![]).await;
    serde_json::from_value(result.clone()).unwrap_or_else(|_| panic!("time to control number: {result}"))
}

/// First visits (a new browser profile each: nothing cached, no compiled wasm kept) and repeat
/// visits (one profile: widget.js, glue and wasm from the HTTP cache).
pub async fn time_to_control_number(loads: usize) -> Table {
    let mut table = Table::new(
        "Time to control number (headless Chromium, local edge and simulator)",
        "From widget.js's fetch start (Resource Timing) to `[data-stage=awaiting]` in the shadow root \
         (MutationObserver, performance.now()). Columns after p95 are medians of the parts: widget.js \
         start → wasm downloaded; the POST /v1/checkouts (edge → Durable Object → simulator); create \
         answered → control number rendered. Loopback: transfer time is near zero here, add the \
         network's for a phone.",
        &["visit", "loads", "median ms", "p95 ms", "→ wasm loaded", "create request", "→ rendered"],
    );
    let mut first = Vec::new();
    for i in 0..loads {
        let browser = Browser::open(&format!("bench-first-visit-{i}")).await;
        first.push(load_once(&browser).await);
        browser.close().await;
    }
    let browser = Browser::open("bench-repeat-visit").await;
    load_once(&browser).await; // fills the cache
    let mut repeat = Vec::new();
    for _ in 0..loads {
        repeat.push(load_once(&browser).await);
    }
    browser.close().await;
    for (visit, samples) in [("first (empty cache)", &first), ("repeat (cached)", &repeat)] {
        let total: Vec<f64> = samples.iter().map(|l| l.shown - l.script).collect();
        let part = |f: fn(&Load) -> f64| ms(median(&samples.iter().map(f).collect::<Vec<_>>()));
        table.row(vec![
            visit.into(),
            samples.len().to_string(),
            ms(median(&total)),
            ms(percentile(&total, 95.0)),
            part(|l| l.wasm_end - l.script),
            part(|l| l.create_end - l.create_start),
            part(|l| l.shown - l.create_end),
        ]);
    }
    table
}

/// `WebAssembly.compile` of the widget's bytes, then the glue's `initSync` (instantiate + start),
/// timed in the page; each round imports a fresh copy of the glue so that it instantiates again.
const WASM_START: &str = "
const [glue, wasm, rounds] = arguments;
return (async () => {
  const bytes = await (await fetch(wasm)).arrayBuffer();
  const compile = [], instantiate = [];
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const module = await WebAssembly.compile(bytes);
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
    // The checkout page without the widget: the shop's CSP, the edge allowed, nothing mounted.
    let reference = unique_ref("WASM");
    browser.goto(&format!("{}/checkout?ref={reference}&amount=1000&nowidget=1", stack().shop)).await;
    let edge = &stack().edge;
    let result = browser.eval(WASM_START, vec![json!(format!("{edge}/{glue}")), json!(format!("{edge}/{wasm}")), json!(rounds)]).await;
    browser.close().await;
    let samples = |key: &str| -> Vec<f64> {
        result[key].as_array().unwrap_or_else(|| panic!("wasm start: {result}")).iter().filter_map(Value::as_f64).collect()
    };
    let mut table = Table::new(
        "Widget wasm start-up in the page",
        "Chromium compiles lazily (Liftoff first, functions on first call), so compile is mostly \
         validation; instantiate includes the glue's start.",
        &["step", "rounds", "median ms", "p95 ms"],
    );
    for (step, key) in [("WebAssembly.compile", "compile"), ("instantiate (initSync)", "instantiate")] {
        let s = samples(key);
        table.row(vec![step.into(), s.len().to_string(), ms(median(&s)), ms(percentile(&s, 95.0))]);
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
        let name = names.iter().find(|n| n.ends_with(suffix)).unwrap_or_else(|| panic!("no *{suffix} in {dir}"));
        format!("assets/{name}")
    };
    (find(".js"), find(".wasm"))
}
