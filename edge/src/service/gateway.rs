//! `ClickPesaGateway`: the singleton Durable Object through which every ClickPesa call goes.
//!
//! One place holds the 1-hour access token (pre-KYC accounts get 100 calls a day, generate-token
//! included, so never one token per request), keeps the account under ClickPesa's 120 requests a
//! minute, signs bodies when checksums are on, and retries what is worth retrying.
use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use futures_util::lock::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use worker::{
    durable_object, DurableObject, Env, Headers, Method, Request, RequestInit, Response, State,
};

use shared::budget::DailyCalls;

use crate::clock::{now_ms, now_secs};
use crate::config::Config;
use crate::http::outbound;
use crate::model::gateway::{GatewayCall, GatewayError, GatewayRequest, Priority};
use crate::service::rpc;

/// The binding name in wrangler.toml and the one object's name.
pub const BINDING: &str = "CLICKPESA_GATEWAY";
pub const INSTANCE: &str = "clickpesa";

const TOKEN_KEY: &str = "token";
const DAILY_CALLS_KEY: &str = "daily_calls";
/// ClickPesa tokens live one hour; refresh five minutes early so none expires mid-request.
const TOKEN_LIFETIME_MS: u64 = 60 * 60 * 1000;
const TOKEN_REFRESH_MARGIN_MS: u64 = 5 * 60 * 1000;
const WINDOW_MS: u64 = 60_000;
/// Waiting longer than this for a pacing slot is worse for a shopper than a 503 with Retry-After.
const MAX_PACING_WAIT_MS: u64 = 5_000;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(8);
/// Attempts per call for 5xx and timeouts, with exponential backoff from `BACKOFF_BASE_MS`.
const MAX_ATTEMPTS: u32 = 3;
const BACKOFF_BASE_MS: u64 = 300;
const RETRY_AFTER_SECS: u32 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedToken {
    /// Exactly as ClickPesa returned it, `Bearer ` prefix included (docs/clickpesa.md §1.2).
    value: String,
    expires_at_ms: u64,
}

impl CachedToken {
    fn is_fresh(&self, now_ms: u64) -> bool {
        now_ms + TOKEN_REFRESH_MARGIN_MS < self.expires_at_ms
    }
}

/// How one exchange with ClickPesa failed; [`ClickPesaGateway::call`] decides from it what is
/// worth another attempt.
enum Failure {
    /// ClickPesa answered with this non-2xx status.
    Status(u16),
    /// No answer: refused or reset connection, timeout, or a request that could not be built.
    Transport,
    /// Not sent: the pacing window is full, and a slot frees in `retry_after` seconds.
    Paced { retry_after: u32 },
    /// A 2xx whose body is not JSON.
    BadBody,
}

#[durable_object]
pub struct ClickPesaGateway {
    state: State,
    env: Env,
    token: RefCell<Option<CachedToken>>,
    /// Single flight for generate-token: concurrent callers wait for one refresh.
    refresh: Mutex<()>,
    /// Start times of the calls made in the last minute.
    window: RefCell<VecDeque<u64>>,
    /// Serialises read-modify-write of the stored daily call count.
    daily: Mutex<()>,
}

impl DurableObject for ClickPesaGateway {
    fn new(state: State, env: Env) -> Self {
        Self {
            state,
            env,
            token: RefCell::new(None),
            refresh: Mutex::new(()),
            window: RefCell::new(VecDeque::new()),
            daily: Mutex::new(()),
        }
    }

    async fn fetch(&self, mut req: Request) -> worker::Result<Response> {
        match req.json::<GatewayRequest>().await? {
            GatewayRequest::Call(call) => {
                let result = self.call(&call).await;
                if let Err(error) = &result {
                    worker::console_warn!("clickpesa {:?} {}: {error}", call.method, call.path);
                }
                rpc::reply(&result)
            }
            GatewayRequest::ReserveCheckout { calls } => {
                rpc::reply(&self.reserve(calls, "a new checkout").await)
            }
            GatewayRequest::ReserveReport { calls } => {
                rpc::reply(&self.reserve(calls, "a report").await)
            }
        }
    }
}

impl ClickPesaGateway {
    /// Books the calls of `what` (a new checkout, a report) for today, or refuses it once
    /// CLICKPESA_DAILY_CALL_LIMIT would be passed. Off (always booked, nothing stored) when no
    /// limit is set.
    async fn reserve(&self, calls: u32, what: &str) -> Result<(), GatewayError> {
        let Some(limit) = Config::new(&self.env).clickpesa_daily_call_limit() else {
            return Ok(());
        };
        self.update_daily(|day| day.book(calls, limit, now_secs()))
            .await?
            .map_err(|spent| {
                worker::console_error!(
                    "clickpesa: daily call limit {limit} reached; {what} was refused"
                );
                GatewayError::DailyLimit {
                    retry_after: spent.retry_after_secs,
                }
            })
    }

