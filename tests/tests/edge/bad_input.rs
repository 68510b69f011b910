//! The bad-input campaign: every route against malformed and hostile requests (broken and wrong-typed
//! JSON, huge bodies, unicode, injection strings, wrong methods, missing and forged credentials, a
//! foreign origin). Each row must get its documented status and error code, and nothing may be
//! stored: no control number at the simulator, a 404 from the edge for every reference involved.
//!
//! The table it observed is written to `docs/bad-input.md`, so the doc is what the edge does.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use sha2::Sha256;
use shared::reconcile::time::format_rfc3339;

use crate::support::*;

/// The campaign's own client address, so its requests draw on their own checkout budget.
const CLIENT_IP: &str = "198.51.100.77";
const FOREIGN_ORIGIN: &str = "https://evil.example";
const INJECTION: &str = "A1' OR '1'='1; DROP TABLE bills;--<script>alert(1)</script>";
const UNICODE: &str = "Malipo ya 💸 — Ünïcödé \u{202e}ﷺ\u{0}";

struct Case {
    route: &'static str,
    input: String,
    request: RequestBuilder,
    status: u16,
    /// `error.code`, or `None` for a 2xx/204 answer.
    code: Option<&'static str>,
}

/// A token whose claims are signed correctly but are whatever JSON we like: the shop's mistakes.
fn signed_raw(claims: Value) -> String {
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut mac = Hmac::<Sha256>::new_from_slice(stack().order_secret.as_bytes()).expect("any key");
    mac.update(format!("v1.{payload}").as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("v1.{payload}.{signature}")
}

fn request(method: Method, path: &str) -> RequestBuilder {
    edge(method, path).header("CF-Connecting-IP", CLIENT_IP)
}

fn json_body(method: Method, path: &str, body: impl Into<String>) -> RequestBuilder {
    request(method, path)
        .header("Content-Type", "application/json")
        .body(body.into())
}

fn checkout_with(order: Value) -> String {
    json!({ "order": order }).to_string()
}

/// The widget sends its create as text/plain (no CORS preflight): the same JSON, the same checks.
const PLAIN_TEXT: &str = "text/plain;charset=UTF-8";

/// Each create body twice, labelled application/json and text/plain: both must meet the same refusal.
fn create_cases(bodies: Vec<(&'static str, String, u16, &'static str)>) -> Vec<Case> {
    bodies
        .into_iter()
        .flat_map(|(input, body, status, code)| {
            [
                ("application/json", input.to_owned()),
                (PLAIN_TEXT, format!("{input}, as text/plain")),
            ]
            .map(|(content_type, input)| Case {
                route: "POST /v1/checkouts",
                input,
                request: request(Method::POST, "/v1/checkouts")
                    .header("Content-Type", content_type)
                    .body(body.clone()),
                status,
                code: Some(code),
            })
        })
        .collect()
}

fn signed_webhook(mut body: Value) -> RequestBuilder {
    shared::checksum::attach(stack().checksum_key.as_bytes(), &mut body);
    json_body(Method::POST, "/v1/webhooks/clickpesa", body.to_string())
}

fn merchant_json(method: Method, path: &str, body: impl Into<String>) -> RequestBuilder {
    json_body(method, path, body).bearer_auth(&stack().merchant_key)
}

#[allow(clippy::too_many_lines)]
fn cases(r: &[String]) -> Vec<Case> {
    let exp = now() + 3600;
    let huge = format!(r#"{{"order":"{}"}}"#, "A".repeat(100 * 1024));
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    let forged_token = mint_with("not-the-signing-secret", &claims(&r[0], 1000, exp));
    let expired = token_for(&r[1], now() - 3600);
    let other_ref_token = token(&r[2], 1000);
    let (recent, now_text) = (format_rfc3339(now() - 10), format_rfc3339(now()));
    let case = |route, input: &str, request, status, code| Case {
        route,
        input: input.to_owned(),
        request,
        status,
        code,
    };
    let mut cases = create_cases(vec![
        // POST /v1/checkouts: the widget's one write.
        (
            "malformed JSON `{\"order\":`",
            r#"{"order":"#.into(),
            400,
            "invalid_json",
        ),
        ("JSON nested 5,000 deep", deep.clone(), 422, "invalid_input"),
        ("array instead of object", "[]".into(), 422, "invalid_input"),
        (
            "`order` is a number",
            checkout_with(json!(42)),
            422,
            "invalid_input",
        ),
        ("`order` missing", "{}".into(), 422, "invalid_input"),
        (
            "empty token",
            checkout_with(json!("")),
            401,
            "token_malformed",
        ),
        (
            "unicode token",
            checkout_with(json!(UNICODE)),
            401,
            "token_malformed",
        ),
        (
            "injection string as token",
            checkout_with(json!(INJECTION)),
            401,
            "token_malformed",
        ),
        (
            "token signed with another secret",
            checkout_with(json!(forged_token)),
            401,
            "token_bad_signature",
        ),
        (
            // With a bill for its order the edge would answer 200 with that bill (pay_links.rs).
            "expired token, no bill for its order",
            checkout_with(json!(expired)),
            401,
            "token_expired",
        ),
        (
            "token expired 30 s ago (inside the clock-skew allowance)",
            checkout_with(json!(token_for(&r[12], now() - 30))),
            401,
            "token_expired",
        ),
        (
            "token valid for a year",
            checkout_with(json!(token_for(&r[12], now() + 365 * 24 * 3600))),
            401,
            "token_lifetime_too_long",
        ),
        (
            "signed token, injection string as `ref`",
            checkout_with(json!(signed_raw(
                json!({"ref": INJECTION, "amount": 1000, "exp": exp})
            ))),
            422,
            "invalid_reference",
        ),
        (
            "signed token, unicode `ref`",
            checkout_with(json!(signed_raw(
                json!({"ref": "ÄÖÜ123", "amount": 1000, "exp": exp})
            ))),
            422,
            "invalid_reference",
        ),
        (
            "signed token, 21-character `ref`",
            checkout_with(json!(signed_raw(
                json!({"ref": "A".repeat(21), "amount": 1000, "exp": exp})
            ))),
            422,
            "invalid_reference",
        ),
        (
            "signed token, negative amount",
            checkout_with(json!(signed_raw(
                json!({"ref": r[3], "amount": -5, "exp": exp})
            ))),
            422,
            "invalid_amount",
        ),
        (
            "signed token, fractional amount",
            checkout_with(json!(signed_raw(
                json!({"ref": r[4], "amount": 10.5, "exp": exp})
            ))),
            422,
            "invalid_amount",
        ),
        (
            "signed token, amount 10^20",
            checkout_with(json!(signed_raw(
                json!({"ref": r[5], "amount": 1e20, "exp": exp})
            ))),
            422,
            "invalid_amount",
        ),
        (
            "signed token, amount as a string",
            checkout_with(json!(signed_raw(
                json!({"ref": r[6], "amount": "1000", "exp": exp})
            ))),
            401,
            "token_malformed",
        ),
        (
            "signed token, unsafe description",
            checkout_with(json!(signed_raw(
                json!({"ref": r[7], "amount": 1000, "description": UNICODE, "exp": exp})
            ))),
            422,
            "invalid_description",
        ),
        ("100 KiB body", huge.clone(), 413, "payload_too_large"),
    ]);
    cases.extend(vec![
        case(
            "POST /v1/checkouts",
            "form body",
            request(Method::POST, "/v1/checkouts")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("order=x"),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "POST /v1/checkouts",
            "text/plain in Latin-1",
            request(Method::POST, "/v1/checkouts")
                .header("Content-Type", "text/plain; charset=iso-8859-1")
                .body(checkout_with(json!(token(&r[12], 1000)))),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "POST /v1/checkouts",
            "no Content-Type",
            request(Method::POST, "/v1/checkouts").body(checkout_with(json!(token(&r[12], 1000)))),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "POST /v1/checkouts",
            "preflight from a foreign origin",
            request(Method::OPTIONS, "/v1/checkouts")
                .header("Origin", FOREIGN_ORIGIN)
                .header("Access-Control-Request-Method", "POST"),
            403,
            Some("forbidden"),
        ),
        case(
            "GET /v1/checkouts",
            "wrong method",
            request(Method::GET, "/v1/checkouts"),
            405,
            Some("method_not_allowed"),
        ),
        // GET /v1/checkouts/{ref}: the widget's poll, the order token as Bearer.
        case(
            "GET /v1/checkouts/{ref}",
            "no Authorization",
            request(Method::GET, &format!("/v1/checkouts/{}", r[8])),
            401,
            Some("missing_credentials"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "Basic instead of Bearer",
            request(Method::GET, &format!("/v1/checkouts/{}", r[8]))
                .header("Authorization", "Basic dXNlcjpwYXNz"),
            401,
            Some("missing_credentials"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "injection string as Bearer",
            request(Method::GET, &format!("/v1/checkouts/{}", r[8])).bearer_auth(INJECTION),
            401,
            Some("token_malformed"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "forged token",
            request(Method::GET, &format!("/v1/checkouts/{}", r[0])).bearer_auth(&forged_token),
            401,
            Some("token_bad_signature"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "another order's token",
            request(Method::GET, &format!("/v1/checkouts/{}", r[8])).bearer_auth(&other_ref_token),
            403,
            Some("forbidden"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "valid token, no such bill (foreign origin)",
            request(Method::GET, &format!("/v1/checkouts/{}", r[2]))
                .bearer_auth(&other_ref_token)
                .header("Origin", FOREIGN_ORIGIN),
            404,
            Some("not_found"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "injection string in the path",
            request(Method::GET, "/v1/checkouts/A1'%20OR%20'1'='1"),
            404,
            Some("not_found"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "unicode in the path",
            request(Method::GET, "/v1/checkouts/%C3%84%C3%96%F0%9F%92%B8"),
            404,
            Some("not_found"),
        ),
        case(
            "GET /v1/checkouts/{ref}",
            "path traversal",
            request(Method::GET, "/v1/checkouts/..%2F..%2Fetc%2Fpasswd"),
            404,
            Some("not_found"),
        ),
        case(
            "DELETE /v1/checkouts/{ref}",
            "wrong method",
            request(Method::DELETE, &format!("/v1/checkouts/{}", r[8])),
            405,
            Some("method_not_allowed"),
        ),
        // POST /v1/webhooks/clickpesa: only ClickPesa's checksum gets in.
        case(
            "POST /v1/webhooks/clickpesa",
            "malformed JSON",
            json_body(Method::POST, "/v1/webhooks/clickpesa", "{\"event\":"),
            400,
            Some("invalid_json"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "array instead of object",
            json_body(Method::POST, "/v1/webhooks/clickpesa", "[1,2]"),
            400,
            Some("invalid_json"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "no checksum",
            json_body(
                Method::POST,
                "/v1/webhooks/clickpesa",
                payment_webhook(&r[9], "P1", "SUCCESS", 1000).to_string(),
            ),
            401,
            Some("invalid_checksum"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "checksum with another key",
            {
                let mut body = payment_webhook(&r[9], "P2", "SUCCESS", 1000);
                shared::checksum::attach(b"not-the-checksum-key", &mut body);
                json_body(Method::POST, "/v1/webhooks/clickpesa", body.to_string())
            },
            401,
            Some("invalid_checksum"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "signed, `data` is a string",
            signed_webhook(json!({"event": "PAYMENT RECEIVED", "data": INJECTION})),
            400,
            Some("invalid_json"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "signed, amount is an object",
            signed_webhook({
                let mut body = payment_webhook(&r[9], "P3", "SUCCESS", 1000);
                body["data"]["collectedAmount"] = json!({"$gt": 0});
                body
            }),
            400,
            Some("invalid_json"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "signed, injection string as orderReference",
            signed_webhook(payment_webhook(INJECTION, "P4", "SUCCESS", 1000)),
            200,
            None,
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "signed, unicode orderReference",
            signed_webhook(payment_webhook(UNICODE, "P5", "SUCCESS", 1000)),
            200,
            None,
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "signed, reference with no bill",
            signed_webhook(payment_webhook(&r[9], "P6", "SUCCESS", 1000)),
            200,
            None,
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "100 KiB body",
            json_body(Method::POST, "/v1/webhooks/clickpesa", huge.clone()),
            413,
            Some("payload_too_large"),
        ),
        case(
            "POST /v1/webhooks/clickpesa",
            "form body",
            request(Method::POST, "/v1/webhooks/clickpesa")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("event=x"),
            415,
            Some("unsupported_media_type"),
        ),
        case(
            "GET /v1/webhooks/clickpesa",
            "wrong method",
            request(Method::GET, "/v1/webhooks/clickpesa"),
            405,
            Some("method_not_allowed"),
        ),
        // The shop server's API, behind the merchant key.
        case(
            "POST /v1/orders",
            "no Authorization",
            json_body(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 1000}).to_string(),
            ),
            401,
            Some("missing_credentials"),
        ),
        case(
            "POST /v1/orders",
            "wrong key of the same length",
            json_body(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 1000}).to_string(),
            )
            .bearer_auth("x".repeat(stack().merchant_key.len())),
            401,
            Some("invalid_api_key"),
        ),
        case(
            "POST /v1/orders",
            "order token as the key",
            json_body(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 1000}).to_string(),
            )
            .bearer_auth(token(&r[10], 1000)),
            401,
            Some("invalid_api_key"),
        ),
        case(
            "POST /v1/orders",
            "`expires_in` of ten years",
            merchant_json(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 1000, "expires_in": 10 * 365 * 24 * 3600})
                    .to_string(),
            ),
            422,
            Some("invalid_expires_in"),
        ),
        case(
            "POST /v1/orders",
            "`expires_in` above u64",
            merchant_json(
                Method::POST,
                "/v1/orders",
                format!(
                    r#"{{"reference":"{}","amount":1000,"expires_in":1e30}}"#,
                    r[10]
                ),
            ),
            422,
            Some("invalid_input"),
        ),
        case(
            "POST /v1/orders",
            "malformed JSON",
            merchant_json(Method::POST, "/v1/orders", "{"),
            400,
            Some("invalid_json"),
        ),
        case(
            "POST /v1/orders",
            "amount as a string",
            merchant_json(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": "1000"}).to_string(),
            ),
            422,
            Some("invalid_input"),
        ),
        case(
            "POST /v1/orders",
            "amount 0",
            merchant_json(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 0}).to_string(),
            ),
            422,
            Some("invalid_input"),
        ),
        case(
            "POST /v1/orders",
            "injection string as reference",
            merchant_json(
                Method::POST,
                "/v1/orders",
                json!({"reference": INJECTION, "amount": 1000}).to_string(),
            ),
            422,
            Some("invalid_input"),
        ),
        case(
            "POST /v1/orders",
            "unicode description",
            merchant_json(
                Method::POST,
                "/v1/orders",
                json!({"reference": r[10], "amount": 1000, "description": UNICODE}).to_string(),
            ),
            422,
            Some("invalid_input"),
        ),
        case(
            "POST /v1/orders",
            "100 KiB body",
            merchant_json(Method::POST, "/v1/orders", huge),
            413,
            Some("payload_too_large"),
        ),
        case(
            "PUT /v1/orders",
            "wrong method",
            request(Method::PUT, "/v1/orders").bearer_auth(&stack().merchant_key),
            405,
            Some("method_not_allowed"),
        ),
        case(
            "GET /v1/orders/{ref}",
            "no Authorization",
            request(Method::GET, &format!("/v1/orders/{}", r[11])),
            401,
            Some("missing_credentials"),
        ),
        case(
            "GET /v1/orders/{ref}",
            "order token instead of the key",
            request(Method::GET, &format!("/v1/orders/{}", r[11])).bearer_auth(token(&r[11], 1000)),
            401,
            Some("invalid_api_key"),
        ),
        case(
            "GET /v1/orders/{ref}",
            "no such order",
            request(Method::GET, &format!("/v1/orders/{}", r[11]))
                .bearer_auth(&stack().merchant_key),
            404,
            Some("not_found"),
        ),
        case(
            "POST /v1/orders/{ref}/cancel",
            "no Authorization",
            request(Method::POST, &format!("/v1/orders/{}/cancel", r[11])),
            401,
            Some("missing_credentials"),
        ),
        case(
            "POST /v1/orders/{ref}/cancel",
            "no such order",
            request(Method::POST, &format!("/v1/orders/{}/cancel", r[11]))
                .bearer_auth(&stack().merchant_key),
            404,
            Some("not_found"),
        ),
        case(
            "GET /v1/orders/{ref}/cancel",
            "wrong method",
            request(Method::GET, &format!("/v1/orders/{}/cancel", r[11])),
            405,
            Some("method_not_allowed"),
        ),
        // The reconcile report: the merchant key, then `Accept`, then the window.
        case(
            "GET /v1/reports/payments",
            "no Authorization",
            request(Method::GET, &report(&recent, &now_text)),
            401,
            Some("missing_credentials"),
        ),
        case(
            "GET /v1/reports/payments",
            "order token as the key",
            request(Method::GET, &report(&recent, &now_text)).bearer_auth(token(&r[12], 1000)),
            401,
            Some("invalid_api_key"),
        ),
        case(
            "GET /v1/reports/payments",
            "`Accept: image/png`",
            merchant_get(&report(&recent, &now_text)).header("Accept", "image/png"),
            406,
            Some("not_acceptable"),
        ),
        case(
            "GET /v1/reports/payments",
            "no window",
            merchant_get("/v1/reports/payments"),
            422,
            Some("missing_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "`from` only",
            merchant_get(&format!("/v1/reports/payments?from={recent}")),
            422,
            Some("missing_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "unix seconds",
            merchant_get(&report(&(now() - 3600).to_string(), &now_text)),
            422,
            Some("invalid_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "injection string as `from`",
            merchant_get(&report("%27%20OR%20%271%27%3D%271", &now_text)),
            422,
            Some("invalid_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "`+03:00` not percent-encoded (read as a space)",
            merchant_get(&report(
                &format_rfc3339(now() - 3600).replace('Z', "+03:00"),
                &now_text,
            )),
            422,
            Some("invalid_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "`from` twice",
            merchant_get(&format!("{}&from={recent}", report(&recent, &now_text))),
            422,
            Some("invalid_window"),
        ),
        case(
            "GET /v1/reports/payments",
            "unknown parameter",
            merchant_get(&format!("{}&limit=5", report(&recent, &now_text))),
            422,
            Some("unknown_parameter"),
        ),
        case(
            "GET /v1/reports/payments",
            "`to` before `from`",
            merchant_get(&report(&now_text, &recent)),
            422,
            Some("window_reversed"),
        ),
        case(
            "GET /v1/reports/payments",
            "32 days",
            merchant_get(&report(&format_rfc3339(now() - 32 * 86_400), &now_text)),
            422,
            Some("window_too_long"),
        ),
        case(
            "GET /v1/reports/payments",
            "older than BILL_RETENTION_SECS",
            merchant_get(&report(
                &format_rfc3339(now() - 3 * 86_400),
                &format_rfc3339(now() - 2 * 86_400),
            )),
            422,
            Some("window_too_old"),
        ),
        case(
            "POST /v1/reports/payments",
            "wrong method",
            request(Method::POST, &report(&recent, &now_text)).bearer_auth(&stack().merchant_key),
            405,
            Some("method_not_allowed"),
        ),
        // Payment links: any code that leads nowhere gets the one HTML 404 page, not JSON.
        case(
            "GET /p/{code}",
            "injection string as code (the bilingual HTML 404 page)",
            request(Method::GET, &link_path(INJECTION)),
            404,
            None,
        ),
        case(
            "GET /p/{code}",
            "unicode code (the bilingual HTML 404 page)",
            request(Method::GET, &link_path(UNICODE)),
            404,
            None,
        ),
        case(
            "POST /p/{code}",
            "wrong method",
            request(Method::POST, "/p/AAAAAAAAAAAAAAAA"),
            405,
            Some("method_not_allowed"),
        ),
        // The rest.
        case(
            "POST /healthz",
            "wrong method",
            request(Method::POST, "/healthz"),
            405,
            Some("method_not_allowed"),
        ),
        case(
            "GET /v1/../../etc/passwd",
            "unknown route",
            request(Method::GET, "/v1/%2E%2E/%2E%2E/etc/passwd"),
            404,
            Some("not_found"),
        ),
    ]);
    cases
}

/// The report's path for a window given as written (so it can be garbled).
fn report(from: &str, to: &str) -> String {
    format!("/v1/reports/payments?from={from}&to={to}")
}

fn merchant_get(path: &str) -> RequestBuilder {
    request(Method::GET, path).bearer_auth(&stack().merchant_key)
}

/// `/p/` and `code` percent-encoded as one path segment.
fn link_path(code: &str) -> String {
    let mut url = reqwest::Url::parse("http://edge/p/").expect("a URL");
    url.path_segments_mut()
        .expect("a base URL")
        .pop_if_empty()
        .push(code);
    url.path().to_owned()
}

/// A correctly signed token for `reference` that expires at `exp`.
fn token_for(reference: &str, exp: u64) -> String {
    mint_with(&stack().order_secret, &claims(reference, 1000, exp))
}

#[tokio::test]
async fn every_route_refuses_bad_input_and_stores_nothing() {
    let _stack = shared().await;
    let refs: Vec<String> = (0..13).map(|_| unique_ref("BI")).collect();
    let mut table = String::from(
        "# Bad-input campaign\n\nGenerated by `tests/tests/edge/bad_input.rs` (run by `cargo xtask test`) from what the \
         edge answered. Every row leaves nothing behind: no control number at ClickPesa and a 404 for every \
         reference involved. Errors are always `{\"error\":{\"code\":…,\"message\":…}}` (but for a payment \
         link's `GET /p/{code}`, whose every miss is one bilingual HTML page); none carries internals \
         or echoes the input, and every answer says `X-Content-Type-Options: nosniff`. \
         `CORS` is the `Access-Control-Allow-Origin` the answer carried (only the shop's origins ever get one). \
         Every `POST /v1/checkouts` body goes twice, as `application/json` and as `text/plain;charset=UTF-8` \
         (how the widget sends it: a CORS-safelisted request needs no preflight), and meets the same refusal.\n\n\
         | route | input | status | error code | CORS |\n|---|---|---|---|---|\n",
    );
    let mut wrong = Vec::new();
    for case in cases(&refs) {
        let reply = send(case.request).await;
        let code = reply.body["error"]["code"].as_str().map(str::to_owned);
        let cors = reply
            .header("access-control-allow-origin")
            .unwrap_or("none")
            .to_owned();
        let message = reply.body["error"]["message"].as_str().unwrap_or_default();
        let echoes = ["<script>", "DROP TABLE", "\u{202e}", "💸", "1e30"]
            .iter()
            .any(|input| message.contains(input));
        if reply.status != StatusCode::from_u16(case.status).unwrap()
            || code.as_deref() != case.code
            || (case.code.is_some() && message.is_empty())
            || echoes
            || reply.header("x-content-type-options") != Some("nosniff")
            || cors != "none"
        {
            wrong.push(format!(
                "{} / {}: {} {}",
                case.route, case.input, reply.status, reply.body
            ));
        }
        table.push_str(&format!(
            "| `{}` | {} | {} | {} | {cors} |\n",
            case.route,
            case.input.replace('|', "\\|"),
            reply.status.as_u16(),
            code.as_deref().map_or("—".to_owned(), |c| format!("`{c}`")),
        ));
    }
    for reference in &refs {
        assert!(
            sim().bill(reference).await.is_err(),
            "{reference}: a control number was made"
        );
        let order = merchant(Method::GET, &format!("/v1/orders/{reference}")).await;
        assert_eq!(
            order.status,
            StatusCode::NOT_FOUND,
            "{reference}: {}",
            order.body
        );
    }
    let doc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/bad-input.md");
    std::fs::write(doc, table).expect("docs/bad-input.md written");
    assert!(
        wrong.is_empty(),
        "unexpected answers:\n{}",
        wrong.join("\n")
    );
}
