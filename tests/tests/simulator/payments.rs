//! The payments query API (docs/clickpesa.md §3) and the simulator's state across a restart.

use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use billpay_tests::sim::SimConfig;
use serde_json::Value;

use crate::support::*;

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