    /// Applies `change` to the stored daily count and stores the result.
    async fn update_daily<T>(
        &self,
        change: impl FnOnce(&mut DailyCalls) -> T,
    ) -> Result<T, GatewayError> {
        let _serial = self.daily.lock().await;
        let storage = self.state.storage();
        let mut day: DailyCalls = storage
            .get(DAILY_CALLS_KEY)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        let outcome = change(&mut day);
        storage.put(DAILY_CALLS_KEY, &day).await.map_err(|error| {
            worker::console_error!("gateway: daily call count not stored: {error}");
            GatewayError::Unavailable {
                retry_after: RETRY_AFTER_SECS,
            }
        })?;
        Ok(outcome)
    }

    async fn call(&self, call: &GatewayCall) -> Result<Value, GatewayError> {
        let mut attempt = 0;
        let mut token_renewed = false;
        loop {
            let token = self.token(call.priority).await?;
            match self.send(call, &token).await {
                Ok(body) => return Ok(body),
                // A token revoked early (e.g. checksum settings changed): renew once, then give up.
                Err(Failure::Status(401)) if !token_renewed => {
                    self.forget_token(&token).await;
                    token_renewed = true;
                }
                Err(Failure::Status(404)) => return Err(GatewayError::NotFound),
                Err(Failure::Status(409)) => return Err(GatewayError::Conflict),
                Err(Failure::Status(429)) => {
                    return Err(GatewayError::Unavailable {
                        retry_after: RETRY_AFTER_SECS,
                    })
                }
                Err(Failure::Status(status)) if status < 500 => {
                    return Err(GatewayError::Rejected { status })
                }
                // Pacing already waited as long as this caller may; asking again cannot help.
                Err(Failure::Paced { retry_after }) => {
                    return Err(GatewayError::Unavailable { retry_after })
                }
                // A 2xx was answered: the request went through, so it must not be sent again.
                Err(Failure::BadBody) => return Err(GatewayError::UnexpectedBody),
                Err(Failure::Status(_) | Failure::Transport) => {
                    attempt += 1;
                    if attempt >= MAX_ATTEMPTS {
                        return Err(GatewayError::Unavailable {
                            retry_after: RETRY_AFTER_SECS,
                        });
                    }
                    worker::Delay::from(Duration::from_millis(BACKOFF_BASE_MS << (attempt - 1)))
                        .await;
                }
            }
        }
    }

    async fn send(&self, call: &GatewayCall, token: &str) -> Result<Value, Failure> {
        let config = Config::new(&self.env);
        let headers = Headers::new();
        let mut init = RequestInit::new();
        init.with_method(call.method.into());
        let built = (|| -> worker::Result<Request> {
            headers.set("Authorization", token)?;
            if let Some(body) = &call.body {
                let mut body = body.clone();
                if let Some(key) = config.clickpesa_checksum_key() {
                    shared::checksum::attach(key.as_bytes(), &mut body);
                }
                headers.set("Content-Type", "application/json")?;
                init.with_body(Some(serde_json::to_string(&body)?.into()));
            }
            init.with_headers(headers.clone());
            Request::new_with_init(
                &format!("{}{}", config.clickpesa_base_url(), call.path),
                &init,
            )
        })();
        let request = built.map_err(|error| {
            worker::console_error!("clickpesa request could not be built: {error}");
            Failure::Transport
        })?;
        self.exchange(request, call.priority).await
    }

