//! `POST /v1/checkouts` and `GET /v1/checkouts/{ref}`: tokens, idempotency, conflicts, ETags.
use std::time::Duration;

use billpay_tests::sim::faults::PayFaults;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn happy_path_creates_pays_and_notifies_the_shop_once() {
    let _stack = shared().await;
    let reference = unique_ref("HP");
    let (order, view) = new_checkout(&reference, 5000).await;
    assert_eq!(
        view["control_number"],
        reference.as_str(),
        "billReference becomes the control number"
    );
    assert_eq!(view["state"], "pending");
    assert_eq!(view["amount"], 5000);
    assert_eq!(view["currency"], "TZS");
    assert_eq!(view["mpesa_business_number"], "400700");

    let bill = sim()
        .bill(&reference)
        .await
        .expect("the simulator has the number");
    assert_eq!(bill.bill.amount, Some(5000));
    assert_eq!(
        serde_json::to_value(bill.bill.payment_mode).unwrap(),
        json!("EXACT")
    );

    pay(&reference, 5000, PayFaults::default()).await;
    let paid = wait_for_state(&reference, &order, "paid", Duration::from_secs(20)).await;
    assert_eq!(paid["paid_total"], 5000);
    assert_eq!(paid["remaining"], 0);
    assert_eq!(paid["payments"][0]["channel"], "M-PESA");

    let notice = wait_for_notification(&reference, "bill.paid", Duration::from_secs(20)).await;
    assert_eq!(notice.body["data"]["reference"], reference.as_str());
    // Give reconciliation (2 s) and any stray retry time to produce a duplicate, then check none did.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let received = notifications(&reference).await;
    assert!(
        received.iter().all(|n| n.deliveries == 1),
        "each event delivered once: {received:?}"
    );
    let paid_events = received
        .iter()
        .filter(|n| n.body["type"] == "bill.paid")
        .count();
    assert_eq!(paid_events, 1);
}

#[tokio::test]
async fn the_same_token_twice_returns_the_same_number() {
    let _stack = shared().await;
    let reference = unique_ref("ID");
    let order = token(&reference, 1200);
    let first = create_checkout(&order).await;
    let second = create_checkout(&order).await;
    assert_eq!(first.status, StatusCode::CREATED);
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(first.body["control_number"], second.body["control_number"]);
    // A new token for the same order (same amount) is the same checkout too.
    let again = create_checkout(&mint_with(
        &stack().order_secret,
        &claims(&reference, 1200, now() + 60),
    ))
    .await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.body["control_number"], first.body["control_number"]);
}

#[tokio::test]
async fn concurrent_creates_make_one_number() {
    let _stack = shared().await;
    let reference = unique_ref("CC");
    let order = token(&reference, 700);
    let replies = futures_join(&order).await;
    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "exactly one create wins: {replies:?}");
    assert!(replies
        .iter()
        .all(|r| r.body["control_number"] == reference.as_str()));
}

async fn futures_join(order: &str) -> Vec<Reply> {
    let tasks: Vec<_> = (0..4)
        .map(|_| {
            let order = order.to_owned();
            tokio::spawn(async move { create_checkout(&order).await })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("task"));
    }
    replies
}

#[tokio::test]
async fn a_different_amount_for_a_known_reference_is_a_conflict() {
    let _stack = shared().await;
    let reference = unique_ref("AM");
    new_checkout(&reference, 3000).await;
    let reply = create_checkout(&token(&reference, 3500)).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.error_code(), "amount_mismatch");
}

