//! What every edge test needs: the running stack (from `BILLPAY_*` variables), order tokens,
//! HTTP helpers, and a lock that keeps global simulator faults away from the other tests.
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use billpay_tests::shop::notifications::Received;
use billpay_tests::sim::faults::{FaultSettings, PayFaults};
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::SimClient;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::clickpesa::PaymentMode;
use shared::token::OrderClaims;
use shared::validate::{Amount, BillReference, Description};
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

pub struct Stack {
    pub edge: String,
    pub sim_origin: String,
    pub shop: String,
    pub order_secret: String,
    pub merchant_key: String,
    pub checksum_key: String,
}

fn var(name: &str) -> String {
    std::env::var(name)
        .unwrap_or_else(|_| panic!("{name} is not set: run these tests through `cargo xtask test`"))
}

pub fn stack() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(|| {
        let sim_origin = var("BILLPAY_SIM_URL").trim_end_matches('/').to_owned();
        Stack {
            edge: var("BILLPAY_EDGE_URL").trim_end_matches('/').to_owned(),
            sim_origin,
            shop: var("BILLPAY_SHOP_URL").trim_end_matches('/').to_owned(),
            order_secret: var("BILLPAY_ORDER_SIGNING_SECRET"),
            merchant_key: var("BILLPAY_MERCHANT_API_KEY"),
            checksum_key: var("BILLPAY_CLICKPESA_CHECKSUM_KEY"),
        }
    })
}

/// A client per call: every `#[tokio::test]` has its own runtime, and a pooled connection made
/// on one runtime dies with it.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("http client")
}

pub fn sim() -> SimClient {
    SimClient::new(stack().sim_origin.clone())
}

/// Tests share one stack: most run side by side (`shared`), the few that switch on global
/// simulator faults run alone (`exclusive`) and switch them off again, even when they panic.
static FAULTS: RwLock<()> = RwLock::const_new(());

pub async fn shared() -> RwLockReadGuard<'static, ()> {
    FAULTS.read().await
}

pub struct Exclusive {
    _guard: RwLockWriteGuard<'static, ()>,
}

pub async fn exclusive() -> Exclusive {
    let guard = FAULTS.write().await;
    set_faults(&FaultSettings::default()).await;
    Exclusive { _guard: guard }
}

impl Drop for Exclusive {
    /// Async code cannot run in `drop`, so the reset is one plain HTTP/1.1 request.
    fn drop(&mut self) {
        let origin = stack().sim_origin.trim_start_matches("http://");
        if let Ok(mut conn) = std::net::TcpStream::connect(origin) {
            let request = format!(
                "POST /_sim/faults HTTP/1.1\r\nHost: {origin}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
            );
            let _ = conn.write_all(request.as_bytes());
            let _ = conn.read_to_end(&mut Vec::new());
        }
    }
}

pub async fn set_faults(settings: &FaultSettings) {
    sim()
        .set_faults(settings)
        .await
        .expect("simulator accepts fault settings");
}

/// A reference no other test (or earlier run) uses: alphanumeric, at most 20 characters.
pub fn unique_ref(prefix: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let reference = format!("{prefix}{:X}{n:X}", nanos % 0xFFFF_FFFF_FFFF);
    reference.chars().take(20).collect()
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

pub fn claims(reference: &str, amount: u64, exp: u64) -> OrderClaims {
    OrderClaims {
        reference: BillReference::parse(reference).expect("test reference"),
        amount: Amount::parse(amount).expect("test amount"),
        description: Description::parse(&format!("Order {reference}")).expect("test description"),
        mode: PaymentMode::Exact,
        exp,
    }
}

pub fn mint_with(secret: &str, claims: &OrderClaims) -> String {
    shared::token::mint(secret.as_bytes(), claims)
}

/// A token for `reference` and `amount`, valid for an hour.
pub fn token(reference: &str, amount: u64) -> String {
    mint_with(
        &stack().order_secret,
        &claims(reference, amount, now() + 3600),
    )
}

/// A response reduced to what the assertions look at.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code` of a JSON error body (and a check that the shape is the documented one).
    pub fn error_code(&self) -> &str {
        assert!(
            self.body["error"]["message"].is_string(),
            "error body without message: {}",
            self.body
        );
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {}", self.body))
    }
}

