//! `PayLink`: one Durable Object per payment-link code (`/p/{code}`), keeping the order token the
//! link opens, and the worker's typed handle on it. Strongly consistent: a link works the moment
//! `POST /v1/orders` returns it. The lifetime rule is `shared::paylink`; this object only keeps
//! the record, asks the bill, and deletes itself once the link is gone.
use shared::paylink::{self, PayCode, Standing, CODE_BYTES};
use wasm_bindgen::prelude::wasm_bindgen;
use worker::{durable_object, js_sys::Uint8Array, DurableObject, Env, Request, Response, State};

use crate::clock::now_secs;
use crate::http::errors::EdgeError;
use crate::model::paylink::{PayLinkRequest, StoredLink};
use crate::service::bills::BillHandle;
use crate::service::rpc;

/// The binding name in wrangler.toml.
pub const BINDING: &str = "PAY_LINK";
const STORAGE_KEY: &str = "link";
/// When asking the bill fails (a runtime hiccup), the alarm tries again this much later rather
/// than deleting a link that may still be wanted.
const RETRY_SECS: u64 = 3600;

#[wasm_bindgen]
extern "C" {
    /// The Workers runtime's Web Crypto CSPRNG.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(array: &Uint8Array);
}

/// A fresh code from the runtime's cryptographic random source.
pub fn random_code() -> PayCode {
    let array = Uint8Array::new_with_length(CODE_BYTES as u32);
    get_random_values(&array);
    let mut bytes = [0u8; CODE_BYTES];
    array.copy_to(&mut bytes);
    PayCode::from_random(bytes)
}

#[durable_object]
pub struct PayLink {
    state: State,
    env: Env,
}

impl DurableObject for PayLink {
    fn new(state: State, env: Env) -> Self {
        Self { state, env }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match req.json::<PayLinkRequest>().await? {
            PayLinkRequest::Store(link) => rpc::reply(&self.store(link).await),
            PayLinkRequest::Open => rpc::reply(&self.open().await),
        }
    }

    async fn alarm(&self) -> worker::Result<Response> {
        let now = now_secs();
        let next = match self.open().await {
            Ok(Some(link)) => Some(paylink::next_check(link.exp, now)),
            Ok(None) => None,
            Err(error) => {
                worker::console_error!("pay link alarm failed: {error}");
                Some(now + RETRY_SECS)
            }
        };
        if let Some(at) = next {
            self.wake_at(at, now).await?;
        }
        Response::empty()
    }
}

impl PayLink {
    async fn load(&self) -> Result<Option<StoredLink>, EdgeError> {
        Ok(self.state.storage().get(STORAGE_KEY).await?)
    }

    async fn wake_at(&self, at: u64, now: u64) -> worker::Result<()> {
        let delay_ms = at.saturating_sub(now).max(1) * 1000;
        self.state.storage().set_alarm(delay_ms as i64).await
    }

    async fn store(&self, link: StoredLink) -> Result<(), EdgeError> {
        if self.load().await?.is_some() {
            return Err(EdgeError::conflict("code_taken", "this link code is taken"));
        }
        let now = now_secs();
        self.state.storage().put(STORAGE_KEY, &link).await?;
        self.wake_at(paylink::next_check(link.exp, now), now)
            .await?;
        Ok(())
    }

    /// The link if it is still alive; a link found gone deletes itself here and now.
    async fn open(&self) -> Result<Option<StoredLink>, EdgeError> {
        let Some(link) = self.load().await? else {
            return Ok(None);
        };
        if Standing::at(link.exp, now_secs()) == Standing::TokenValid {
            return Ok(Some(link));
        }
        match BillHandle::new(&self.env, &link.reference).view().await {
            Ok(_) => Ok(Some(link)),
            Err(EdgeError::NotFound) => {
                let storage = self.state.storage();
                storage.delete_alarm().await?;
                storage.delete_all().await?;
                Ok(None)
            }
            Err(error) => Err(error),
        }
    }
}

/// The worker's handle on the link with `code`.
pub struct PayLinkHandle<'a> {
    env: &'a Env,
    code: &'a PayCode,
}

impl<'a> PayLinkHandle<'a> {
    pub fn new(env: &'a Env, code: &'a PayCode) -> Self {
        Self { env, code }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        request: &PayLinkRequest,
    ) -> Result<T, EdgeError> {
        let stub = self
            .env
            .durable_object(BINDING)?
            .get_by_name(self.code.as_str())?;
        rpc::call(&stub, request).await?
    }

    pub async fn store(&self, link: StoredLink) -> Result<(), EdgeError> {
        self.call(&PayLinkRequest::Store(link)).await
    }

    pub async fn open(&self) -> Result<Option<StoredLink>, EdgeError> {
        self.call(&PayLinkRequest::Open).await
    }
}
