//! `shared`'s criterion benches (shared/benches/hot_paths.rs), run as they are; the figures come
//! from criterion's own estimates in target/criterion, written by this run.
use std::path::Path;
use std::time::SystemTime;

use serde_json::Value;

use crate::{cargo, run, stack, Result};
use shared::testing::table::Table;

/// The CPU a Workers request may use on the free plan.
const CPU_LIMIT_NS: f64 = 10_000_000.0;

pub fn hot_paths(root: &Path) -> Result<Table> {
    let started = SystemTime::now();
    run(cargo(root).args(["bench", "-p", "shared", "--bench", "hot_paths"]))?;
    let mut found = Vec::new();
    collect(
        &stack::target_dir(root).join("criterion"),
        started,
        &mut found,
    )?;
    if found.is_empty() {
        return Err("criterion wrote no estimates".into());
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let mut table = Table::new(
        "Hot paths in `shared` (criterion, native, this machine)",
        "Median time per operation from criterion's estimates (shared/benches/hot_paths.rs, \
         `cargo bench -p shared --bench hot_paths`); the share of the Workers free plan's 10 ms \
         CPU per request (the worker runs this code as wasm, which is slower than native).",
        &["operation", "median ns/op", "mean ns/op", "of 10 ms CPU"],
    );
    for (title, median, mean) in found {
        table.row(vec![
            title,
            format!("{median:.0}"),
            format!("{mean:.0}"),
            format!("{:.4} %", median / CPU_LIMIT_NS * 100.0),
        ]);
    }
    Ok(table)
}

/// Every `new/estimates.json` under `dir` written since `since`, with its benchmark's title.
fn collect(dir: &Path, since: SystemTime, found: &mut Vec<(String, f64, f64)>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if !path.is_dir() || path.file_name().is_some_and(|n| n == "report") {
            continue;
        }
        let estimates = path.join("new/estimates.json");
        if estimates.exists() && std::fs::metadata(&estimates)?.modified()? >= since {
            let read = |name: &str| -> Result<Value> {
                Ok(serde_json::from_str(&std::fs::read_to_string(
                    path.join("new").join(name),
                )?)?)
            };
            let (benchmark, estimates) = (read("benchmark.json")?, read("estimates.json")?);
            let title = benchmark["title"]
                .as_str()
                .or(benchmark["full_id"].as_str())
                .unwrap_or("?")
                .to_owned();
            let point = |stat: &str| {
                estimates[stat]["point_estimate"]
                    .as_f64()
                    .unwrap_or(f64::NAN)
            };
            found.push((title, point("median"), point("mean")));
        } else {
            collect(&path, since, found)?;
        }
    }
    Ok(())
}
