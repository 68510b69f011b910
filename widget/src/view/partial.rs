//! Partly paid: what arrived and what is missing. ClickPesa closes an Order number with its first
//! payment, even a partial one (docs/clickpesa.md §2.6), so the rest cannot be paid with it: the shop, told by
//! `bill.partially_paid`, settles the difference with the customer.
use leptos::prelude::*;
use shared::money::format_tzs;

use super::facts;
use crate::control_number::read_aloud_groups;
use crate::live::Snapshot;
use crate::strings::Locale;

#[component]
pub fn Partial(snapshot: RwSignal<Snapshot>, locale: Locale) -> impl IntoView {
    let text = locale.text;
    let rows = snapshot.with_untracked(|s| {
        [
            (text.partial_paid, format_tzs(s.view.paid_total)),
            (text.partial_missing, format_tzs(s.view.remaining)),
            (
                text.control_number,
                read_aloud_groups(&s.view.control_number).join(" "),
            ),
        ]
    });
    view! {
        {facts(rows)}
        <p class="note">{text.partial_what_to_do}</p>
    }
}
