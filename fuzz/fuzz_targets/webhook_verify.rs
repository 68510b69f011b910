//! Webhook bodies: arbitrary bytes and header, or arbitrary edits of a validly signed webhook.
//! `checksum::verify` must not panic and must accept nothing but what was signed (property 1).
#![no_main]

use arbitrary::Arbitrary;
use billpay_fuzz::{check_mutated_webhook, check_webhook, Edit};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    Raw {
        header: Option<&'a str>,
        body: &'a [u8],
    },
    Mutated {
        seed: u8,
        edits: Vec<Edit>,
    },
}

fuzz_target!(|input: Input| match input {
    Input::Raw { header, body } => check_webhook(body, header),
    Input::Mutated { seed, edits } => check_mutated_webhook(seed.into(), &edits),
});
