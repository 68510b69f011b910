//! Payment links: `POST /v1/orders` returns a short `pay_url` (`<edge origin>/p/<code>`) a shop
//! can send by SMS, WhatsApp or email; the edge serves the widget for that one order there.
//!
//! The code is random (96 bits, 16 base64url characters) and stored at the edge with the order
//! token: it says nothing about the order and cannot be guessed or counted through. The link
//! lives while the token is valid and, after that, only as long as the bill exists. Every code
//! that leads nowhere (unknown, malformed, gone) gets the same bilingual 404 page.
//!
//! ```
//! use shared::paylink::{pay_url, PayCode, MAX_PAY_URL_LEN};
//! let code = PayCode::from_random([7; 12]);
//! assert_eq!(code.as_str(), "BwcHBwcHBwcHBwcH");
//! assert_eq!(PayCode::parse("BwcHBwcHBwcHBwcH"), Some(code.clone()));
//! let url = pay_url("https://pay.duka.co.tz/", &code);
//! assert_eq!(url, "https://pay.duka.co.tz/p/BwcHBwcHBwcHBwcH");
//! assert!(url.len() <= MAX_PAY_URL_LEN);
//! ```
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::channels::Lang;

/// Random bytes in a code: 96 bits, far beyond what anyone can search at the edge's rate limit.
pub const CODE_BYTES: usize = 12;
/// Characters in a code: [`CODE_BYTES`] in unpadded base64url.
pub const CODE_LEN: usize = 16;
/// The path before the code.
pub const PATH_PREFIX: &str = "/p/";
/// The longest `pay_url`: short enough for one SMS beside a line of text.
pub const MAX_PAY_URL_LEN: usize = 60;
/// The longest origin (`https://` and host, no trailing slash) whose links fit
/// [`MAX_PAY_URL_LEN`]: 41 characters, so an `https://` host of at most 33.
pub const MAX_ORIGIN_LEN: usize = MAX_PAY_URL_LEN - PATH_PREFIX.len() - CODE_LEN;
/// How often a link whose token has expired asks whether its bill still exists (the page asks
/// on every visit anyway; this only bounds how long a forgotten bill's link stays stored).
pub const BILL_RECHECK_SECS: u64 = 24 * 3600;

/// A payment link's code: exactly [`CODE_LEN`] base64url characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PayCode(String);

impl PayCode {
    /// The code for `bytes`, which must come from a cryptographic random source (never from the
    /// reference, a counter or a clock).
    pub fn from_random(bytes: [u8; CODE_BYTES]) -> Self {
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A code as it appears in a link, or `None` for anything that cannot be one (wrong length,
    /// a character outside base64url). Every 16-character base64url string is some code.
    pub fn parse(s: &str) -> Option<Self> {
        let well_formed = s.len() == CODE_LEN
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(s.to_owned()))
    }

    /// The code's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The link for `code` on `origin` (trailing slashes ignored). It is at most
/// [`MAX_PAY_URL_LEN`] characters when the origin is at most [`MAX_ORIGIN_LEN`].
pub fn pay_url(origin: &str, code: &PayCode) -> String {
    format!(
        "{}{PATH_PREFIX}{}",
        origin.trim_end_matches('/'),
        code.as_str()
    )
}

/// What keeps a link alive at `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The order token is still valid: the link is live and need not ask anyone.
    TokenValid,
    /// The token has expired: the link lives only while the bill exists, so ask the bill.
    WhileBillExists,
}

impl Standing {
    /// The link's standing for a token expiring at `token_exp` (unix seconds). From `exp` on the
    /// link no longer counts on the token (the edge's clock-skew allowance is for the shop's clock,
    /// not a reason to keep a link longer).
    pub fn at(token_exp: u64, now: u64) -> Self {
        match now < token_exp {
            true => Self::TokenValid,
            false => Self::WhileBillExists,
        }
    }
}

/// When a stored link should next check whether it is gone: at the token's expiry, then every
/// [`BILL_RECHECK_SECS`] while its bill exists.
pub fn next_check(token_exp: u64, now: u64) -> u64 {
    match Standing::at(token_exp, now) {
        Standing::TokenValid => token_exp,
        Standing::WhileBillExists => now.saturating_add(BILL_RECHECK_SECS),
    }
}

/// The languages of an `Accept-Language` header, most preferred first (by `q`, then by order);
/// entries with `q=0` (not acceptable) and `*` are left out.
pub fn accept_language(header: &str) -> Vec<&str> {
    let mut weighted: Vec<(u16, &str)> = header
        .split(',')
        .filter_map(|entry| {
            let mut parts = entry.split(';');
            let tag = parts.next()?.trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .next()
                .map_or(Some(1000), |q| {
                    q.trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))
                        .map(|q| (q * 1000.0).round() as u16)
                })?;
            (q > 0 && !tag.is_empty() && tag != "*").then_some((q, tag))
        })
        .collect();
    // Stable: equal weights keep the header's order.
    weighted.sort_by_key(|&(q, _)| std::cmp::Reverse(q));
    weighted.into_iter().map(|(_, tag)| tag).collect()
}

