//! The ClickPesa simulator and the demo shop over real HTTP: each test starts its own servers on
//! port 0 in-process, so tests run in parallel without sharing state.
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use billpay_tests::shop::{self, ShopConfig};
use billpay_tests::sim::control::PayResult;
use billpay_tests::sim::faults::{FaultSettings, PayFaults};
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::webhook::DeliveryStatus;
use billpay_tests::sim::{start, RunningSim, SimConfig};
use serde_json::{json, Value};

const CHECKSUM_KEY: &str = "cpk_test_2f9c1e";

/// Collects the webhooks POSTed to it.
#[derive(Clone, Default)]
struct Receiver {
    bodies: Arc<Mutex<Vec<Bytes>>>,
}

impl Receiver {
    async fn start() -> (Self, String) {
        let receiver = Self::default();
        let app = Router::new()
            .route(
                "/hook",
                post(|State(r): State<Receiver>, body: Bytes| async move {
                    r.bodies.lock().unwrap().push(body);
                    StatusCode::OK
                }),
            )
            .with_state(receiver.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    fn bodies(&self) -> Vec<Value> {
        self.bodies
            .lock()
            .unwrap()
            .iter()
            .map(|b| serde_json::from_slice(b).unwrap())
            .collect()
    }

    fn raw(&self) -> Vec<Bytes> {
        self.bodies.lock().unwrap().clone()
    }
}

/// A ClickPesa API caller holding a token.
struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    async fn login(sim: &RunningSim) -> Self {
        let http = reqwest::Client::new();
        let cfg = &sim.app().config;
        let resp: Value = http
            .post(format!("{}/generate-token", sim.base_url()))
            .header("client-id", &cfg.client_id)
            .header("api-key", &cfg.api_key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(resp["success"], true);
        let token = resp["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("Bearer "));
        Self {
            http,
            base: sim.base_url(),
            token,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("authorization", &self.token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        self.call(reqwest::Method::GET, path, None).await
    }

    async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(reqwest::Method::PATCH, path, Some(body)).await
    }

    async fn create_order(&self, reference: &str, amount: u64, mode: &str) {
        let body =
            json!({"billReference": reference, "billAmount": amount, "billPaymentMode": mode});
        let (status, resp) = self
            .post("/billpay/create-order-control-number", body)
            .await;
        assert_eq!(
            (status, resp["billPayNumber"].as_str()),
            (200, Some(reference)),
            "{resp}"
        );
    }
}

async fn sim_with(configure: impl FnOnce(&mut SimConfig)) -> RunningSim {
    let mut cfg = SimConfig::for_tests();
    configure(&mut cfg);
    start(cfg).await.unwrap()
}

async fn sim_with_receiver() -> (RunningSim, Receiver) {
    let (receiver, url) = Receiver::start().await;
    let sim = sim_with(|c| {
        c.webhook_url = Some(url);
        c.checksum_key = Some(CHECKSUM_KEY.to_owned());
    })
    .await;
    (sim, receiver)
}

fn pay(number: &str, amount: u64) -> PayRequest {
    PayRequest::new(number, amount, PayChannel::Mpesa, PayOutcome::Success)
}

#[tokio::test]
async fn generate_token_answers_documented_auth_errors() {
    let sim = sim_with(|_| {}).await;
    let http = reqwest::Client::new();
    let url = format!("{}/generate-token", sim.base_url());
    let cfg = &sim.app().config;
    let cases = [
        (None, None, 401, "Unauthorized"),
        (Some(cfg.client_id.as_str()), None, 401, "Unauthorized"),
        (
            Some("someone-else"),
            Some(cfg.api_key.as_str()),
            403,
            "Invalid client details",
        ),
        (
            Some(cfg.client_id.as_str()),
            Some("wrong-key"),
            403,
            "Invalid or Expired API-Key",
        ),
    ];
    for (client_id, api_key, status, message) in cases {
        let mut req = http.post(&url);
        if let Some(id) = client_id {
            req = req.header("client-id", id);
        }
        if let Some(key) = api_key {
            req = req.header("api-key", key);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status);
        assert_eq!(
            resp.json::<Value>().await.unwrap(),
            json!({"message": message})
        );
    }
    // Calls without a token, or with "Bearer " added twice, are 401.
    let api = Api::login(&sim).await;
    let resp = http
        .get(format!("{}/billpay/X1", sim.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let doubled = format!("Bearer {}", api.token);
    let resp = http
        .get(format!("{}/billpay/X1", sim.base_url()))
        .header("authorization", doubled)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(sim.client().stats().await.unwrap().tokens_issued, 1);
}

#[tokio::test]
async fn tokens_expire_after_their_ttl() {
    let sim = sim_with(|c| c.token_ttl_secs = 1).await;
    let api = Api::login(&sim).await;
    assert_eq!(api.get("/billpay/NOPE").await.0, 404);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(
        api.get("/billpay/NOPE").await,
        (401, json!({"message": "Unauthorized"}))
    );
}

#[tokio::test]
async fn create_get_and_reference_conflicts() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    api.create_order("WS1001", 25_000, "EXACT").await;
    let (status, resp) = api
        .post(
            "/billpay/create-order-control-number",
            json!({"billReference": "WS1001"}),
        )
        .await;
    assert_eq!(
        (status, resp),
        (
            409,
            json!({"message": "Bill reference already used: Use a different reference"})
        )
    );
    let (status, details) = api.get("/billpay/WS1001").await;
    assert_eq!(status, 200);
    assert_eq!(details["billAmount"], 25_000);
    assert_eq!(details["billPaymentMode"], "EXACT");
    assert_eq!(
        api.get("/billpay/NOPE").await,
        (404, json!({"message": "BillPay Number does not exist"}))
    );
    // Without a reference ClickPesa generates a 14-digit number.
    let (status, resp) = api
        .post(
            "/billpay/create-order-control-number",
            json!({"billAmount": 1000}),
        )
        .await;
    let number = resp["billPayNumber"].as_str().unwrap();
    assert_eq!(status, 200);
    assert!(
        number.len() == 14 && number.bytes().all(|b| b.is_ascii_digit()),
        "{number}"
    );
}

#[tokio::test]
async fn invalid_create_bodies_are_400() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    let order = "/billpay/create-order-control-number";
    let customer = "/billpay/create-customer-control-number";
    let cases = [
        (order, json!({"billReference": "WS-1"})),
        (order, json!({"billReference": "A".repeat(21)})),
        (order, json!({"billReference": "WS2", "billAmount": 0})),
        (order, json!({"billReference": "WS2", "billAmount": "lots"})),
        (
            order,
            json!({"billReference": "WS2", "billDescription": "x".repeat(501)}),
        ),
        (
            order,
            json!({"billReference": "WS2", "billAmount": 100, "billMaxCollectionAmount": 50}),
        ),
        (
            order,
            json!({"billReference": "WS2", "customerName": "Asha"}),
        ),
        (
            customer,
            json!({"billReference": "CU1", "customerPhone": "255712345678"}),
        ),
        (
            customer,
            json!({"billReference": "CU1", "customerName": "Asha"}),
        ),
        (
            customer,
            json!({"billReference": "CU1", "customerName": "Asha", "customerPhone": "0712345678"}),
        ),
        (
            customer,
            json!({"billReference": "CU1", "customerName": "Asha", "customerEmail": "not-an-email"}),
        ),
    ];
    for (path, body) in cases {
        let (status, resp) = api.post(path, body.clone()).await;
        assert_eq!(status, 400, "{body} → {resp}");
        assert!(resp["message"].is_string());
    }
    let ok = json!({"billReference": "CU1", "customerName": "Asha", "customerPhone": "255712345678", "billAmount": 500});
    let (status, resp) = api.post(customer, ok).await;
    assert_eq!(
        (status, resp["billCustomerName"].as_str()),
        (200, Some("Asha"))
    );
}

#[tokio::test]
async fn bulk_create_reports_partial_success() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    api.create_order("TAKEN1", 100, "EXACT").await;
    let items = json!({"controlNumbers": [
        {"billReference": "BULK1", "billAmount": 1000},
        {"billReference": "BAD-REF", "billAmount": 1000},
        {"billReference": "TAKEN1", "billAmount": 1000},
        {"billReference": "BULK2", "customerName": "Asha"},
        {"billReference": "BULK3"},
    ]});
    let (status, resp) = api
        .post("/billpay/bulk-create-order-control-numbers", items)
        .await;
    assert_eq!(status, 200);
    assert_eq!(resp["billPayNumbers"], json!(["BULK1", "BULK3"]));
    assert_eq!(
        (resp["created"].as_u64(), resp["failed"].as_u64()),
        (Some(2), Some(3))
    );
    let indices: Vec<u64> = resp["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indices, [1, 2, 3]);
    assert_eq!(
        resp["errors"][1]["reason"],
        "Bill reference already used: Use a different reference"
    );

    let none = json!({"controlNumbers": []});
    assert_eq!(
        api.post("/billpay/bulk-create-order-control-numbers", none)
            .await
            .0,
        400
    );
    let too_many = json!({"controlNumbers": (0..51).map(|i| json!({"billReference": format!("M{i}")})).collect::<Vec<_>>()});
    assert_eq!(
        api.post("/billpay/bulk-create-order-control-numbers", too_many)
            .await
            .0,
        400
    );
    let customers = json!({"controlNumbers": [{"customerName": "Asha", "customerEmail": "asha@example.co.tz"}, {"billReference": "C2"}]});
    let (status, resp) = api
        .post("/billpay/bulk-create-customer-control-numbers", customers)
        .await;
    assert_eq!(
        (status, resp["created"].as_u64(), resp["failed"].as_u64()),
        (200, Some(1), Some(1))
    );
    // Everything succeeded: no `errors` key at all.
    let fine = json!({"controlNumbers": [{"billReference": "FINE1"}]});
    let (_, resp) = api
        .post("/billpay/bulk-create-order-control-numbers", fine)
        .await;
    assert!(resp.get("errors").is_none());
}

#[tokio::test]
async fn inactive_numbers_refuse_payment_until_reactivated() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    api.create_order("WS2001", 5_000, "EXACT").await;
    assert_eq!(api.patch("/billpay/WS2001", json!({})).await.0, 400);
    assert_eq!(
        api.patch("/billpay/NOPE", json!({"billStatus": "INACTIVE"}))
            .await
            .0,
        404
    );
    assert_eq!(
        api.patch("/billpay/WS2001", json!({"billStatus": "PAUSED"}))
            .await
            .0,
        400
    );
    let (status, resp) = api
        .patch("/billpay/WS2001", json!({"billStatus": "INACTIVE"}))
        .await;
    assert_eq!(
        (status, resp["billStatus"].as_str()),
        (200, Some("INACTIVE"))
    );

    let refused = sim.client().pay(&pay("WS2001", 5_000)).await.unwrap();
    assert_eq!(refused.result, PayResult::Refused);
    assert_eq!(refused.refusal.unwrap().code, "inactive");
    assert!(refused.payment.is_none());
    assert_eq!(
        api.get("/payments/WS2001").await,
        (
            404,
            json!({"message": "Invalid or missing payment: WS2001"})
        )
    );

    // The deprecated PUT still works.
    let resp = reqwest::Client::new()
        .put(format!("{}/billpay/update-status", sim.base_url()))
        .header("authorization", &api.token)
        .json(&json!({"billPayNumber": "WS2001", "status": "ACTIVE"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"billPayNumber": "WS2001", "status": "ACTIVE"})
    );
    assert_eq!(
        sim.client()
            .pay(&pay("WS2001", 5_000))
            .await
            .unwrap()
            .result,
        PayResult::Paid
    );
}

#[tokio::test]
async fn exact_refuses_wrong_amounts_and_orders_close_after_one_payment() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    api.create_order("WS3001", 25_000, "EXACT").await;
    let client = sim.client();

    let short = client.pay(&pay("WS3001", 20_000)).await.unwrap();
    let refusal = short.refusal.unwrap();
    assert_eq!(
        (short.result, refusal.code.as_str()),
        (PayResult::Refused, "amount_mismatch")
    );
    assert_eq!(refusal.detail["expected"], 25_000);

    let failed = PayRequest::new(
        "WS3001",
        25_000,
        PayChannel::AirtelMoney,
        PayOutcome::InsufficientFunds,
    );
    let failed = client.pay(&failed).await.unwrap();
    assert_eq!(failed.result, PayResult::Failed);
    assert_eq!(
        failed.payment.unwrap().message.as_deref(),
        Some("Insufficient balance")
    );

    let paid = client.pay(&pay("WS3001", 25_000)).await.unwrap();
    assert_eq!(paid.result, PayResult::Paid);
    let again = client.pay(&pay("WS3001", 25_000)).await.unwrap();
    assert_eq!(again.refusal.unwrap().code, "closed");

    let bill = client.bill("WS3001").await.unwrap();
    assert!(bill.bill.closed);
    assert_eq!((bill.bill.collected, bill.payments.len()), (25_000, 2));
    let (_, payments) = api.get("/payments/WS3001").await;
    let statuses: Vec<&str> = payments
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["FAILED", "SUCCESS"]);

    // Customer numbers take many payments.
    let body =
        json!({"billReference": "CU3001", "customerName": "Asha", "customerPhone": "255712345678"});
    assert_eq!(
        api.post("/billpay/create-customer-control-number", body)
            .await
            .0,
        200
    );
    for amount in [1_000, 2_000] {
        assert_eq!(
            client.pay(&pay("CU3001", amount)).await.unwrap().result,
            PayResult::Paid
        );
    }
    let unknown = client.pay(&pay("NOPE", 1)).await.unwrap_err();
    assert!(unknown.to_string().contains("404"), "{unknown}");
}

#[tokio::test]
async fn webhook_arrives_with_a_verifiable_checksum_and_matches_the_query_api() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    api.create_order("WS4001", 25_000, "EXACT").await;
    let mut req = PayRequest::new("WS4001", 25_000, PayChannel::MixxByYas, PayOutcome::Success);
    req.phone = Some("255755000111".to_owned());
    let paid = sim.client().pay(&req).await.unwrap();
    assert_eq!(paid.webhooks.len(), 1);
    assert_eq!(
        (paid.webhooks[0].status, paid.webhooks[0].http_status),
        (DeliveryStatus::Delivered, Some(200))
    );

