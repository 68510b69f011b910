//! The one ARIA live region: screen readers hear each change of stage, and "reconnecting…".
use leptos::prelude::*;
use shared::screen::Stage;

use crate::live::Phase;
use crate::strings::Locale;

#[component]
pub fn StatusLine(
    phase: RwSignal<Phase>,
    reconnecting: RwSignal<bool>,
    locale: Locale,
) -> impl IntoView {
    let text = locale.text;
    let stage = move || phase.with(Phase::stage);
    let waiting = move || matches!(stage(), Stage::Creating | Stage::Awaiting);
    let message = move || match stage() {
        Stage::Creating => text.creating,
        Stage::Awaiting if reconnecting.get() => text.reconnecting,
        Stage::Awaiting => text.we_confirm,
        Stage::PartiallyPaid => text.partial_title,
        Stage::Paid => text.paid_title,
        Stage::Expired => text.expired_title,
        Stage::Cancelled => text.cancelled_title,
        Stage::Refunded => text.refunded_title,
        Stage::Failed => text.error_title,
    };
    view! {
        // A heading may not carry role="status" (axe: aria-allowed-role), so the live region is a
        // paragraph styled as the widget's title.
        <p role="status" aria-live="polite" class="status" class:alert=move || reconnecting.get() && waiting()>
            <span class="spin" aria-hidden="true" class:sr=move || !waiting()></span>
            {message}
        </p>
    }
}
