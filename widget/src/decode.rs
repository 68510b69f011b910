//! Reading the edge's answers, already parsed by the browser's `JSON.parse`, into `shared`'s API
//! types.
//!
//! By hand instead of through serde: serde's error path formats floats (`Unexpected::Float`),
//! and with `serde-wasm-bindgen` the decoder cost the widget more wasm than all its views. The
//! readers check what the derives would: required fields present with the right type, whole
//! non-negative amounts, known states; an absent or `null` optional field is `None`.
//!
//! ```
//! use widget::decode::DecodeError;
//! assert_eq!(DecodeError::Missing("control_number").to_string(), "`control_number` is missing");
//! ```
use js_sys::{Array, Reflect};
use shared::api::{ApiError, CheckoutView, FailedAttemptView, PaymentView};
use shared::ledger::BillState;
use wasm_bindgen::JsValue;

/// Integers beyond this are not exact in a JS number.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// What is wrong with an answer; [`DecodeError::message`] (and `Display`) says it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub enum DecodeError {
    Missing(&'static str),
    WrongType(&'static str),
    NotWhole(&'static str),
    UnknownState(String),
}

impl DecodeError {
    /// Built without `format!`: the widget shows it, and `core::fmt` costs its wasm a kilobyte.
    pub fn message(&self) -> String {
        match self {
            Self::Missing(field) => ["`", field, "` is missing"].concat(),
            Self::WrongType(field) => ["`", field, "` has the wrong type"].concat(),
            Self::NotWhole(field) => {
                ["`", field, "` is not a whole number from 0 to 2^53"].concat()
            }
            Self::UnknownState(state) => ["`state` \"", state, "\" is not a known state"].concat(),
        }
    }
}

/// `{"error":{"code","message"}}`.
pub fn api_error(body: &JsValue) -> Result<ApiError, DecodeError> {
    let error = Object::of(body, "body")?.object("error")?;
    Ok(ApiError {
        code: error.string("code")?,
        message: error.string("message")?,
    })
}

/// The checkout view of `POST /v1/checkouts` and `GET /v1/checkouts/{ref}`.
pub fn checkout_view(body: &JsValue) -> Result<CheckoutView, DecodeError> {
    let view = Object::of(body, "body")?;
    let state = view.string("state")?;
    Ok(CheckoutView {
        api_version: u32::try_from(view.whole("api_version")?)
            .map_err(|_| DecodeError::NotWhole("api_version"))?,
        reference: view.string("reference")?,
        control_number: view.string("control_number")?,
        amount: view.whole("amount")?,
        currency: view.string("currency")?,
        description: view.string("description")?,
        state: BillState::parse(&state).ok_or(DecodeError::UnknownState(state))?,
        paid_total: view.whole("paid_total")?,
        remaining: view.whole("remaining")?,
        returned_total: view.whole("returned_total")?,
        expires_at: view.whole("expires_at")?,
        server_time: view.whole("server_time")?,
        payments: view.list("payments", |payment| {
            Ok(PaymentView {
                channel: payment.optional_string("channel")?,
                amount: payment.whole("amount")?,
                payment_reference: payment.optional_string("payment_reference")?,
                paid_at: payment.string("paid_at")?,
            })
        })?,
        failed_attempts: view.list("failed_attempts", |attempt| {
            Ok(FailedAttemptView {
                channel: attempt.optional_string("channel")?,
                message: attempt.optional_string("message")?,
                at: attempt.string("at")?,
            })
        })?,
        mpesa_business_number: view.optional_string("mpesa_business_number")?,
        version: view.whole("version")?,
    })
}

/// A JSON object, and the name it was reached by (for errors).
struct Object(JsValue);

impl Object {
    fn of(value: &JsValue, name: &'static str) -> Result<Self, DecodeError> {
        match value.is_object() && !Array::is_array(value) {
            true => Ok(Self(value.clone())),
            false if value.is_undefined() => Err(DecodeError::Missing(name)),
            false => Err(DecodeError::WrongType(name)),
        }
    }

    /// `undefined` when absent (a plain object's `Reflect.get` cannot throw).
    fn get(&self, field: &str) -> JsValue {
        Reflect::get(&self.0, &JsValue::from_str(field)).unwrap_or(JsValue::UNDEFINED)
    }

    fn object(&self, field: &'static str) -> Result<Object, DecodeError> {
        Self::of(&self.get(field), field)
    }

    fn string(&self, field: &'static str) -> Result<String, DecodeError> {
        self.optional_string(field)?
            .ok_or(DecodeError::Missing(field))
    }

    fn optional_string(&self, field: &'static str) -> Result<Option<String>, DecodeError> {
        let value = self.get(field);
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        value
            .as_string()
            .map(Some)
            .ok_or(DecodeError::WrongType(field))
    }

    fn whole(&self, field: &'static str) -> Result<u64, DecodeError> {
        let value = self.get(field);
        if value.is_undefined() {
            return Err(DecodeError::Missing(field));
        }
        let number = value.as_f64().ok_or(DecodeError::WrongType(field))?;
        match (0.0..=MAX_SAFE_INTEGER).contains(&number) && number.fract() == 0.0 {
            true => Ok(number as u64),
            false => Err(DecodeError::NotWhole(field)),
        }
    }

    fn list<T>(
        &self,
        field: &'static str,
        item: impl Fn(Object) -> Result<T, DecodeError>,
    ) -> Result<Vec<T>, DecodeError> {
        let value = self.get(field);
        if value.is_undefined() {
            return Err(DecodeError::Missing(field));
        }
        if !Array::is_array(&value) {
            return Err(DecodeError::WrongType(field));
        }
        Array::from(&value)
            .iter()
            .map(|element| item(Object::of(&element, field)?))
            .collect()
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use js_sys::JSON;
    use serde_json::{json, Value};
    use shared::ledger::BillState;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;
    use crate::testing::{paid, view, with_failed_attempt};

    fn parse(value: &Value) -> JsValue {
        JSON::parse(&value.to_string()).expect("JSON")
    }

    /// The edge serialises with serde; whatever it sends, this reader gives back.
    #[wasm_bindgen_test]
    fn reads_what_serde_writes() {
        for expected in [
            view(BillState::Pending),
            paid(),
            with_failed_attempt("Insufficient balance"),
            view(BillState::Expired),
        ] {
            let sent = serde_json::to_value(&expected).unwrap();
            assert_eq!(checkout_view(&parse(&sent)), Ok(expected));
        }
    }

    #[wasm_bindgen_test]
    fn absent_and_null_optionals_are_none() {
        let mut sent = serde_json::to_value(paid()).unwrap();
        sent["mpesa_business_number"] = Value::Null;
        sent["payments"][0]
            .as_object_mut()
            .unwrap()
            .remove("channel");
        let read = checkout_view(&parse(&sent)).unwrap();
        assert_eq!(
            (read.mpesa_business_number, read.payments[0].channel.clone()),
            (None, None)
        );
    }

    #[wasm_bindgen_test]
    fn refuses_what_serde_would() {
        let good = serde_json::to_value(paid()).unwrap();
        let with = |edit: &dyn Fn(&mut Value)| {
            let mut body = good.clone();
            edit(&mut body);
            checkout_view(&parse(&body))
        };
        type Case<'a> = (&'a dyn Fn(&mut Value), DecodeError);
        let cases: [Case; 10] = [
            (
                &|b| drop(b.as_object_mut().unwrap().remove("control_number")),
                DecodeError::Missing("control_number"),
            ),
            (
                &|b| b["control_number"] = json!(55042914871931u64),
                DecodeError::WrongType("control_number"),
            ),
            (
                &|b| b["amount"] = json!("90900"),
                DecodeError::WrongType("amount"),
            ),
            (
                &|b| b["amount"] = json!(90900.5),
                DecodeError::NotWhole("amount"),
            ),
            (
                &|b| b["amount"] = json!(-1),
                DecodeError::NotWhole("amount"),
            ),
            (
                &|b| b["amount"] = json!(1e300),
                DecodeError::NotWhole("amount"),
            ),
            (
                &|b| b["state"] = json!("Paid"),
                DecodeError::UnknownState("Paid".into()),
            ),
            (
                &|b| b["payments"] = json!({}),
                DecodeError::WrongType("payments"),
            ),
            (
                &|b| b["payments"][0] = json!("MX123"),
                DecodeError::WrongType("payments"),
            ),
            (
                &|b| drop(b["payments"][0].as_object_mut().unwrap().remove("paid_at")),
                DecodeError::Missing("paid_at"),
            ),
        ];
        for (edit, error) in cases {
            assert_eq!(with(edit), Err(error));
        }
        assert_eq!(
            checkout_view(&parse(&json!([good]))),
            Err(DecodeError::WrongType("body"))
        );
        assert_eq!(
            checkout_view(&JsValue::NULL),
            Err(DecodeError::WrongType("body"))
        );
    }

    #[wasm_bindgen_test]
    fn reads_the_error_body() {
        let body = parse(
            &json!({"error": {"code": "token_expired", "message": "order token has expired"}}),
        );
        assert_eq!(
            api_error(&body),
            Ok(ApiError::new("token_expired", "order token has expired"))
        );
        assert_eq!(
            api_error(&parse(&json!({"message": "Bad Gateway"}))),
            Err(DecodeError::Missing("error"))
        );
    }
}
