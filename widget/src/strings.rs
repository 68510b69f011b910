//! Every text the widget shows, in English and Swahili.
//!
//! ```
//! use widget::strings::for_lang;
//! use shared::channels::Lang;
//!
//! let lang = Lang::choose(None, Some("sw-TZ"));
//! assert_eq!(lang, Lang::Sw);
//! assert_eq!(for_lang(lang).retry, "Jaribu tena");
//! ```
//!
//! One struct per language instead of a runtime map: a missing text is a compile error, and the
//! texts cost no parsing code in the wasm. Payment steps per channel are not here: they come from
//! [`shared::channels`], the single source of those rules, and so does the choice of language
//! ([`Lang::choose`]).
use shared::channels::Lang;

macro_rules! strings {
    ($( $(#[doc = $doc:literal])* $field:ident ),* $(,)?) => {
        /// The widget's texts in one language; see [`EN`] and [`SW`].
        #[derive(Debug)]
        pub struct Strings {
            $( $(#[doc = $doc])* pub $field: &'static str, )*
        }

        #[cfg(test)]
        impl Strings {
            /// Every text with its field name, so tests can check them all.
            fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($field), self.$field)),*]
            }
        }
    };
}

strings! {
    /// Accessible name of the whole widget.
    widget_label,
    /// While the edge creates (or resumes) the control number.
    creating,
    control_number,
    copy,
    copied,
    /// The clipboard refused: the number is still on screen to write down.
    copy_failed,
    amount,
    /// Accessible name of the channel tab list.
    how_to_pay,
    /// Link text before the USSD code, e.g. "Dial *150*00#".
    dial,
    /// Before the SMS and WhatsApp links that carry the steps on screen.
    send_to_phone,
    expires_in,
    we_confirm,
    reconnecting,
    /// Followed by ClickPesa's message for the failed attempt.
    last_attempt_failed,
    you_can_try_again,
    paid_title,
    paid_amount,
    channel,
    payment_reference,
    paid_at,
    overpaid_note,
    redirecting,
    partial_title,
    partial_paid,
    partial_missing,
    partial_what_to_do,
    expired_title,
    expired_body,
    start_again,
    cancelled_title,
    cancelled_body,
    refunded_title,
    refunded_body,
    /// Followed by the amount that went back (refunded or reversed) on the refunded screen.
    returned,
    error_title,
    retry,
}

/// English.
pub static EN: Strings = Strings {
    widget_label: "Pay with mobile money or CRDB",
    creating: "Getting your control number…",
    control_number: "Control number",
    copy: "Copy",
    copied: "Copied",
    copy_failed: "Could not copy. Please write the number down.",
    amount: "Amount to pay",
    how_to_pay: "How to pay",
    dial: "Dial",
    send_to_phone: "Send these steps to my phone:",
    expires_in: "Expires in",
    we_confirm: "We confirm your payment automatically. Keep this page open.",
    reconnecting: "Reconnecting…",
    last_attempt_failed: "Your last attempt failed:",
    you_can_try_again: "you can try again.",
    paid_title: "Payment received. Thank you!",
    paid_amount: "Amount paid",
    channel: "Paid with",
    payment_reference: "Payment reference",
    paid_at: "Time",
    overpaid_note:
        "You paid more than the amount due. The shop will contact you about the difference.",
    redirecting: "Taking you back to the shop…",
    partial_title: "Partly paid",
    partial_paid: "Paid so far",
    partial_missing: "Still to pay",
    partial_what_to_do:
        "A control number closes with its first payment, so the rest cannot be paid with it. \
         The shop has been told: contact them to settle the difference.",
    expired_title: "This control number has expired",
    expired_body: "It can no longer be paid. Start again to get a new one.",
    start_again: "Start again",
    cancelled_title: "This payment was cancelled",
    cancelled_body: "The shop cancelled this order. Nothing more can be paid to it.",
    refunded_title: "This payment was refunded",
    refunded_body: "The money paid went back to the payer. Nothing more can be paid to it.",
    returned: "Returned to the payer:",
    error_title: "We could not start the payment",
    retry: "Try again",
};

