//! Tables as xtask renders them, and the order statistics every figure uses.
pub use shared::testing::table::Table;

/// A named figure read off each sample (a step, a share of the whole).
pub type Part<T> = (&'static str, fn(&T) -> f64);

/// The `p`-th percentile (0–100) by nearest rank: 0 is the least sample, 100 the greatest; NaN for
/// no samples.
pub fn percentile(samples: &[f64], p: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn median(samples: &[f64]) -> f64 {
    percentile(samples, 50.0)
}

/// Milliseconds, to a tenth below 100 ms.
pub fn ms(value: f64) -> String {
    match value {
        v if v.is_nan() => "–".into(),
        v if v < 100.0 => format!("{v:.1}"),
        v => format!("{v:.0}"),
    }
}

/// `value` as a multiple of `baseline`, to three significant figures or so.
pub fn ratio(value: f64, baseline: f64) -> String {
    match value / baseline {
        r if r < 10.0 => format!("{r:.2}×"),
        r if r < 100.0 => format!("{r:.1}×"),
        r => format!("{r:.0}×"),
    }
}

/// Counts by reason as a cell shows them: "3 wrangler proxy 503, 1 no answer in 10 s".
pub fn reasons<N: std::fmt::Display>(by_why: &std::collections::BTreeMap<String, N>) -> String {
    by_why
        .iter()
        .map(|(why, n)| format!("{n} {why}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A count with its thousands separated: 5,000.
pub fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
