//! The shop server's API, behind `Authorization: Bearer <MERCHANT_API_KEY>`: mint an order token,
//! read an order, cancel it.
use shared::api::{CreateOrder, OrderCreated};
use shared::paylink::{self, MAX_PAY_URL_LEN};
use shared::token::{self, OrderClaims};
use shared::validate::BillReference;
use worker::{Env, Request, Response};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::{auth, body, log::RequestLog};
use crate::model::paylink::StoredLink;
use crate::service::bills::BillHandle;
use crate::service::paylink::{random_code, PayLinkHandle};

pub(super) fn authorise(req: &Request, env: &Env) -> Result<(), EdgeError> {
    auth::require_merchant(req, &Config::new(env).merchant_api_key()?)
}

/// Mints the token the shop puts in its page, and its payment link; no bill exists until the
/// widget presents the token.
pub async fn create(
    req: &mut Request,
    env: &Env,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    authorise(req, env)?;
    let order: CreateOrder = body::json(req).await?;
    log.reference = Some(order.reference.to_string());
    let config = Config::new(env);
    let lang = order.lang;
    let claims = order
        .into_claims(
            now_secs(),
            config.checkout_ttl_secs(),
            config.order_token_max_lifetime_secs(),
        )
        .map_err(|error| EdgeError::invalid(&error.code, error.message))?;
    // The first secret signs; the others only verify, while a rotation is under way.
    let secrets = config.order_signing_secrets()?;
    let order = token::mint(secrets[0].as_bytes(), &claims);
    let origin = match config.public_url() {
        Some(url) => url,
        None => crate::http::url::origin(&crate::http::url::raw(req)).to_owned(),
    };
    let pay_url = store_link(env, &origin, &claims, &order, lang).await?;
    let created = OrderCreated {
        order,
        reference: claims.reference.to_string(),
        expires_at: claims.exp,
        pay_url,
    };
    super::json(&created, 201)
}

/// Keeps the token under a fresh random code and returns the link. A code already taken (at 96
/// bits, never in practice) is replaced by another.
async fn store_link(
    env: &Env,
    origin: &str,
    claims: &OrderClaims,
    order: &str,
    lang: Option<shared::channels::Lang>,
) -> Result<String, EdgeError> {
    let mut attempts = 0;
    let code = loop {
        let code = random_code();
        let link = StoredLink {
            order: order.to_owned(),
            reference: claims.reference.clone(),
            exp: claims.exp,
            lang,
        };
        match PayLinkHandle::new(env, &code).store(link).await {
            Err(EdgeError::Conflict { .. }) if attempts < 3 => attempts += 1,
            stored => break stored.map(|()| code)?,
        }
    };
    let url = paylink::pay_url(origin, &code);
    if url.len() > MAX_PAY_URL_LEN {
        worker::console_warn!(
            "pay_url is {} characters, over {MAX_PAY_URL_LEN}: set PUBLIC_URL to a shorter origin",
            url.len()
        );
    }
    Ok(url)
}

pub async fn get(
    req: &Request,
    env: &Env,
    reference: &BillReference,
) -> Result<Response, EdgeError> {
    authorise(req, env)?;
    super::json(&BillHandle::new(env, reference).order_view().await?, 200)
}

/// Deactivates the number at ClickPesa, then marks the bill cancelled (409 once it is paid).
pub async fn cancel(
    req: &Request,
    env: &Env,
    reference: &BillReference,
) -> Result<Response, EdgeError> {
    authorise(req, env)?;
    super::json(&BillHandle::new(env, reference).cancel().await?, 200)
}
