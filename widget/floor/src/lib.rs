//! The floor under the widget's size: a counter button, the smallest thing that uses Leptos'
//! signals, views and events. `cargo xtask bench` packs it exactly like the widget (release
//! profile, wasm-bindgen, wasm-opt -Oz, esbuild) and prints it next to the widget's sizes, so the
//! share of the budget that Leptos takes before any checkout code is a measured figure.
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(start)]
pub fn start() {
    let count = RwSignal::new(0);
    leptos::mount::mount_to_body(move || {
        view! { <button on:click=move |_| count.update(|n| *n += 1)>{count}</button> }
    });
}
