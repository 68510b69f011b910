//! The report: the bills created in a window, each with what the edge recorded, what ClickPesa
//! lists and a flag (see [`super::compare`]); plus ClickPesa's payments in the window for
//! references the edge never indexed, so no money is left out. As JSON, or as CSV (RFC 4180).
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::api::OrderView;
use crate::clickpesa::{PaymentRecord, PaymentStatus};
use crate::ledger::{BillState, CURRENCY};

use super::compare::{compare, Flag, PaymentLine};
use super::time::{format_rfc3339, parse_rfc3339};
use super::window::ReportWindow;

/// Bills one report reads: each is one Durable Object call of the request (Workers allow 1,000
/// subrequests per request on the paid plan). A busier window must be split.
pub const MAX_BILLS: usize = 500;

/// A bill the edge's index lists: its reference, when it was indexed, and the bill itself if the
/// edge still has it (`None`: its creation failed at ClickPesa, so there never was one).
#[derive(Debug, Clone)]
pub struct IndexedBill {
    /// The order reference.
    pub reference: String,
    /// Unix seconds when the index recorded it, just before the bill was created.
    pub indexed_at: u64,
    /// The shop's view of the bill.
    pub view: Option<OrderView>,
}

/// The whole report, as `GET /v1/reports/payments` answers it in JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The window's start, RFC 3339 (included).
    pub from: String,
    /// The window's end, RFC 3339 (excluded).
    pub to: String,
    /// When the report was made, RFC 3339.
    pub generated_at: String,
    /// Every amount is whole units of this currency.
    pub currency: &'static str,
    /// Bills per flag.
    pub summary: Summary,
    /// One line per bill, oldest first; then ClickPesa's references unknown to the edge.
    pub bills: Vec<BillLine>,
}

/// How many bills have each flag.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Lines in the report.
    pub bills: usize,
    /// Lines flagged `matched`.
    pub matched: usize,
    /// Lines flagged `missing_at_edge`.
    pub missing_at_edge: usize,
    /// Lines flagged `unknown_to_clickpesa`.
    pub unknown_to_clickpesa: usize,
}

/// One bill (or one reference only ClickPesa knows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillLine {
    /// The order reference (ClickPesa's `orderReference`).
    pub reference: String,
    /// The worst flag of its payments.
    pub flag: Flag,
    /// What the edge recorded; `null` when the edge has no such bill.
    pub edge: Option<EdgeSide>,
    /// What ClickPesa lists for the reference.
    pub clickpesa: ClickPesaSide,
    /// Every payment with money on either side.
    pub payments: Vec<PaymentLine>,
}

/// The edge's bill, in short.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EdgeSide {
    /// The bill's state.
    pub state: BillState,
    /// Whole TZS asked for.
    pub amount: u64,
    /// When the bill was created, RFC 3339.
    pub created_at: String,
    /// Money the shop holds by the edge's books.
    pub paid_total: u64,
    /// Money that arrived and went back, by the edge's books.
    pub returned_total: u64,
}

/// ClickPesa's payments for a reference, in total.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ClickPesaSide {
    /// SUCCESS and SETTLED payments, whole TZS.
    pub held_total: u64,
    /// REFUNDED and REVERSED payments, whole TZS.
    pub returned_total: u64,
}

impl ClickPesaSide {
    fn of(records: &[PaymentRecord]) -> Self {
        let mut side = Self::default();
        for record in records {
            let amount = record
                .collected_amount
                .as_ref()
                .and_then(|a| a.whole_tzs())
                .unwrap_or(0);
            match record.status {
                PaymentStatus::Success | PaymentStatus::Settled => side.held_total += amount,
                PaymentStatus::Refunded | PaymentStatus::Reversed => side.returned_total += amount,
                _ => {}
            }
        }
        side
    }
}

fn moves_money(record: &PaymentRecord) -> bool {
    record.status.is_paid()
        || matches!(
            record.status,
            PaymentStatus::Refunded | PaymentStatus::Reversed
        )
}

