//! The shop server's API, behind `Authorization: Bearer <MERCHANT_API_KEY>`: mint an order token,
//! read an order, cancel it.
use shared::api::{CreateOrder, OrderCreated};
use shared::token;
use shared::validate::BillReference;
use worker::{Env, Request, Response};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::{auth, body, log::RequestLog};
use crate::service::bills::BillHandle;

pub(super) fn authorise(req: &Request, env: &Env) -> Result<(), EdgeError> {
    auth::require_merchant(req, &Config::new(env).merchant_api_key()?)
}

/// Mints the token the shop puts in its page; no bill exists until the widget presents it.
pub async fn create(
    req: &mut Request,
    env: &Env,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    authorise(req, env)?;
    let order: CreateOrder = body::json(req).await?;
    log.reference = Some(order.reference.to_string());
    let config = Config::new(env);
    let claims = order
        .into_claims(
            now_secs(),
            config.checkout_ttl_secs(),
            config.order_token_max_lifetime_secs(),
        )
        .map_err(|error| EdgeError::invalid(&error.code, error.message))?;
    // The first secret signs; the others only verify, while a rotation is under way.
    let secrets = config.order_signing_secrets()?;
    let created = OrderCreated {
        order: token::mint(secrets[0].as_bytes(), &claims),
        reference: claims.reference.to_string(),
        expires_at: claims.exp,
    };
    super::json(&created, 201)
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
