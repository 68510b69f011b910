//! The reconcile report, `GET /v1/reports/payments`: a window holding a bill of each kind, each
//! flagged as docs/shop-integration.md "Reconcile daily" says, in JSON and CSV; the merchant key;
//! a ClickPesa refusal is an error, never a partial report. (Bad windows: `bad_input.rs`.)
use std::time::Duration;

use billpay_tests::sim::faults::{FaultSettings, PayFaults};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use shared::clickpesa::PaymentStatus;
use shared::reconcile::time::format_rfc3339;

use crate::support::*;

/// RECONCILE_SCHEDULE is 2,2,3,5 on the test stack: after four polls a bill is not asked about
/// again until it expires (CHECKOUT_TTL 900 s), so a webhook lost from then on stays lost.
const POLLS: u64 = 4;

fn report_path(from: u64, to: u64) -> String {
    format!(
        "/v1/reports/payments?from={}&to={}",
        format_rfc3339(from),
        format_rfc3339(to)
    )
}

async fn report(from: u64, to: u64, accept: Option<&str>) -> Reply {
    let mut request = edge(Method::GET, &report_path(from, to)).bearer_auth(&stack().merchant_key);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    send(request).await
}

/// Waits until the edge has made every reconciliation poll of `reference`'s schedule.
async fn polls_over(reference: &str) {
    eventually(
        &format!("the reconciliation polls of {reference}"),
        Duration::from_secs(60),
        || async {
            let stats = sim().stats().await.ok()?;
            let polls = stats.payment_queries_by_reference.get(reference).copied();
            (polls >= Some(POLLS)).then_some(())
        },
    )
    .await;
}

/// Pays `reference` in full and waits until the edge has it.
async fn paid(reference: &str, order: &str, amount: u64) -> String {
    let paid = pay(reference, amount, PayFaults::default()).await;
    wait_for_state(reference, order, "paid", Duration::from_secs(30)).await;
    paid.payment.expect("a payment").id
}

fn line<'a>(report: &'a Value, reference: &str) -> &'a Value {
    report["bills"]
        .as_array()
        .expect("bills")
        .iter()
        .find(|b| b["reference"] == reference)
        .unwrap_or_else(|| panic!("{reference} is not in the report: {report}"))
}

