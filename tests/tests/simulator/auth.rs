//! `POST /generate-token`, the API's rate limit, and required checksums (docs/clickpesa.md §1.2,
//! §5, §7).
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::*;

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
