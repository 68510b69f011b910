//! Numbers as text without `core::fmt`: the widget uses these instead of `format!`, whose
//! machinery (argument tables, padding, `Display` dispatch) costs its wasm a kilobyte or more.
//!
//! ```
//! use shared::digits::{decimal, push_decimal};
//! assert_eq!(decimal(90_900), "90900");
//! let mut time = String::from("4:");
//! push_decimal(&mut time, 7, 2);
//! assert_eq!(time, "4:07");
//! ```

/// `n` in decimal digits.
pub fn decimal(n: u64) -> String {
    let mut out = String::new();
    push_decimal(&mut out, n, 1);
    out
}

/// Appends `n` in decimal digits to `out`, with leading zeros up to `width` digits.
pub fn push_decimal(out: &mut String, n: u64, width: usize) {
    // u64::MAX has 20 digits.
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    let mut rest = n;
    loop {
        start -= 1;
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let start = start.min(digits.len().saturating_sub(width));
    digits[start..]
        .iter()
        .for_each(|&digit| out.push(char::from(digit)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_matches_display() {
        for n in [0, 7, 10, 99, 100, 90_900, 1_000_000, u64::MAX] {
            assert_eq!(decimal(n), n.to_string(), "{n}");
        }
    }

    #[test]
    fn pads_to_the_width() {
        let cases = [
            ("no padding", 5, 1, "5"),
            ("one zero", 5, 2, "05"),
            ("wide enough already", 42, 2, "42"),
            ("zero", 0, 2, "00"),
            ("wider than the number", 12_345, 2, "12345"),
            ("width past u64's digits", 1, 25, "00000000000000000001"),
        ];
        for (name, n, width, text) in cases {
            let mut out = String::new();
            push_decimal(&mut out, n, width);
            assert_eq!(out, text, "{name}");
        }
    }
}
