//! The demo shop beside the simulator: its checkout page, its notification endpoint, and its
//! "pay as the customer would" panel.

use billpay_tests::shop::{self, ShopConfig};
use billpay_tests::sim::RunningSim;
use serde_json::{json, Value};

use crate::support::*;

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
        for (name, value) in shared::notify::headers(&[secret], "WS7002.bill.paid", now, &body) {
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
