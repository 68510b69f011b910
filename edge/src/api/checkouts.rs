//! `POST /v1/checkouts` (the widget starts a checkout with its order token) and
//! `GET /v1/checkouts/{ref}` (the widget polls it, conditionally) and
//! `GET /v1/checkouts/{ref}/live` (the widget's WebSocket for pushed changes).
use shared::api::{BodyLabel, CheckoutView, CreateCheckout};
use shared::live;
use shared::token::{self, OrderClaims, TokenError};
use shared::validate::BillReference;
use worker::{Env, Request, Response};

use crate::clock::now_secs;
use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::{body, log::RequestLog};
use crate::service::bills::BillHandle;
use crate::service::limiter;

pub async fn create(
    req: &mut Request,
    env: &Env,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    let config = Config::new(env);
    // Counted before anything else, so garbage costs a client its budget as much as real tokens.
    let client = limiter::client_key(req);
    limiter::admit(env, &client, config.checkout_limit_per_client()).await?;
    // text/plain too: the widget's create is then a CORS-safelisted request, sent without a
    // preflight round trip on the way to the control number.
    let CreateCheckout { order } =
        body::json_labelled(req, &[BodyLabel::Json, BodyLabel::PlainText]).await?;
    let claims = match verify(env, &order, Expiry::Enforced)? {
        Err(TokenError::Expired { exp }) => return started_before(env, &order, exp, log).await,
        verified => verified.map_err(refusal)?,
    };
    log.reference = Some(claims.reference.to_string());
    let reference = claims.reference.clone();
    limiter::admit(
        env,
        &limiter::order_key(&reference),
        config.checkout_limit_per_order(),
    )
    .await?;
    // Every ClickPesa call the checkout will cause, polls included, is charged to its client now.
    let calls = shared::budget::checkout_calls(config.reconcile_schedule().len());
    limiter::admit_n(
        env,
        &limiter::calls_key(&client),
        config.clickpesa_calls_per_client(),
        calls,
    )
    .await?;
    let created = BillHandle::new(env, &reference).create(claims).await?;
    with_etag(
        super::json(&created.view, if created.created { 201 } else { 200 })?,
        &created.view,
    )
}

/// An expired token can no longer start a checkout, but one it started stays readable, as [`get`]
/// allows: the widget on a payment link opened after the token's expiry shows the bill (pending,
/// paid or expired) instead of an error. No ClickPesa call can follow, so none is charged.
async fn started_before(
    env: &Env,
    order: &str,
    exp: u64,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    let claims = verify(env, order, Expiry::Ignored)?.map_err(refusal)?;
    log.reference = Some(claims.reference.to_string());
    match BillHandle::new(env, &claims.reference).view().await {
        Ok(view) => with_etag(super::json(&view, 200)?, &view),
        Err(EdgeError::NotFound) => Err(refusal(TokenError::Expired { exp })),
        Err(error) => Err(error),
    }
}

/// The order token is the credential: only its holder may read the bill, even after it expired.
pub async fn get(
    req: &Request,
    env: &Env,
    reference: &BillReference,
) -> Result<Response, EdgeError> {
    let claims =
        verify(env, &crate::http::auth::bearer(req)?, Expiry::Ignored)?.map_err(refusal)?;
    if &claims.reference != reference {
        return Err(EdgeError::Forbidden);
    }
    let view = BillHandle::new(env, reference).view().await?;
    let etag = etag(&view);
    if if_none_match(req).is_some_and(|tags| {
        tags.split(',')
            .any(|t| t.trim().trim_start_matches("W/") == etag || t.trim() == "*")
    }) {
        let mut response = Response::empty()?.with_status(304);
        response.headers_mut().set("ETag", &etag)?;
        return Ok(response);
    }
    with_etag(super::json(&view, 200)?, &view)
}

/// The live-update socket: authenticated exactly as [`get`], with the order token offered as a
/// WebSocket subprotocol beside `billpay.v1` (never in the URL, which proxies log).
pub async fn live(
    req: &Request,
    env: &Env,
    reference: &BillReference,
    origin_allowed: bool,
) -> Result<Response, EdgeError> {
    // Browsers send no CORS preflight for sockets: the origin is checked here instead.
    if !origin_allowed {
        return Err(EdgeError::Forbidden);
    }
    if Config::new(env).live_updates_off_for(reference.as_str()) {
        return Err(EdgeError::NotFound);
    }
    if !crate::service::sockets::is_upgrade(req) {
        return Err(EdgeError::invalid(
            "upgrade_required",
            "this route only opens WebSockets",
        ));
    }
    let offered = req
        .headers()
        .get("Sec-WebSocket-Protocol")?
        .unwrap_or_default();
    let claims = verify(env, live::order_token(&offered)?, Expiry::Ignored)?.map_err(refusal)?;
    if &claims.reference != reference {
        return Err(EdgeError::Forbidden);
    }
    BillHandle::new(env, reference)
        .watch(&limiter::client_key(req))
        .await
}

enum Expiry {
    Enforced,
    Ignored,
}

/// The token's claims, or why it is refused (the outer error: the deployment has no secret).
fn verify(
    env: &Env,
    order: &str,
    expiry: Expiry,
) -> Result<Result<OrderClaims, TokenError>, EdgeError> {
    let config = Config::new(env);
    let secrets = config.order_signing_secrets()?;
    let secrets: Vec<&[u8]> = secrets.iter().map(|s| s.as_bytes()).collect();
    let now = now_secs();
    Ok(match expiry {
        Expiry::Enforced => token::verify(&secrets, order, now).and_then(|claims| {
            let max = config.order_token_max_lifetime_secs();
            token::check_lifetime(&claims, now, max).map(|()| claims)
        }),
        Expiry::Ignored => token::verify_signature_only(&secrets, order),
    })
}

fn refusal(error: TokenError) -> EdgeError {
    match error {
        // Correctly signed but carrying a bad field: the shop minted it wrong.
        TokenError::InvalidField(invalid) => EdgeError::invalid(invalid.code(), invalid),
        other => EdgeError::unauthorized(other.code(), other.to_string()),
    }
}

/// The bill's version: it changes whenever anything the widget shows changes.
fn etag(view: &CheckoutView) -> String {
    format!("\"{}\"", view.version)
}

fn if_none_match(req: &Request) -> Option<String> {
    req.headers().get("If-None-Match").ok().flatten()
}

fn with_etag(mut response: Response, view: &CheckoutView) -> Result<Response, EdgeError> {
    let headers = response.headers_mut();
    headers.set("ETag", &etag(view))?;
    // Polls revalidate with If-None-Match; nothing may serve a stale copy in between.
    headers.set("Cache-Control", "no-cache")?;
    Ok(response)
}