impl Report {
    /// Builds the report for `window` from the index's `bills` (those of the days around the
    /// window too, so a payment in the window for a bill created just before it is recognised)
    /// and ClickPesa's `records` (a superset of the window's payments).
    pub fn build(
        window: &ReportWindow,
        bills: &[IndexedBill],
        records: &[PaymentRecord],
        now: u64,
    ) -> Self {
        let mut by_reference: BTreeMap<&str, Vec<PaymentRecord>> = BTreeMap::new();
        for record in records {
            by_reference
                .entry(record.order_reference.as_str())
                .or_default()
                .push(record.clone());
        }
        // In BillPay the control number is the reference; the ledger accepts either, so do we.
        let mut known: BTreeSet<&str> = BTreeSet::new();
        for bill in bills {
            known.insert(&bill.reference);
            if let Some(view) = &bill.view {
                known.insert(&view.checkout.control_number);
            }
        }
        let mut in_window: Vec<&IndexedBill> = bills
            .iter()
            .filter(|b| window.contains(b.view.as_ref().map_or(b.indexed_at, |v| v.created_at)))
            .collect();
        in_window.sort_by_key(|b| (b.indexed_at, b.reference.clone()));
        let mut lines: Vec<BillLine> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for bill in in_window {
            if !seen.insert(&bill.reference) {
                continue;
            }
            let mut own: Vec<PaymentRecord> = by_reference
                .get(bill.reference.as_str())
                .cloned()
                .unwrap_or_default();
            if let Some(view) = &bill.view {
                if view.checkout.control_number != bill.reference {
                    own.extend(
                        by_reference
                            .get(view.checkout.control_number.as_str())
                            .cloned()
                            .unwrap_or_default(),
                    );
                }
            }
            match &bill.view {
                Some(view) => lines.push(BillLine::new(bill.reference.clone(), Some(view), &own)),
                // No bill was made; should ClickPesa list money for it anyway, show it.
                None if own.iter().any(moves_money) => {
                    lines.push(BillLine::new(bill.reference.clone(), None, &own))
                }
                None => {}
            }
        }
        for (reference, own) in &by_reference {
            let in_window_with_money: Vec<PaymentRecord> = own
                .iter()
                .filter(|r| moves_money(r) && created_in(r, window))
                .cloned()
                .collect();
            if !known.contains(reference) && !in_window_with_money.is_empty() {
                lines.push(BillLine::new((*reference).to_owned(), None, own));
            }
        }
        let mut summary = Summary {
            bills: lines.len(),
            ..Summary::default()
        };
        for line in &lines {
            *match line.flag {
                Flag::Matched => &mut summary.matched,
                Flag::MissingAtEdge => &mut summary.missing_at_edge,
                Flag::UnknownToClickPesa => &mut summary.unknown_to_clickpesa,
            } += 1;
        }
        Report {
            from: format_rfc3339(window.from),
            to: format_rfc3339(window.to),
            generated_at: format_rfc3339(now),
            currency: CURRENCY,
            summary,
            bills: lines,
        }
    }

    /// The report as CSV: a header row, then one row per payment (a bill without payments gets
    /// one row with the payment columns empty), CRLF line ends, fields quoted where RFC 4180
    /// needs it. Amounts are whole TZS, as in the JSON.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        push_row(&mut out, CSV_HEADER.iter().map(|h| (*h).to_owned()));
        for line in &self.bills {
            let edge = line.edge.as_ref();
            let bill = [
                line.reference.clone(),
                line.flag.as_str().to_owned(),
                edge.map_or(String::new(), |e| e.state.as_str().to_owned()),
                edge.map_or(String::new(), |e| e.amount.to_string()),
                edge.map_or(String::new(), |e| e.created_at.clone()),
                edge.map_or(String::new(), |e| e.paid_total.to_string()),
                edge.map_or(String::new(), |e| e.returned_total.to_string()),
                line.clickpesa.held_total.to_string(),
                line.clickpesa.returned_total.to_string(),
            ];
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let number = |v: &Option<u64>| v.map(|n| n.to_string()).unwrap_or_default();
            if line.payments.is_empty() {
                push_row(
                    &mut out,
                    bill.iter()
                        .cloned()
                        .chain(std::iter::repeat_n(String::new(), 7)),
                );
            }
            for p in &line.payments {
                let payment = [
                    p.id.clone(),
                    p.flag.as_str().to_owned(),
                    p.reason.as_str().to_owned(),
                    text(&p.edge_status),
                    number(&p.edge_amount),
                    text(&p.clickpesa_status),
                    number(&p.clickpesa_amount),
                ];
                push_row(&mut out, bill.iter().cloned().chain(payment));
            }
        }
        out
    }
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 16] = [
    "reference",
    "flag",
    "edge_state",
    "amount",
    "created_at",
    "edge_paid_total",
    "edge_returned_total",
    "clickpesa_held_total",
    "clickpesa_returned_total",
    "payment_id",
    "payment_flag",
    "reason",
    "edge_status",
    "edge_amount",
    "clickpesa_status",
    "clickpesa_amount",
];

