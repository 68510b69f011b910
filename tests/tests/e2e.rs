//! End to end, as a shop and its customer use the product: the demo shop's checkout page (strict CSP,
//! one script tag) in headless Chromium, the edge under `wrangler dev`, the ClickPesa simulator paying
//! the way a customer would, and the shop's inbox of signed notifications.
//!
//! Runs against the stack `cargo xtask test` starts (BILLPAY_* variables). Each scenario uses its own
//! order reference, so scenarios share the stack safely; the few that change the simulator's global
//! fault settings take [`GLOBAL_FAULTS`] first.
mod e2e {
    // Shared with the bench driver (tests/benches/stack.rs), which also records requests and uses
    // the slow 4G profile.
    #[allow(dead_code)]
    pub mod browser;
    pub mod shop;
}
#[allow(dead_code)]
#[path = "edge/support.rs"]
mod support;

use std::time::Duration;

use billpay_tests::sim::faults::PayFaults;
use billpay_tests::sim::pay::{PayChannel, PayOutcome, PayRequest};
use e2e::browser::{Browser, THREE_G};
use e2e::shop::{checkout_url, create_calls, customer_pays, order, redeliver_all, sim_bill};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{
    edge, notifications, payment_webhook, post_webhook, send, stack, unique_ref,
    wait_for_notification,
};

const SCREEN: Duration = Duration::from_secs(20);
/// Long enough for the edge's reconciliation schedule in tests (2, 2, 3, 5 s) plus a poll.
const RECONCILE: Duration = Duration::from_secs(30);

/// A checkout page for `reference`, open and showing its control number.
async fn open_checkout(test: &str, reference: &str, amount: u64, query: &str) -> Browser {
    show_checkout(Browser::open(test).await, reference, amount, query).await
}

/// Opens the checkout page for `reference` in `browser` and waits for its control number.
async fn show_checkout(browser: Browser, reference: &str, amount: u64, query: &str) -> Browser {
    browser.goto(&checkout_url(reference, amount, query)).await;
    wait_stage(&browser, "awaiting").await;
    let text = browser.widget_text().await;
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if !digits.contains(reference) {
        browser
            .fail(&format!("control number {reference} not shown"))
            .await;
    }
    browser
}

async fn wait_stage(browser: &Browser, stage: &str) {
    let predicate = format!(
        "const s = root.querySelector('[data-stage]'); return s && s.dataset.stage === '{stage}';"
    );
    browser
        .wait_widget(&format!("the {stage} screen"), &predicate, SCREEN)
        .await;
}

/// Runs axe-core (from npm) over the page, the widget's open shadow root included; fails on any violation.
async fn audit_accessibility(browser: &Browser, screen: &str) {
    let axe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../node_modules/axe-core/axe.min.js"
    ))
    .expect("axe-core from npm (cargo xtask setup)");
    browser.eval(&axe, vec![]).await;
    let result = browser
        .eval(
            "return axe.run(document, {resultTypes: ['violations']})
               .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)})));",
            vec![],
        )
        .await;
    let violations = result.as_array().cloned().unwrap_or_default();
    if !violations.is_empty() {
        browser
            .fail(&format!(
                "axe violations on the {screen} screen: {violations:?}"
            ))
            .await;
    }
}

/// Waits for one notification of each kind, then returns everything the shop received for `reference`.
async fn wait_notifications(
    reference: &str,
    kinds: &[&str],
) -> Vec<billpay_tests::shop::notifications::Received> {
    for kind in kinds {
        wait_for_notification(reference, kind, RECONCILE).await;
    }
    notifications(reference).await
}

