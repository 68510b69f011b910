//! Tables and the BENCHMARKS.md document around them: the date and the machine, then each table
//! with how it was measured.
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::Result;
use shared::testing::table::Table;

pub fn read_tables(path: &Path) -> Result<Vec<Table>> {
    Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
}

pub fn document(tables: &[Table], took: Duration) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out += "Written by `cargo xtask bench`; every figure below was measured in that run.\n\n";
    for (what, value) in machine() {
        out += &format!("- {what}: {value}\n");
    }
    out += &format!("- the whole run: {:.0} s\n\n", took.as_secs_f64());
    tables
        .iter()
        .for_each(|t| out += &format!("{}\n", t.markdown()));
    out
}

/// When and on what: the date, the CPU, the memory, how busy the machine was, and the browser and
/// runtime versions.
fn machine() -> Vec<(&'static str, String)> {
    let output = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kb: Option<u64> = meminfo.lines().find_map(|l| {
        l.strip_prefix("MemTotal:")?
            .trim()
            .strip_suffix("kB")?
            .trim()
            .parse()
            .ok()
    });
    vec![
        ("date", output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        ("cores (nproc)", output("nproc", &[])),
        ("CPU", model.unwrap_or_else(|| "unknown".into())),
        (
            "memory",
            memory_kb.map_or("unknown".into(), |kb| {
                format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0)
            }),
        ),
        // The run's own load and whatever else shared the cores (a build beside it shows here).
        (
            "load average at the end (1, 5, 15 min; /proc/loadavg)",
            std::fs::read_to_string("/proc/loadavg")
                .ok()
                .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(", "))
                .unwrap_or_else(|| "unknown".into()),
        ),
        ("browser", output("/usr/bin/chromium", &["--version"])),
        ("rustc", output("rustc", &["--version"])),
    ]
}
