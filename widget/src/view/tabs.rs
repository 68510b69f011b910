//! One tab per payment channel, following the WAI-ARIA tabs pattern: left/right arrows, Home and End
//! move between tabs (and select them), Tab moves into the steps.
use leptos::ev::KeyboardEvent;
use leptos::prelude::*;
use shared::channels::{instructions, Channel, ChannelContext};
use shared::digits::decimal;
use shared::share::message;
use wasm_bindgen::JsCast;

use super::parent_of_target;
use super::share::ShareLinks;
use crate::strings::Locale;

const PANEL_ID: &str = "bp-steps";

fn tab_id(index: usize) -> String {
    ["bp-tab-", &decimal(index as u64)].concat()
}

/// The tab the key moves to from `current`, or `None` for keys that tabs don't handle.
fn tab_after_key(key: &str, current: usize, count: usize) -> Option<usize> {
    match key {
        "ArrowRight" => Some((current + 1) % count),
        "ArrowLeft" => Some((current + count - 1) % count),
        "Home" => Some(0),
        "End" => Some(count - 1),
        _ => None,
    }
}

#[component]
pub fn ChannelTabs(
    /// The control number the steps ask the customer to enter.
    number: String,
    mpesa: Option<String>,
    /// What is left to pay.
    amount: u64,
    locale: Locale,
) -> impl IntoView {
    let selected = RwSignal::new(0_usize);
    let on_keydown = move |event: KeyboardEvent| {
        let Some(next) = tab_after_key(&event.key(), selected.get_untracked(), Channel::ALL.len())
        else {
            return;
        };
        event.prevent_default();
        selected.set(next);
        // The key went to the focused tab; its parent is the tab list.
        let tab = parent_of_target(&event).and_then(|list| list.children().item(next as u32));
        if let Some(tab) = tab.and_then(|tab| tab.dyn_into::<web_sys::HtmlElement>().ok()) {
            let _ = tab.focus();
        }
    };
    // An array like `Channel::ALL`: fixed, so no list-diffing code.
    let tabs = std::array::from_fn::<_, { Channel::ALL.len() }, _>(|index| {
        let channel = Channel::ALL[index];
        let is_selected = move || selected.get() == index;
        view! {
            <button type="button" role="tab" id=tab_id(index) aria-controls=PANEL_ID
                aria-selected=move || if is_selected() { "true" } else { "false" }
                tabindex=move || if is_selected() { "0" } else { "-1" }
                on:click=move |_| selected.set(index)>
                {channel.name()}
            </button>
        }
    });
    let steps = move || {
        let context = ChannelContext {
            control_number: &number,
            amount,
            mpesa_business_number: mpesa.as_deref(),
        };
        let how = instructions(Channel::ALL[selected.get()], locale.lang, &context);
        let share = how
            .available
            .then(|| view! { <ShareLinks text=message(&how, locale.lang, &context) locale/> });
        let dial = how.tel_href.filter(|_| how.available).map(|href| {
            let code = how.ussd.clone().unwrap_or_default();
            view! { <p><a class="btn" href=href>{locale.text.dial}" "{code}</a></p> }
        });
        view! {
            {how.note.map(|note| view! { <p class="note">{note}</p> })}
            {dial}
            {how.available.then(|| view! {
                <ol>{how.steps.into_iter().map(|step| view! { <li>{step}</li> }).collect_view()}</ol>
            })}
            {share}
        }
    };
    view! {
        <div role="tablist" aria-label=locale.text.how_to_pay on:keydown=on_keydown>
            {tabs}
        </div>
        <div role="tabpanel" id=PANEL_ID tabindex="0" aria-labelledby=move || tab_id(selected.get())>
            {steps}
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::tab_after_key;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn arrow_keys_wrap_around() {
        assert_eq!(tab_after_key("ArrowRight", 5, 6), Some(0));
        assert_eq!(tab_after_key("ArrowLeft", 0, 6), Some(5));
        assert_eq!(tab_after_key("ArrowRight", 2, 6), Some(3));
        // The tabs sit in a row: up and down keep scrolling the page.
        assert_eq!(tab_after_key("ArrowDown", 2, 6), None);
        assert_eq!(tab_after_key("Home", 4, 6), Some(0));
        assert_eq!(tab_after_key("End", 1, 6), Some(5));
        assert_eq!(tab_after_key("Enter", 1, 6), None);
    }
}
