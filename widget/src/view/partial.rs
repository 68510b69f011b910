//! Partly paid: what arrived, what is missing, and the same ways to pay the rest.
use leptos::prelude::*;
use shared::money::format_tzs;

use super::pay::Pay;
use crate::live::Snapshot;
use crate::strings::Locale;

#[component]
pub fn Partial(snapshot: ReadSignal<Snapshot>, locale: Locale) -> impl IntoView {
    let text = locale.text;
    let paid = move || snapshot.with(|s| format_tzs(s.view.paid_total));
    let missing = move || snapshot.with(|s| format_tzs(s.view.remaining));
    view! {
        <dl>
            <dt>{text.partial_paid}</dt><dd>{paid}</dd>
            <dt>{text.partial_missing}</dt><dd>{missing}</dd>
        </dl>
        <p>{text.partial_what_to_do}</p>
        <Pay snapshot locale/>
    }
}
