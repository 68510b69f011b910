//! Abuse: checkout creation is bounded per order and per client (429 + Retry-After), so a script can
//! neither burn the shop's ClickPesa budget nor fill storage; settled bills are forgotten after
//! BILL_RETENTION_SECS. Each test uses client addresses of its own (`CF-Connecting-IP`, which
//! Cloudflare sets and `wrangler dev` passes through), so the other suites' budget is untouched.
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

fn from(client_ip: &str, order: &str) -> reqwest::RequestBuilder {
    edge(Method::POST, "/v1/checkouts")
        .header("CF-Connecting-IP", client_ip)
        .json(&json!({ "order": order }))
}

fn assert_limited(reply: &Reply) {
    assert_eq!(
        reply.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        reply.body
    );
    assert_eq!(reply.error_code(), "rate_limited");
    let retry_after: u32 = reply
        .header("retry-after")
        .and_then(|s| s.parse().ok())
        .expect("Retry-After in seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
}

#[tokio::test]
async fn replaying_one_order_token_is_bounded() {
    let _stack = shared().await;
    let reference = unique_ref("AB");
    let order = token(&reference, 700);
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(send(from("203.0.113.10", &order)).await.status.as_u16());
    }
    assert_eq!(statuses, [201, 200, 200, 200, 200, 200]);
    assert_limited(&send(from("203.0.113.10", &order)).await);
    // The bound is the order's, whoever replays it.
    assert_limited(&send(from("203.0.113.11", &order)).await);
    assert!(
        sim().bill(&reference).await.is_ok(),
        "the one number exists"
    );
}

#[tokio::test]
async fn one_client_is_bounded_whatever_it_sends() {
    let _stack = shared().await;
    let limit: usize = std::env::var("BILLPAY_CHECKOUT_LIMIT_PER_CLIENT")
        .expect("BILLPAY_CHECKOUT_LIMIT_PER_CLIENT")
        .parse()
        .expect("a number");
    let script = "203.0.113.20";
    // Twice the budget, 20 at a time. The bucket refills while they are in flight (a token every
    // 60/limit s), so the bound checked is the burst plus what the elapsed time refilled.
    // Garbage costs the budget as much as real tokens: a script learns nothing by varying it.
    let started = std::time::Instant::now();
    let (mut answered, mut refused) = (0usize, 0usize);
    for _ in 0..(2 * limit).div_ceil(20) {
        let mut garbage = tokio::task::JoinSet::new();
        for _ in 0..20 {
            garbage.spawn(send(from(script, "v1.garbage.token")));
        }
        while let Some(reply) = garbage.join_next().await {
            let reply = reply.expect("request");
            match reply.status {
                StatusCode::UNAUTHORIZED => answered += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    assert_limited(&reply);
                    refused += 1;
                }
                other => panic!("garbage answered {other}: {}", reply.body),
            }
        }
    }
    let refilled = (started.elapsed().as_secs_f64() * limit as f64 / 60.0).ceil() as usize;
    assert!(
        (limit..=limit + refilled).contains(&answered) && refused > 0,
        "{answered} answered, {refused} refused; burst {limit} + {refilled} refilled"
    );
    // A real token from the same client is refused too, and makes nothing. The bucket refills
    // while requests are in flight, so each attempt first spends whatever came back (garbage until
    // a 429), then sends the token at once; a refill can still slip in between, hence attempts.
    let mut order = None;
    for _ in 0..10 {
        for _ in 0..limit {
            if send(from(script, "v1.garbage.token")).await.status == StatusCode::TOO_MANY_REQUESTS
            {
                break;
            }
        }
        let reference = unique_ref("AC");
        let attempt_order = token(&reference, 800);
        let reply = send(from(script, &attempt_order)).await;
        if reply.status == StatusCode::CREATED {
            continue;
        }
        assert_limited(&reply);
        assert!(
            sim().bill(&reference).await.is_err(),
            "a refused create makes no number"
        );
        assert_eq!(
            get_checkout(&reference, &attempt_order).await.status,
            StatusCode::NOT_FOUND
        );
        order = Some(attempt_order);
        break;
    }
    // Another client with the same token is unaffected.
    let order = order.expect("a refused create");
    assert_eq!(
        send(from("203.0.113.21", &order)).await.status,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_settled_bill_is_forgotten_after_the_retention_period() {
    let _stack = shared().await;
    let retention: u64 = std::env::var("BILLPAY_BILL_RETENTION_SECS")
        .expect("BILLPAY_BILL_RETENTION_SECS")
        .parse()
        .expect("a number");
    let reference = unique_ref("RT");
    let (order, _) = new_checkout(&reference, 900).await;
    let cancelled = merchant(Method::POST, &format!("/v1/orders/{reference}/cancel")).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    wait_for_notification(&reference, "bill.cancelled", Duration::from_secs(20)).await;
    assert_eq!(
        get_checkout(&reference, &order).await.status,
        StatusCode::OK,
        "kept until then"
    );
    eventually(
        "the bill's storage to be deleted",
        Duration::from_secs(retention + 30),
        || async {
            let order = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
            (order.status == StatusCode::NOT_FOUND).then_some(())
        },
    )
    .await;
    assert_eq!(
        get_checkout(&reference, &order).await.status,
        StatusCode::NOT_FOUND
    );
    // A late webhook for the forgotten reference is acknowledged and brings nothing back.
    let late = post_webhook(payment_webhook(&reference, "LATE1", "SUCCESS", 900), true).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.body);
    assert_eq!(
        get_checkout(&reference, &order).await.status,
        StatusCode::NOT_FOUND
    );
}
