//! Browser timers for the reactive code: a ticking hook and sleeps that end early when the page
//! becomes visible again.
//!
//! ```no_run
//! # async fn demo() {
//! use widget::timers::Wakeup;
//!
//! let wakeup = Wakeup::new();
//! wakeup.sleep(2_000).await;   // ends after 2 s, or as soon as the tab comes back into view
//! # }
//! ```
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Promise};
use leptos::prelude::{on_cleanup, set_interval_with_handle};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// Calls `tick` every `period` while the calling component is mounted.
pub fn use_interval(period: Duration, tick: impl Fn() + 'static) {
    if let Ok(handle) = set_interval_with_handle(tick, period) {
        on_cleanup(move || handle.clear());
    }
}

/// True while the customer can't see the page (another tab, phone locked).
pub fn page_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

/// Sleeps for the poll loop. The page becoming visible resolves the current sleep, so a customer
/// who switched to their USSD app and back sees news at once. Dropping it removes the listener.
pub struct Wakeup {
    /// Resolves the promise the loop is waiting on, if any.
    pending: Rc<RefCell<Option<Function>>>,
    /// Set when the page became visible, until [`Wakeup::came_back`] reads it.
    returned: Rc<Cell<bool>>,
    listener: Closure<dyn FnMut()>,
}

impl Wakeup {
    pub fn new() -> Self {
        let pending: Rc<RefCell<Option<Function>>> = Rc::default();
        let returned: Rc<Cell<bool>> = Rc::default();
        let listener = Closure::<dyn FnMut()>::new({
            let (pending, returned) = (Rc::clone(&pending), Rc::clone(&returned));
            move || {
                if !page_hidden() {
                    returned.set(true);
                    wake(&pending);
                }
            }
        });
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.add_event_listener_with_callback(
                "visibilitychange",
                listener.as_ref().unchecked_ref(),
            );
        }
        Self {
            pending,
            returned,
            listener,
        }
    }

    /// Waits `ms` milliseconds, or until the page becomes visible.
    pub async fn sleep(&self, ms: u32) {
        let window = web_sys::window();
        let mut timer = None;
        let promise = Promise::new(&mut |resolve, _| {
            timer = window.as_ref().and_then(|w| {
                w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32)
                    .ok()
            });
            self.pending.replace(Some(resolve));
        });
        let _ = JsFuture::from(promise).await;
        if let (Some(window), Some(timer)) = (window, timer) {
            window.clear_timeout_with_handle(timer);
        }
    }

    /// Whether the page became visible since the last call.
    pub fn came_back(&self) -> bool {
        self.returned.take()
    }

    /// A handle that ends the current sleep from elsewhere (a pushed update).
    pub fn waker(&self) -> Waker {
        Waker(Rc::clone(&self.pending))
    }

    /// Waits until the page is visible.
    pub async fn until_visible(&self) {
        while page_hidden() {
            let promise = Promise::new(&mut |resolve, _| {
                self.pending.replace(Some(resolve));
            });
            let _ = JsFuture::from(promise).await;
        }
    }
}

impl Default for Wakeup {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Wakeup {
    fn drop(&mut self) {
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let _ = document.remove_event_listener_with_callback(
                "visibilitychange",
                self.listener.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Ends the sleep of the [`Wakeup`] it came from, if one is under way.
#[derive(Clone)]
pub struct Waker(Rc<RefCell<Option<Function>>>);

impl Waker {
    pub fn wake(&self) {
        wake(&self.0);
    }
}

fn wake(pending: &RefCell<Option<Function>>) {
    if let Some(resolve) = pending.borrow_mut().take() {
        let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
    }
}
