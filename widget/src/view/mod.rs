//! The screens. Views take signals and callbacks only; [`crate::live::Session`] fills the signals,
//! so tests render any screen from a hand-made snapshot.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use shared::channels::Lang;
//! use widget::{live::Phase, strings::Locale, view::Checkout};
//!
//! # let parent: web_sys::HtmlElement = unimplemented!();
//! let phase = RwSignal::new(Phase::Creating);
//! let _unmount = leptos::mount::mount_to(parent, move || view! {
//!     <Checkout phase reconnecting=Signal::stored(false) locale=Locale::new(Lang::Sw)
//!         redirects=false on_retry=UnsyncCallback::new(|()| {}) />
//! });
//! ```
mod closed;
mod failed;
mod partial;
mod pay;
mod receipt;
mod status;
mod tabs;

use leptos::prelude::*;

use crate::live::Phase;
use crate::session::Stage;
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
    reconnecting: Signal<bool>,
    locale: Locale,
    redirects: bool,
    on_retry: UnsyncCallback<()>,
) -> impl IntoView {
    let stage = Memo::new(move |_| phase.with(Phase::stage));
    // Re-rendered only when the stage changes; within a screen, parts follow the snapshot.
    let screen = move || {
        let stage = stage.get();
        let snapshot = match phase.get_untracked() {
            Phase::Live(snapshot) => snapshot.read_only(),
            Phase::Failed(error) => return view! { <Failed error locale on_retry/> }.into_any(),
            Phase::Creating => return ().into_any(),
        };
        match stage {
            Stage::Awaiting => view! { <Pay snapshot locale/> }.into_any(),
            Stage::PartiallyPaid => view! { <Partial snapshot locale/> }.into_any(),
            Stage::Paid => view! { <Receipt snapshot locale redirects/> }.into_any(),
            Stage::Expired | Stage::Cancelled => view! { <Closed stage locale/> }.into_any(),
            Stage::Creating | Stage::Failed => ().into_any(),
        }
    };
    view! {
        <section class="bp" aria-label=locale.text.widget_label data-stage=move || stage.get().name()>
            <StatusLine stage reconnecting locale/>
            {screen}
        </section>
    }
}