/// The host-page events and CSP violations the demo shop's page recorded (it keeps them in
/// sessionStorage, so they survive the redirect to the success URL).
async fn recorded(browser: &Browser, kind: &str) -> Vec<Value> {
    let js = format!("return JSON.parse(sessionStorage.getItem('{kind}') || '[]');");
    browser
        .eval(&js, vec![])
        .await
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Status polls of `reference` the page has had answered so far (Resource Timing lists every
/// fetch; the live-update socket is not one).
async fn status_polls(browser: &Browser, reference: &str) -> u64 {
    let js = format!(
        "return performance.getEntriesByType('resource')
           .filter(e => new URL(e.name).pathname === '/v1/checkouts/{reference}').length;"
    );
    browser.eval(&js, vec![]).await.as_u64().expect("a count")
}

/// The customer pays `amount` by M-Pesa; the paid screen must then come by push: no status
/// poll answered between the payment and the receipt.
async fn paid_by_push(browser: &Browser, reference: &str, amount: u64) -> Value {
    let polls = status_polls(browser, reference).await;
    let paid = customer_pays(PayRequest::new(
        reference,
        amount,
        PayChannel::Mpesa,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(browser, "paid").await;
    assert_eq!(
        status_polls(browser, reference).await,
        polls,
        "the paid screen arrived without a status poll: pushed over the socket"
    );
    paid
}

fn event_types(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| e["type"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn full_payment_by_mpesa_reaches_the_receipt_and_notifies_the_shop_once() {
    let reference = unique_ref("FULL");
    let browser = open_checkout("full_payment", &reference, 90_900, "lang=en").await;
    let text = browser.widget_text().await;
    for expected in ["TSh 90,900", "*150*00#", "400700"] {
        assert!(
            text.contains(expected),
            "awaiting screen lacks {expected}: {text}"
        );
    }
    // "Send these steps to my phone": both links carry the number, the amount and M-Pesa's steps.
    let shared = browser
        .eval(
            &format!(
                "{} return [...root.querySelectorAll('.share a')].map(a => {{
                    const href = a.getAttribute('href');
                    return [href.slice(0, href.indexOf('=') + 1), decodeURIComponent(href.slice(href.indexOf('=') + 1))];
                }});",
                e2e::browser::SHADOW
            ),
            vec![],
        )
        .await;
    let links: Vec<(String, String)> = serde_json::from_value(shared).expect("share links");
    assert_eq!(
        links
            .iter()
            .map(|(kind, _)| kind.as_str())
            .collect::<Vec<_>>(),
        ["sms:?&body=", "https://wa.me/?text="]
    );
    for (kind, message) in &links {
        for expected in [
            "Pay TSh 90,900 with M-Pesa",
            reference.as_str(),
            "\n1. Dial *150*00#",
            "400700",
        ] {
            assert!(
                message.contains(expected),
                "{kind} lacks {expected:?}: {message}"
            );
        }
    }
    browser.screenshot("awaiting-en").await;

    let paid = paid_by_push(&browser, &reference, 90_900).await;
    let payment_reference = paid["payment"]["paymentReference"]
        .as_str()
        .expect("a payment reference")
        .to_string();
    let receipt = browser.widget_text().await;
    assert!(
        receipt.contains(&payment_reference),
        "receipt lacks the payment reference: {receipt}"
    );
    assert!(
        receipt.contains("TSh 90,900"),
        "receipt lacks the amount: {receipt}"
    );
    browser.screenshot("receipt-en").await;

    let orders_page = format!("/orders/{reference}");
    browser
        .wait(
            "the redirect to data-success-url",
            &format!("return location.pathname === '{orders_page}';"),
            SCREEN,
        )
        .await;
    let events = recorded(&browser, "billpayEvents").await;
    let types = event_types(&events);
    assert!(
        types.contains(&"billpay:ready".to_string()),
        "events: {types:?}"
    );
    let paid_event = events
        .iter()
        .find(|e| e["type"] == "billpay:paid")
        .expect("billpay:paid fired");
    assert_eq!(paid_event["detail"]["reference"], json!(reference));

    let inbox = wait_notifications(&reference, &["bill.paid", "payment.received"]).await;
    let paid_notes: Vec<_> = inbox
        .iter()
        .filter(|n| n.body["type"] == "bill.paid")
        .collect();
    assert_eq!(
        paid_notes.len(),
        1,
        "exactly one bill.paid event: {inbox:?}"
    );
    assert_eq!(paid_notes[0].deliveries, 1, "delivered once: {inbox:?}");
    browser.close().await;
}

/// A shopper on 3G (Chromium's emulation: 300 ms on every request, 750 / 250 kbit/s) gets the
/// control number, pays, and sees the receipt. Only completion is asserted; `cargo xtask bench`
/// measures how long it takes.
#[tokio::test]
async fn a_shopper_on_3g_gets_the_control_number_and_the_receipt() {
    let reference = unique_ref("SLOW");
    let browser = Browser::open("on_3g").await;
    browser.throttle(THREE_G).await;
    let browser = show_checkout(browser, &reference, 5_000, "lang=sw&redirect=no").await;
    customer_pays(PayRequest::new(
        &reference,
        5_000,
        PayChannel::HaloPesa,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(&browser, "paid").await;
    browser.close().await;
}

#[tokio::test]
async fn dropped_webhook_is_found_by_reconciliation() {
    let reference = unique_ref("DROP");
    let browser = open_checkout("dropped_webhook", &reference, 5_000, "lang=en&redirect=no").await;
    let mut dropped = PayRequest::new(
        &reference,
        5_000,
        PayChannel::AirtelMoney,
        PayOutcome::Success,
    );
    dropped.faults = PayFaults {
        drop: true,
        ..PayFaults::default()
    };
    customer_pays(dropped).await;
    let predicate =
        "const s = root.querySelector('[data-stage]'); return s && s.dataset.stage === 'paid';";
    browser
        .wait_widget("paid after reconciliation", predicate, RECONCILE)
        .await;
    // ClickPesa reports AIRTEL-MONEY; the receipt says it the way customers do.
    let receipt = browser.widget_text().await;
    assert!(
        receipt.contains("Airtel Money") && !receipt.contains("AIRTEL-MONEY"),
        "receipt channel: {receipt}"
    );
    wait_notifications(&reference, &["bill.paid"]).await;
    browser.close().await;
}

#[tokio::test]
async fn duplicated_and_reordered_webhooks_apply_one_payment_and_notify_each_event_once() {
    let reference = unique_ref("DUPE");
    let browser = open_checkout("duplicates", &reference, 12_000, "lang=en&redirect=no").await;
    // A failed attempt and then the payment, each delivered twice; then both redelivered newest first.
    let mut fail = PayRequest::new(
        &reference,
        12_000,
        PayChannel::MixxByYas,
        PayOutcome::InsufficientFunds,
    );
    fail.faults = PayFaults {
        duplicate: true,
        ..PayFaults::default()
    };
    let failed = customer_pays(fail).await;
    let mut ok = PayRequest::new(
        &reference,
        12_000,
        PayChannel::MixxByYas,
        PayOutcome::Success,
    );
    ok.faults = PayFaults {
        duplicate: true,
        ..PayFaults::default()
    };
    let paid = customer_pays(ok).await;
    for delivery in [&paid, &failed] {
        redeliver_all(delivery).await;
    }
    wait_stage(&browser, "paid").await;
    let inbox = wait_notifications(
        &reference,
        &["bill.paid", "payment.received", "payment.failed"],
    )
    .await;
    let mut ids: Vec<&str> = inbox.iter().map(|n| n.id.as_str()).collect();
    let total = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), total, "each event id listed once: {inbox:?}");
    let received = inbox
        .iter()
        .filter(|n| n.body["type"] == "payment.received")
        .count();
    assert_eq!(received, 1, "one payment applied: {inbox:?}");
    let view = order(&reference).await;
    assert_eq!(view["paid_total"], json!(12_000), "{view}");
    browser.close().await;
}

#[tokio::test]
async fn forged_webhook_changes_nothing() {
    let reference = unique_ref("FORGE");
    let browser = open_checkout("forged", &reference, 7_000, "lang=en&redirect=no").await;
    // Signed with a key that is not ClickPesa's: the checksum cannot match.
    let mut forged = payment_webhook(&reference, &format!("{reference}FORGED"), "SUCCESS", 7_000);
    shared::checksum::attach(b"not-the-checksum-key", &mut forged);
    let reply = post_webhook(forged, false).await;
    assert_eq!(
        reply.status,
        StatusCode::UNAUTHORIZED,
        "a bad checksum is refused: {:?}",
        reply.body
    );
    // Give a (wrongly) accepted forgery time to show before checking that nothing moved.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let text = browser.widget_text().await;
    assert!(!text.contains("FORGED"), "{text}");
    wait_stage(&browser, "awaiting").await;
    assert_eq!(order(&reference).await["state"], json!("pending"));
    assert!(
        notifications(&reference).await.is_empty(),
        "the shop heard nothing"
    );
    browser.close().await;
}

#[tokio::test]
async fn failed_attempt_is_shown_and_then_the_payment_succeeds() {
    let reference = unique_ref("RETRY");
    let browser = open_checkout("failed_then_paid", &reference, 3_000, "lang=en&redirect=no").await;
    customer_pays(PayRequest::new(
        &reference,
        3_000,
        PayChannel::HaloPesa,
        PayOutcome::InsufficientFunds,
    ))
    .await;
    browser
        .wait_widget(
            "the failed attempt",
            "return root.querySelector('[role=alert]');",
            SCREEN,
        )
        .await;
    browser.screenshot("failed-attempt-en").await;
    wait_stage(&browser, "awaiting").await;
    customer_pays(PayRequest::new(
        &reference,
        3_000,
        PayChannel::HaloPesa,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(&browser, "paid").await;
    browser.close().await;
}

#[tokio::test]
async fn expiry_shows_expired_deactivates_the_number_and_refuses_a_late_payment() {
    let reference = unique_ref("EXP");
    let browser = open_checkout("expiry", &reference, 4_000, "lang=en&redirect=no&ttl=8").await;
    browser
        .wait_widget("the expired screen", "const s = root.querySelector('[data-stage]'); return s && s.dataset.stage === 'expired';", Duration::from_secs(40))
        .await;
    browser.screenshot("expired-en").await;
    let events = event_types(&recorded(&browser, "billpayEvents").await);
    assert!(
        events.contains(&"billpay:expired".to_string()),
        "{events:?}"
    );
    let at_clickpesa = sim_bill(&reference).await;
    assert_eq!(at_clickpesa["status"], json!("INACTIVE"), "{at_clickpesa}");
    let late = customer_pays(PayRequest::new(
        &reference,
        4_000,
        PayChannel::Mpesa,
        PayOutcome::Success,
    ))
    .await;
    assert_eq!(late["result"], json!("refused"), "{late}");
    assert_eq!(order(&reference).await["state"], json!("expired"));
    browser.close().await;
}

#[tokio::test]
async fn tampered_amount_in_the_page_is_refused_and_creates_no_number() {
    let reference = unique_ref("TAMP");
    let browser = Browser::open("tampered").await;
    browser
        .goto(&checkout_url(
            &reference,
            50_000,
            "lang=en&redirect=no&nowidget=1",
        ))
        .await;
    // The customer edits the token in the DOM to pay 500 instead of 50,000, then mounts the widget.
    let js = "const tag = document.querySelector('[data-order]');
        const [v, payload, sig] = tag.dataset.order.split('.');
        const b64 = s => s.replace(/-/g, '+').replace(/_/g, '/');
        const claims = JSON.parse(atob(b64(payload)));
        claims.amount = 500;
        const forged = btoa(JSON.stringify(claims)).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
        const host = document.querySelector('#pay');
        return BillPay.mount(host, {order: [v, forged, sig].join('.'), lang: 'en'}).then(() => true);";
    browser
        .wait(
            "BillPay.mount to be defined",
            "return typeof BillPay !== 'undefined' && !!BillPay.mount;",
            SCREEN,
        )
        .await;
    browser.eval(js, vec![]).await;
    wait_stage(&browser, "failed").await;
    let events = recorded(&browser, "billpayEvents").await;
    let error = events
        .iter()
        .find(|e| e["type"] == "billpay:error")
        .expect("billpay:error fired");
    assert_eq!(
        error["detail"]["code"],
        json!("token_bad_signature"),
        "{error}"
    );
    assert_eq!(
        sim_bill(&reference).await,
        Value::Null,
        "no control number was created at ClickPesa"
    );
    browser.close().await;
}

#[tokio::test]
async fn swahili_page_speaks_swahili_and_dials_the_right_ussd_code() {
    let reference = unique_ref("SW");
    let browser = open_checkout("swahili", &reference, 15_500, "lang=sw&redirect=no").await;
    browser.screenshot("awaiting-sw").await;
    let text = browser.widget_text().await;
    for swahili in ["Piga", "Namba ya malipo", "TSh 15,500"] {
        assert!(
            text.to_lowercase().contains(&swahili.to_lowercase()),
            "lacks {swahili}: {text}"
        );
    }
    for english in ["Control number", "Copy", "Dial", "Enter", "Pay with"] {
        assert!(
            !text.contains(english),
            "English string {english:?} on a Swahili page: {text}"
        );
    }
    let href = browser
        .wait_widget("the M-Pesa dial link", "const a = root.querySelector('a[href^=\"tel:\"]'); return a && a.getAttribute('href');", SCREEN)
        .await;
    assert_eq!(href, json!("tel:*150*00%23"));
    browser.close().await;
}

#[tokio::test]
async fn strict_csp_and_accessibility_hold_on_every_screen() {
    let reference = unique_ref("A11Y");
    let browser = open_checkout("csp_axe", &reference, 2_500, "lang=en&redirect=no").await;
    audit_accessibility(&browser, "awaiting").await;
    customer_pays(PayRequest::new(
        &reference,
        2_500,
        PayChannel::Crdb,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(&browser, "paid").await;
    audit_accessibility(&browser, "receipt").await;
    let violations = recorded(&browser, "cspViolations").await;
    assert!(violations.is_empty(), "CSP violations: {violations:?}");
    browser.close().await;
}

#[tokio::test]
async fn reload_mid_payment_resumes_the_same_control_number() {
    let reference = unique_ref("RELOAD");
    let browser = open_checkout("reload", &reference, 8_800, "lang=en&redirect=no").await;
    let creates_before = create_calls(&reference).await;
    assert!(
        creates_before >= 1,
        "the first visit created the control number"
    );
    browser.reload().await;
    wait_stage(&browser, "awaiting").await;
    let digits: String = browser
        .widget_text()
        .await
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    assert!(
        digits.contains(&reference),
        "same control number after reload"
    );
    assert_eq!(
        create_calls(&reference).await,
        creates_before,
        "no second control number was created"
    );
    // The reloaded page opens a socket of its own.
    paid_by_push(&browser, &reference, 8_800).await;
    browser.close().await;
}

#[tokio::test]
async fn without_a_socket_polling_still_reaches_the_receipt() {
    // LIVE_UPDATES_OFF_FOR: the edge refuses sockets for NOLIVE references, as a proxy would.
    let reference = unique_ref("NOLIVE");
    let browser = open_checkout("no_socket", &reference, 6_600, "lang=en&redirect=no").await;
    let polls = status_polls(&browser, &reference).await;
    customer_pays(PayRequest::new(
        &reference,
        6_600,
        PayChannel::AirtelMoney,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(&browser, "paid").await;
    assert!(
        status_polls(&browser, &reference).await > polls,
        "the paid screen came from a status poll"
    );
    let violations = recorded(&browser, "cspViolations").await;
    assert!(violations.is_empty(), "CSP violations: {violations:?}");
    browser.close().await;
}

/// An invoice sent as a payment link: the shop's server asks for the order, sends the `pay_url` by
/// SMS with `?lang=sw` (the browser here prefers English: the link's choice wins), the customer
/// sees the control number in Swahili on the edge's own page (its hashed style applied under the
/// strict CSP, and passing axe-core), pays by M-Pesa and gets the receipt there.
#[tokio::test]
async fn a_payment_link_opened_from_an_sms_reaches_the_receipt() {
    let reference = unique_ref("LINK");
    let created = send(
        edge(reqwest::Method::POST, "/v1/orders")
            .bearer_auth(&stack().merchant_key)
            .json(&json!({ "reference": reference, "amount": 12_500, "description": "Invoice" })),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let pay_url = created.body["pay_url"].as_str().expect("pay_url");
    assert!(
        pay_url.len() <= shared::paylink::MAX_PAY_URL_LEN,
        "{pay_url}"
    );

    let browser = Browser::open("pay_link").await;
    browser.goto(&format!("{pay_url}?lang=sw")).await;
    wait_stage(&browser, "awaiting").await;
    let text = browser.widget_text().await;
    let digits: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    for expected in ["Namba ya malipo", "TSh 12,500"] {
        assert!(
            text.contains(expected),
            "awaiting screen lacks {expected}: {text}"
        );
    }
    assert!(
        digits.contains(&reference),
        "control number {reference} not shown: {text}"
    );
    let page = browser
        .eval(
            "return [document.documentElement.lang, getComputedStyle(document.body).marginTop];",
            vec![],
        )
        .await;
    assert_eq!(
        page,
        json!(["sw", "0px"]),
        "Swahili page, its own style applied"
    );
    audit_accessibility(&browser, "payment link").await;
    browser.screenshot("pay-link-awaiting-sw").await;

    let paid = customer_pays(PayRequest::new(
        &reference,
        12_500,
        PayChannel::Mpesa,
        PayOutcome::Success,
    ))
    .await;
    wait_stage(&browser, "paid").await;
    let payment_reference = paid["payment"]["paymentReference"]
        .as_str()
        .expect("a payment reference");
    let receipt = browser.widget_text().await;
    assert!(
        receipt.contains(payment_reference) && receipt.contains("TSh 12,500"),
        "receipt lacks the payment or the amount: {receipt}"
    );
    browser.screenshot("pay-link-receipt-sw").await;
    browser.close().await;
}
