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
use crate::browser::Browser;
use crate::support::{stack, unique_ref};

/// How long the widget may take to answer before the run fails (with a screenshot).
const PATIENCE: Duration = Duration::from_secs(20);

/// Opens the checkout page for a fresh order of `amount` (staying on the page once paid) and returns
/// its reference.
pub async fn open_checkout(browser: &Browser, prefix: &str, amount: u64) -> String {
    let reference = unique_ref(prefix);
    browser
        .goto(&format!(
            "{}/checkout?ref={reference}&amount={amount}&lang=en&redirect=no",
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

async fn load_once(browser: &Browser) -> Load {
    open_checkout(browser, "TTCN", 90_900).await;
    heard(browser, "billpay:ready").await;
    let load = browser.eval(LOAD, vec![]).await;
    serde_json::from_value(load.clone()).unwrap_or_else(|_| panic!("Resource Timing: {load}"))
}

/// The steps of one load, each from the end of the one before; they add up to the whole.
const STEPS: [Part<Load>; 5] = [
    ("widget.js fetched", |l| l.script_end - l.script_start),
    (
        "glue and wasm fetched (compiling as the bytes arrive)",
        |l| l.wasm_end - l.script_end,
    ),
    (
        "wasm compiled and instantiated, widget mounted, POST sent",
        |l| l.create_start - l.wasm_end,
    ),
    (
        "POST /v1/checkouts answered (edge → Durable Object → ClickPesa)",
        |l| l.create_end - l.create_start,
    ),
    (
        "answer read → billpay:ready (the screen renders in the same task)",
        |l| l.ready - l.create_end,
    ),
];

/// `loads` first visits (a new browser profile each: nothing cached, no compiled wasm kept) and as
/// many repeat visits (one profile, after one load that fills its caches), each a fresh order.
/// Two tables: the whole, and the median of each step.
pub async fn time_to_control_number(loads: usize) -> [Table; 2] {
    let mut first = Vec::new();
    for i in 0..loads {
        let browser = Browser::open(&format!("bench-first-visit-{i}")).await;
        first.push(load_once(&browser).await);
        browser.close().await;
    }
    let browser = Browser::open("bench-repeat-visit").await;
    load_once(&browser).await;
    let mut repeat = Vec::new();
    for _ in 0..loads {
        repeat.push(load_once(&browser).await);
    }
    browser.close().await;
    let visits = [
        ("first visit (empty cache)", first),
        ("repeat visit (cached)", repeat),
    ];

    let mut whole = Table::new(
        "Time to control number (headless Chromium, demo shop on loopback)",
        "From the moment widget.js starts to load (its Resource Timing entry) to the control number on \
         screen (the widget's `billpay:ready`, marked on the page's timeline by the shop's script), \
         each load a new order. Everything runs on this machine over loopback: for a phone, add the \
         network's round trips (widget.js, glue and wasm, the POST and its CORS preflight).",
        &["visit", "loads", "median ms", "p95 ms", "min ms", "max ms"],
    );
    for (visit, samples) in &visits {
        let total: Vec<f64> = samples.iter().map(|l| l.ready - l.script_start).collect();
        whole.row(vec![
            visit.to_string(),
            samples.len().to_string(),
            ms(median(&total)),
            ms(percentile(&total, 95.0)),
            ms(percentile(&total, 0.0)),
            ms(percentile(&total, 100.0)),
        ]);
    }

    let mut steps = Table::new(
        "Time to control number, step by step (median ms)",
        "The same loads cut at Resource Timing's response ends and the POST's start: each step runs \
         from the end of the one before. Medians of steps need not add up to the median of the whole.",
        &["step", visits[0].0, visits[1].0],
    );
    for (step, part) in STEPS {
        let column = |samples: &[Load]| ms(median(&samples.iter().map(part).collect::<Vec<_>>()));
        steps.row(vec![
            step.into(),
            column(&visits[0].1),
            column(&visits[1].1),
        ]);
    }
    [whole, steps]
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