    /// Sends one paced request; a 2xx body is parsed as JSON (an empty one as `null`).
    async fn exchange(&self, request: Request, priority: Priority) -> Result<Value, Failure> {
        self.admit(priority).await?;
        let mut response = outbound::send(request, REQUEST_TIMEOUT)
            .await
            .map_err(|error| {
                worker::console_warn!("clickpesa: {error}");
                Failure::Transport
            })?;
        let status = response.status_code();
        if !(200..300).contains(&status) {
            return Err(Failure::Status(status));
        }
        let text = response.text().await.map_err(|_| Failure::Transport)?;
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|_| Failure::BadBody)
    }

    /// Takes a slot in the sliding one-minute window: interactive calls wait briefly for one,
    /// background calls only take one while the window is below their share.
    async fn admit(&self, priority: Priority) -> Result<(), Failure> {
        let per_minute = Config::new(&self.env).clickpesa_requests_per_minute();
        let limit = match priority {
            Priority::Interactive => per_minute,
            // Background calls may fill 60% of the window; the rest stays free for checkouts.
            Priority::Background => (per_minute * 3 / 5).max(1),
        };
        loop {
            let now = now_ms();
            let wait_ms = {
                let mut window = self.window.borrow_mut();
                while window
                    .front()
                    .is_some_and(|&started| started + WINDOW_MS <= now)
                {
                    window.pop_front();
                }
                if window.len() < limit {
                    window.push_back(now);
                    return Ok(());
                }
                // The slot frees when the call `limit` places from the end leaves the window.
                window
                    .get(window.len() - limit)
                    .map_or(0, |&started| started + WINDOW_MS - now)
            };
            if priority == Priority::Background || wait_ms > MAX_PACING_WAIT_MS {
                return Err(Failure::Paced {
                    retry_after: wait_ms.div_ceil(1000).max(1) as u32,
                });
            }
            worker::Delay::from(Duration::from_millis(wait_ms.max(1))).await;
        }
    }

    /// A fresh token from memory, storage (survives eviction), or generate-token, in that order.
    async fn token(&self, priority: Priority) -> Result<String, GatewayError> {
        if let Some(token) = self.cached_token() {
            return Ok(token);
        }
        let _single_flight = self.refresh.lock().await;
        if let Some(token) = self.cached_token() {
            return Ok(token);
        }
        let stored: Option<CachedToken> = self.state.storage().get(TOKEN_KEY).await.ok().flatten();
        let token = match stored.filter(|t| t.is_fresh(now_ms())) {
            Some(token) => token,
            None => {
                let token = self.generate_token(priority).await?;
                if let Err(error) = self.state.storage().put(TOKEN_KEY, &token).await {
                    worker::console_error!("gateway: token not persisted: {error}");
                }
                token
            }
        };
        let value = token.value.clone();
        *self.token.borrow_mut() = Some(token);
        Ok(value)
    }

    fn cached_token(&self) -> Option<String> {
        let now = now_ms();
        self.token
            .borrow()
            .as_ref()
            .filter(|t| t.is_fresh(now))
            .map(|t| t.value.clone())
    }

    /// Drops `rejected` unless a concurrent caller already replaced it with a newer token.
    async fn forget_token(&self, rejected: &str) {
        let is_current = self
            .token
            .borrow()
            .as_ref()
            .is_some_and(|t| t.value == rejected);
        if is_current {
            *self.token.borrow_mut() = None;
            let _ = self.state.storage().delete(TOKEN_KEY).await;
        }
    }

    async fn generate_token(&self, priority: Priority) -> Result<CachedToken, GatewayError> {
        let unavailable = GatewayError::Unavailable {
            retry_after: RETRY_AFTER_SECS,
        };
        let config = Config::new(&self.env);
        let (Ok(client_id), Ok(api_key)) =
            (config.clickpesa_client_id(), config.clickpesa_api_key())
        else {
            return Err(unavailable);
        };
        let started = now_ms();
        let request = (|| -> worker::Result<Request> {
            let headers = Headers::new();
            headers.set("client-id", &client_id)?;
            headers.set("api-key", &api_key)?;
            let mut init = RequestInit::new();
            init.with_method(Method::Post).with_headers(headers);
            Request::new_with_init(
                &format!("{}/generate-token", config.clickpesa_base_url()),
                &init,
            )
        })()
        .map_err(|_| unavailable.clone())?;
        let body = match self.exchange(request, priority).await {
            Ok(body) => body,
            Err(Failure::Status(status)) => {
                // 401/403 here are wrong credentials: an operator problem, not the shopper's.
                worker::console_error!("clickpesa generate-token failed with {status}");
                return Err(unavailable);
            }
            Err(Failure::Transport) => return Err(unavailable),
            Err(Failure::Paced { retry_after }) => {
                return Err(GatewayError::Unavailable { retry_after })
            }
            Err(Failure::BadBody) => return Err(GatewayError::UnexpectedBody),
        };
        if Config::new(&self.env)
            .clickpesa_daily_call_limit()
            .is_some()
        {
            // Token refreshes count against the day too, though no checkout booked them.
            let _ = self.update_daily(|day| day.record(1, now_secs())).await;
        }
        let response: shared::clickpesa::TokenResponse =
            serde_json::from_value(body).map_err(|_| GatewayError::UnexpectedBody)?;
        Ok(CachedToken {
            value: response.token,
            expires_at_ms: started + TOKEN_LIFETIME_MS,
        })
    }
}
