//! The origin and query of a request's URL, read from the absolute URL the runtime hands over.
//! Parsed here rather than with `worker::Request::url`: the `url` crate's parser links its IDNA
//! tables, which took the worker from 569 to 1,009 KB of wasm (BENCHMARKS.md) for two fields the
//! runtime has already normalised.
use std::borrow::Cow;

use worker::Request;

/// The request's full URL as the runtime received it.
pub fn raw(req: &Request) -> String {
    req.inner().url()
}

/// `scheme://host[:port]` of an absolute URL.
pub fn origin(url: &str) -> &str {
    let authority = url.find("://").map_or(0, |i| i + 3);
    let end = url[authority..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| authority + i);
    &url[..end]
}

/// The query's name/value pairs, percent-decoded as forms encode them.
pub fn query_pairs(url: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    let query = url.split_once('?').map_or("", |(_, query)| query);
    let query = query.split_once('#').map_or(query, |(query, _)| query);
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_end_where_the_path_query_or_fragment_starts() {
        let cases = [
            (
                "path",
                "https://pay.example.co.tz/p/abc",
                "https://pay.example.co.tz",
            ),
            (
                "port",
                "http://127.0.0.1:8787/v1/orders",
                "http://127.0.0.1:8787",
            ),
            (
                "query, no path",
                "https://edge.test?lang=sw",
                "https://edge.test",
            ),
            ("fragment", "https://edge.test#x", "https://edge.test"),
            ("bare", "https://edge.test", "https://edge.test"),
        ];
        for (name, url, expected) in cases {
            assert_eq!(origin(url), expected, "{name}");
        }
    }

    /// A case's name, its URL and the pairs expected.
    type QueryCase<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    #[test]
    fn query_pairs_are_decoded_and_stop_at_the_fragment() {
        let cases: [QueryCase; 5] = [
            ("none", "https://e.test/p/x", &[]),
            ("one", "https://e.test/p/x?lang=sw", &[("lang", "sw")]),
            (
                "encoded",
                "https://e.test/r?from=2026-11-29T00%3A00%3A00Z&to=a+b",
                &[("from", "2026-11-29T00:00:00Z"), ("to", "a b")],
            ),
            (
                "fragment",
                "https://e.test/p/x?lang=en#top",
                &[("lang", "en")],
            ),
            (
                "repeated",
                "https://e.test/r?a=1&a=2",
                &[("a", "1"), ("a", "2")],
            ),
        ];
        for (name, url, expected) in cases {
            let pairs: Vec<(String, String)> = query_pairs(url)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let expected: Vec<(String, String)> = expected
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            assert_eq!(pairs, expected, "{name}");
        }
    }
}