/// A text field a spreadsheet would read as a formula (OWASP's CSV injection list) gets a leading
/// apostrophe: payment ids, statuses and stray references come from ClickPesa as sent. The edge's
/// own fields (whole amounts, RFC 3339 times, wire names) never start with these characters.
fn spreadsheet_safe(field: String) -> String {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field
    }
}

fn push_row(out: &mut String, fields: impl IntoIterator<Item = String>) {
    for (i, field) in fields.into_iter().map(spreadsheet_safe).enumerate() {
        if i > 0 {
            out.push(',');
        }
        if field.contains([',', '"', '\r', '\n']) {
            out.push('"');
            out.push_str(&field.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&field);
        }
    }
    out.push_str("\r\n");
}

/// ClickPesa created the record inside the window; a record without a readable time counts as
/// inside (better listed once too often than money left out).
fn created_in(record: &PaymentRecord, window: &ReportWindow) -> bool {
    record
        .created_at
        .as_deref()
        .and_then(parse_rfc3339)
        .is_none_or(|t| window.contains(t))
}

impl BillLine {
    fn new(reference: String, view: Option<&OrderView>, records: &[PaymentRecord]) -> Self {
        let payments = match view {
            Some(v) => compare(&v.recorded_payments, &v.needs_review, records),
            None => compare(&[], &[], records),
        };
        BillLine {
            reference,
            flag: Flag::of_bill(&payments),
            edge: view.map(|v| EdgeSide {
                state: v.checkout.state,
                amount: v.checkout.amount,
                created_at: format_rfc3339(v.created_at),
                paid_total: v.checkout.paid_total,
                returned_total: v.checkout.returned_total,
            }),
            clickpesa: ClickPesaSide::of(records),
            payments,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clickpesa::PaymentMode;
    use crate::ledger::Bill;
    use crate::token::OrderClaims;
    use crate::validate::{Amount, BillReference, Description};

    const FROM: u64 = 1_795_910_400; // 2026-11-29T00:00:00Z
    const WINDOW: ReportWindow = ReportWindow {
        from: FROM,
        to: FROM + 86_400,
    };

    fn record(reference: &str, id: &str, status: &str, amount: u64, at: u64) -> PaymentRecord {
        serde_json::from_value(serde_json::json!({"id": id, "status": status,
            "orderReference": reference, "collectedAmount": amount, "collectedCurrency": "TZS",
            "createdAt": format_rfc3339(at)}))
        .unwrap()
    }

    /// A bill created at `at`, with `records` applied as the edge saw them.
    fn indexed(reference: &str, at: u64, edge_saw: &[PaymentRecord]) -> IndexedBill {
        let claims = OrderClaims {
            reference: BillReference::parse(reference).unwrap(),
            amount: Amount::parse(1000).unwrap(),
            description: Description::default(),
            mode: PaymentMode::Exact,
            exp: at + 3600,
        };
        let mut bill = Bill::new(&claims, reference.to_owned(), at, at + 900);
        for r in edge_saw {
            bill.apply(r, at + 60).unwrap();
        }
        IndexedBill {
            reference: reference.to_owned(),
            indexed_at: at,
            view: Some(OrderView::from_bill(&bill, None, at + 120)),
        }
    }

    fn flags(report: &Report) -> Vec<(&str, &str, Option<bool>)> {
        report
            .bills
            .iter()
            .map(|l| {
                (
                    l.reference.as_str(),
                    l.flag.as_str(),
                    l.edge.as_ref().map(|_| true),
                )
            })
            .collect()
    }

    #[test]
    fn a_report_flags_each_bill_and_lists_references_the_edge_never_indexed() {
        let t = FROM + 3600;
        let paid = record("PAID", "P1", "SUCCESS", 1000, t + 30);
        let refunded = record("REF", "P2", "REFUNDED", 1000, t + 30);
        let bills = [
            indexed("PAID", t, std::slice::from_ref(&paid)),
            indexed("DROP", t + 1, &[]),
            indexed("REF", t + 2, std::slice::from_ref(&refunded)),
            indexed("FAKE", t + 3, &[record("FAKE", "P9", "SUCCESS", 1000, t)]),
            indexed("OPEN", t + 4, &[]),
            // Created before the window, paid in it: not reported, and not "unindexed" either.
            indexed("EARLY", FROM - 60, &[]),
            // Indexed, but ClickPesa refused the create: nothing to report.
            IndexedBill {
                reference: "NEVER".into(),
                indexed_at: t + 5,
                view: None,
            },
        ];
        let records = [
            paid,
            record("DROP", "P3", "SUCCESS", 1000, t + 40),
            refunded,
            record("EARLY", "P4", "SUCCESS", 1000, FROM + 10),
            record("STRAY", "P5", "SUCCESS", 700, t + 50),
            record("STRAY", "P6", "FAILED", 0, t + 51),
            record("OLDSTRAY", "P7", "SUCCESS", 700, FROM - 3600),
            record("FAILEDSTRAY", "P8", "FAILED", 0, t),
        ];
        let report = Report::build(&WINDOW, &bills, &records, FROM + 86_400);
        assert_eq!(
            flags(&report),
            [
                ("PAID", "matched", Some(true)),
                ("DROP", "missing_at_edge", Some(true)),
                ("REF", "matched", Some(true)),
                ("FAKE", "unknown_to_clickpesa", Some(true)),
                ("OPEN", "matched", Some(true)),
                ("STRAY", "missing_at_edge", None),
            ]
        );
        assert_eq!(
            report.summary,
            Summary {
                bills: 6,
                matched: 3,
                missing_at_edge: 2,
                unknown_to_clickpesa: 1
            }
        );
        let refunded = &report.bills[2];
        assert_eq!(
            (
                refunded.clickpesa.held_total,
                refunded.clickpesa.returned_total
            ),
            (0, 1000)
        );
        assert_eq!(refunded.edge.as_ref().unwrap().returned_total, 1000);
        assert_eq!(report.from, "2026-11-29T00:00:00Z");
        assert_eq!(report.to, "2026-11-30T00:00:00Z");
    }

    #[test]
    fn a_bill_that_was_never_made_shows_only_when_clickpesa_has_money_for_it() {
        let bills = [IndexedBill {
            reference: "NEVER".into(),
            indexed_at: FROM + 10,
            view: None,
        }];
        let money = [record("NEVER", "P1", "SUCCESS", 1000, FROM + 20)];
        let report = Report::build(&WINDOW, &bills, &money, FROM + 100);
        assert_eq!(flags(&report), [("NEVER", "missing_at_edge", None)]);
        let report = Report::build(&WINDOW, &bills, &[], FROM + 100);
        assert!(report.bills.is_empty());
    }

    #[test]
    fn csv_has_a_header_a_row_per_payment_and_rfc4180_quoting() {
        let t = FROM + 60;
        let paid = record("PAID", "P,1", "SUCCESS", 1000, t);
        let bills = [
            indexed("PAID", t, std::slice::from_ref(&paid)),
            indexed("OPEN", t + 1, &[]),
        ];
        let mut quoted = paid.clone();
        quoted.id = "P\"2".into();
        quoted.order_reference = "STRAY".into();
        let report = Report::build(&WINDOW, &bills, &[paid, quoted], FROM + 100);
        let csv = report.to_csv();
        let rows: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(rows[0], CSV_HEADER.join(","));
        assert_eq!(
            rows[1],
            "PAID,matched,paid,1000,2026-11-29T00:01:00Z,1000,0,1000,0,\"P,1\",matched,same,SUCCESS,1000,SUCCESS,1000"
        );
        assert_eq!(
            rows[2],
            "OPEN,matched,pending,1000,2026-11-29T00:01:01Z,0,0,0,0,,,,,,,"
        );
        assert_eq!(
            rows[3],
            "STRAY,missing_at_edge,,,,,,1000,0,\"P\"\"2\",missing_at_edge,not_at_edge,,,SUCCESS,1000"
        );
        assert_eq!(rows[4], "", "every row ends with CRLF");
        assert_eq!(rows.len(), 5);
        assert!(rows[..4].iter().all(|r| r.matches(',').count() >= 15));
    }

    #[test]
    fn csv_fields_a_spreadsheet_would_run_start_with_an_apostrophe() {
        let t = FROM + 60;
        let cases = [
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t1", "'\t1"),
            ("P-1", "P-1"),
        ];
        for (id, cell) in cases {
            let paid = record("PAID", id, "SUCCESS", 1000, t);
            let bills = [indexed("PAID", t, std::slice::from_ref(&paid))];
            let csv = Report::build(&WINDOW, &bills, &[paid], FROM + 100).to_csv();
            let row = csv.split("\r\n").nth(1).unwrap_or_default();
            assert!(
                row.contains(&format!(",{cell},")),
                "payment id {id:?} should be written as {cell}: {row}"
            );
        }
    }
}