#[tokio::test]
async fn bad_tokens_are_refused() {
    let _stack = shared().await;
    let reference = unique_ref("BT");
    let good = token(&reference, 1000);
    let expired = mint_with(
        &stack().order_secret,
        &claims(&reference, 1000, now() - 3600),
    );
    let forged = mint_with(
        "not-the-shop-secret",
        &claims(&reference, 1000, now() + 3600),
    );
    // Raise the amount inside a genuine token: the signature no longer matches.
    let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
    let other = token(&reference, 1);
    parts[1] = other.split('.').nth(1).unwrap().to_owned();
    let tampered = parts.join(".");
    for (order, code) in [
        ("garbage", "token_malformed"),
        ("v1.a.b.c", "token_malformed"),
        ("v2.e30.AAAA", "token_unsupported_version"),
        (expired.as_str(), "token_expired"),
        (forged.as_str(), "token_bad_signature"),
        (tampered.as_str(), "token_bad_signature"),
    ] {
        let reply = create_checkout(order).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{order}: {}",
            reply.body
        );
        assert_eq!(reply.error_code(), code, "{order}");
    }
    // Nothing was created for the reference by any of them.
    let reply = get_checkout(&reference, &good).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bodies_that_are_not_a_checkout_request_are_refused() {
    let _stack = shared().await;
    let cases = [
        ("{", StatusCode::BAD_REQUEST, "invalid_json"),
        ("{}", StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
        (
            r#"{"order": 5}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
        ),
        ("[]", StatusCode::UNPROCESSABLE_ENTITY, "invalid_input"),
    ];
    for (body, status, code) in cases {
        let reply = send(
            edge(Method::POST, "/v1/checkouts")
                .header("Content-Type", "application/json")
                .body(body),
        )
        .await;
        assert_eq!(reply.status, status, "{body}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{body}");
    }
}

#[tokio::test]
async fn polls_are_answered_304_until_something_changes() {
    let _stack = shared().await;
    let reference = unique_ref("ET");
    let (order, _) = new_checkout(&reference, 2500).await;
    let first = get_checkout(&reference, &order).await;
    assert_eq!(first.status, StatusCode::OK);
    let etag = first.header("etag").expect("an ETag").to_owned();

    let unchanged = send(
        edge(Method::GET, &format!("/v1/checkouts/{reference}"))
            .bearer_auth(&order)
            .header("If-None-Match", &etag),
    )
    .await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.header("etag"), Some(etag.as_str()));

    pay(&reference, 2500, PayFaults::default()).await;
    let changed = eventually(
        "a new version after payment",
        Duration::from_secs(20),
        || async {
            let reply = send(
                edge(Method::GET, &format!("/v1/checkouts/{reference}"))
                    .bearer_auth(&order)
                    .header("If-None-Match", &etag),
            )
            .await;
            (reply.status == StatusCode::OK).then_some(reply)
        },
    )
    .await;
    assert_ne!(changed.header("etag"), Some(etag.as_str()));
}

#[tokio::test]
async fn reading_a_checkout_needs_that_checkouts_token() {
    let _stack = shared().await;
    let reference = unique_ref("RD");
    let (order, _) = new_checkout(&reference, 900).await;
    let path = format!("/v1/checkouts/{reference}");

    let anonymous = send(edge(Method::GET, &path)).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let other = send(edge(Method::GET, &path).bearer_auth(token(&unique_ref("OT"), 900))).await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    let forged = send(
        edge(Method::GET, &path).bearer_auth(mint_with("x", &claims(&reference, 900, now() + 60))),
    )
    .await;
    assert_eq!(forged.status, StatusCode::UNAUTHORIZED);
    // An expired token still reads its own bill (the widget shows "expired" after the token is).
    let expired = mint_with(&stack().order_secret, &claims(&reference, 900, now() - 10));
    let late = send(edge(Method::GET, &path).bearer_auth(&expired)).await;
    assert_eq!(late.status, StatusCode::OK, "{}", late.body);
    assert_eq!(
        get_checkout(&reference, &order).await.status,
        StatusCode::OK
    );

    let never = unique_ref("NV");
    assert_eq!(
        get_checkout(&never, &token(&never, 900)).await.status,
        StatusCode::NOT_FOUND
    );
}
