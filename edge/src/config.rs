//! Every secret and variable the worker reads, by name, with its default. Secrets and vars are both
//! plain strings in the Workers env (`wrangler secret put` / `[vars]` / `wrangler dev --var`).
use std::cell::RefCell;
use std::collections::BTreeSet;

use shared::bucket::Rate;
use shared::notify::WebhookSecret;
use worker::Env;

use crate::http::errors::EdgeError;

const PRODUCTION_BASE_URL: &str = "https://api.clickpesa.com/third-parties";
const DEFAULT_CHECKOUT_TTL_SECS: u64 = 3600;
const DEFAULT_RECONCILE_SCHEDULE: &[u64] = &[30, 60, 120, 300, 600, 1800, 3600];
const DEFAULT_NOTIFY_RETRY_BASE_SECS: u64 = 10;
const DEFAULT_NOTIFY_RETRY_MAX_SECS: u64 = 3600;
/// With the default gaps (10 s doubling to an hour) about a day of attempts.
const DEFAULT_NOTIFY_MAX_ATTEMPTS: u64 = 30;
/// A week: far below the retention period, so no token outlives the bill it may create.
const DEFAULT_ORDER_TOKEN_MAX_LIFETIME_SECS: u64 = 7 * 24 * 3600;
/// Below ClickPesa's 120/min, leaving room for a second deployment's stray calls and clock skew.
const DEFAULT_CLICKPESA_REQUESTS_PER_MINUTE: u64 = 100;
/// A shopper's page may be reloaded a few times; a script replaying one token is stopped here.
const DEFAULT_CHECKOUT_LIMIT_PER_ORDER: u64 = 6;
/// Generous for shoppers behind one carrier NAT, yet one client can take at most about a third
/// of the account's ClickPesa budget.
const DEFAULT_CHECKOUT_LIMIT_PER_CLIENT: u64 = 30;
/// A customer opens a link once or twice; a script guessing codes is stopped after this many misses.
const DEFAULT_PAY_LINK_MISSES_PER_CLIENT: u64 = 20;
/// Thirty days after a bill's final state (and its last notification) its storage is deleted.
const DEFAULT_BILL_RETENTION_SECS: u64 = 30 * 24 * 3600;

/// Where and how to notify the shop's server of bill events.
pub struct MerchantWebhook {
    pub url: String,
    /// MERCHANT_WEBHOOK_SECRET as a comma-separated list of `whsec_…` secrets: every notification
    /// carries one `v1,` signature per secret, so the shop can move to a new secret whenever it
    /// likes.
    pub secrets: Vec<String>,
}

impl MerchantWebhook {
    /// The parsed secrets. A malformed one fails the delivery (it is kept and retried, so nothing
    /// is lost while the deployment is fixed); the error names its position, never its value.
    pub fn signing_secrets(&self) -> Result<Vec<WebhookSecret>, String> {
        self.secrets
            .iter()
            .enumerate()
            .map(|(at, secret)| {
                WebhookSecret::parse(secret)
                    .map_err(|e| format!("MERCHANT_WEBHOOK_SECRET entry {}: {e}", at + 1))
            })
            .collect()
    }
}

pub struct Config<'a>(&'a Env);

impl<'a> Config<'a> {
    pub fn new(env: &'a Env) -> Self {
        Self(env)
    }

