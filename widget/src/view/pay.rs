//! Awaiting payment: the control number, the amount, the expiry countdown, the last failed
//! attempt, and how to pay on each channel.
use std::time::Duration;

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use shared::money::format_tzs;

use super::parent_of_target;
use super::tabs::ChannelTabs;
use crate::clipboard;
use crate::control_number::read_aloud_groups;
use crate::countdown::format_countdown;
use crate::live::Snapshot;
use crate::strings::Locale;
use crate::timers::use_interval;

/// How long "Copied" stays next to the button.
const FEEDBACK_FOR: Duration = Duration::from_secs(3);

#[component]
pub fn Pay(snapshot: RwSignal<Snapshot>, locale: Locale) -> impl IntoView {
    let text = locale.text;
    // The screen is rebuilt when the amount left changes (`Snapshot::screen`): read once.
    let (number, mpesa, remaining) = snapshot.with_untracked(|s| {
        (
            s.view.control_number.clone(),
            s.view.mpesa_business_number.clone(),
            s.view.remaining,
        )
    });
    let now = RwSignal::new(js_sys::Date::now());
    use_interval(Duration::from_secs(1), move || now.set(js_sys::Date::now()));
    let countdown =
        move || format_countdown(snapshot.with(|s| s.deadline).remaining_secs(now.get()));
    // "Your last attempt failed: insufficient balance; you can try again."
    let last_failure = move || {
        snapshot.with(|s| {
            s.view
                .failed_attempts
                .last()
                .map(|attempt| match &attempt.message {
                    Some(message) => [
                        text.last_attempt_failed,
                        " ",
                        message,
                        "; ",
                        text.you_can_try_again,
                    ]
                    .concat(),
                    None => [text.last_attempt_failed, " ", text.you_can_try_again].concat(),
                })
        })
    };
    view! {
        <ControlNumber number=number.clone() locale/>
        <p class="label">{text.amount}</p>
        <p class="amount">{format_tzs(remaining)}</p>
        <p class="muted">{text.expires_in}" "<span role="timer">{countdown}</span></p>
        {move || last_failure().map(|line| view! { <p role="alert" class="alert">{line}</p> })}
        <ChannelTabs number mpesa amount=remaining locale/>
    }
}

/// The number in groups of 3–4 digits, with a copy button and its confirmation.
#[component]
fn ControlNumber(number: String, locale: Locale) -> impl IntoView {
    let text = locale.text;
    let groups = read_aloud_groups(&number).join(" ");
    let feedback = RwSignal::new("");
    let copy = move |event: MouseEvent| {
        // Where the fallback puts its scratch textarea: the button's own box.
        let container = parent_of_target(&event);
        let number = number.clone();
        leptos::task::spawn_local(async move {
            let Some(container) = container else { return };
            let copied = clipboard::copy(&number, &container).await;
            feedback.set(if copied {
                text.copied
            } else {
                text.copy_failed
            });
            set_timeout(move || feedback.set(""), FEEDBACK_FOR);
        });
    };
    view! {
        <p class="label">{text.control_number}</p>
        <div class="cn">
            <span class="digits">{groups}</span>
            <button type="button" class="quiet" on:click=copy>{text.copy}</button>
            <span role="status">{move || feedback.get()}</span>
        </div>
    }
}
