//! Money formatting for people: whole Tanzanian shillings as `TSh 90,900` (used in English and Swahili).
//!
//! ```
//! assert_eq!(shared::money::format_tzs(90_900), "TSh 90,900");
//! ```

/// `TSh` followed by the amount with `,` thousands separators.
pub fn format_tzs(tzs: u64) -> String {
    let digits = crate::digits::decimal(tzs);
    let mut out = String::with_capacity(4 + digits.len() * 4 / 3);
    out.push_str("TSh ");
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::format_tzs;

    #[test]
    fn groups_thousands() {
        for (n, s) in [
            (0, "TSh 0"),
            (7, "TSh 7"),
            (999, "TSh 999"),
            (1_000, "TSh 1,000"),
            (25_000, "TSh 25,000"),
            (100_000, "TSh 100,000"),
            (50_000_000, "TSh 50,000,000"),
            (u64::MAX, "TSh 18,446,744,073,709,551,615"),
        ] {
            assert_eq!(format_tzs(n), s);
        }
    }
}
