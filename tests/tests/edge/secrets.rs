//! Secret rotation without downtime. The test stack runs half way through a rotation of both
//! ORDER_SIGNING_SECRET and MERCHANT_WEBHOOK_SECRET: the edge holds `current,retiring`, the demo
//! shop still uses the retiring ones (so every e2e checkout and every notification in these suites
//! exercises the old path), and these tests use the current ones. Logs are checked for secrets by
//! `cargo xtask test` after the suites.
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;
use shared::token::{self, TokenError};

use crate::support::*;

fn retiring_order_secret() -> String {
    std::env::var("BILLPAY_RETIRING_ORDER_SIGNING_SECRET")
        .expect("BILLPAY_RETIRING_ORDER_SIGNING_SECRET")
}

#[tokio::test]
async fn tokens_signed_with_the_current_or_the_retiring_secret_both_start_checkouts() {
    let _stack = shared().await;
    for secret in [stack().order_secret.clone(), retiring_order_secret()] {
        let reference = unique_ref("RO");
        let created =
            create_checkout(&mint_with(&secret, &claims(&reference, 600, now() + 600))).await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    }
    let retired = mint_with(
        "a-secret-already-retired",
        &claims(&unique_ref("RO"), 600, now() + 600),
    );
    let refused = create_checkout(&retired).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.error_code(), "token_bad_signature");
}

#[tokio::test]
async fn the_edge_mints_with_the_current_secret_only() {
    let _stack = shared().await;
    let reference = unique_ref("RM");
    let minted = send(
        edge(Method::POST, "/v1/orders")
            .bearer_auth(&stack().merchant_key)
            .json(&json!({ "reference": reference, "amount": 1200 })),
    )
    .await;
    assert_eq!(minted.status, StatusCode::CREATED, "{}", minted.body);
    let order = minted.body["order"].as_str().expect("token");
    assert!(token::verify_signature_only(&[stack().order_secret.as_bytes()], order).is_ok());
    assert_eq!(
        token::verify_signature_only(&[retiring_order_secret().as_bytes()], order).err(),
        Some(TokenError::BadSignature)
    );
}

#[tokio::test]
async fn a_shop_still_on_the_retiring_webhook_secret_gets_its_notifications() {
    let _stack = shared().await;
    let reference = unique_ref("RW");
    new_checkout(&reference, 1300).await;
    pay(&reference, 1300, Default::default()).await;
    // The shop verifies with the retiring secret only: this arrives because every notification
    // carries one `v1=` per secret the edge holds.
    let paid = wait_for_notification(&reference, "bill.paid", Duration::from_secs(30)).await;
    assert_eq!(paid.id, format!("{reference}.bill.paid"));
}

#[tokio::test]
async fn error_answers_never_echo_credentials() {
    let _stack = shared().await;
    let secrets = [
        stack().order_secret.clone(),
        retiring_order_secret(),
        stack().merchant_key.clone(),
        stack().checksum_key.clone(),
    ];
    let replies = [
        send(
            edge(Method::POST, "/v1/orders")
                .bearer_auth(format!("{}x", stack().merchant_key))
                .json(&json!({})),
        )
        .await,
        send(edge(Method::GET, "/v1/orders/NOPE1").bearer_auth(&stack().merchant_key)).await,
        create_checkout(&mint_with(
            &stack().order_secret,
            &claims(&unique_ref("RE"), 500, now() - 3600),
        ))
        .await,
        post_webhook(payment_webhook("NOPE2", "X1", "SUCCESS", 5), false).await,
    ];
    for reply in replies {
        let text = format!("{:?} {}", reply.headers, reply.body);
        assert!(reply.status.is_client_error(), "{text}");
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret in an error answer: {}",
                reply.body
            );
        }
    }
}
