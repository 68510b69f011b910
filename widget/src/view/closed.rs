//! Expired, cancelled or refunded: nothing can be paid any more.
use leptos::prelude::*;
use shared::money::format_tzs;
use shared::screen::Stage;

use crate::strings::Locale;

/// `returned`: what went back to the payer (all of it, for a refunded bill).
#[component]
pub fn Closed(stage: Stage, returned: u64, locale: Locale) -> impl IntoView {
    let text = locale.text;
    let expired = stage == Stage::Expired;
    let body = match stage {
        Stage::Expired => text.expired_body,
        Stage::Refunded => text.refunded_body,
        _ => text.cancelled_body,
    };
    view! {
        <p>{body}</p>
        // What went back: the whole amount paid, since nothing is held.
        {(stage == Stage::Refunded).then(|| view! { <p class="note">{text.returned}" "{format_tzs(returned)}</p> })}
        // A reload asks the shop's page for a fresh order token and so a fresh control number.
        {expired.then(|| view! {
            <button type="button" on:click=|_| {
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
            }>{text.start_again}</button>
        })}
    }
}
