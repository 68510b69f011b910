//! Expired, cancelled or refunded: nothing can be paid any more.
use leptos::prelude::*;

use super::returned_line;
use crate::session::Stage;
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
        {returned_line(locale, returned)}
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
