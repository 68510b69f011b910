//! The bill ledger under arbitrary deliveries, expiries and cancellations (property 3).
#![no_main]

use billpay_fuzz::{check_ledger, Step};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u32, Vec<Step>)| check_ledger(input.0, &input.1));
