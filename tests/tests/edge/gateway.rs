//! The ClickPesaGateway object: one cached token, and no half-made bills when ClickPesa fails.
use std::time::Duration;

use billpay_tests::sim::faults::FaultSettings;
use reqwest::StatusCode;

use crate::support::*;

fn generate_token_calls(stats: &billpay_tests::sim::control::Stats) -> u64 {
    stats
        .requests
        .iter()
        .filter(|(endpoint, _)| endpoint.contains("generate-token"))
        .map(|(_, n)| n)
        .sum()
}

#[tokio::test]
async fn one_token_serves_many_creates() {
    let _stack = shared().await;
    new_checkout(&unique_ref("TK"), 100).await; // warm: the token exists from here on
    let before = sim().stats().await.expect("stats");
    for _ in 0..5 {
        new_checkout(&unique_ref("TK"), 100).await;
    }
    let after = sim().stats().await.expect("stats");
    assert_eq!(
        generate_token_calls(&after),
        generate_token_calls(&before),
        "no new token for 5 creates"
    );
    assert!(
        after.tokens_issued <= 2,
        "tokens issued over the whole run: {}",
        after.tokens_issued
    );
}

#[tokio::test]
async fn clickpesa_failing_at_create_is_503_and_a_retry_makes_one_number() {
    let _alone = exclusive().await;
    let reference = unique_ref("DN");
    let order = token(&reference, 2200);
    let before = sim().stats().await.expect("stats");

    set_faults(&FaultSettings {
        api_error_rate: 1.0,
        ..Default::default()
    })
    .await;
    let refused = create_checkout(&order).await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert_eq!(refused.error_code(), "provider_unavailable");
    assert!(refused
        .header("retry-after")
        .and_then(|s| s.parse::<u32>().ok())
        .is_some());
    assert!(
        sim().bill(&reference).await.is_err(),
        "no number at ClickPesa"
    );
    assert_eq!(
        get_checkout(&reference, &order).await.status,
        StatusCode::NOT_FOUND,
        "no bill at the edge"
    );

    set_faults(&FaultSettings::default()).await;
    let created = create_checkout(&order).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(create_checkout(&order).await.status, StatusCode::OK);
    let after = sim().stats().await.expect("stats");
    assert_eq!(after.bills, before.bills + 1, "exactly one control number");
}

#[tokio::test]
async fn a_slow_clickpesa_is_503_not_a_hang() {
    let _alone = exclusive().await;
    let reference = unique_ref("SL");
    set_faults(&FaultSettings {
        api_slow_rate: 1.0,
        api_slow_ms: 9_000,
        ..Default::default()
    })
    .await;
    let started = std::time::Instant::now();
    let refused = create_checkout(&token(&reference, 500)).await;
    assert_eq!(
        refused.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        refused.body
    );
    assert!(started.elapsed() < Duration::from_secs(45));

    // The slowed requests still reached ClickPesa, so the number exists there although our
    // responses were lost: the retry gets a 409, looks the number up, and adopts it.
    set_faults(&FaultSettings::default()).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    let adopted = create_checkout(&token(&reference, 500)).await;
    assert_eq!(adopted.status, StatusCode::CREATED, "{}", adopted.body);
    assert_eq!(adopted.body["control_number"], reference.as_str());
}
