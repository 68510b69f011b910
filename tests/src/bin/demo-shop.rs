//! `demo-shop`: the demo shop as a process. `demo-shop --help` lists the flags; the two secrets
//! come from ORDER_SIGNING_SECRET and MERCHANT_WEBHOOK_SECRET.
//!
//! ```text
//! ORDER_SIGNING_SECRET=… MERCHANT_WEBHOOK_SECRET=… demo-shop --port 8800 --edge-url http://127.0.0.1:8787
//! ```
use clap::Parser;

use billpay_tests::shop::{start, ShopConfig};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let shop = match start(ShopConfig::parse()).await {
        Ok(shop) => shop,
        Err(e) => {
            eprintln!("demo-shop: cannot start: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    // Orchestrators read this line to learn the port when started with --port 0.
    println!("SHOP_URL={}", shop.origin());
    match shop.wait().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-shop: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