    let raw = receiver.raw();
    assert_eq!(raw.len(), 1);
    let verified = shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[0], None).unwrap();
    assert_eq!(verified["event"], "PAYMENT RECEIVED");
    let body = &receiver.bodies()[0];
    assert_eq!(body["checksumMethod"], "canonical");
    assert_eq!(body["data"]["collectedAmount"], "25000");
    assert_eq!(body["data"]["channel"], "MIXX BY YAS");

    let hook: shared::clickpesa::Webhook = serde_json::from_value(verified).unwrap();
    let from_hook = hook.payment().unwrap();
    let (_, listed) = api.get("/payments/WS4001").await;
    let from_api: shared::clickpesa::PaymentRecord =
        serde_json::from_value(listed[0].clone()).unwrap();
    assert_eq!(listed[0]["collectedAmount"], 25_000);
    assert_eq!(from_hook.id, from_api.id);
    assert_eq!(from_api, paid.payment.unwrap());
    assert_eq!(
        from_api.payment_phone_number.as_deref(),
        Some("255755000111")
    );

    // A failed attempt is announced as PAYMENT FAILED.
    api.create_order("WS4002", 1_000, "EXACT").await;
    let failed = PayRequest::new("WS4002", 1_000, PayChannel::Crdb, PayOutcome::Failure);
    sim.client().pay(&failed).await.unwrap();
    assert_eq!(receiver.bodies()[1]["event"], "PAYMENT FAILED");
}

