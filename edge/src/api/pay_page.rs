//! `GET /p/{code}`: a payment link's page, HTML with the widget for that one order. Every code
//! that leads nowhere gets the same bilingual 404 page and costs the client one of its misses;
//! a client out of misses gets 429 for every link, so codes cannot be searched through.
use shared::paylink::{self, PayCode};
use worker::{Env, Request, Response};

use crate::config::Config;
use crate::http::errors::EdgeError;
use crate::http::url;
use crate::service::limiter;
use crate::service::paylink::PayLinkHandle;

pub async fn get(req: &Request, env: &Env, code: Option<&PayCode>) -> Result<Response, EdgeError> {
    let misses = limiter::pay_link_misses_key(&limiter::client_key(req));
    let rate = Config::new(env).pay_link_misses_per_client();
    let link = match code {
        Some(code) => PayLinkHandle::new(env, code).open().await?,
        None => None,
    };
    let url = url::raw(req);
    let origin = url::origin(&url);
    let Some(link) = link else {
        limiter::admit(env, &misses, rate).await?;
        return page(origin, paylink::not_found_page(), 404);
    };
    limiter::check(env, &misses, rate).await?;
    let query = url::query_pairs(&url)
        .find(|(name, _)| name == "lang")
        .map(|(_, value)| value.into_owned());
    let accept = req.headers().get("Accept-Language")?;
    let lang = paylink::page_lang(query.as_deref(), accept.as_deref(), link.lang);
    page(origin, paylink::page(lang, &link.order), 200)
}

fn page(origin: &str, html: String, status: u16) -> Result<Response, EdgeError> {
    let mut response = Response::from_html(html)?.with_status(status);
    let headers = response.headers_mut();
    for (name, value) in paylink::page_headers(origin) {
        headers.set(name, &value)?;
    }
    Ok(response)
}
