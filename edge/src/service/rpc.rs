//! The request/response convention between the worker and its Durable Objects: `POST /<op>` with a
//! JSON body, answered with a JSON `Result<T, E>`. Plumbing failures surface as `worker::Error`.
use serde::{de::DeserializeOwned, Serialize};
use worker::{Headers, Method, Request, RequestInit, Response, Stub};

pub async fn call<Req, T, E>(stub: &Stub, op: &str, body: &Req) -> worker::Result<Result<T, E>>
where
    Req: Serialize,
    T: DeserializeOwned,
    E: DeserializeOwned,
{
    let headers = Headers::new();
    headers.set("Content-Type", "application/json")?;
    let body = serde_json::to_string(body)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_body(Some(body.into()));
    // The host is ignored by a Durable Object stub; only the path names the operation.
    let request = Request::new_with_init(&format!("https://object/{op}"), &init)?;
    let mut response = stub.fetch_with_request(request).await?;
    response.json().await
}

/// The object-side half of [`call`]: the operation name from the path.
pub fn op(req: &Request) -> String {
    req.path().trim_start_matches('/').to_owned()
}

pub fn reply<T: Serialize, E: Serialize>(result: &Result<T, E>) -> worker::Result<Response> {
    Response::from_json(result)
}
