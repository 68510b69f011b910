//! HTTP plumbing shared by every route: errors, body limits, credentials, CORS, logging, and the
//! one outbound `fetch` with a timeout.
pub mod auth;
pub mod body;
pub mod cors;
pub mod errors;
pub mod log;
pub mod outbound;
pub mod url;