#[tokio::test]
async fn per_payment_faults_drop_duplicate_and_corrupt_webhooks() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    let client = sim.client();
    for (i, faults) in [
        PayFaults {
            drop: true,
            ..Default::default()
        },
        PayFaults {
            duplicate: true,
            ..Default::default()
        },
        PayFaults {
            bad_checksum: true,
            ..Default::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let number = format!("WS500{i}");
        api.create_order(&number, 100, "EXACT").await;
        let mut req = pay(&number, 100);
        req.faults = faults;
        client.pay(&req).await.unwrap();
    }
    let raw = receiver.raw();
    assert_eq!(
        raw.len(),
        3,
        "dropped: none; duplicated: two; corrupted: one"
    );
    let orders: Vec<String> = receiver
        .bodies()
        .iter()
        .map(|b| b["data"]["orderReference"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(orders, ["WS5001", "WS5001", "WS5002"]);
    assert_eq!(raw[0], raw[1], "a duplicate is byte-identical");
    assert!(shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[0], None).is_ok());
    assert_eq!(
        shared::checksum::verify(CHECKSUM_KEY.as_bytes(), &raw[2], None),
        Err(shared::checksum::ChecksumError::Mismatch)
    );

    let log = client.webhooks().await.unwrap();
    assert_eq!(log[0].status, DeliveryStatus::Dropped);
    // A dropped webhook can still be delivered on demand.
    let redelivered = client.redeliver(log[0].id).await.unwrap();
    assert_eq!(
        (redelivered.status, redelivered.redelivery_of),
        (DeliveryStatus::Delivered, Some(log[0].id))
    );
    assert_eq!(receiver.bodies()[3]["data"]["orderReference"], "WS5000");
    let stats = client.stats().await.unwrap();
    assert_eq!((stats.webhooks.delivered, stats.webhooks.dropped), (4, 1));
}

#[tokio::test]
async fn global_faults_drop_delay_and_reorder() {
    let (sim, receiver) = sim_with_receiver().await;
    let api = Api::login(&sim).await;
    let client = sim.client();
    assert!(client
        .set_faults(&FaultSettings {
            webhook_drop_rate: 2.0,
            ..Default::default()
        })
        .await
        .is_err());

    client
        .set_faults(&FaultSettings {
            webhook_drop_rate: 1.0,
            ..Default::default()
        })
        .await
        .unwrap();
    api.create_order("WS6001", 100, "EXACT").await;
    client.pay(&pay("WS6001", 100)).await.unwrap();
    assert!(receiver.raw().is_empty());

    client
        .set_faults(&FaultSettings {
            webhook_delay_ms: 300,
            ..Default::default()
        })
        .await
        .unwrap();
    api.create_order("WS6002", 100, "EXACT").await;
    let delayed = client.pay(&pay("WS6002", 100)).await.unwrap();
    assert_eq!(delayed.webhooks[0].status, DeliveryStatus::Scheduled);
    assert!(receiver.raw().is_empty());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(receiver.raw().len(), 1);

    client
        .set_faults(&FaultSettings {
            webhook_reorder: true,
            ..Default::default()
        })
        .await
        .unwrap();
    for number in ["WS6003", "WS6004", "WS6005"] {
        api.create_order(number, 100, "EXACT").await;
        assert_eq!(
            client.pay(&pay(number, 100)).await.unwrap().webhooks[0].status,
            DeliveryStatus::Held
        );
    }
    let flushed = client.flush().await.unwrap();
    assert_eq!(flushed.len(), 3);
    let arrived: Vec<Value> = receiver
        .bodies()
        .iter()
        .skip(1)
        .map(|b| b["data"]["orderReference"].clone())
        .collect();
    assert_eq!(arrived, ["WS6005", "WS6004", "WS6003"]);
}

#[tokio::test]
async fn api_faults_answer_500() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    sim.client()
        .set_faults(&FaultSettings {
            api_error_rate: 1.0,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        api.get("/billpay/X").await,
        (500, json!({"message": "Internal server error"}))
    );
}

#[tokio::test]
async fn payments_all_filters_sorts_and_pages() {
    let sim = sim_with(|_| {}).await;
    let api = Api::login(&sim).await;
    let client = sim.client();
    for (number, amount) in [("PA1", 300), ("PA2", 100), ("PA3", 200)] {
        api.create_order(number, amount, "EXACT").await;
        client.pay(&pay(number, amount)).await.unwrap();
    }
    api.create_order("PA4", 50, "EXACT").await;
    client
        .pay(&PayRequest::new(
            "PA4",
            50,
            PayChannel::HaloPesa,
            PayOutcome::Failure,
        ))
        .await
        .unwrap();

    let amounts = |page: &Value| -> Vec<u64> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["collectedAmount"].as_u64().unwrap())
            .collect()
    };
    let (status, page) = api.get("/payments/all").await;
    assert_eq!((status, page["totalCount"].as_u64()), (200, Some(4)));
    let (_, page) = api
        .get("/payments/all?status=SUCCESS&sortBy=collectedAmount&orderBy=ASC")
        .await;
    assert_eq!(
        (amounts(&page), page["totalCount"].as_u64()),
        (vec![100, 200, 300], Some(3))
    );
    let (_, page) = api
        .get("/payments/all?status=SUCCESS&sortBy=collectedAmount&orderBy=DESC&skip=1&limit=1")
        .await;
    assert_eq!(
        (amounts(&page), page["totalCount"].as_u64()),
        (vec![200], Some(3))
    );
    let (_, page) = api.get("/payments/all?orderReference=PA4").await;
    assert_eq!(page["data"][0]["status"], "FAILED");
    let (_, page) = api
        .get("/payments/all?channel=HALOPESA&collectedCurrency=TZS")
        .await;
    assert_eq!(page["totalCount"], 1);
    let (_, page) = api
        .get("/payments/all?startDate=2000-01-01&endDate=01-01-2001")
        .await;
    assert_eq!(page["totalCount"], 0);
    let (_, page) = api.get("/payments/all?startDate=2000-01-01").await;
    assert_eq!(page["totalCount"], 4);
    for bad in [
        "orderBy=UP",
        "limit=0",
        "skip=-1",
        "status=DONE",
        "sortBy=colour",
        "startDate=yesterday",
    ] {
        assert_eq!(
            api.get(&format!("/payments/all?{bad}")).await.0,
            400,
            "{bad}"
        );
    }
}

