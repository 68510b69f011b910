//! Payment links: `POST /v1/orders` returns a `pay_url` of at most 60 characters whose page
//! (`GET /p/{code}`) is the widget for that order under a strict CSP, in the language `?lang=`,
//! the browser or the order asks for. The link outlives its token only while the bill exists, and
//! its codes cannot be searched through: every miss gets the same 404 page, and misses are
//! bounded per client.
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use shared::paylink::{PayCode, CODE_LEN, MAX_PAY_URL_LEN};

use crate::support::*;

/// A new order through the merchant API (with `extra` fields); returns its `OrderCreated`.
async fn new_order(reference: &str, amount: u64, extra: Value) -> Value {
    let mut body = json!({ "reference": reference, "amount": amount, "description": format!("Invoice {reference}") });
    body.as_object_mut()
        .unwrap()
        .extend(extra.as_object().cloned().unwrap_or_default());
    let reply = send(
        edge(Method::POST, "/v1/orders")
            .bearer_auth(&stack().merchant_key)
            .json(&body),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    reply.body
}

fn pay_url(created: &Value) -> &str {
    created["pay_url"].as_str().expect("pay_url")
}

/// The link's path (`/p/{code}`), to open it with the suite's own client address.
fn path(created: &Value) -> String {
    pay_url(created)
        .strip_prefix(&stack().edge)
        .expect("the link is on the edge's origin")
        .to_owned()
}

/// Opens `path` as the browser at `client_ip` would, with `accept_language` when given.
async fn open(path: &str, client_ip: &str, accept_language: Option<&str>) -> Reply {
    let mut request = edge(Method::GET, path).header("CF-Connecting-IP", client_ip);
    if let Some(header) = accept_language {
        request = request.header("Accept-Language", header);
    }
    send(request).await
}

fn html(reply: &Reply) -> &str {
    reply
        .body
        .as_str()
        .unwrap_or_else(|| panic!("an HTML page: {}", reply.body))
}

fn page_lang(reply: &Reply) -> &str {
    let page = html(reply);
    let at = page.find("data-lang=\"").expect("the widget's data-lang") + "data-lang=\"".len();
    &page[at..at + 2]
}

#[tokio::test]
async fn pay_url_is_short_random_and_opens_that_orders_widget_under_a_strict_csp() {
    let _stack = shared().await;
    let reference = unique_ref("PL");
    let created = new_order(&reference, 4_200, json!({})).await;
    let url = pay_url(&created);
    assert!(
        url.len() <= MAX_PAY_URL_LEN,
        "{url} is {} characters",
        url.len()
    );
    let code = url.rsplit('/').next().unwrap();
    assert_eq!(code.len(), CODE_LEN, "{url}");
    assert!(PayCode::parse(code).is_some(), "{code}");
    assert!(
        !url.contains(&reference),
        "the code says nothing about the order"
    );
    let again = new_order(&reference, 4_200, json!({})).await;
    assert_ne!(pay_url(&again), url, "every order gets a code of its own");

    let reply = open(&path(&created), "198.51.100.40", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let origin = &stack().edge;
    let socket = origin.replacen("http", "ws", 1);
    let csp = reply.header("content-security-policy").expect("a CSP");
    for expected in [
        "default-src 'none'".to_owned(),
        "script-src 'self' 'wasm-unsafe-eval';".to_owned(),
        format!("connect-src 'self' {socket};"),
        "frame-ancestors 'none'".to_owned(),
        "base-uri 'none'".to_owned(),
        "style-src 'sha256-".to_owned(),
    ] {
        assert!(csp.contains(&expected), "{expected} in {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    for (header, value) in [
        ("content-type", "text/html; charset=utf-8"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
        ("x-robots-tag", "noindex, nofollow"),
        ("x-content-type-options", "nosniff"),
    ] {
        assert_eq!(reply.header(header), Some(value), "{header}");
    }
    let page = html(&reply);
    let token = created["order"].as_str().unwrap();
    assert!(
        page.contains(&format!(
            "<script async src=\"/widget.js\" data-order=\"{token}\""
        )),
        "{page}"
    );
    let other = new_order(&unique_ref("PL"), 4_200, json!({})).await;
    assert!(
        !page.contains(other["order"].as_str().unwrap()),
        "only this link's own token"
    );
    assert_eq!(page.matches("v1.").count(), 1, "one token: {page}");
    // The token the page carries is the order's: the widget's create starts that checkout.
    let started = create_checkout(token).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.body);
    assert_eq!(started.body["reference"], reference.as_str());

    for method in [Method::HEAD, Method::POST, Method::PUT] {
        let reply = send(edge(method.clone(), &path(&created))).await;
        assert_eq!(reply.status, StatusCode::METHOD_NOT_ALLOWED, "{method}");
        assert_eq!(reply.header("allow"), Some("GET, OPTIONS"), "{method}");
    }
}

#[tokio::test]
async fn the_page_speaks_the_language_of_the_query_then_the_browser_then_the_order() {
    let _stack = shared().await;
    let english_order = new_order(&unique_ref("PLEN"), 1_000, json!({})).await;
    let swahili_order = new_order(&unique_ref("PLSW"), 1_000, json!({ "lang": "sw" })).await;
    let cases = [
        ("no preference at all", &english_order, "", None, "en"),
        ("the order's language", &swahili_order, "", None, "sw"),
        (
            "the browser's over the order's",
            &swahili_order,
            "",
            Some("en-GB,en;q=0.9"),
            "en",
        ),
        (
            "the browser's first we have",
            &english_order,
            "",
            Some("fr-FR, sw;q=0.8, en;q=0.5"),
            "sw",
        ),
        (
            "a browser naming none falls to the order",
            &swahili_order,
            "",
            Some("fr, de"),
            "sw",
        ),
        (
            "?lang= over everything",
            &swahili_order,
            "?lang=en",
            Some("sw-TZ"),
            "en",
        ),
        ("?lang=sw", &english_order, "?lang=sw", Some("en-US"), "sw"),
        (
            "an unknown ?lang= is ignored",
            &english_order,
            "?lang=xx",
            Some("sw"),
            "sw",
        ),
    ];
    for (name, created, query, accept_language, lang) in cases {
        let reply = open(
            &format!("{}{query}", path(created)),
            "198.51.100.41",
            accept_language,
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        assert_eq!(page_lang(&reply), lang, "{name}");
        assert!(
            html(&reply).contains(&format!("<html lang=\"{lang}\">")),
            "{name}"
        );
    }
}

#[tokio::test]
async fn after_the_token_expires_the_link_lives_only_while_the_bill_exists() {
    let _stack = shared().await;
    let client = "198.51.100.42";
    let started = unique_ref("PLST");
    let never_started = unique_ref("PLNS");
    let with_bill = new_order(&started, 2_500, json!({ "expires_in": 2 })).await;
    let without_bill = new_order(&never_started, 2_500, json!({ "expires_in": 2 })).await;
    let token = with_bill["order"].as_str().unwrap();
    let first = create_checkout(token).await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    for created in [&with_bill, &without_bill] {
        assert_eq!(
            open(&path(created), client, None).await.status,
            StatusCode::OK
        );
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let page = open(&path(&with_bill), client, None).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "the bill exists: {}",
        page.body
    );
    assert!(html(&page).contains(token));
    // The widget on that page presents the expired token: it gets the bill, not an error, and
    // no second control number is asked for.
    let expired = mint_with(
        &stack().order_secret,
        &claims(&started, 2_500, now() - 3600),
    );
    for (name, order) in [
        ("the link's token", token),
        ("a token expired an hour ago", &expired),
    ] {
        let reply = create_checkout(order).await;
        assert_eq!(reply.status, StatusCode::OK, "{name}: {}", reply.body);
        assert_eq!(
            reply.body["control_number"], first.body["control_number"],
            "{name}"
        );
        assert!(reply.header("etag").is_some(), "{name}");
    }
    let stats = sim().stats().await.expect("simulator stats");
    assert_eq!(
        stats.creates_by_reference.get(&started).copied(),
        Some(1),
        "one number asked for"
    );

    let gone = open(&path(&without_bill), client, None).await;
    assert_eq!(
        gone.status,
        StatusCode::NOT_FOUND,
        "no bill: the link is gone"
    );
    let unknown = open("/p/AAAAAAAAAAAAAAAA", client, None).await;
    assert_eq!(
        html(&gone),
        html(&unknown),
        "gone reads exactly as never made"
    );
    let expired_without_bill = mint_with(
        &stack().order_secret,
        &claims(&never_started, 2_500, now() - 3600),
    );
    let reply = create_checkout(&expired_without_bill).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
    assert_eq!(reply.error_code(), "token_expired");
}

#[tokio::test]
async fn link_codes_cannot_be_told_apart_or_searched_through() {
    let _stack = shared().await;
    let created = new_order(&unique_ref("PLEN"), 3_000, json!({})).await;
    let real = path(&created);
    let code = real.trim_start_matches("/p/").to_owned();
    let changed = {
        let mut chars: Vec<char> = code.chars().collect();
        chars[7] = if chars[7] == 'A' { 'B' } else { 'A' };
        chars.into_iter().collect::<String>()
    };
    let misses = [
        ("an unknown code", "/p/QUJDREVGR0hJSktM".to_owned()),
        ("one character changed", format!("/p/{changed}")),
        ("truncated", format!("/p/{}", &code[..CODE_LEN - 1])),
        ("one character too many", format!("/p/{code}A")),
        (
            "outside the alphabet",
            format!("/p/{}%2B", &code[..CODE_LEN - 1]),
        ),
        ("a dot", "/p/AAAAAAA.AAAAAAAA".to_owned()),
        ("empty-looking", "/p/%20".to_owned()),
        (
            "the reference instead",
            format!("/p/{}", created["reference"].as_str().unwrap()),
        ),
    ];
    let client = "198.51.100.43";
    let baseline = open(&misses[0].1, client, Some("sw")).await;
    assert_eq!(baseline.status, StatusCode::NOT_FOUND);
    assert!(html(&baseline).contains("Payment link not found"));
    assert!(html(&baseline).contains("Kiungo cha malipo hakipatikani"));
    for (name, path) in &misses {
        let reply = open(path, client, Some("en")).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{name}");
        assert_eq!(html(&reply), html(&baseline), "{name}: the same page");
        for header in [
            "content-type",
            "content-security-policy",
            "cache-control",
            "referrer-policy",
            "x-robots-tag",
        ] {
            assert_eq!(
                reply.header(header),
                baseline.header(header),
                "{name}: {header}"
            );
        }
        assert!(!html(&reply).contains("v1."), "{name}: no token");
    }

    // Misses are bounded per client: a script gets its budget of 404s, then 429 for every link,
    // the real one included; another client is unaffected.
    let wrangler_toml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../edge/wrangler.toml"
    ))
    .expect("edge/wrangler.toml");
    let limit: usize = wrangler_toml
        .lines()
        .find_map(|line| line.strip_prefix("PAY_LINK_MISSES_PER_CLIENT = "))
        .and_then(|value| value.trim_matches('"').parse().ok())
        .expect("PAY_LINK_MISSES_PER_CLIENT in edge/wrangler.toml");
    let script = "198.51.100.44";
    let mut statuses = Vec::new();
    for n in 0..limit + 3 {
        let reply = open(&format!("/p/QUJDREVGR0hJSkt{}", n % 10), script, None).await;
        statuses.push(reply.status.as_u16());
    }
    let not_found = statuses.iter().filter(|&&s| s == 404).count();
    // The bucket refills a token every 60/limit s while the requests are in flight.
    assert!((limit..=limit + 1).contains(&not_found), "{statuses:?}");
    assert!(statuses[..limit].iter().all(|&s| s == 404), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    let limited = open(&real, script, None).await;
    assert_eq!(
        limited.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        limited.body
    );
    assert_eq!(limited.error_code(), "rate_limited");
    assert!(limited.header("retry-after").is_some());
    assert_eq!(
        open(&real, "198.51.100.45", None).await.status,
        StatusCode::OK
    );
}
