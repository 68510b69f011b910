//! Talking to the host page: `billpay:*` CustomEvents on the host element, and the shop's
//! success URL.
//!
//! ```no_run
//! use widget::{host::Host, session::HostEvent};
//!
//! # let element: web_sys::HtmlElement = unimplemented!();
//! let host = Host::new(element, Some("/thanks".into()));
//! host.announce(&HostEvent::Expired { reference: "ORD1".into() });
//! ```
//! The shop listens with
//! `el.addEventListener("billpay:paid", e => console.log(e.detail.paymentReference))`.
use std::time::Duration;

use js_sys::{Object, Reflect};
use leptos::prelude::set_timeout;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

use crate::session::HostEvent;

/// Long enough to see the receipt and the "taking you back" line before the page changes.
pub const REDIRECT_DELAY: Duration = Duration::from_millis(3_000);

/// The shop's element the widget lives in.
#[derive(Debug, Clone)]
pub struct Host {
    element: HtmlElement,
    success_url: Option<String>,
}

impl Host {
    pub fn new(element: HtmlElement, success_url: Option<String>) -> Self {
        Self {
            element,
            success_url: success_url.filter(|url| !url.trim().is_empty()),
        }
    }

    /// True when the shop asked to be taken to a page after payment.
    pub fn redirects(&self) -> bool {
        self.success_url.is_some()
    }

    /// Dispatches `event` on the host element (bubbling, composed); after `billpay:paid`, moves
    /// to the success URL unless a listener called `preventDefault()`.
    pub fn announce(&self, event: &HostEvent) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_cancelable(matches!(event, HostEvent::Paid { .. }));
        init.set_detail(&detail(event));
        let Ok(dom_event) = CustomEvent::new_with_event_init_dict(event.name(), &init) else {
            return;
        };
        let not_cancelled = self.element.dispatch_event(&dom_event).unwrap_or(true);
        if let (HostEvent::Paid { .. }, true, Some(url)) = (event, not_cancelled, &self.success_url)
        {
            navigate_later(url.clone());
        }
    }
}

/// The event's `detail`, with the camelCase keys JavaScript expects.
fn detail(event: &HostEvent) -> JsValue {
    let detail = Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&detail, &key.into(), &value);
    };
    let text = |value: &Option<String>| value.as_deref().map_or(JsValue::NULL, JsValue::from_str);
    match event {
        HostEvent::Ready {
            reference,
            control_number,
            amount,
        } => {
            set("reference", reference.into());
            set("controlNumber", control_number.into());
            set("amount", (*amount as f64).into());
        }
        HostEvent::Paid {
            reference,
            amount,
            paid_total,
            payment_reference,
            channel,
        } => {
            set("reference", reference.into());
            set("amount", (*amount as f64).into());
            set("paidTotal", (*paid_total as f64).into());
            set("paymentReference", text(payment_reference));
            set("channel", text(channel));
        }
        HostEvent::PartiallyPaid {
            reference,
            amount,
            paid_total,
            remaining,
        } => {
            set("reference", reference.into());
            set("amount", (*amount as f64).into());
            set("paidTotal", (*paid_total as f64).into());
            set("remaining", (*remaining as f64).into());
        }
        HostEvent::Expired { reference } => set("reference", reference.into()),
        HostEvent::Error { code, message } => {
            set("code", code.into());
            set("message", message.into());
        }
    }
    detail.into()
}

/// Only http(s) URLs, resolved against the page: a `javascript:` URL in an attribute is no redirect.
fn navigate_later(url: String) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let base = window.location().href().unwrap_or_default();
    let Ok(target) = web_sys::Url::new_with_base(&url, &base) else {
        return;
    };
    if matches!(target.protocol().as_str(), "https:" | "http:") {
        set_timeout(
            move || drop(window.location().assign(&target.href())),
            REDIRECT_DELAY,
        );
    }
}
