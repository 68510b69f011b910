//! The browser's [`Edge`]: `fetch` through `web_sys`, no HTTP crate (they cost wasm size).
//! Bodies go through the browser's own JSON parser and [`crate::decode`], not serde: the wasm
//! sheds a JSON parser and serde's error formatting.
//!
//! ```no_run
//! use widget::{edge::Edge, fetch::EdgeClient};
//!
//! let edge = EdgeClient::new("https://pay.example.com", None);
//! let created = edge.create("v1.payload.signature"); // a future resolving to the CheckoutView
//! ```
//!
//! The create is a CORS-safelisted request (a `text/plain` body, no custom header), so the browser
//! sends it without a preflight; the bootstrap sends the first one itself, before the wasm is
//! there, and hands the pending `Response` over as the head start.
use std::cell::RefCell;

use js_sys::{Object, Promise, Reflect, JSON};
use shared::api::CheckoutView;
use shared::digits::decimal;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, Request, RequestInit, Response};

use crate::decode::{self, DecodeError};
use crate::edge::{Edge, EdgeError, EdgeFuture, Feed, Status};
use crate::push::Push;
use crate::timers::Waker;

/// Without a deadline a stalled connection would stall polling with it; the backoff takes over.
/// `bootstrap/widget.js` gives the create it sends the same deadline.
const TIMEOUT_MS: u32 = 15_000;

/// Calls the edge at `base` (its origin, or the folder `widget.js` was served from).
#[derive(Debug, Clone)]
pub struct EdgeClient {
    base: String,
    /// The bootstrap's create for this mount's order, already in flight (`early.create`): the
    /// first [`Edge::create`] answers with it, every later one asks anew.
    head_start: RefCell<Option<Promise>>,
}

impl EdgeClient {
    pub fn new(base: &str, head_start: Option<Promise>) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            head_start: RefCell::new(head_start),
        }
    }
}

impl Edge for EdgeClient {
    fn create(&self, order: &str) -> EdgeFuture<CheckoutView> {
        if let Some(pending) = self.head_start.take() {
            return Box::pin(async move {
                let response = JsFuture::from(pending).await.map_err(js_error)?;
                created(response.dyn_into().map_err(js_error)?).await
            });
        }
        let url = [&self.base, "/v1/checkouts"].concat();
        // `CreateCheckout` in `shared::api`: {"order": "<token>"}, as text/plain (see above).
        let request = Object::new();
        let body = Reflect::set(&request, &"order".into(), &order.into())
            .and_then(|_| JSON::stringify(&request))
            .map(String::from)
            .map_err(js_error);
        Box::pin(
            async move { created(send("POST", &url, &headers(&[])?, Some(&body?)).await?).await },
        )
    }

    fn status(&self, reference: &str, order: &str, etag: Option<&str>) -> EdgeFuture<Status> {
        let url = [&self.base, "/v1/checkouts/", reference].concat();
        let bearer = ["Bearer ", order].concat();
        let etag = etag.map(str::to_owned);
        Box::pin(async move {
            let headers = headers(&[("Authorization", &bearer)])?;
            if let Some(etag) = &etag {
                headers.set("If-None-Match", etag).map_err(js_error)?;
            }
            let response = send("GET", &url, &headers, None).await?;
            match response.status() {
                304 => Ok(Status::Unchanged),
                _ if response.ok() => {
                    // Readable cross-origin only if the edge lists ETag in Access-Control-Expose-Headers;
                    // without it every poll is a full 200, which still works.
                    let etag = response.headers().get("ETag").ok().flatten();
                    Ok(Status::Changed {
                        view: read_body(&response, decode::checkout_view).await?,
                        etag,
                    })
                }
                _ => Err(refusal(&response).await),
            }
        })
    }

    fn live(&self, reference: &str, order: &str, wake: Waker) -> Option<Box<dyn Feed>> {
        // ws: beside http:, wss: beside https:; an edge named otherwise gets no socket.
        let scheme = self.base.strip_prefix("http")?;
        let url = ["ws", scheme, "/v1/checkouts/", reference, "/live"].concat();
        Some(Box::new(Push::open(&url, order, wake)))
    }
}

/// The create's answer: the snapshot, or the edge's refusal.
async fn created(response: Response) -> Result<CheckoutView, EdgeError> {
    if !response.ok() {
        return Err(refusal(&response).await);
    }
    read_body(&response, decode::checkout_view).await
}

