//! JSON or CSV, from the request's `Accept` header (RFC 9110 §12.5.1, with q-values).
//!
//! ```
//! use shared::reconcile::format::ReportFormat;
//! assert_eq!(ReportFormat::negotiate(Some("text/csv")), Some(ReportFormat::Csv));
//! assert_eq!(ReportFormat::negotiate(None), Some(ReportFormat::Json));
//! assert_eq!(ReportFormat::negotiate(Some("image/png")), None);
//! ```

/// How the report is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    /// `application/json` (the default).
    Json,
    /// `text/csv`, RFC 4180.
    Csv,
}

impl ReportFormat {
    /// The `Content-Type` of the answer.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Csv => "text/csv; charset=utf-8; header=present",
        }
    }

    /// The format `accept` prefers: the higher q-value wins, JSON on a tie or without the header;
    /// `None` when it accepts neither (a 406).
    pub fn negotiate(accept: Option<&str>) -> Option<Self> {
        let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
            return Some(Self::Json);
        };
        let (mut json, mut csv) = (None::<(u8, u16)>, None::<(u8, u16)>);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("q"))
                .map_or(Some(1000), |(_, v)| quality(v.trim()));
            let Some(q) = q else { continue };
            // A more specific range decides over a wildcard, whatever their order.
            let (json_rank, csv_rank) = match media.as_str() {
                "application/json" => (Some(2), None),
                "text/csv" => (None, Some(2)),
                "application/*" => (Some(1), None),
                "text/*" => (None, Some(1)),
                "*/*" => (Some(0), Some(0)),
                _ => (None, None),
            };
            for (slot, rank) in [(&mut json, json_rank), (&mut csv, csv_rank)] {
                if let Some(rank) = rank {
                    if slot.is_none_or(|(r, _)| rank > r) {
                        *slot = Some((rank, q));
                    }
                }
            }
        }
        let json_q = json.map_or(0, |(_, q)| q);
        let csv_q = csv.map_or(0, |(_, q)| q);
        match (json_q, csv_q) {
            (0, 0) => None,
            (j, c) if c > j => Some(Self::Csv),
            _ => Some(Self::Json),
        }
    }
}

/// A q-value in thousandths (`0.5` → 500); `None` if it is not one.
fn quality(value: &str) -> Option<u16> {
    let (int, frac) = value.split_once('.').unwrap_or((value, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{frac:0<3}").parse().ok()?;
    match int {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_headers_choose_the_format() {
        use ReportFormat::{Csv, Json};
        for (name, accept, want) in [
            ("no header", None, Some(Json)),
            ("empty", Some(""), Some(Json)),
            ("anything", Some("*/*"), Some(Json)),
            ("json", Some("application/json"), Some(Json)),
            ("csv", Some("text/csv"), Some(Csv)),
            (
                "csv with charset",
                Some("text/csv; charset=utf-8"),
                Some(Csv),
            ),
            ("upper case", Some("TEXT/CSV"), Some(Csv)),
            (
                "browser default",
                Some("text/html,application/xhtml+xml,*/*;q=0.8"),
                Some(Json),
            ),
            (
                "csv preferred",
                Some("application/json;q=0.5, text/csv"),
                Some(Csv),
            ),
            (
                "json preferred",
                Some("text/csv;q=0.4, application/json;q=0.9"),
                Some(Json),
            ),
            ("tie", Some("text/csv, application/json"), Some(Json)),
            ("csv over wildcard", Some("*/*;q=0.1, text/csv"), Some(Csv)),
            ("any text", Some("text/*"), Some(Csv)),
            ("csv refused", Some("text/csv;q=0, */*"), Some(Json)),
            ("neither", Some("image/png"), None),
            (
                "both refused",
                Some("application/json;q=0, text/csv;q=0"),
                None,
            ),
            (
                "junk q is ignored",
                Some("text/csv;q=2, application/json"),
                Some(Json),
            ),
        ] {
            assert_eq!(ReportFormat::negotiate(accept), want, "{name}");
        }
    }
}
