//! The request/response convention between the worker and its Durable Objects: each object takes
//! one serde-tagged request enum (`{"op": "...", ...}`) as a JSON `POST`, matched exhaustively on
//! its side, and answers a JSON `Result<T, E>`. Plumbing failures surface as `worker::Error`.
use serde::{de::DeserializeOwned, Serialize};
use worker::{Headers, Method, Request, RequestInit, Response, Stub};

pub async fn call<Req, T, E>(stub: &Stub, request: &Req) -> worker::Result<Result<T, E>>
where
    Req: Serialize,
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let body = serde_json::to_string(request)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    // A Durable Object stub ignores the URL; the request enum names the operation.
    let request = Request::new_with_init("https://object/", &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    response.json().await
}

pub fn reply<T: Serialize, E: Serialize>(result: &Result<T, E>) -> worker::Result<Response> {
    Response::from_json(result)
}