#[tokio::test]
async fn rate_limit_answers_429() {
    let sim = sim_with(|c| c.rate_limit_per_min = Some(3)).await;
    let api = Api::login(&sim).await;
    assert_eq!(api.get("/billpay/A").await.0, 404);
    assert_eq!(api.get("/billpay/B").await.0, 404);
    assert_eq!(
        api.get("/billpay/C").await,
        (429, json!({"message": "Too many requests"}))
    );
    let stats = sim.client().stats().await.unwrap();
    assert_eq!(stats.requests["GET /billpay/{number}"], 3);
}

#[tokio::test]
async fn required_checksums_are_enforced() {
    let sim = sim_with(|c| {
        c.checksum_key = Some(CHECKSUM_KEY.to_owned());
        c.require_checksum = true;
    })
    .await;
    let api = Api::login(&sim).await;
    let body = json!({"billReference": "WS1001", "billAmount": 25000, "billDescription": "Order WS1001", "billPaymentMode": "EXACT"});
    let (status, resp) = api
        .post("/billpay/create-order-control-number", body.clone())
        .await;
    assert_eq!(status, 400, "{resp}");
    let mut signed = body;
    shared::checksum::attach(CHECKSUM_KEY.as_bytes(), &mut signed);
    assert_eq!(
        signed["checksum"],
        "22dcb24acd8c078d7d9cd04a5e10a763a1d96abbfce6accbb33ca036c77ecd18"
    );
    assert_eq!(
        api.post("/billpay/create-order-control-number", signed)
            .await
            .0,
        200
    );
    assert_eq!(
        api.get("/billpay/WS1001").await.0,
        200,
        "GETs carry no body to sign"
    );
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = std::env::temp_dir().join(format!("clickpesa-sim-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("state.json");
    let _ = std::fs::remove_file(&file);
    let configure = |c: &mut SimConfig| c.state_file = Some(file.clone());

    let sim = sim_with(configure).await;
    let api = Api::login(&sim).await;
    api.create_order("PERSIST1", 700, "EXACT").await;
    sim.client().pay(&pay("PERSIST1", 700)).await.unwrap();
    drop(sim);

    let sim = sim_with(configure).await;
    let reopened = Api {
        base: sim.base_url(),
        ..api
    };
    let (status, details) = reopened.get("/billpay/PERSIST1").await;
    assert_eq!(
        (status, details["billAmount"].as_u64()),
        (200, Some(700)),
        "the old token is still live"
    );
    let (_, payments) = reopened.get("/payments/PERSIST1").await;
    assert_eq!(payments[0]["collectedAmount"], 700);
    assert!(sim.client().bill("PERSIST1").await.unwrap().bill.closed);
    std::fs::remove_dir_all(&dir).unwrap();
}

mod demo_shop {
    use super::*;

    const ORDER_SECRET: &str = "order-signing-secret";
    const HOOK_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    async fn shop_for(sim: &RunningSim) -> shop::RunningShop {
        let cfg = ShopConfig::for_tests(
            "http://127.0.0.1:8787/",
            &sim.origin(),
            ORDER_SECRET,
            HOOK_SECRET,
        );
        shop::start(cfg).await.unwrap()
    }

    #[tokio::test]
    async fn checkout_embeds_the_widget_under_a_strict_csp() {
        let sim = sim_with(|_| {}).await;
        let shop = shop_for(&sim).await;
        let resp = reqwest::get(format!(
            "{}/checkout?ref=WS7001&amount=25000&lang=sw",
            shop.origin()
        ))
        .await
        .unwrap();
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            csp,
            "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' http://127.0.0.1:8787; \
             connect-src 'self' http://127.0.0.1:8787; style-src 'self'; img-src 'self' data:; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        let page = resp.text().await.unwrap();
        let token = page
            .split("data-order=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let expected = format!(
            "<div id=\"pay\"></div><script async src=\"http://127.0.0.1:8787/widget.js\" data-order=\"{token}\" \
             data-target=\"#pay\" data-lang=\"sw\" data-success-url=\"/orders/WS7001\"></script>"
        );
        assert!(page.contains(&expected), "{page}");
        assert!(!page.contains("<style") && !page.contains("style=") && !page.contains("<script>"));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let claims = shared::token::verify(&[ORDER_SECRET.as_bytes()], token, now).unwrap();
        assert_eq!(
            (claims.reference.as_str(), claims.amount.get()),
            ("WS7001", 25_000)
        );
        assert!(
            (now + 899..=now + 901).contains(&claims.exp),
            "default --checkout-ttl is 900 s"
        );

        // Without a ref the shop picks a fresh one and the cart total.
        let page = reqwest::get(format!("{}/checkout", shop.origin()))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("data-lang=\"en\""));
        let bad = reqwest::get(format!("{}/checkout?ref=no-dashes", shop.origin()))
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
        for asset in ["/shop.css", "/shop.js", "/", "/orders"] {
            assert_eq!(
                reqwest::get(format!("{}{asset}", shop.origin()))
                    .await
                    .unwrap()
                    .status(),
                200,
                "{asset}"
            );
        }
    }

    #[tokio::test]
    async fn notifications_need_a_valid_signature_and_are_deduplicated() {
        let sim = sim_with(|_| {}).await;
        let shop = shop_for(&sim).await;
        let http = reqwest::Client::new();
        let body = json!({
            "id": "WS7002.bill.paid", "type": "bill.paid", "created": 1,
            "data": {"id": "WS7002.bill.paid", "kind": "bill.paid", "reference": "WS7002", "state": "paid",
                     "amount": 500, "paid_total": 500, "payment": null, "at": 1}
        })
        .to_string();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let send = |secret: &str| {
            let secret = shared::notify::WebhookSecret::parse(secret).unwrap();
            let mut request = http
                .post(format!("{}/notifications", shop.origin()))
                .body(body.clone());
            for (name, value) in shared::notify::headers(&[secret], "WS7002.bill.paid", now, &body)
            {
                request = request.header(name, value);
            }
            request.send()
        };
        let forged = send("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
            .await
            .unwrap();
        assert_eq!(forged.status(), 401);
        assert_eq!(
            forged.json::<Value>().await.unwrap()["error"]["code"],
            "bad_signature"
        );
        for _ in 0..2 {
            let ok = send(HOOK_SECRET).await.unwrap();
            assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());
        }
        let listed: Value = reqwest::get(format!("{}/api/notifications?ref=WS7002", shop.origin()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed.as_array().unwrap().len(), 1);
        assert_eq!(listed[0]["deliveries"], 2);
        assert_eq!(listed[0]["body"]["type"], "bill.paid");
    }

    #[tokio::test]
    async fn simulate_panel_pays_through_the_simulator() {
        let sim = sim_with(|_| {}).await;
        let api = Api::login(&sim).await;
        let shop = shop_for(&sim).await;
        reqwest::get(format!("{}/checkout?ref=WS7003&amount=4000", shop.origin()))
            .await
            .unwrap();
        api.create_order("WS7003", 4_000, "EXACT").await;
        let simulate = |scenario: &str| {
            reqwest::Client::new()
                .post(format!("{}/api/simulate", shop.origin()))
                .json(&json!({"reference": "WS7003", "scenario": scenario}))
                .send()
        };
        let short: Value = simulate("short").await.unwrap().json().await.unwrap();
        assert_eq!(short["result"], "refused");
        let fail: Value = simulate("fail").await.unwrap().json().await.unwrap();
        assert_eq!(fail["result"], "failed");
        let dropped: Value = simulate("dropped").await.unwrap().json().await.unwrap();
        assert_eq!(
            (&dropped["result"], &dropped["webhooks"][0]["status"]),
            (&json!("paid"), &json!("dropped"))
        );
        assert_eq!(
            sim.client().bill("WS7003").await.unwrap().bill.collected,
            4_000
        );
        let unknown = reqwest::Client::new()
            .post(format!("{}/api/simulate", shop.origin()))
            .json(&json!({"reference": "NOPE", "scenario": "full"}))
            .send()
            .await
            .unwrap();
        assert_eq!(unknown.status(), 404);
    }
}
