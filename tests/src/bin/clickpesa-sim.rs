//! `clickpesa-sim`: the ClickPesa simulator as a process. `clickpesa-sim --help` lists the flags.
//!
//! ```text
//! clickpesa-sim --port 8900 --checksum-key k --webhook-url http://127.0.0.1:8787/v1/webhooks/clickpesa
//! ```
use clap::Parser;

use billpay_tests::sim::{start, SimConfig};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(SimConfig::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("clickpesa-sim: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: SimConfig) -> Result<(), Box<dyn std::error::Error>> {
    let sim = start(config).await?;
    // Orchestrators read this line to learn the port when started with --port 0.
    println!("CLICKPESA_BASE_URL={}", sim.base_url());
    sim.wait().await?;
    Ok(())
}
