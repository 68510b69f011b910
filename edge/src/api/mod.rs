//! The public routes (docs/design.md "Edge"): resolving a path to a resource, method checks and CORS
//! preflights, then the resource's handler.
mod checkouts;
mod health;
mod orders;
mod pay_page;
mod reports;
mod webhooks;

use shared::paylink::PayCode;
use shared::validate::BillReference;
use worker::{Env, Method, Request, Response};

use crate::http::errors::EdgeError;
use crate::http::{cors, log::RequestLog};

enum Resource {
    Health,
    Checkouts,
    Checkout(BillReference),
    CheckoutLive(BillReference),
    ClickPesaWebhooks,
    Orders,
    Order(BillReference),
    OrderCancellation(BillReference),
    /// A payment link's page; `None` for a code that cannot exist (it gets the same 404 page).
    PayPage(Option<PayCode>),
    PaymentsReport,
}

impl Resource {
    /// The resource at `path` and its route pattern (for logs), or `None` for a 404. A path
    /// segment that cannot be a reference cannot name a bill either: also a 404.
    fn resolve(path: &str) -> Option<(Self, &'static str)> {
        let segments: Vec<&str> = path.trim_end_matches('/').split('/').skip(1).collect();
        let reference = |s: &str| BillReference::parse(s).ok();
        Some(match segments.as_slice() {
            ["healthz"] => (Self::Health, "/healthz"),
            ["v1", "checkouts"] => (Self::Checkouts, "/v1/checkouts"),
            ["v1", "checkouts", r] => (Self::Checkout(reference(r)?), "/v1/checkouts/{ref}"),
            ["v1", "checkouts", r, "live"] => (
                Self::CheckoutLive(reference(r)?),
                "/v1/checkouts/{ref}/live",
            ),
            ["v1", "webhooks", "clickpesa"] => (Self::ClickPesaWebhooks, "/v1/webhooks/clickpesa"),
            ["v1", "orders"] => (Self::Orders, "/v1/orders"),
            ["v1", "orders", r] => (Self::Order(reference(r)?), "/v1/orders/{ref}"),
            ["v1", "orders", r, "cancel"] => (
                Self::OrderCancellation(reference(r)?),
                "/v1/orders/{ref}/cancel",
            ),
            ["p", code] => (Self::PayPage(PayCode::parse(code)), "/p/{code}"),
            ["v1", "reports", "payments"] => (Self::PaymentsReport, "/v1/reports/payments"),
            _ => return None,
        })
    }

    fn allowed_method(&self) -> Method {
        match self {
            Self::Health
            | Self::Checkout(_)
            | Self::CheckoutLive(_)
            | Self::Order(_)
            | Self::PayPage(_) => Method::Get,
            Self::PaymentsReport => Method::Get,
            Self::Checkouts
            | Self::ClickPesaWebhooks
            | Self::Orders
            | Self::OrderCancellation(_) => Method::Post,
        }
    }

    fn reference(&self) -> Option<&BillReference> {
        match self {
            Self::Checkout(r)
            | Self::CheckoutLive(r)
            | Self::Order(r)
            | Self::OrderCancellation(r) => Some(r),
            _ => None,
        }
    }
}

/// Routes one request. `log` receives the route pattern and, once known, the bill reference.
pub async fn handle(
    mut req: Request,
    env: &Env,
    origin: Option<&str>,
    log: &mut RequestLog,
) -> Result<Response, EdgeError> {
    let Some((resource, route)) = Resource::resolve(&req.path()) else {
        return Err(EdgeError::NotFound);
    };
    log.route = route;
    log.reference = resource.reference().map(ToString::to_string);
    let method = req.method();
    let allowed = resource.allowed_method();
    if method == Method::Options {
        return cors::preflight(origin, &format!("{allowed}, OPTIONS"));
    }
    if method != allowed {
        return Err(EdgeError::MethodNotAllowed {
            allow: format!("{allowed}, OPTIONS"),
        });
    }
    match resource {
        Resource::Health => health::get(),
        Resource::Checkouts => checkouts::create(&mut req, env, log).await,
        Resource::Checkout(reference) => checkouts::get(&req, env, &reference).await,
        Resource::CheckoutLive(reference) => {
            let foreign = req.headers().get("Origin")?.is_some() && origin.is_none();
            checkouts::live(&req, env, &reference, !foreign).await
        }
        Resource::ClickPesaWebhooks => webhooks::clickpesa(&mut req, env, log).await,
        Resource::Orders => orders::create(&mut req, env, log).await,
        Resource::Order(reference) => orders::get(&req, env, &reference).await,
        Resource::OrderCancellation(reference) => orders::cancel(&req, env, &reference).await,
        Resource::PayPage(code) => pay_page::get(&req, env, code.as_ref()).await,
        Resource::PaymentsReport => reports::payments(&req, env).await,
    }
}

/// A JSON response with the given status.
fn json<T: serde::Serialize>(value: &T, status: u16) -> Result<Response, EdgeError> {
    let mut response = Response::from_json(value)?.with_status(status);
    response.headers_mut().set("Cache-Control", "no-store")?;
    Ok(response)
}