pub async fn send(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("edge reachable");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("response body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Reply {
        status,
        headers,
        body,
    }
}

pub fn edge(method: Method, path: &str) -> reqwest::RequestBuilder {
    http().request(method, format!("{}{path}", stack().edge))
}

pub async fn create_checkout(order: &str) -> Reply {
    send(edge(Method::POST, "/v1/checkouts").json(&json!({ "order": order }))).await
}

/// Creates a checkout that must succeed; returns the token and its first view.
pub async fn new_checkout(reference: &str, amount: u64) -> (String, Value) {
    let order = token(reference, amount);
    let reply = create_checkout(&order).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "create {reference}: {}",
        reply.body
    );
    (order, reply.body)
}

pub async fn get_checkout(reference: &str, order: &str) -> Reply {
    send(edge(Method::GET, &format!("/v1/checkouts/{reference}")).bearer_auth(order)).await
}

pub async fn merchant(method: Method, path: &str) -> Reply {
    send(edge(method, path).bearer_auth(&stack().merchant_key)).await
}

/// The simulated customer pays `amount` into `number`.
pub async fn pay(
    number: &str,
    amount: u64,
    faults: PayFaults,
) -> billpay_tests::sim::control::PayResponse {
    let mut request = PayRequest::new(number, amount, PayChannel::Mpesa, PayOutcome::Success);
    request.faults = faults;
    sim()
        .pay(&request)
        .await
        .expect("simulator takes the payment")
}

/// Polls `check` until it returns `Some`, or panics after `timeout` with `what`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            started.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Waits until the checkout reaches `state` (read with its own token).
pub async fn wait_for_state(reference: &str, order: &str, state: &str, timeout: Duration) -> Value {
    eventually(
        &format!("{reference} to become {state}"),
        timeout,
        || async {
            let reply = get_checkout(reference, order).await;
            (reply.body["state"] == state).then_some(reply.body)
        },
    )
    .await
}

/// The notifications the demo shop received (and verified) for `reference`.
pub async fn notifications(reference: &str) -> Vec<Received> {
    let url = format!("{}/api/notifications?ref={reference}", stack().shop);
    http()
        .get(url)
        .send()
        .await
        .expect("shop reachable")
        .json()
        .await
        .expect("notification list")
}

pub async fn wait_for_notification(reference: &str, kind: &str, timeout: Duration) -> Received {
    eventually(
        &format!("a {kind} notification for {reference}"),
        timeout,
        || async {
            notifications(reference)
                .await
                .into_iter()
                .find(|n| n.body["type"] == kind)
        },
    )
    .await
}

/// A ClickPesa webhook body for one payment of `reference` (docs/clickpesa.md §4.3), unsigned.
pub fn payment_webhook(reference: &str, payment_id: &str, status: &str, amount: u64) -> Value {
    json!({
        "event": if status == "FAILED" { "PAYMENT FAILED" } else { "PAYMENT RECEIVED" },
        "data": {
            "id": payment_id,
            "status": status,
            "paymentReference": format!("MP{payment_id}"),
            "orderReference": reference,
            "collectedAmount": amount.to_string(),
            "collectedCurrency": "TZS",
            "message": "success",
            "channel": "M-PESA",
            "createdAt": "2026-05-21T10:57:03.884Z",
            "updatedAt": "2026-05-21T10:57:12.120Z",
            "customer": {"customerName": "Asha Juma", "customerEmail": "", "customerPhoneNumber": "255712345678"}
        }
    })
}

/// Posts `body` to the ClickPesa webhook route, signed with the stack's checksum key when `signed`.
pub async fn post_webhook(mut body: Value, signed: bool) -> Reply {
    if signed {
        shared::checksum::attach(stack().checksum_key.as_bytes(), &mut body);
    }
    send(edge(Method::POST, "/v1/webhooks/clickpesa").json(&body)).await
}
