//! The live-update socket in the browser: the edge pushes the checkout's view the moment it
//! changes (`shared::live`). The order token travels as a subprotocol beside `billpay.v1`, never
//! in the URL. Pushed views are decoded exactly as poll answers are ([`crate::decode`]).
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Array, JSON};
use shared::api::CheckoutView;
use shared::live::PROTOCOL;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{MessageEvent, WebSocket};

use crate::decode;
use crate::edge::Feed;
use crate::timers::Waker;

/// One socket; dropping it closes it.
pub struct Push {
    socket: Option<WebSocket>,
    inbox: Rc<Inbox>,
    // Kept alive as long as the socket may call them.
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

#[derive(Default)]
struct Inbox {
    view: RefCell<Option<CheckoutView>>,
    opened: Cell<bool>,
    closed: Cell<bool>,
}

impl Push {
    /// Connects to `url` (`ws:`/`wss:`). A socket the page may not open (a CSP without the
    /// edge's `wss:`, a token the browser refuses as a subprotocol) is closed from the start.
    pub fn open(url: &str, order: &str, wake: Waker) -> Self {
        let inbox = Rc::new(Inbox::default());
        let on_open = Closure::<dyn FnMut()>::new({
            let inbox = Rc::clone(&inbox);
            move || inbox.opened.set(true)
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new({
            let (inbox, wake) = (Rc::clone(&inbox), wake.clone());
            move |event: MessageEvent| {
                let view = event
                    .data()
                    .as_string()
                    .and_then(|text| JSON::parse(&text).ok())
                    .and_then(|json| decode::checkout_view(&json).ok());
                // Something we cannot read is dropped; the next poll brings the truth.
                if view.is_some() {
                    inbox.view.replace(view);
                    wake.wake();
                }
            }
        });
        let on_close = Closure::<dyn FnMut()>::new({
            let inbox = Rc::clone(&inbox);
            move || {
                inbox.closed.set(true);
                wake.wake();
            }
        });
        let protocols = Array::of2(&PROTOCOL.into(), &order.into());
        let socket = WebSocket::new_with_str_sequence(url, &protocols).ok();
        match &socket {
            Some(socket) => {
                socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
                socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
            }
            None => inbox.closed.set(true),
        }
        Self {
            socket,
            inbox,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        }
    }
}

impl Feed for Push {
    fn take(&self) -> Option<CheckoutView> {
        self.inbox.view.take()
    }

    fn alive(&self) -> bool {
        !self.inbox.closed.get()
    }

    fn opened(&self) -> bool {
        self.inbox.opened.get()
    }
}

impl Drop for Push {
    fn drop(&mut self) {
        if let Some(socket) = &self.socket {
            socket.set_onopen(None);
            socket.set_onmessage(None);
            socket.set_onclose(None);
            let _ = socket.close();
        }
    }
}
