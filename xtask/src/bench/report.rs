//! Tables and the BENCHMARKS.md document around them: the date and the machine, then each table
//! with how it was measured.
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::Result;

pub struct Table {
    pub title: String,
    pub note: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    pub fn new(title: &str, note: &str, columns: &[&str]) -> Table {
        Table { title: title.into(), note: note.into(), columns: columns.iter().map(|c| c.to_string()).collect(), rows: Vec::new() }
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The driver's JSON (`tests/benches/stack/report.rs` writes the same four fields).
    fn from_json(value: &Value) -> Option<Table> {
        let strings = |v: &Value| -> Option<Vec<String>> { v.as_array()?.iter().map(|s| s.as_str().map(str::to_owned)).collect() };
        Some(Table {
            title: value["title"].as_str()?.to_owned(),
            note: value["note"].as_str()?.to_owned(),
            columns: strings(&value["columns"])?,
            rows: value["rows"].as_array()?.iter().map(strings).collect::<Option<_>>()?,
        })
    }

    fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = format!("## {}\n\n", self.title);
        out += &line(&self.columns);
        out += &line(&self.columns.iter().map(|_| "---".to_string()).collect::<Vec<_>>());
        self.rows.iter().for_each(|r| out += &line(r));
        format!("{out}\n{}\n", self.note)
    }
}

pub fn read_tables(path: &Path) -> Result<Vec<Table>> {
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
    let tables = json.as_array().ok_or("the driver's output is not a list of tables")?;
    tables.iter().map(|t| Table::from_json(t).ok_or_else(|| format!("not a table: {t}").into())).collect()
}

pub fn document(tables: &[Table], took: Duration) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out += "Written by `cargo xtask bench`; every figure below was measured in that run.\n\n";
    for (what, value) in machine() {
        out += &format!("- {what}: {value}\n");
    }
    out += &format!("- the whole run: {:.0} s\n\n", took.as_secs_f64());
    tables.iter().for_each(|t| out += &format!("{}\n", t.markdown()));
    out
}

/// When and on what: the date, the CPU, the memory and the browser and runtime versions.
fn machine() -> Vec<(&'static str, String)> {
    let output = |cmd: &str, args: &[&str]| {
        Command::new(cmd).args(args).output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned()).unwrap_or_default()
    };
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo.lines().find_map(|l| l.strip_prefix("model name")).map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory_kb: Option<u64> = meminfo.lines().find_map(|l| l.strip_prefix("MemTotal:")?.trim().strip_suffix("kB")?.trim().parse().ok());
    vec![
        ("date", output("date", &["-u", "+%Y-%m-%d %H:%M UTC"])),
        ("cores (nproc)", output("nproc", &[])),
        ("CPU", model.unwrap_or_else(|| "unknown".into())),
        ("memory", memory_kb.map_or("unknown".into(), |kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0))),
        ("browser", output("/usr/bin/chromium", &["--version"])),
        ("rustc", output("rustc", &["--version"])),
    ]
}
