//! Route-independent HTTP behaviour: 404/405, body limits and types, CORS, health.
use reqwest::{Method, StatusCode};

use crate::support::*;

#[tokio::test]
async fn health_is_cheap_and_json() {
    let _stack = shared().await;
    let reply = send(edge(Method::GET, "/healthz")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "ok");
}

#[tokio::test]
async fn unknown_routes_are_json_404s() {
    let _stack = shared().await;
    for path in [
        "/",
        "/v1",
        "/v2/checkouts",
        "/v1/checkouts/ABC/extra",
        "/v1/checkouts/not-a-ref!",
        "/v1/orders/x/refund",
    ] {
        let reply = send(edge(Method::GET, path)).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.error_code(), "not_found", "{path}");
    }
}

#[tokio::test]
async fn wrong_methods_are_405_with_allow() {
    let _stack = shared().await;
    for (method, path, allow) in [
        (Method::GET, "/v1/checkouts", "POST"),
        (Method::DELETE, "/v1/checkouts/ABC123", "GET"),
        (Method::PUT, "/v1/orders", "POST"),
        (Method::GET, "/v1/webhooks/clickpesa", "POST"),
        (Method::POST, "/healthz", "GET"),
        (Method::GET, "/v1/orders/ABC123/cancel", "POST"),
    ] {
        let reply = send(edge(method.clone(), path)).await;
        assert_eq!(
            reply.status,
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert_eq!(reply.error_code(), "method_not_allowed");
        assert!(
            reply.header("allow").is_some_and(|a| a.starts_with(allow)),
            "{method} {path}: {:?}",
            reply.headers
        );
    }
}

#[tokio::test]
async fn oversize_bodies_are_413() {
    let _stack = shared().await;
    let order = "x".repeat(20 * 1024);
    let body = format!(r#"{{"order":"{order}"}}"#);
    for path in ["/v1/checkouts", "/v1/webhooks/clickpesa"] {
        let reply = send(
            edge(Method::POST, path)
                .header("Content-Type", "application/json")
                .body(body.clone()),
        )
        .await;
        assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        assert_eq!(reply.error_code(), "payload_too_large");
    }
}

/// Bodies are JSON. The create alone also takes it labelled text/plain (UTF-8), which browsers send
/// without a CORS preflight: such a body reaches the token check (401 for this token) as JSON does.
#[tokio::test]
async fn bodies_are_json_and_the_create_also_takes_plain_text() {
    let _stack = shared().await;
    let body = r#"{"order":"v1.a.b"}"#;
    let cases: [(&str, &str, Option<&str>, StatusCode); 11] = [
        (
            "json",
            "/v1/checkouts",
            Some("application/json"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "json with a charset",
            "/v1/checkouts",
            Some("application/json; charset=utf-8"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "bare text/plain",
            "/v1/checkouts",
            Some("text/plain"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "fetch's string body",
            "/v1/checkouts",
            Some("text/plain;charset=UTF-8"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            "text/plain in Latin-1",
            "/v1/checkouts",
            Some("text/plain; charset=iso-8859-1"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "form",
            "/v1/checkouts",
            Some("application/x-www-form-urlencoded"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "multipart",
            "/v1/checkouts",
            Some("multipart/form-data; boundary=x"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "no label",
            "/v1/checkouts",
            None,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "text/plain webhook",
            "/v1/webhooks/clickpesa",
            Some("text/plain;charset=UTF-8"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "text/plain order",
            "/v1/orders",
            Some("text/plain;charset=UTF-8"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "no label, webhook",
            "/v1/webhooks/clickpesa",
            None,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
    ];
    for (name, path, content_type, status) in cases {
        let mut request = edge(Method::POST, path).body(body);
        if let Some(content_type) = content_type {
            request = request.header("Content-Type", content_type);
        }
        if path == "/v1/orders" {
            request = request.bearer_auth(&stack().merchant_key);
        }
        let reply = send(request).await;
        assert_eq!(reply.status, status, "{name}: {}", reply.body);
        if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
            assert_eq!(reply.error_code(), "unsupported_media_type", "{name}");
        }
    }
}

#[tokio::test]
async fn cors_allows_the_shop_origin_only() {
    let _stack = shared().await;
    let shop = stack().shop.clone();
    let preflight = send(
        edge(Method::OPTIONS, "/v1/checkouts/ABC123")
            .header("Origin", &shop)
            .header("Access-Control-Request-Method", "GET")
            .header(
                "Access-Control-Request-Headers",
                "authorization, if-none-match",
            ),
    )
    .await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some(shop.as_str())
    );
    let allowed = preflight
        .header("access-control-allow-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("if-none-match"),
        "{allowed}"
    );
    assert!(preflight
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .contains("GET"));
    assert_eq!(
        preflight.header("access-control-max-age"),
        Some("7200"),
        "one preflight per poll URL for a checkout's whole life (Chromium's cap)"
    );

    let actual = send(edge(Method::GET, "/healthz").header("Origin", &shop)).await;
    assert_eq!(
        actual.header("access-control-allow-origin"),
        Some(shop.as_str())
    );
    assert!(actual
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .contains("ETag"));

    let foreign = "https://evil.example";
    let refused = send(
        edge(Method::OPTIONS, "/v1/checkouts")
            .header("Origin", foreign)
            .header("Access-Control-Request-Method", "POST"),
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.header("access-control-allow-origin"), None);
    let plain = send(edge(Method::GET, "/healthz").header("Origin", foreign)).await;
    assert_eq!(plain.header("access-control-allow-origin"), None);
    // Errors carry the CORS headers too, so the widget can read them.
    let error = send(edge(Method::GET, "/nope").header("Origin", &shop)).await;
    assert_eq!(
        error.header("access-control-allow-origin"),
        Some(shop.as_str())
    );
}