#[tokio::test]
async fn a_report_flags_every_kind_of_bill_in_json_and_csv() {
    let _stack = shared().await;
    let from = now() - 1;
    let dropped = unique_ref("RPD");
    let refund_lost = unique_ref("RPL");
    let (_, _) = new_checkout(&dropped, 4100).await;
    let (lost_order, _) = new_checkout(&refund_lost, 4200).await;
    let lost_payment = paid(&refund_lost, &lost_order, 4200).await;

    let matched = unique_ref("RPM");
    let refunded = unique_ref("RPR");
    let forged = unique_ref("RPU");
    let (matched_order, _) = new_checkout(&matched, 4300).await;
    let (refunded_order, _) = new_checkout(&refunded, 4400).await;
    let (forged_order, _) = new_checkout(&forged, 4500).await;
    paid(&matched, &matched_order, 4300).await;
    let refunded_payment = paid(&refunded, &refunded_order, 4400).await;
    sim()
        .return_payment(&refunded_payment, PaymentStatus::Refunded)
        .await
        .expect("refund");
    wait_for_state(
        &refunded,
        &refunded_order,
        "refunded",
        Duration::from_secs(30),
    )
    .await;
    // A correctly signed webhook for money ClickPesa never took: the edge records it, ClickPesa's
    // list does not have it.
    let forged_id = format!("{forged}X");
    let accepted = post_webhook(payment_webhook(&forged, &forged_id, "SUCCESS", 4500), true).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    wait_for_state(&forged, &forged_order, "paid", Duration::from_secs(30)).await;

    // Lost from here on: a payment and a refund whose webhooks are dropped after the last poll.
    polls_over(&dropped).await;
    polls_over(&refund_lost).await;
    let lost = PayFaults {
        drop: true,
        ..Default::default()
    };
    pay(&dropped, 4100, lost.clone()).await;
    sim()
        .return_payment_with(&lost_payment, PaymentStatus::Refunded, lost)
        .await
        .expect("refund");

    let to = now() + 60;
    let json = report(from, to, None).await;
    assert_eq!(json.status, StatusCode::OK, "{}", json.body);
    assert_eq!(json.header("cache-control"), Some("no-store"));
    assert!(json
        .header("content-type")
        .is_some_and(|t| t.starts_with("application/json")));
    let body = &json.body;
    assert_eq!(body["from"], format_rfc3339(from));
    assert_eq!(body["currency"], "TZS");
    let expected = [
        (&matched, "matched", "paid", "same", 4300, 0),
        (&refunded, "matched", "refunded", "same", 0, 4400),
        (
            &dropped,
            "missing_at_edge",
            "pending",
            "not_at_edge",
            4100,
            0,
        ),
        (
            &refund_lost,
            "missing_at_edge",
            "paid",
            "return_not_at_edge",
            0,
            4200,
        ),
        (
            &forged,
            "unknown_to_clickpesa",
            "paid",
            "not_at_clickpesa",
            0,
            0,
        ),
    ];
    for (reference, flag, state, reason, held, returned) in expected {
        let bill = line(body, reference);
        assert_eq!(
            (
                bill["flag"].as_str(),
                bill["edge"]["state"].as_str(),
                bill["payments"][0]["reason"].as_str(),
                bill["clickpesa"]["held_total"].as_u64(),
                bill["clickpesa"]["returned_total"].as_u64(),
            ),
            (
                Some(flag),
                Some(state),
                Some(reason),
                Some(held),
                Some(returned)
            ),
            "{reference}: {bill}"
        );
    }
    let summary = &body["summary"];
    assert_eq!(
        summary["bills"].as_u64(),
        Some(
            ["matched", "missing_at_edge", "unknown_to_clickpesa"]
                .iter()
                .map(|f| summary[f].as_u64().unwrap())
                .sum()
        )
    );

    let csv = report(from, to, Some("text/csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(
        csv.header("content-type"),
        Some("text/csv; charset=utf-8; header=present")
    );
    assert_eq!(csv.header("cache-control"), Some("no-store"));
    let text = csv.body.as_str().expect("CSV text");
    let rows: Vec<&str> = text.split("\r\n").collect();
    assert!(rows[0].starts_with("reference,flag,edge_state,amount,created_at,"));
    for (reference, flag, state, reason, _, _) in expected {
        let row = rows
            .iter()
            .find(|r| r.starts_with(&format!("{reference},")))
            .unwrap_or_else(|| panic!("no CSV row for {reference}:\n{text}"));
        let cells: Vec<&str> = row.split(',').collect();
        assert_eq!(
            (cells[1], cells[2], cells[11]),
            (flag, state, reason),
            "{row}"
        );
    }
}

#[tokio::test]
async fn the_report_needs_the_merchant_key() {
    let _stack = shared().await;
    let path = report_path(now() - 10, now());
    let none = send(edge(Method::GET, &path)).await;
    assert_eq!(
        (none.status, none.error_code()),
        (StatusCode::UNAUTHORIZED, "missing_credentials")
    );
    let reference = unique_ref("RPK");
    let (order, _) = new_checkout(&reference, 100).await;
    for credential in ["mk_wrong", order.as_str()] {
        let refused = send(edge(Method::GET, &path).bearer_auth(credential)).await;
        assert_eq!(
            (refused.status, refused.error_code()),
            (StatusCode::UNAUTHORIZED, "invalid_api_key")
        );
    }
}

#[tokio::test]
async fn clickpesa_failing_is_a_503_never_a_partial_report() {
    let _alone = exclusive().await;
    let reference = unique_ref("RPF");
    let (order, _) = new_checkout(&reference, 2100).await;
    paid(&reference, &order, 2100).await;
    set_faults(&FaultSettings {
        api_error_rate: 1.0,
        ..Default::default()
    })
    .await;
    let refused = report(now() - 20, now() + 60, None).await;
    assert_eq!(
        (refused.status, refused.error_code()),
        (StatusCode::SERVICE_UNAVAILABLE, "provider_unavailable"),
        "{}",
        refused.body
    );
    assert!(refused
        .header("retry-after")
        .and_then(|s| s.parse::<u32>().ok())
        .is_some());
    assert!(refused.body.get("bills").is_none(), "no report at all");
}
