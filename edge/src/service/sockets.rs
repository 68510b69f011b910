//! The `Bill` object's live-update sockets (Hibernatable WebSockets API): an open checkout costs
//! no object duration while nothing happens, and the object wakes only to push a change.
//!
//! Each socket is tagged with its client's key (for the per-client bound) and carries, as its
//! attachment, the bill version it last received, so a change is pushed once per socket even
//! after the object was evicted and woke up again.
use shared::api::CheckoutView;
use shared::live::{self, SocketCount};
use worker::{Headers, Request, Response, State, WebSocket, WebSocketPair};

use crate::http::errors::EdgeError;

/// Carries the client key from the worker to the object (the object never sees the client).
pub const CLIENT_HEADER: &str = "X-BillPay-Client";

/// Whether `req` asks the object for a socket rather than an RPC.
pub fn is_upgrade(req: &Request) -> bool {
    req.headers()
        .get("Upgrade")
        .ok()
        .flatten()
        .is_some_and(|u| u.eq_ignore_ascii_case("websocket"))
}

/// Opens a socket for the client in `req` and sends it `view` at once: a change recorded
/// between the widget's last poll and this moment is not missed. A settled bill's socket is
/// closed right after.
pub fn accept(state: &State, req: &Request, view: &CheckoutView) -> Result<Response, EdgeError> {
    let client = req.headers().get(CLIENT_HEADER)?.unwrap_or_default();
    SocketCount {
        bill: state.get_websockets().len(),
        client: state.get_websockets_with_tag(&client).len(),
    }
    .admit()?;
    let pair = WebSocketPair::new()?;
    state.accept_websocket_with_tags(&pair.server, &[client.as_str()]);
    send(&pair.server, view, &serde_json::to_string(view)?);
    let headers = Headers::new();
    headers.set("Sec-WebSocket-Protocol", live::PROTOCOL)?;
    Ok(Response::from_websocket(pair.client)?.with_headers(headers))
}

/// Pushes the bill's view to every socket that has not seen its version. `view` is only built
/// when a socket is open.
pub fn push(state: &State, view: impl FnOnce() -> CheckoutView) {
    let sockets = state.get_websockets();
    if sockets.is_empty() {
        return;
    }
    let view = view();
    let Ok(text) = serde_json::to_string(&view) else {
        return;
    };
    for socket in sockets {
        let seen: Option<u64> = socket.deserialize_attachment().ok().flatten();
        if seen.is_none_or(|seen| seen < view.version) {
            send(&socket, &view, &text);
        }
    }
}

/// A socket the client closed is closed on our side too (a close frame answers a close frame).
pub fn close(socket: &WebSocket, code: usize) {
    // 1005/1006 are reserved: they may be reported but never sent.
    let code = u16::try_from(code)
        .ok()
        .filter(|c| !matches!(c, 1005 | 1006))
        .unwrap_or(1000);
    let _ = socket.close(Some(code), Some("closed"));
}

/// Sends `text` (the JSON of `view`) and records its version; once the bill is settled nothing
/// will change any more and the socket is closed normally.
fn send(socket: &WebSocket, view: &CheckoutView, text: &str) {
    // A socket that cannot take a message is already closing; its close handler cleans up.
    if socket.send_with_str(text).is_ok() {
        let _ = socket.serialize_attachment(view.version);
    }
    if view.state.is_terminal() {
        let _ = socket.close(Some(1000), Some("settled"));
    }
}
