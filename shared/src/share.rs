//! "Send to my phone": the control number, the amount and the chosen channel's steps as one short
//! text, and the `sms:` and WhatsApp links that open it ready to send (to oneself, or to whoever
//! pays). Nothing goes through a server: the links carry the whole text.
//!
//! ```
//! use shared::channels::{instructions, Channel, ChannelContext, Lang};
//! use shared::share::{message, sms_href, whatsapp_href};
//! let ctx = ChannelContext { control_number: "55042914871931", amount: 25_000, mpesa_business_number: None };
//! let text = message(&instructions(Channel::AirtelMoney, Lang::En, &ctx), Lang::En, &ctx);
//! assert!(text.starts_with("Pay TSh 25,000 with Airtel Money, control number 55042914871931:\n1. Dial *150*60#"));
//! assert!(sms_href(&text).starts_with("sms:?&body=Pay%20TSh%2025%2C000"));
//! assert!(whatsapp_href(&text).starts_with("https://wa.me/?text=Pay%20TSh"));
//! ```
use crate::channels::{ChannelContext, Instructions, Lang};
use crate::digits::push_decimal;
use crate::money::format_tzs;

/// The text: what to pay, on which channel, then the numbered steps. Built without `format!`
/// ([`crate::digits`]): the widget calls this.
pub fn message(how: &Instructions, lang: Lang, ctx: &ChannelContext<'_>) -> String {
    let (pay, with, number) = match lang {
        Lang::En => ("Pay ", " with ", ", control number "),
        Lang::Sw => ("Lipa ", " kwa ", ", namba ya malipo "),
    };
    let mut text = [
        pay,
        &format_tzs(ctx.amount),
        with,
        how.channel.name(),
        number,
        ctx.control_number,
        ":",
    ]
    .concat();
    for (i, step) in how.steps.iter().enumerate() {
        text.push('\n');
        push_decimal(&mut text, i as u64 + 1, 1);
        text.push_str(". ");
        text.push_str(step);
    }
    text
}

/// Opens the messaging app with `text` and no recipient (`sms:?&body=` is the form both Android
/// and iOS read).
pub fn sms_href(text: &str) -> String {
    percent_encoded("sms:?&body=", text)
}

/// Opens WhatsApp's "send to" picker with `text`.
pub fn whatsapp_href(text: &str) -> String {
    percent_encoded("https://wa.me/?text=", text)
}

/// `prefix` then `text` per RFC 3986: everything but the unreserved characters, as UTF-8 bytes
/// (`#`, `*`, `&` and newlines included, so USSD codes and line breaks survive in both links).
fn percent_encoded(prefix: &str, text: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(prefix.len() + text.len() * 3);
    out.push_str(prefix);
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(byte))
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::{instructions, Channel};

    const CTX: ChannelContext<'static> = ChannelContext {
        control_number: "55042914871931",
        amount: 90_900,
        mpesa_business_number: Some("400700"),
    };

    #[test]
    fn messages_in_both_languages() {
        let cases = [
            (
                Channel::HaloPesa,
                Lang::En,
                "Pay TSh 90,900 with HaloPesa, control number 55042914871931:\n1. Dial *150*88#",
            ),
            (
                Channel::HaloPesa,
                Lang::Sw,
                "Lipa TSh 90,900 kwa HaloPesa, namba ya malipo 55042914871931:\n1. Piga *150*88#",
            ),
            (
                Channel::Mpesa,
                Lang::Sw,
                "Lipa TSh 90,900 kwa M-Pesa, namba ya malipo 55042914871931:\n1. Piga *150*00#",
            ),
        ];
        for (channel, lang, start) in cases {
            let how = instructions(channel, lang, &CTX);
            let text = message(&how, lang, &CTX);
            assert!(text.starts_with(start), "{channel:?} {lang:?}: {text}");
            // Every step, numbered, in order.
            assert_eq!(text.lines().count(), how.steps.len() + 1);
            for (i, step) in how.steps.iter().enumerate() {
                assert!(text.contains(&format!("\n{}. {step}", i + 1)), "{step}");
            }
        }
    }

    #[test]
    fn links_carry_the_text_percent_encoded() {
        let cases = [
            ("Dial *150*88#", "Dial%20%2A150%2A88%23"),
            ("a\nb & c", "a%0Ab%20%26%20c"),
            ("TSh 90,900", "TSh%2090%2C900"),
            ("Lipa kwa – ñ", "Lipa%20kwa%20%E2%80%93%20%C3%B1"),
            ("safe-_.~", "safe-_.~"),
        ];
        for (text, encoded) in cases {
            assert_eq!(sms_href(text), format!("sms:?&body={encoded}"), "{text}");
            assert_eq!(
                whatsapp_href(text),
                format!("https://wa.me/?text={encoded}"),
                "{text}"
            );
        }
    }
}
