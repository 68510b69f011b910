//! Creating, reading and updating control numbers, single and bulk, and what an Order number
//! accepts (docs/clickpesa.md §2).

use billpay_tests::sim::control::PayResult;
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use serde_json::{json, Value};

use crate::support::*;

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
