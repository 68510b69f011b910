//! Outbound `fetch` with a deadline: a slow ClickPesa or shop must never hold a Durable Object
//! (and the request waiting on it) for longer than we chose.
use std::time::Duration;

use futures_util::future::{select, Either};
use worker::{AbortController, Delay, Fetch, Request, Response};

#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("no response within {0:?}")]
    Timeout(Duration),
    #[error("network error: {0}")]
    Network(#[from] worker::Error),
}

pub async fn send(request: Request, timeout: Duration) -> Result<Response, OutboundError> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let fetch = Fetch::Request(request);
    let response = Box::pin(fetch.send_with_signal(&signal));
    let outcome = match select(response, Box::pin(Delay::from(timeout))).await {
        Either::Left((result, _)) => Ok(result?),
        Either::Right(_) => Err(OutboundError::Timeout(timeout)),
    };
    if outcome.is_err() {
        controller.abort();
    }
    outcome
}