/// The payment page's language: `?lang=` when it names one we have, else the browser's first
/// preference we have (`Accept-Language`), else the language the shop gave the order, else English.
pub fn page_lang(query: Option<&str>, accept: Option<&str>, order_default: Option<Lang>) -> Lang {
    query
        .and_then(Lang::from_tag)
        .or_else(|| {
            accept_language(accept.unwrap_or_default())
                .into_iter()
                .find_map(Lang::from_tag)
        })
        .or(order_default)
        .unwrap_or_default()
}

/// The pages' only style sheet, allowed by its hash in [`csp`] (the widget styles itself in its
/// shadow root, which a CSP does not restrict).
const PAGE_CSS: &str =
    "body{margin:0;font-family:system-ui,sans-serif;background:#f4f5f7;color:#1b1f24}\
main{max-width:30rem;margin:0 auto;padding:1rem}h1{font-size:1.3rem;margin:.5rem 0}\
nav{text-align:right}nav a{color:#0b5cad}";

/// The Content-Security-Policy of the payment pages served from `origin` (the request's own, e.g.
/// `https://pay.duka.co.tz`): scripts, the wasm and API calls from the edge itself, its
/// `ws:`/`wss:` twin for the live-update socket, no inline script, no framing.
pub fn csp(origin: &str) -> String {
    let socket = origin.replacen("http", "ws", 1);
    let style = STANDARD.encode(Sha256::digest(PAGE_CSS.as_bytes()));
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' {socket}; \
         style-src 'sha256-{style}'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
         frame-ancestors 'none'"
    )
}

/// Every header a payment page (or its 404) carries besides its status: the CSP, no referrer
/// (the code is in the URL), no caching, no indexing.
pub fn page_headers(origin: &str) -> [(&'static str, String); 5] {
    [
        ("Content-Type", "text/html; charset=utf-8".to_owned()),
        ("Content-Security-Policy", csp(origin)),
        ("Referrer-Policy", "no-referrer".to_owned()),
        ("Cache-Control", "no-store".to_owned()),
        ("X-Robots-Tag", "noindex, nofollow".to_owned()),
    ]
}

fn document(lang: Lang, title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title><style>{PAGE_CSS}</style>\
         </head><body><main>{body}</main></body></html>",
        lang.as_str()
    )
}

/// The payment page: the widget for the order whose token is `order_token`, in `lang`, with a
/// link to the other language.
pub fn page(lang: Lang, order_token: &str) -> String {
    let (title, other, other_name, no_script) = match lang {
        Lang::En => (
            "Pay for your order",
            Lang::Sw,
            "Kiswahili",
            "This page needs JavaScript to show how to pay.",
        ),
        Lang::Sw => (
            "Lipia oda yako",
            Lang::En,
            "English",
            "Ukurasa huu unahitaji JavaScript kuonyesha jinsi ya kulipa.",
        ),
    };
    let body = format!(
        "<nav><a href=\"?lang={}\" lang=\"{}\">{other_name}</a></nav><h1>{title}</h1>\
         <div id=\"pay\"></div><noscript>{no_script}</noscript>\
         <script async src=\"/widget.js\" data-order=\"{}\" data-target=\"#pay\" data-lang=\"{}\"></script>",
        other.as_str(),
        other.as_str(),
        attribute(order_token),
        lang.as_str()
    );
    document(lang, title, &body)
}

/// The one page for every code that leads nowhere, in both languages: it cannot tell a mistyped
/// code from one that never existed or one whose bill is gone.
pub fn not_found_page() -> String {
    document(
        Lang::Sw,
        "Kiungo cha malipo hakipatikani · Payment link not found",
        "<h1>Kiungo cha malipo hakipatikani</h1>\
         <p>Kiungo hiki si sahihi au muda wake umekwisha. Omba kiungo kipya kutoka kwa duka.</p>\
         <h1 lang=\"en\">Payment link not found</h1>\
         <p lang=\"en\">This link is not valid or has expired. Ask the shop for a new one.</p>",
    )
}

