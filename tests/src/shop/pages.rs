//! Server-rendered HTML. No inline script or style anywhere: the CSP ([`csp`]) forbids both, so
//! the shop's CSS and JS are files served from 'self' and the widget comes from the edge.
//!
//! ```
//! use billpay_tests::shop::pages::{csp, escape};
//! assert_eq!(escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
//! assert!(csp("https://edge.example").contains("script-src 'self' 'wasm-unsafe-eval' https://edge.example;"));
//! assert!(csp("https://edge.example").contains("connect-src 'self' https://edge.example wss://edge.example;"));
//! ```
use std::fmt::Write;

use shared::money::format_tzs;

use super::notifications::Received;
use super::orders::{cart_total, Order, CART};

/// The Content-Security-Policy of every shop page; `edge` is the only other origin allowed, and
/// its `ws:`/`wss:` twin for the widget's live-update socket.
pub fn csp(edge: &str) -> String {
    let socket = edge.replacen("http", "ws", 1);
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval' {edge}; connect-src 'self' {edge} {socket}; \
         style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub fn escape(s: &str) -> String {
    s.chars()
        .fold(String::with_capacity(s.len()), |mut out, c| {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
            out
        })
}

/// The two languages the widget speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Sw,
}

impl Lang {
    pub fn parse(s: Option<&str>) -> Option<Self> {
        match s {
            None | Some("en") => Some(Self::En),
            Some("sw") => Some(Self::Sw),
            Some(_) => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Sw => "sw",
        }
    }
}

pub fn home() -> String {
    let mut rows = String::new();
    for (name, price) in CART {
        let _ = write!(
            rows,
            "<tr><td>{}</td><td class=\"amount\">{}</td></tr>",
            escape(name),
            format_tzs(price)
        );
    }
    layout(
        "en",
        "Duka la Mfano: cart",
        &format!(
            "<h1>Your cart</h1><table><thead><tr><th>Product</th><th class=\"amount\">Price</th></tr></thead>\
             <tbody>{rows}</tbody><tfoot><tr><th>Total</th><th class=\"amount\">{total}</th></tr></tfoot></table>\
             <form action=\"/checkout\" method=\"get\"><p><label>Language \
             <select name=\"lang\"><option value=\"en\">English</option><option value=\"sw\">Kiswahili</option></select>\
             </label></p><button type=\"submit\">Checkout</button></form>",
            total = format_tzs(cart_total())
        ),
    )
}

/// How the checkout page embeds the widget; both are on unless a test asks otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Embed {
    /// `data-success-url`: go to the order's page once paid.
    pub redirect: bool,
    /// The script tag's `src`; without it the token is in the page but nothing mounts it (a test then
    /// mounts the widget through `BillPay.mount`, loaded from `widget.js` with no `data-order`).
    pub load_widget: bool,
}

/// The checkout page: the widget's one script tag, exactly as a real shop would embed it, and the
/// panel that makes the simulator pay the way a customer would.
pub fn checkout(edge: &str, order: &Order, token: &str, lang: Lang, embed: Embed) -> String {
    let reference = escape(&order.reference);
    let success = if embed.redirect {
        format!(" data-success-url=\"/orders/{reference}\"")
    } else {
        String::new()
    };
    let widget = if embed.load_widget {
        format!(
            "<script async src=\"{edge}/widget.js\" data-order=\"{token}\" data-target=\"#pay\" data-lang=\"{lang}\"{success}></script>",
            edge = escape(edge),
            token = escape(token),
            lang = lang.code(),
        )
    } else {
        format!(
            "<template data-order=\"{token}\"></template><script async src=\"{edge}/widget.js\"></script>",
            edge = escape(edge),
            token = escape(token),
        )
    };
    layout(
        lang.code(),
        "Duka la Mfano: checkout",
        &format!(
            "<h1>Checkout</h1><p>Order <strong>{reference}</strong>: {amount}</p>\
             <div id=\"pay\"></div>{widget}\
             <section class=\"panel\" id=\"simulate\" data-reference=\"{reference}\">\
             <h2>Pay as the customer would</h2><p>These buttons ask the ClickPesa simulator to pay control number \
             {reference}.</p><div class=\"buttons\">\
             <button type=\"button\" data-scenario=\"full\">Pay in full by M-Pesa</button>\
             <button type=\"button\" data-scenario=\"short\" class=\"secondary\">Pay short</button>\
             <button type=\"button\" data-scenario=\"fail\" class=\"secondary\">Fail (insufficient funds)</button>\
             <button type=\"button\" data-scenario=\"dropped\" class=\"secondary\">Pay in full, webhook dropped</button>\
             </div><output id=\"simulate-result\" aria-live=\"polite\"></output></section>\
             <section class=\"panel\"><h2>What the page heard</h2><ol id=\"host-events\"></ol></section>",
            amount = format_tzs(order.amount),
        ),
    )
}

/// `/orders` (all orders) and `/orders/{ref}` (one), each with its notifications.
pub fn orders(orders: &[(Order, Vec<Received>)]) -> String {
    let mut body = String::from("<h1>Orders</h1>");
    if orders.is_empty() {
        body.push_str("<p>No orders yet.</p>");
    }
    for (order, received) in orders {
        let _ = write!(
            body,
            "<section><h2>{}</h2><p>{}: {}</p>",
            escape(&order.reference),
            escape(&order.description),
            format_tzs(order.amount)
        );
        if received.is_empty() {
            body.push_str("<p>No notifications yet.</p>");
        } else {
            body.push_str("<table><thead><tr><th>Event</th><th>Type</th><th class=\"amount\">Deliveries</th></tr></thead><tbody>");
            for r in received {
                let kind = r.body["type"].as_str().unwrap_or("?");
                let _ = write!(
                    body,
                    "<tr><td>{}</td><td>{}</td><td class=\"amount\">{}</td></tr>",
                    escape(&r.id),
                    escape(kind),
                    r.deliveries
                );
            }
            body.push_str("</tbody></table>");
        }
        body.push_str("</section>");
    }
    layout("en", "Duka la Mfano: orders", &body)
}

fn layout(lang: &str, title: &str, main: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
         <link rel=\"stylesheet\" href=\"/shop.css\"><script src=\"/shop.js\"></script></head>\
         <body><header><strong>Duka la Mfano</strong><nav><a href=\"/\">Cart</a> · <a href=\"/orders\">Orders</a></nav>\
         </header><main>{main}</main></body></html>",
        title = escape(title)
    )
}
