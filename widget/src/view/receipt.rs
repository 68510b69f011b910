//! Paid: the receipt the customer can show if anything goes wrong later.
use leptos::prelude::*;
use shared::api::PaymentView;
use shared::ledger::BillState;
use shared::money::format_tzs;
use wasm_bindgen::JsValue;

use crate::live::Snapshot;
use crate::strings::Locale;

#[component]
pub fn Receipt(snapshot: ReadSignal<Snapshot>, locale: Locale, redirects: bool) -> impl IntoView {
    let text = locale.text;
    let view = move || snapshot.with(|s| s.view.clone());
    view! {
        {move || {
            let view = view();
            // A bill paid in several parts lists every part.
            let each = |part: fn(&PaymentView) -> Option<String>| {
                view.payments.iter().filter_map(part).collect::<Vec<_>>().join(", ")
            };
            let channels = each(|p| p.channel.clone());
            let references = each(|p| p.payment_reference.clone());
            let time = view.payments.last().map(|p| local_time(&p.paid_at, locale.tag())).unwrap_or_default();
            view! {
                <dl>
                    <dt>{text.paid_amount}</dt><dd>{format_tzs(view.paid_total)}</dd>
                    <dt>{text.channel}</dt><dd>{channels}</dd>
                    <dt>{text.payment_reference}</dt><dd>{references}</dd>
                    <dt>{text.paid_at}</dt><dd>{time}</dd>
                </dl>
                {(view.state == BillState::Overpaid).then(|| view! { <p class="note">{text.overpaid_note}</p> })}
            }
        }}
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
