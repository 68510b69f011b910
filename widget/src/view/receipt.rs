//! Paid: the receipt the customer can show if anything goes wrong later.
use leptos::prelude::*;
use shared::api::PaymentView;
use shared::channels::Channel;
use shared::ledger::BillState;
use shared::money::format_tzs;
use wasm_bindgen::JsValue;

use super::facts;
use crate::live::Snapshot;
use crate::strings::Locale;

#[component]
pub fn Receipt(snapshot: RwSignal<Snapshot>, locale: Locale, redirects: bool) -> impl IntoView {
    let text = locale.text;
    // The screen is rebuilt when the paid total changes (`Snapshot::screen`): read once.
    let view = snapshot.with_untracked(|s| s.view.clone());
    // A bill paid in several parts lists every part.
    let each = |part: fn(&PaymentView) -> Option<String>| {
        view.payments
            .iter()
            .filter_map(part)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let channels = each(|p| {
        p.channel
            .as_deref()
            .map(|raw| Channel::display_name(raw).to_owned())
    });
    let references = each(|p| p.payment_reference.clone());
    let time = view
        .payments
        .last()
        .map(|p| local_time(&p.paid_at, locale.tag()))
        .unwrap_or_default();
    let rows = [
        (text.paid_amount, format_tzs(view.paid_total)),
        (text.channel, channels),
        (text.payment_reference, references),
        (text.paid_at, time),
    ];
    view! {
        {facts(rows)}
        {(view.state == BillState::Overpaid).then(|| view! { <p class="note">{text.overpaid_note}</p> })}
        {redirects.then(|| view! { <p class="muted">{text.redirecting}</p> })}
    }
}

/// `paid_at` (ClickPesa's timestamp) in the customer's language and time zone; as sent if unreadable.
fn local_time(timestamp: &str, locale_tag: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(timestamp));
    if date.get_time().is_nan() {
        return timestamp.to_owned();
    }
    date.to_locale_string(locale_tag, &JsValue::UNDEFINED)
        .into()
}