    fn optional(&self, name: &str) -> Option<String> {
        let value = self.0.var(name).ok()?.to_string();
        let value = value.trim();
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// A missing secret is a deployment mistake: log which one, tell the client only 503.
    fn required(&self, name: &str) -> Result<String, EdgeError> {
        self.optional(name).ok_or_else(|| {
            worker::console_error!("configuration: {name} is not set");
            EdgeError::NotConfigured
        })
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.optional(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn positive_number(&self, name: &str, default: u64) -> u64 {
        match self.optional(name) {
            None => default,
            Some(value) => value
                .parse()
                .ok()
                .filter(|&n| n > 0)
                .unwrap_or_else(|| invalid(name, "a positive whole number", default)),
        }
    }

    /// ORDER_SIGNING_SECRET may list several secrets (comma-separated) while one is rotated out.
    pub fn order_signing_secrets(&self) -> Result<Vec<String>, EdgeError> {
        let secrets = self.list("ORDER_SIGNING_SECRET");
        if secrets.is_empty() {
            return self.required("ORDER_SIGNING_SECRET").map(|s| vec![s]);
        }
        Ok(secrets)
    }

    pub fn merchant_api_key(&self) -> Result<String, EdgeError> {
        self.required("MERCHANT_API_KEY")
    }

    pub fn clickpesa_client_id(&self) -> Result<String, EdgeError> {
        self.required("CLICKPESA_CLIENT_ID")
    }

    pub fn clickpesa_api_key(&self) -> Result<String, EdgeError> {
        self.required("CLICKPESA_API_KEY")
    }

    /// Signs outgoing ClickPesa bodies when set; webhooks are refused without it.
    pub fn clickpesa_checksum_key(&self) -> Option<String> {
        self.optional("CLICKPESA_CHECKSUM_KEY")
    }

    pub fn clickpesa_base_url(&self) -> String {
        let url = self
            .optional("CLICKPESA_BASE_URL")
            .unwrap_or_else(|| PRODUCTION_BASE_URL.to_owned());
        url.trim_end_matches('/').to_owned()
    }

    pub fn allowed_origins(&self) -> Vec<String> {
        self.list("ALLOWED_ORIGINS")
    }

    /// `None` when the shop has not configured notifications: then no events are queued at all.
    pub fn merchant_webhook(&self) -> Option<MerchantWebhook> {
        let secrets = self.list("MERCHANT_WEBHOOK_SECRET");
        Some(MerchantWebhook {
            url: self.optional("MERCHANT_WEBHOOK_URL")?,
            secrets: (!secrets.is_empty()).then_some(secrets)?,
        })
    }

    pub fn mpesa_business_number(&self) -> Option<String> {
        self.optional("MPESA_BUSINESS_NUMBER")
    }

    /// LIVE_UPDATES_OFF_FOR: references starting with this prefix get no live-update socket (the
    /// route answers 404 and the widget polls), so the polling fallback can be tested beside
    /// live checkouts on one deployment. `*` turns the route off for every reference.
    pub fn live_updates_off_for(&self, reference: &str) -> bool {
        self.optional("LIVE_UPDATES_OFF_FOR")
            .is_some_and(|prefix| prefix == "*" || reference.starts_with(&prefix))
    }

    pub fn checkout_ttl_secs(&self) -> u64 {
        self.positive_number("CHECKOUT_TTL", DEFAULT_CHECKOUT_TTL_SECS)
    }

    /// Seconds between reconciliation polls while a bill is pending; polling stops after the last.
    pub fn reconcile_schedule(&self) -> Vec<u64> {
        const NAME: &str = "RECONCILE_SCHEDULE";
        let Some(value) = self.optional(NAME) else {
            return DEFAULT_RECONCILE_SCHEDULE.to_vec();
        };
        value
            .split(',')
            .map(|s| s.trim().parse().ok().filter(|&n: &u64| n > 0))
            .collect::<Option<Vec<u64>>>()
            .unwrap_or_else(|| {
                invalid(
                    NAME,
                    "comma-separated positive seconds",
                    DEFAULT_RECONCILE_SCHEDULE.to_vec(),
                )
            })
    }

    /// The gateway's pace. The default stays below ClickPesa's 120/min, leaving room for stray calls
    /// and clock skew; a local stack against the simulator (which has no such limit) may raise it.
    pub fn clickpesa_requests_per_minute(&self) -> usize {
        self.positive_number(
            "CLICKPESA_REQUESTS_PER_MINUTE",
            DEFAULT_CLICKPESA_REQUESTS_PER_MINUTE,
        ) as usize
    }

    pub fn notify_retry_base_secs(&self) -> u64 {
        self.positive_number("NOTIFY_RETRY_BASE_SECS", DEFAULT_NOTIFY_RETRY_BASE_SECS)
    }

    /// The longest pause between two attempts of one shop notification.
    pub fn notify_retry_max_secs(&self) -> u64 {
        self.positive_number("NOTIFY_RETRY_MAX_SECS", DEFAULT_NOTIFY_RETRY_MAX_SECS)
    }

    /// Attempts per shop notification before it is kept as undelivered.
    pub fn notify_max_attempts(&self) -> u32 {
        u32::try_from(self.positive_number("NOTIFY_MAX_ATTEMPTS", DEFAULT_NOTIFY_MAX_ATTEMPTS))
            .unwrap_or(u32::MAX)
    }

    /// The longest an order token may stay valid, checked when it is minted and when it starts a
    /// checkout. Keep it well below BILL_RETENTION_SECS: a token should expire long before the
    /// bill it created is forgotten (and should one outlive it, `adopt` still refuses the old
    /// number).
    pub fn order_token_max_lifetime_secs(&self) -> u64 {
        self.positive_number(
            "ORDER_TOKEN_MAX_LIFETIME_SECS",
            DEFAULT_ORDER_TOKEN_MAX_LIFETIME_SECS,
        )
    }

    /// ClickPesa calls a minute one client's checkouts may cause (each checkout is charged all the
    /// calls it will cause, see `shared::budget`): by default a third of the gateway's pace, so no
    /// one client can crowd the others out.
    pub fn clickpesa_calls_per_client(&self) -> Rate {
        let default = (self.clickpesa_requests_per_minute() as u64 / 3).max(1);
        self.rate("CLICKPESA_CALLS_PER_CLIENT", default)
    }

    /// `CLICKPESA_DAILY_CALL_LIMIT`: calls a UTC day the account may make (pre-KYC ClickPesa
    /// accounts get 100). Off unless set: new checkouts are refused once their calls would pass it.
    pub fn clickpesa_daily_call_limit(&self) -> Option<u64> {
        self.optional("CLICKPESA_DAILY_CALL_LIMIT")
            .and_then(|v| v.parse().ok())
    }

    /// `POST /v1/checkouts` per order reference a minute (also the burst).
    pub fn checkout_limit_per_order(&self) -> Rate {
        self.rate("CHECKOUT_LIMIT_PER_ORDER", DEFAULT_CHECKOUT_LIMIT_PER_ORDER)
    }

    /// `POST /v1/checkouts` per client (IP address, IPv6 /64) a minute (also the burst).
    pub fn checkout_limit_per_client(&self) -> Rate {
        self.rate(
            "CHECKOUT_LIMIT_PER_CLIENT",
            DEFAULT_CHECKOUT_LIMIT_PER_CLIENT,
        )
    }

    /// `GET /p/{code}` answers that lead nowhere, per client a minute (also the burst); beyond it
    /// every payment-link page answers that client 429.
    pub fn pay_link_misses_per_client(&self) -> Rate {
        self.rate(
            "PAY_LINK_MISSES_PER_CLIENT",
            DEFAULT_PAY_LINK_MISSES_PER_CLIENT,
        )
    }

    /// PUBLIC_URL: the origin payment links are made on (e.g. `https://pay.duka.co.tz`); unset,
    /// the origin the shop's `POST /v1/orders` reached.
    pub fn public_url(&self) -> Option<String> {
        self.optional("PUBLIC_URL")
            .map(|url| url.trim_end_matches('/').to_owned())
    }

    fn rate(&self, name: &str, default: u64) -> Rate {
        Rate::per_minute(u32::try_from(self.positive_number(name, default)).unwrap_or(u32::MAX))
    }

    /// How long a settled bill (final state, every notification acknowledged) is kept.
    pub fn bill_retention_secs(&self) -> u64 {
        self.positive_number("BILL_RETENTION_SECS", DEFAULT_BILL_RETENTION_SECS)
    }
}

thread_local! {
    /// Names already reported as invalid by this isolate.
    static REPORTED: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// A variable that is set but cannot be read falls back to its default, and says so once per
/// isolate: a typo in `wrangler.toml` must not silently change how the edge behaves. The value
/// itself is not logged (a secret pasted into the wrong variable stays out of the logs).
fn invalid<T: std::fmt::Debug>(name: &str, wanted: &str, default: T) -> T {
    let first = REPORTED.with(|reported| reported.borrow_mut().insert(name.to_owned()));
    if first {
        worker::console_warn!(
            "configuration: {name} is not {wanted}; using the default {default:?}"
        );
    }
    default
}

#[cfg(test)]
mod tests {
    use super::MerchantWebhook;

    #[test]
    fn webhook_secrets_parse_or_name_the_bad_entry_without_its_value() {
        let webhook = |secrets: &[&str]| MerchantWebhook {
            url: "https://shop.example/billpay".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
        };
        let good = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let cases: [(&str, &[&str], Result<usize, &str>); 3] = [
            ("one secret", &[good], Ok(1)),
            (
                "during a rotation",
                &[good, "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="],
                Ok(2),
            ),
            (
                "a secret not in the whsec_ form",
                &[good, "not-a-whsec-secret"],
                Err("MERCHANT_WEBHOOK_SECRET entry 2: a webhook secret must start with whsec_"),
            ),
        ];
        for (name, secrets, expected) in cases {
            let parsed = webhook(secrets).signing_secrets();
            assert_eq!(
                parsed.as_ref().map(Vec::len).map_err(String::as_str),
                expected,
                "{name}"
            );
        }
    }
}
