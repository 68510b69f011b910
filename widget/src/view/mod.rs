//! The screens. Views take signals and callbacks only; [`crate::live::Session`] fills the signals,
//! so tests render any screen from a hand-made snapshot.
//!
//! Size is a feature here (issue 4's budget): each screen is built once from its snapshot and only
//! a few parts are reactive (status line, countdown, failed attempt, copy feedback, selected tab).
//! Memos, node refs and `Signal` wrappers are avoided: each brings kilobytes of generic code.
//! The screens are switched through an `EitherOf6`, not `AnyView`: type erasure instantiates
//! build, rebuild and mount code per screen behind a vtable (3.3 KB gzip more).
//!
//! ```no_run
//! use leptos::prelude::*;
//! use shared::channels::Lang;
//! use widget::{live::Phase, strings::Locale, view::Checkout};
//!
//! # let parent: web_sys::HtmlElement = unimplemented!();
//! let phase = RwSignal::new(Phase::Creating);
//! let _unmount = leptos::mount::mount_to(parent, move || view! {
//!     <Checkout phase reconnecting=RwSignal::new(false) locale=Locale::new(Lang::Sw)
//!         redirects=false on_retry=UnsyncCallback::new(|()| {}) />
//! });
//! ```
mod closed;
mod failed;
mod partial;
mod pay;
mod receipt;
mod share;
mod status;
mod tabs;

use leptos::either::EitherOf6;
use leptos::prelude::*;
use shared::screen::Stage;
use wasm_bindgen::JsCast;

use crate::live::Phase;
use crate::strings::Locale;
use closed::Closed;
use failed::Failed;
use partial::Partial;
use pay::Pay;
use receipt::Receipt;
use status::StatusLine;

/// The whole widget: a status line (the ARIA live region) above the current screen.
/// `redirects`: the host page takes the customer elsewhere after payment.
#[component]
pub fn Checkout(
    phase: RwSignal<Phase>,
    reconnecting: RwSignal<bool>,
    locale: Locale,
    redirects: bool,
    on_retry: UnsyncCallback<()>,
) -> impl IntoView {
    // Re-rendered each time the session sets the phase (a new stage or new amounts); the snapshot
    // is read untracked, so other news updates the screen's reactive parts only.
    let screen = move || {
        let snapshot = match phase.get() {
            Phase::Live(snapshot) => snapshot,
            Phase::Failed(error) => return EitherOf6::A(view! { <Failed error locale on_retry/> }),
            Phase::Creating => return EitherOf6::B(()),
        };
        let stage = snapshot.with_untracked(|s| Stage::of(s.view.state));
        match stage {
            Stage::Awaiting => EitherOf6::C(view! { <Pay snapshot locale/> }),
            Stage::PartiallyPaid => EitherOf6::D(view! { <Partial snapshot locale/> }),
            Stage::Paid => EitherOf6::E(view! { <Receipt snapshot locale redirects/> }),
            Stage::Expired | Stage::Cancelled | Stage::Refunded => {
                let returned = snapshot.with_untracked(|s| s.view.returned_total);
                EitherOf6::F(view! { <Closed stage returned locale/> })
            }
            Stage::Creating | Stage::Failed => EitherOf6::B(()),
        }
    };
    view! {
        <section class="bp" aria-label=locale.text.widget_label data-stage=move || phase.with(Phase::stage).name()>
            <StatusLine phase reconnecting locale/>
            {screen}
        </section>
    }
}

/// The element around the one an event happened on: the copy button's box, a focused tab's list.
fn parent_of_target(event: &web_sys::Event) -> Option<web_sys::Element> {
    event
        .target()?
        .dyn_into::<web_sys::Element>()
        .ok()?
        .parent_element()
}

/// Label–value pairs as a description list. A fixed array, not a `Vec`: a list that never changes
/// length needs none of tachys' list-diffing code (0.7 KB gzip with the channel tabs).
fn facts<const N: usize>(rows: [(&'static str, String); N]) -> impl IntoView {
    let rows = rows.map(|(label, value)| view! { <dt>{label}</dt><dd>{value}</dd> });
    view! { <dl>{rows}</dl> }
}
