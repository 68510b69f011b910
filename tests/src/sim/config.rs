//! The simulator's configuration: the `clickpesa-sim` command line, also built directly by tests.
//!
//! ```
//! use billpay_tests::sim::SimConfig;
//! let cfg = SimConfig::for_tests();
//! assert_eq!(cfg.base_path, "/third-parties");
//! assert_eq!(cfg.port, 0);
//! ```
use std::path::PathBuf;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "clickpesa-sim",
    about = "A faithful ClickPesa BillPay simulator (docs/clickpesa.md §1-5) with a /_sim control API"
)]
pub struct SimConfig {
    /// Port on 127.0.0.1 (0 picks a free one; the bound address is printed on stdout).
    #[arg(long, env = "SIM_PORT", default_value_t = 8900)]
    pub port: u16,
    /// Path prefix of the ClickPesa API; CLICKPESA_BASE_URL is http://127.0.0.1:PORT + this.
    #[arg(long, default_value = "/third-parties")]
    pub base_path: String,
    /// The only `client-id` accepted by /generate-token.
    #[arg(long, env = "CLICKPESA_CLIENT_ID", default_value = "sim-client-id")]
    pub client_id: String,
    /// The only `api-key` accepted by /generate-token.
    #[arg(long, env = "CLICKPESA_API_KEY", default_value = "sim-api-key")]
    pub api_key: String,
    /// Checksum key: webhooks carry a checksum only when it is set (as on a real account).
    #[arg(long, env = "CLICKPESA_CHECKSUM_KEY")]
    pub checksum_key: Option<String>,
    /// Reject POST/PUT/PATCH bodies without a valid `checksum` field (400).
    #[arg(long, requires = "checksum_key")]
    pub require_checksum: bool,
    /// Lifetime of issued tokens (ClickPesa: one hour).
    #[arg(long, default_value_t = 3600)]
    pub token_ttl_secs: u64,
    /// Where PAYMENT RECEIVED / PAYMENT FAILED webhooks are POSTed.
    #[arg(long, env = "SIM_WEBHOOK_URL")]
    pub webhook_url: Option<String>,
    /// Answer 429 once this many API calls arrive within a minute (off by default; ClickPesa: 120).
    #[arg(long)]
    pub rate_limit_per_min: Option<u32>,
    /// Seed of the PRNG behind fault rates, so a chaos run replays exactly.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// JSON file the state is loaded from at start and written to after every change.
    #[arg(long)]
    pub state_file: Option<PathBuf>,
    /// With `webhookReorder` on, held deliveries are flushed (newest first) after this window.
    #[arg(long, default_value_t = 2000)]
    pub reorder_window_ms: u64,
    /// Give up on a webhook delivery after this long (recorded as failed, never retried).
    #[arg(long, default_value_t = 10_000)]
    pub webhook_timeout_ms: u64,
}

impl SimConfig {
    /// Defaults with port 0, for starting the simulator in-process.
    pub fn for_tests() -> Self {
        Self::parse_from(["clickpesa-sim", "--port", "0"])
    }

    /// `base_path` without a trailing slash and with a leading one ("" when serving at the root).
    pub(crate) fn normalised_base_path(&self) -> String {
        let trimmed = self.base_path.trim_matches('/');
        if trimmed.is_empty() {
            String::new()
        } else {
            format!("/{trimmed}")
        }
    }
}
