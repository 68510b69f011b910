//! The Bill object's alarm: reconciliation of missed webhooks, expiry, shop notifications.
use std::time::Duration;

use billpay_tests::sim::faults::PayFaults;
use shared::clickpesa::BillStatus;

use crate::support::*;

#[tokio::test]
async fn a_dropped_webhook_is_found_by_reconciliation() {
    let _stack = shared().await;
    let reference = unique_ref("DR");
    let (order, _) = new_checkout(&reference, 4500).await;
    let paid = pay(
        &reference,
        4500,
        PayFaults {
            drop: true,
            ..Default::default()
        },
    )
    .await;
    assert!(paid.payment.is_some(), "the simulator recorded the payment");
    // RECONCILE_SCHEDULE is 2,2,3,5 on the test stack.
    let view = wait_for_state(&reference, &order, "paid", Duration::from_secs(30)).await;
    assert_eq!(view["paid_total"], 4500);
    wait_for_notification(&reference, "bill.paid", Duration::from_secs(20)).await;
}

#[tokio::test]
async fn an_unpaid_bill_expires_and_is_deactivated() {
    let _stack = shared().await;
    let reference = unique_ref("EX");
    let order = mint_with(&stack().order_secret, &claims(&reference, 1500, now() + 4));
    let created = create_checkout(&order).await;
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    assert!(created.body["expires_at"].as_u64().unwrap() <= now() + 5);
    wait_for_state(&reference, &order, "expired", Duration::from_secs(30)).await;
    let at_sim = sim().bill(&reference).await.expect("sim bill");
    assert_eq!(
        at_sim.bill.status,
        BillStatus::Inactive,
        "late payments are refused by the network"
    );
    wait_for_notification(&reference, "bill.expired", Duration::from_secs(20)).await;
}
