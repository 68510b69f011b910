//! Order tokens: arbitrary strings, or arbitrary edits of minted tokens (and of one minted with a
//! secret the edge lacks), verified at an arbitrary time (property 2).
#![no_main]

use arbitrary::Arbitrary;
use billpay_fuzz::{check_mutated_token, check_token, Edit};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
enum Input<'a> {
    Raw(&'a str),
    Mutated { seed: u8, edits: Vec<Edit> },
}

fuzz_target!(|input: (u64, Input)| match input {
    (now, Input::Raw(token)) => check_token(token, now),
    (now, Input::Mutated { seed, edits }) => check_mutated_token(seed.into(), &edits, now),
});
