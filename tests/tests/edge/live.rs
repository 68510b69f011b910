//! `GET /v1/checkouts/{ref}/live`: the WebSocket over which the `Bill` object pushes a checkout's
//! changes. The order token is offered as a subprotocol beside `billpay.v1`; only that order's
//! socket opens; sockets are bounded per bill and per client; a settled bill closes them.
use std::time::Duration;

use billpay_tests::sim::faults::PayFaults;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::support::{
    claims, edge, handshake, mint_with, new_checkout, now, offer, pay, send, shared, token,
    unique_ref, Frame, LiveSocket as Socket,
};

fn text(frame: Frame) -> Value {
    match frame {
        Frame::Text(view) => view,
        other => panic!("expected a view, got {other:?}"),
    }
}

#[tokio::test]
async fn a_payment_is_pushed_to_the_open_socket_which_then_closes_normally() {
    let _stack = shared().await;
    let reference = unique_ref("LIVE");
    let (order, created) = new_checkout(&reference, 4_200).await;
    let mut socket = Socket::open(&reference, &order, "198.51.100.1").await;
    let first = text(socket.next().await);
    assert_eq!(first["state"], "pending", "the current view comes at once");
    assert_eq!(first["version"], created["version"]);

    pay(&reference, 4_200, PayFaults::default()).await;
    let pushed = text(socket.next().await);
    assert_eq!(pushed["state"], "paid");
    assert_eq!(pushed["paid_total"], 4_200);
    assert!(pushed["version"].as_u64() > first["version"].as_u64());
    assert_eq!(
        socket.next().await,
        Frame::Close(1000),
        "a settled bill closes its sockets normally"
    );
}

#[tokio::test]
async fn a_socket_for_a_settled_bill_gets_the_view_and_closes() {
    let _stack = shared().await;
    let reference = unique_ref("LIVS");
    let (order, _) = new_checkout(&reference, 4_300).await;
    pay(&reference, 4_300, PayFaults::default()).await;
    crate::support::wait_for_state(&reference, &order, "paid", Duration::from_secs(20)).await;
    let mut socket = Socket::open(&reference, &order, "198.51.100.2").await;
    assert_eq!(text(socket.next().await)["state"], "paid");
    assert_eq!(socket.next().await, Frame::Close(1000));
}

#[tokio::test]
async fn sockets_are_refused_without_the_right_token_or_beyond_the_bounds() {
    let _stack = shared().await;
    let reference = unique_ref("LIVR");
    let (order, _) = new_checkout(&reference, 4_400).await;
    let client = "198.51.100.3";
    let forged = mint_with("x", &claims(&reference, 4_400, now() + 60));
    let another_order = token(&unique_ref("LIVO"), 4_400);
    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode, &str)> = vec![
        (
            "another order's token",
            handshake(&reference, &offer(&another_order), client),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a forged token",
            handshake(&reference, &offer(&forged), client),
            StatusCode::UNAUTHORIZED,
            "token_bad_signature",
        ),
        (
            "no billpay.v1",
            handshake(&reference, &order, client),
            StatusCode::UNAUTHORIZED,
            "protocol_required",
        ),
        (
            "billpay.v1 without a token",
            handshake(&reference, "billpay.v1", client),
            StatusCode::UNAUTHORIZED,
            "missing_token",
        ),
        (
            "a page on an origin not allowed",
            handshake(&reference, &offer(&order), client).header("Origin", "https://evil.example"),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            "a plain GET",
            edge(Method::GET, &format!("/v1/checkouts/{reference}/live")),
            StatusCode::UNPROCESSABLE_ENTITY,
            "upgrade_required",
        ),
        (
            "a POST",
            edge(Method::POST, &format!("/v1/checkouts/{reference}/live")),
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
    ];
    for (case, request, status, code) in cases {
        let reply = send(request).await;
        assert_eq!(reply.status, status, "{case}: {}", reply.body);
        assert_eq!(reply.error_code(), code, "{case}");
    }

    // Four sockets per client, eight per bill.
    let mut open = Vec::new();
    for _ in 0..4 {
        open.push(Socket::open(&reference, &order, client).await);
    }
    let fifth = send(handshake(&reference, &offer(&order), client)).await;
    assert_eq!(fifth.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(fifth.error_code(), "too_many_sockets");
    for _ in 0..4 {
        open.push(Socket::open(&reference, &order, "198.51.100.4").await);
    }
    let ninth = send(handshake(&reference, &offer(&order), "198.51.100.5")).await;
    assert_eq!(
        ninth.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the bill is full"
    );
    for socket in open {
        socket.close().await;
    }
}

#[tokio::test]
async fn the_test_switch_turns_the_route_off_for_its_references() {
    let _stack = shared().await;
    // LIVE_UPDATES_OFF_FOR in the test stack.
    let reference = unique_ref("NOLIVE");
    let (order, _) = new_checkout(&reference, 4_500).await;
    let reply = send(handshake(&reference, &offer(&order), "198.51.100.6")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert_eq!(reply.error_code(), "not_found");
}
