//! "Send to my phone": the steps on screen as a text message or a WhatsApp message, built by
//! [`shared::share`]; the links carry the whole text, so no server is involved.
use leptos::prelude::*;
use shared::share::{sms_href, whatsapp_href};

use crate::strings::Locale;

#[component]
pub fn ShareLinks(
    /// The control number, amount and steps ([`shared::share::message`]).
    text: String,
    locale: Locale,
) -> impl IntoView {
    view! {
        <p class="share">
            {locale.text.send_to_phone}" "
            <a href=sms_href(&text)>"SMS"</a>" · "
            <a href=whatsapp_href(&text) target="_blank" rel="noopener noreferrer">"WhatsApp"</a>
        </p>
    }
}
