//! The demo shop's configuration: the `demo-shop` command line, also built directly by tests.
//!
//! ```
//! use billpay_tests::shop::ShopConfig;
//! let cfg = ShopConfig::for_tests("http://127.0.0.1:8787", "http://127.0.0.1:8900", "order-secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
//! assert_eq!(cfg.edge_origin(), "http://127.0.0.1:8787");
//! ```
use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "demo-shop",
    about = "A tiny webshop that embeds the BillPay widget under a strict CSP"
)]
pub struct ShopConfig {
    /// Port on 127.0.0.1 (0 picks a free one; the address is printed on stdout).
    #[arg(long, env = "SHOP_PORT", default_value_t = 8800)]
    pub port: u16,
    /// Public origin of the edge worker: serves widget.js, and the only other origin in the CSP.
    #[arg(long, env = "EDGE_URL", default_value = "http://127.0.0.1:8787")]
    pub edge_url: String,
    /// Origin of the ClickPesa simulator, for the "pay as the customer would" buttons.
    #[arg(long, env = "SIM_URL", default_value = "http://127.0.0.1:8900")]
    pub sim_url: String,
    /// Signs order tokens (the edge holds the same secret).
    #[arg(long, env = "ORDER_SIGNING_SECRET", hide_env_values = true)]
    pub order_signing_secret: String,
    /// The `whsec_…` secret that verifies the edge's Standard Webhooks notifications.
    #[arg(long, env = "MERCHANT_WEBHOOK_SECRET", hide_env_values = true)]
    pub merchant_webhook_secret: String,
    /// Seconds an order token stays valid for starting a checkout.
    #[arg(long, default_value_t = 900)]
    pub checkout_ttl: u64,
    /// Share of valid notifications answered 500 (and not stored), to exercise the edge's retries.
    #[arg(long, default_value_t = 0.0)]
    pub notify_fail_rate: f64,
    /// Seed for `--notify-fail-rate`.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl ShopConfig {
    /// Port 0 and the given origins and secrets, for starting the shop in-process.
    pub fn for_tests(
        edge_url: &str,
        sim_url: &str,
        order_secret: &str,
        webhook_secret: &str,
    ) -> Self {
        Self::parse_from([
            "demo-shop",
            "--port=0",
            &format!("--edge-url={edge_url}"),
            &format!("--sim-url={sim_url}"),
            &format!("--order-signing-secret={order_secret}"),
            &format!("--merchant-webhook-secret={webhook_secret}"),
        ])
    }

    /// `edge_url` without a trailing slash: what goes in the CSP and before `/widget.js`.
    pub fn edge_origin(&self) -> &str {
        self.edge_url.trim_end_matches('/')
    }
}
