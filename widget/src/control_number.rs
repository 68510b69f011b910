//! Showing a control number so a customer can read it aloud or type it into a USSD menu.
//!
//! ```
//! use widget::control_number::read_aloud_groups;
//!
//! assert_eq!(read_aloud_groups("55042914871931"), ["5504", "2914", "871", "931"]);
//! ```

/// Splits a control number into groups of three or four characters, longest first.
///
/// Groups of at most four are what people can hold in their head between glances at the phone;
/// balancing them avoids a lonely last digit (`1234 5678 9` is easy to mistype, `123 345 678` not).
pub fn read_aloud_groups(number: &str) -> Vec<&str> {
    let len = number.len();
    if len <= 4 || !number.is_ascii() {
        return vec![number];
    }
    let groups = len.div_ceil(4);
    let (short, extra) = (len / groups, len % groups);
    let mut rest = number;
    (0..groups)
        .map(|i| {
            let (group, tail) = rest.split_at(short + usize::from(i < extra));
            rest = tail;
            group
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn groups_are_three_or_four_long_and_keep_every_digit() {
        // From six characters on; ClickPesa's numbers are longer than ten.
        for len in 6..=30 {
            let number: String = (0..len)
                .map(|i| char::from(b'0' + (i % 10) as u8))
                .collect();
            let groups = read_aloud_groups(&number);
            assert_eq!(groups.concat(), number);
            assert!(
                groups.iter().all(|g| (3..=4).contains(&g.len())),
                "{len}: {groups:?}"
            );
            assert!(
                groups.windows(2).all(|w| w[0].len() >= w[1].len()),
                "{len}: {groups:?}"
            );
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn short_numbers_stay_whole() {
        assert_eq!(read_aloud_groups("1234"), ["1234"]);
        assert_eq!(read_aloud_groups(""), [""]);
        assert_eq!(read_aloud_groups("123456789012"), ["1234", "5678", "9012"]);
    }
}