/// Swahili.
pub static SW: Strings = Strings {
    widget_label: "Lipa kwa pesa ya simu au CRDB",
    creating: "Tunapata namba yako ya malipo…",
    control_number: "Namba ya malipo",
    copy: "Nakili",
    copied: "Imenakiliwa",
    copy_failed: "Imeshindikana kunakili. Tafadhali andika namba hii.",
    amount: "Kiasi cha kulipa",
    how_to_pay: "Jinsi ya kulipa",
    dial: "Piga",
    send_to_phone: "Nitumie hatua hizi kwenye simu:",
    expires_in: "Muda unaisha baada ya",
    we_confirm: "Tunathibitisha malipo yako wenyewe. Usifunge ukurasa huu.",
    reconnecting: "Tunaunganisha tena…",
    last_attempt_failed: "Jaribio lako la mwisho halikufanikiwa:",
    you_can_try_again: "unaweza kujaribu tena.",
    paid_title: "Malipo yamepokelewa. Asante!",
    paid_amount: "Kiasi kilicholipwa",
    channel: "Umelipa kwa",
    payment_reference: "Kumbukumbu ya malipo",
    paid_at: "Muda",
    overpaid_note:
        "Umelipa zaidi ya kiasi kinachodaiwa. Duka litawasiliana nawe kuhusu tofauti hiyo.",
    redirecting: "Tunakurudisha dukani…",
    partial_title: "Umelipa sehemu",
    partial_paid: "Umelipa hadi sasa",
    partial_missing: "Kiasi kilichobaki",
    partial_what_to_do:
        "Namba ya malipo hufungwa baada ya malipo yake ya kwanza, hivyo kiasi kilichobaki hakiwezi \
         kulipwa kwa namba hii. Duka limearifiwa: wasiliana nalo kumalizia tofauti.",
    expired_title: "Muda wa namba hii ya malipo umekwisha",
    expired_body: "Haiwezi kulipwa tena. Anza upya kupata namba mpya.",
    start_again: "Anza upya",
    cancelled_title: "Malipo haya yameghairiwa",
    cancelled_body: "Duka limeghairi oda hii. Hakuna malipo zaidi yanayoweza kupokelewa.",
    refunded_title: "Malipo haya yamerejeshwa",
    refunded_body:
        "Pesa iliyolipwa imerudishwa kwa mlipaji. Hakuna malipo zaidi yanayoweza kupokelewa.",
    returned: "Imerudishwa kwa mlipaji:",
    error_title: "Imeshindikana kuanzisha malipo",
    retry: "Jaribu tena",
};

/// A language and its texts, handed to every view.
#[derive(Debug, Clone, Copy)]
pub struct Locale {
    pub lang: Lang,
    pub text: &'static Strings,
}

impl Locale {
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            text: for_lang(lang),
        }
    }

    /// The BCP 47 tag for dates shown to the customer.
    pub fn tag(&self) -> &'static str {
        match self.lang {
            Lang::En => "en-GB",
            Lang::Sw => "sw-TZ",
        }
    }
}

/// The texts for `lang`.
pub fn for_lang(lang: Lang) -> &'static Strings {
    match lang {
        Lang::En => &EN,
        Lang::Sw => &SW,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test(unsupported = test)]
    fn every_text_is_filled_in_both_languages() {
        for (lang, strings) in [("en", &EN), ("sw", &SW)] {
            for (field, text) in strings.entries() {
                assert!(!text.trim().is_empty(), "{lang}.{field} is empty");
                assert_eq!(text, text.trim(), "{lang}.{field} has stray whitespace");
            }
        }
    }

    #[wasm_bindgen_test(unsupported = test)]
    fn swahili_is_translated_not_copied() {
        for ((field, en), (_, sw)) in EN.entries().into_iter().zip(SW.entries()) {
            assert_ne!(en, sw, "{field} is the same in English and Swahili");
        }
    }
}