async fn send(
    method: &str,
    url: &str,
    headers: &Headers,
    body: Option<&str>,
) -> Result<Response, EdgeError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_headers(headers);
    init.set_signal(Some(&AbortSignal::timeout_with_u32(TIMEOUT_MS)));
    if let Some(body) = body {
        init.set_body(&JsValue::from_str(body));
    }
    let request = Request::new_with_str_and_init(url, &init).map_err(js_error)?;
    let window = web_sys::window().ok_or_else(|| EdgeError::Network("no window".into()))?;
    let response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?;
    response.dyn_into().map_err(js_error)
}

fn headers(pairs: &[(&str, &str)]) -> Result<Headers, EdgeError> {
    let headers = Headers::new().map_err(js_error)?;
    for (name, value) in pairs {
        headers.set(name, value).map_err(js_error)?;
    }
    Ok(headers)
}

/// The body, parsed as JSON and read by `reader`.
async fn read_body<T>(
    response: &Response,
    reader: fn(&JsValue) -> Result<T, DecodeError>,
) -> Result<T, EdgeError> {
    let json = JsFuture::from(response.json().map_err(js_error)?)
        .await
        .map_err(|e| EdgeError::Malformed(js_message(&e)))?;
    reader(&json).map_err(|e| EdgeError::Malformed(e.message()))
}

/// The edge's `{"error":{"code","message"}}`, or the bare status when a proxy answered instead.
async fn refusal(response: &Response) -> EdgeError {
    let status = response.status();
    match read_body(response, decode::api_error).await {
        Ok(error) => EdgeError::Refused {
            status,
            code: error.code,
            message: error.message,
        },
        Err(_) => EdgeError::Refused {
            status,
            code: ["http_", &decimal(status.into())].concat(),
            message: response.status_text(),
        },
    }
}

/// fetch rejects only for network-level failures (and our timeout); the details are in the message.
fn js_error(error: JsValue) -> EdgeError {
    EdgeError::Network(js_message(&error))
}

/// The message of a JavaScript exception. Not `{:?}`: Debug formatting costs kilobytes of wasm.
pub(crate) fn js_message(error: &JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "request failed".into())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use js_sys::Promise;
    use shared::ledger::BillState;
    use wasm_bindgen::JsValue;
    use wasm_bindgen_test::wasm_bindgen_test;
    use web_sys::{Response, ResponseInit};

    use super::EdgeClient;
    use crate::edge::{Edge, EdgeError};
    use crate::testing::view;

    /// Nothing listens here: a create that reached the network would fail as `Network`.
    const NOWHERE: &str = "http://127.0.0.1:9";

    fn answer(status: u16, body: &str) -> Promise {
        let init = ResponseInit::new();
        init.set_status(status);
        let response = Response::new_with_opt_str_and_init(Some(body), &init).expect("a Response");
        Promise::resolve(&JsValue::from(response))
    }

    #[wasm_bindgen_test]
    async fn the_bootstraps_create_is_the_first_answer_and_only_the_first() {
        let created = serde_json::to_string(&view(BillState::Pending)).unwrap();
        let edge = EdgeClient::new(NOWHERE, Some(answer(201, &created)));
        assert_eq!(
            edge.create("v1.a.b").await,
            Ok(view(BillState::Pending)),
            "taken from the head start, not the network"
        );
        assert!(
            matches!(edge.create("v1.a.b").await, Err(EdgeError::Network(_))),
            "a second create asks the edge itself"
        );
    }

    #[wasm_bindgen_test]
    async fn a_refused_head_start_is_the_edges_refusal() {
        let cases = [
            (
                "the edge's error body",
                answer(
                    401,
                    r#"{"error":{"code":"token_expired","message":"expired"}}"#,
                ),
                EdgeError::Refused {
                    status: 401,
                    code: "token_expired".into(),
                    message: "expired".into(),
                },
            ),
            (
                "a proxy's page",
                answer(502, "<html>bad gateway</html>"),
                EdgeError::Refused {
                    status: 502,
                    code: "http_502".into(),
                    message: String::new(),
                },
            ),
            (
                "a failed fetch",
                Promise::reject(&JsValue::from(js_sys::Error::new("offline"))),
                EdgeError::Network("offline".into()),
            ),
        ];
        for (case, head_start, expected) in cases {
            let edge = EdgeClient::new(NOWHERE, Some(head_start));
            assert_eq!(edge.create("v1.a.b").await, Err(expected), "{case}");
        }
    }
}
