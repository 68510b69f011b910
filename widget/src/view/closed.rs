//! Expired or cancelled: nothing can be paid any more.
use leptos::prelude::*;

use crate::session::Stage;
use crate::strings::Locale;

#[component]
pub fn Closed(stage: Stage, locale: Locale) -> impl IntoView {
    let text = locale.text;
    let expired = stage == Stage::Expired;
    view! {
        <p>{if expired { text.expired_body } else { text.cancelled_body }}</p>
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