/// An attribute value: the edge mints the tokens it stores (base64url and dots), but a page never
/// trusts that.
fn attribute(value: &str) -> String {
    value
        .chars()
        .map(|c| match c {
            '&' => "&amp;".to_owned(),
            '"' => "&quot;".to_owned(),
            '<' => "&lt;".to_owned(),
            '>' => "&gt;".to_owned(),
            c => c.to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_only_in_their_exact_form() {
        let cases: [(&str, &str, bool); 9] = [
            ("a minted code", "BwcHBwcHBwcHBwcH", true),
            ("every alphabet class", "aZ09-_aZ09-_aZ09", true),
            ("one character short", "BwcHBwcHBwcHBwc", false),
            ("one character long", "BwcHBwcHBwcHBwcHB", false),
            ("empty", "", false),
            ("padding", "BwcHBwcHBwcHBw==", false),
            ("standard base64 characters", "BwcHBwcHBwcH+/cH", false),
            ("a dot", "BwcHBwcHBwcH.wcH", false),
            ("non-ASCII of the same byte length", "BwcHBwcHBwcHBé", false),
        ];
        for (name, code, ok) in cases {
            assert_eq!(PayCode::parse(code).is_some(), ok, "{name}");
        }
    }

    #[test]
    fn random_bytes_make_a_parseable_code_of_the_full_length() {
        for bytes in [
            [0u8; CODE_BYTES],
            [0xff; CODE_BYTES],
            *b"\x01\x23\x45\x67\x89\xab\xcd\xef\xfe\xdc\xba\x98",
        ] {
            let code = PayCode::from_random(bytes);
            assert_eq!(code.as_str().len(), CODE_LEN, "{bytes:?}");
            assert_eq!(PayCode::parse(code.as_str()), Some(code.clone()));
            assert_eq!(URL_SAFE_NO_PAD.decode(code.as_str()).unwrap(), bytes);
        }
    }

    #[test]
    fn links_fit_an_sms_up_to_the_longest_origin() {
        let code = PayCode::from_random([1; CODE_BYTES]);
        let longest = format!("https://{}", "a".repeat(MAX_ORIGIN_LEN - "https://".len()));
        let cases = [
            ("local", "http://127.0.0.1:8787", true),
            ("trailing slash ignored", "https://pay.duka.co.tz/", true),
            ("workers.dev", "https://billpay-edge.duka.workers.dev", true),
            ("the longest origin", longest.as_str(), true),
            ("one character more", &format!("{longest}a"), false),
        ];
        assert_eq!(MAX_ORIGIN_LEN, 41);
        for (name, origin, fits) in cases {
            let url = pay_url(origin, &code);
            assert!(url.ends_with("/p/AQEBAQEBAQEBAQEB"), "{name}: {url}");
            assert_eq!(url.len() <= MAX_PAY_URL_LEN, fits, "{name}: {url}");
        }
    }

    #[test]
    fn a_link_counts_on_its_token_until_expiry_then_on_the_bill() {
        let exp = 1_900_000_000;
        let cases = [
            ("long before", exp - 3600, Standing::TokenValid, exp),
            ("a second before", exp - 1, Standing::TokenValid, exp),
            (
                "at expiry",
                exp,
                Standing::WhileBillExists,
                exp + BILL_RECHECK_SECS,
            ),
            (
                "a week after",
                exp + 7 * 24 * 3600,
                Standing::WhileBillExists,
                exp + 8 * 24 * 3600,
            ),
        ];
        for (name, now, standing, check) in cases {
            assert_eq!(Standing::at(exp, now), standing, "{name}");
            assert_eq!(next_check(exp, now), check, "{name}");
        }
    }

    #[test]
    fn accept_language_orders_by_weight_and_drops_the_unacceptable() {
        let cases: [(&str, &str, &[&str]); 7] = [
            ("empty", "", &[]),
            ("one", "sw-TZ", &["sw-TZ"]),
            (
                "header order when unweighted",
                "fr, sw, en",
                &["fr", "sw", "en"],
            ),
            ("by weight", "en;q=0.5, sw;q=0.9, fr", &["fr", "sw", "en"]),
            ("q=0 is a refusal", "sw;q=0, en;q=0.1", &["en"]),
            (
                "wildcard and garbage",
                "*, ;q=1, de;q=abc, it;q=2, sw",
                &["sw"],
            ),
            ("spaces around q", "en ; q=0.2 , sw ; q=0.8", &["sw", "en"]),
        ];
        for (name, header, expected) in cases {
            assert_eq!(accept_language(header), expected, "{name}");
        }
    }

    #[test]
    fn page_language_query_then_browser_then_order_then_english() {
        let cases = [
            (
                "query wins",
                Some("sw"),
                Some("en-GB"),
                Some(Lang::En),
                Lang::Sw,
            ),
            (
                "query in any case",
                Some("EN"),
                Some("sw"),
                Some(Lang::Sw),
                Lang::En,
            ),
            (
                "unknown query falls to the browser",
                Some("fr"),
                Some("sw-TZ,en;q=0.5"),
                None,
                Lang::Sw,
            ),
            (
                "browser by weight",
                None,
                Some("en;q=0.3, sw;q=0.7"),
                Some(Lang::En),
                Lang::Sw,
            ),
            (
                "browser's first language we have",
                None,
                Some("fr, de, en, sw"),
                Some(Lang::Sw),
                Lang::En,
            ),
            (
                "browser names none of ours",
                None,
                Some("fr, de"),
                Some(Lang::Sw),
                Lang::Sw,
            ),
            ("no header", None, None, Some(Lang::Sw), Lang::Sw),
            ("nothing at all", None, None, None, Lang::En),
        ];
        for (name, query, accept, order, expected) in cases {
            assert_eq!(page_lang(query, accept, order), expected, "{name}");
        }
    }

    #[test]
    fn the_page_embeds_the_widget_under_a_csp_that_allows_its_own_style_only() {
        let csp = csp("http://127.0.0.1:8790");
        for expected in [
            "default-src 'none';",
            "script-src 'self' 'wasm-unsafe-eval';",
            "connect-src 'self' ws://127.0.0.1:8790;",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ] {
            assert!(csp.contains(expected), "{expected} in {csp}");
        }
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert!(super::csp("https://pay.duka.co.tz")
            .contains("connect-src 'self' wss://pay.duka.co.tz;"));
        let hash = STANDARD.encode(Sha256::digest(PAGE_CSS.as_bytes()));
        for (lang, title, data_lang, switch) in [
            (
                Lang::En,
                "Pay for your order",
                "data-lang=\"en\"",
                "?lang=sw",
            ),
            (Lang::Sw, "Lipia oda yako", "data-lang=\"sw\"", "?lang=en"),
        ] {
            let html = page(lang, "v1.abc.def");
            for expected in [
                format!("<html lang=\"{}\">", lang.as_str()),
                format!("<title>{title}</title>"),
                format!("<style>{PAGE_CSS}</style>"),
                "<script async src=\"/widget.js\" data-order=\"v1.abc.def\" data-target=\"#pay\""
                    .to_owned(),
                data_lang.to_owned(),
                switch.to_owned(),
            ] {
                assert!(html.contains(&expected), "{lang:?}: {expected} in {html}");
            }
            assert!(!html.contains(" style="), "no style attribute: {html}");
            assert_eq!(
                html.matches("<script").count(),
                1,
                "only the widget's script"
            );
        }
        assert!(csp.contains(&format!("style-src 'sha256-{hash}';")));
        assert!(page(Lang::En, "\"><script>").contains("data-order=\"&quot;&gt;&lt;script&gt;\""));
    }

    #[test]
    fn the_not_found_page_speaks_both_languages_and_names_nothing() {
        let html = not_found_page();
        for expected in [
            "Kiungo cha malipo hakipatikani",
            "Payment link not found",
            "Ask the shop",
        ] {
            assert!(html.contains(expected), "{expected}");
        }
        assert!(!html.contains("<script"));
        let headers = page_headers("https://pay.duka.co.tz");
        let names: Vec<&str> = headers.iter().map(|(name, _)| *name).collect();
        assert_eq!(
            names,
            [
                "Content-Type",
                "Content-Security-Policy",
                "Referrer-Policy",
                "Cache-Control",
                "X-Robots-Tag"
            ]
        );
        assert_eq!(headers[2].1, "no-referrer");
        assert_eq!(headers[3].1, "no-store");
    }
}
