//! The BillPay checkout widget: Leptos (client-side rendering) inside a Shadow DOM root.
//!
//! `bootstrap/widget.js` loads this crate's wasm-bindgen glue and calls [`mount`]:
//!
//! ```js
//! const host = document.querySelector("#pay");
//! const root = host.attachShadow({ mode: "open" });
//! const handle = wasm.mount(root, host, { order: TOKEN, lang: "sw", edge: "https://pay.example.com", successUrl: "/thanks",
//!                                        early: { create: fetch(/* POST /v1/checkouts, already sent */) } });
//! host.addEventListener("billpay:paid", (e) => console.log(e.detail.paymentReference));
//! handle.destroy();
//! ```
//!
//! How the pieces fit: [`live::Session`] talks to the [`edge::Edge`] (in the browser
//! [`fetch::EdgeClient`]) and keeps a [`live::Phase`] signal current, from [`push`]ed views and
//! polls paced by [`poll`]; the
//! [`view`] components render that signal; [`host::Host`] tells the shop's page what happened.
pub mod clipboard;
pub mod control_number;
pub mod countdown;
pub mod decode;
pub mod edge;
pub mod fetch;
pub mod host;
pub mod live;
pub mod poll;
pub mod push;
pub mod session;
pub mod strings;
pub mod style;
pub mod timers;
pub mod view;

use std::any::Any;
use std::rc::Rc;

use js_sys::Reflect;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;
use shared::channels::Lang;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlElement, ShadowRoot};

use crate::edge::Edge;
use crate::fetch::EdgeClient;
use crate::host::Host;
use crate::live::{Phase, Session};
use crate::strings::Locale;
use crate::view::Checkout;

#[cfg(all(test, target_arch = "wasm32"))]
mod dom_tests;
#[cfg(test)]
mod testing;
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// What the embedding page tells the widget (from the script tag's data attributes or
/// `BillPay.mount(element, {…})`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountOptions {
    /// The order token minted by the shop's server.
    pub order: String,
    /// `en` or `sw`; else the browser's language decides.
    pub lang: Option<String>,
    /// Where the edge is: the folder `widget.js` was loaded from.
    pub edge: String,
    /// Where to send the customer once paid.
    pub success_url: Option<String>,
}

impl MountOptions {
    /// Reads `{order, lang, edge, successUrl}` from a JavaScript object.
    pub fn from_js(options: &JsValue) -> Result<Self, JsError> {
        let text = |key: &str| {
            Reflect::get(options, &JsValue::from_str(key))
                .ok()
                .and_then(|v| v.as_string())
                .filter(|v| !v.is_empty())
        };
        Ok(Self {
            order: text("order")
                .ok_or_else(|| JsError::new("BillPay: `order` (the order token) is required"))?,
            edge: text("edge")
                .ok_or_else(|| JsError::new("BillPay: `edge` (the edge URL) is required"))?,
            lang: text("lang"),
            success_url: text("successUrl"),
        })
    }
}

/// A mounted widget. `destroy()` stops polling and removes it; calling it twice is harmless.
#[wasm_bindgen]
pub struct Handle {
    /// Leptos' unmount handle: dropping it takes the view out of the DOM.
    unmount: Option<Box<dyn Any>>,
    /// Parent of the view's reactive owner. Running tasks hold the owner, so it is never dropped
    /// while they run: cleaning it up explicitly is what cancels the session and its timers.
    owner: Owner,
    root: HtmlElement,
    shadow: ShadowRoot,
}

#[wasm_bindgen]
impl Handle {
    pub fn destroy(&mut self) {
        if let Some(unmount) = self.unmount.take() {
            drop(unmount);
            self.owner.cleanup();
            self.root.remove();
            style::release(&self.shadow);
        }
    }
}

/// Mounts a widget into `shadow` (attached to `host`, which receives the `billpay:*` events).
///
/// `options.early` is how the bootstrap hands over what it started before the wasm was there, each
/// entry a `Promise<Response>` the widget takes once: `early.create` is `POST /v1/checkouts` for
/// `options.order`. Missing entries are simply asked for.
#[wasm_bindgen]
pub fn mount(shadow: ShadowRoot, host: HtmlElement, options: JsValue) -> Result<Handle, JsError> {
    let early = Reflect::get(&options, &"early".into())
        .and_then(|early| Reflect::get(&early, &"create".into()))
        .ok()
        .and_then(|create| create.dyn_into::<js_sys::Promise>().ok());
    let options = MountOptions::from_js(&options)?;
    let edge = Rc::new(EdgeClient::new(&options.edge, early));
    mount_with(shadow, host, options, edge)
        .map_err(|e| JsError::new(&["BillPay: cannot mount: ", &fetch::js_message(&e)].concat()))
}

/// [`mount`] with the edge injected: tests pass a scripted one.
pub fn mount_with(
    shadow: ShadowRoot,
    host: HtmlElement,
    options: MountOptions,
    edge: Rc<dyn Edge>,
) -> Result<Handle, JsValue> {
    style::adopt(&shadow)?;
    let root: HtmlElement = document().create_element("div")?.unchecked_into();
    shadow.append_child(&root)?;
    let navigator_language = window().navigator().language();
    let locale = Locale::new(Lang::choose(
        options.lang.as_deref(),
        navigator_language.as_deref(),
    ));
    let host = Host::new(host, options.success_url);
    let redirects = host.redirects();
    let order = options.order;
    let owner = Owner::new();
    let unmount = owner.with(|| {
        leptos::mount::mount_to(root.clone(), move || {
            let phase = RwSignal::new(Phase::Creating);
            let reconnecting = RwSignal::new(false);
            let session = Rc::new(Session {
                edge,
                order,
                phase,
                reconnecting,
                announce: Rc::new(move |event| host.announce(&event)),
            });
            let start = UnsyncCallback::new(move |()| {
                spawn_local_scoped_with_cancellation(Rc::clone(&session).run())
            });
            start.run(());
            view! { <Checkout phase reconnecting locale redirects on_retry=start/> }
        })
    });
    Ok(Handle {
        unmount: Some(Box::new(unmount)),
        owner,
        root,
        shadow,
    })
}
