//! Request bodies: JSON only, at most [`MAX_BODY_BYTES`], parsed into a typed value. A route names
//! the labels (`Content-Type`) it takes; the bytes are read and parsed the same way under each.
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use shared::api::BodyLabel;
use worker::Request;

use super::errors::EdgeError;

/// Every body this API takes is a small JSON object; anything larger is a mistake or an attack.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// The raw body after the content-type and size checks (webhook checksums need the exact bytes).
pub async fn read_json_bytes(req: &mut Request) -> Result<Vec<u8>, EdgeError> {
    read_bytes(req, &[BodyLabel::Json]).await
}

/// The raw body, labelled one of `accepted`, after the size checks.
async fn read_bytes(req: &mut Request, accepted: &[BodyLabel]) -> Result<Vec<u8>, EdgeError> {
    let content_type = req.headers().get("Content-Type")?.unwrap_or_default();
    if !BodyLabel::of(&content_type).is_some_and(|label| accepted.contains(&label)) {
        let names: Vec<&str> = accepted.iter().map(|label| label.name()).collect();
        return Err(EdgeError::UnsupportedMediaType {
            accepted: names.join(" or "),
        });
    }
    // Content-Length lets us refuse without reading; the byte count catches chunked bodies.
    let declared = req
        .headers()
        .get("Content-Length")?
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > MAX_BODY_BYTES) {
        return Err(EdgeError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    read_at_most(req, MAX_BODY_BYTES).await
}

/// The body, read chunk by chunk, holding at most `limit` bytes: a chunked body declares no
/// length, and reading it whole first would let a client make us buffer anything. Past the limit
/// the rest is read and dropped rather than abandoned mid-stream: under `wrangler dev`, a request
/// whose body was left unread made workerd fail the requests that followed.
async fn read_at_most(req: &mut Request, limit: usize) -> Result<Vec<u8>, EdgeError> {
    let mut stream = match req.stream() {
        Ok(stream) => stream,
        // A request without a body: nothing to read.
        Err(worker::Error::RustError(_)) => return Ok(Vec::new()),
        Err(error) => return Err(error.into()),
    };
    let mut bytes = Vec::new();
    let mut too_large = false;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        too_large |= bytes.len() + chunk.len() > limit;
        if too_large {
            bytes = Vec::new();
            continue;
        }
        bytes.extend_from_slice(&chunk);
    }
    match too_large {
        true => Err(EdgeError::TooLarge { limit }),
        false => Ok(bytes),
    }
}

/// Parses a checked body. Syntax errors are 400; a well-formed body whose fields fail `shared`'s
/// validation is 422 with the field's own error.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, EdgeError> {
    serde_json::from_slice(bytes).map_err(|error| match error.classify() {
        serde_json::error::Category::Data => {
            EdgeError::invalid("invalid_input", without_input(&strip_position(&error)))
        }
        _ => EdgeError::BadJson,
    })
}

pub async fn json<T: DeserializeOwned>(req: &mut Request) -> Result<T, EdgeError> {
    json_labelled(req, &[BodyLabel::Json]).await
}

/// [`json`] for a route that takes more labels than `application/json`.
pub async fn json_labelled<T: DeserializeOwned>(
    req: &mut Request,
    accepted: &[BodyLabel],
) -> Result<T, EdgeError> {
    parse(&read_bytes(req, accepted).await?)
}

/// serde quotes the offending value in backticks (``invalid type: string `<script>`, expected
/// u64``): an error must not echo input back, so the message ends before the first quote. Only
/// a missing field keeps its name, which is ours, not the client's.
fn without_input(message: &str) -> String {
    if message.starts_with("missing field") {
        return message.to_owned();
    }
    let cut = message.split('`').next().unwrap_or_default();
    cut.trim_end_matches([' ', ':', ',']).to_owned()
}

/// serde_json appends " at line 1 column 42" to its messages: noise for an API client.
fn strip_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}
