//! The fast, stable-toolchain half of the fuzzing (docs/fuzzing.md): proptest drives the same
//! properties as the cargo-fuzz targets in fuzz/, defined once in `shared::testing::props`. Case
//! counts keep the whole file around a few seconds in debug; the long runs are libFuzzer's.
use shared::testing::props;

use props::{Currency, Edit, Op, OrderReference, Step, WireAmount};
use proptest::prelude::*;

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<u16>(), any::<u8>()).prop_map(|(at, bit)| Edit::Flip { at, bit }),
        (any::<u16>(), any::<u8>()).prop_map(|(at, byte)| Edit::Set { at, byte }),
        // JSON punctuation and quotes, so inserts often keep the body parseable.
        (
            any::<u16>(),
            prop::collection::vec(
                prop::sample::select(br#"{}[]:,"\ 0129.eE-+tfnul"#.to_vec()),
                1..6
            )
        )
            .prop_map(|(at, bytes)| Edit::Insert { at, bytes }),
        (any::<u16>(), 1u8..16).prop_map(|(at, len)| Edit::Remove { at, len }),
        (any::<u16>(), any::<u16>(), 1u8..24).prop_map(|(a, b, len)| Edit::Swap { a, b, len }),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 1..6)
}

fn wire_amount() -> impl Strategy<Value = WireAmount> {
    // Up to twice the largest bill: realistic amounts. Amounts near u64::MAX overflow paid_total;
    // that case is pinned in tests/regressions.rs instead of failing here at random.
    let realistic = 0u64..=2 * shared::validate::MAX_AMOUNT_TZS;
    prop_oneof![
        Just(WireAmount::Missing),
        realistic.clone().prop_map(WireAmount::Number),
        realistic.clone().prop_map(WireAmount::Text),
        realistic.clone().prop_map(WireAmount::Fraction),
        (0.0f64..1e8).prop_map(WireAmount::Float),
    ]
}

fn step() -> impl Strategy<Value = Step> {
    let currency = prop_oneof![
        6 => Just(Currency::Tzs),
        1 => Just(Currency::LowercaseTzs),
        1 => Just(Currency::Usd),
        1 => Just(Currency::Missing),
    ];
    let to = prop_oneof![
        6 => Just(OrderReference::Reference),
        2 => Just(OrderReference::ControlNumber),
        1 => Just(OrderReference::Foreign),
    ];
    let apply = (any::<u8>(), any::<u8>(), wire_amount(), currency, to).prop_map(
        |(payment, status, amount, currency, to)| Op::Apply {
            payment,
            status,
            amount,
            currency,
            to,
        },
    );
    let op = prop_oneof![8 => apply, 1 => Just(Op::Expire), 1 => Just(Op::Cancel)];
    (0u16..600, op).prop_map(|(after, op)| Step { after, op })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn webhook_arbitrary_bytes_never_verify_nor_panic(body in prop::collection::vec(any::<u8>(), 0..256), header in proptest::option::of("[0-9a-f]{64}|.{0,70}")) {
        props::check_webhook(&body, header.as_deref());
    }

    #[test]
    fn webhook_mutations_of_signed_bodies_are_no_forgery(seed in any::<usize>(), edits in edits()) {
        props::check_mutated_webhook(seed, &edits);
    }

    #[test]
    fn token_arbitrary_strings_never_verify_nor_panic(token in "v1\\.[A-Za-z0-9_-]{0,120}\\.[A-Za-z0-9_-]{0,50}|.{0,200}", now in any::<u64>()) {
        props::check_token(&token, now);
    }

    #[test]
    fn token_mutations_never_change_accepted_claims(seed in any::<usize>(), edits in edits(), now in any::<u64>()) {
        props::check_mutated_token(seed, &edits, now);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn ledger_invariants_hold_for_any_operations(amount in any::<u32>(), steps in prop::collection::vec(step(), 0..24)) {
        props::check_ledger(amount, &steps);
    }
}

/// The seeds themselves pass: each signed webhook verifies, each minted token verifies, and the
/// attacker's token does not (so the properties above are not vacuous).
#[test]
fn seeds_are_valid() {
    for w in props::signed_webhooks() {
        props::check_webhook(&w.body, w.header.as_deref());
        assert!(
            shared::checksum::verify(props::CHECKSUM_KEY, &w.body, w.header.as_deref()).is_ok(),
            "{}",
            w.name
        );
    }
    for (token, claims) in props::minted_tokens() {
        assert_eq!(
            shared::token::verify_signature_only(&props::TOKEN_SECRETS, token).as_ref(),
            Ok(claims)
        );
    }
    assert!(
        shared::token::verify_signature_only(&props::TOKEN_SECRETS, &props::attacker_token())
            .is_err()
    );
}
