//! The checkout could not start (or the edge refused us): say why, offer to try again.
use leptos::prelude::*;

use crate::edge::EdgeError;
use crate::strings::Locale;

#[component]
pub fn Failed(error: EdgeError, locale: Locale, on_retry: UnsyncCallback<()>) -> impl IntoView {
    view! {
        <p class="muted">{error.message()}</p>
        <button type="button" on:click=move |_| on_retry.run(())>{locale.text.retry}</button>
    }
}
