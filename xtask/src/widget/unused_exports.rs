//! Exports nothing calls, out of the widget before wasm-bindgen (issue 14, docs/widget-size.md).
//!
//! Leptos turns on its server functions' `browser` feature unconditionally, and that exports
//! wasm-streams' `IntoUnderlyingSource`, `IntoUnderlyingSink` and `IntoUnderlyingByteSource` to
//! JavaScript. No server function exists here, so nothing constructs them; but their closures sit in
//! the function table, so wasm-opt keeps them (about 9.5 KB raw). Removing their exports from
//! rustc's module before wasm-bindgen lets wasm-bindgen leave their glue out and wasm-opt drop them.
//! Leptos' lazy loading also exports a marker that only the wasm-split tool reads; the widget is not
//! split.
use std::fs;
use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

use super::Names;

/// Every export wasm-streams' adapters bring (the adapters' methods, their `free`, and the
/// descriptions of the adapters and of web-sys' `ReadableStream`/`WritableStream` constructors
/// that only they call), and wasm-split's marker.
fn is_unused(export: &str) -> bool {
    export.contains("underlying") || export.starts_with("_WASM_SPLIT_MARKER_")
}

/// Writes rustc's module `wasm` to `out` without the [unused](is_unused) exports and what only they
/// reach (binaryen's wasm-metadce, every other export a root), its names section kept with `names`.
pub fn drop_unused(root: &Path, wasm: &Path, out: &Path, names: Names) -> io::Result<()> {
    let exports = export_names(&fs::read(wasm)?)?;
    if let Some(dir) = out.parent() {
        fs::create_dir_all(dir)?;
    }
    let graph: Vec<_> = exports
        .iter()
        .filter(|name| !is_unused(name))
        .map(|name| serde_json::json!({ "name": name, "root": true, "export": name }))
        .collect();
    let graph_file = out.with_extension("metadce.json");
    fs::write(&graph_file, serde_json::to_vec(&graph)?)?;
    let metadce = root.join("node_modules/.bin/wasm-metadce");
    let mut command = Command::new(&metadce);
    if names == Names::Kept {
        command.arg("--debuginfo");
    }
    let status = command
        .args(super::WASM_FEATURES)
        .arg("--graph-file")
        .arg(&graph_file)
        .arg(wasm)
        .arg("-o")
        .arg(out)
        // It lists what it removed, one line per item.
        .stdout(Stdio::null())
        .status()
        .map_err(|e| io::Error::other(format!("cannot run {}: {e}", metadce.display())))?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "wasm-metadce failed with {status}"
        )));
    }
    Ok(())
}

/// The names in a wasm module's export section (id 7), in order.
fn export_names(wasm: &[u8]) -> io::Result<Vec<String>> {
    let Some((_, body)) = module_sections(wasm)?.into_iter().find(|(id, _)| *id == 7) else {
        return Ok(Vec::new());
    };
    let mut at = 0;
    let count = leb128(body, &mut at)?;
    let mut names = Vec::with_capacity(count);
    for _ in 0..count {
        let len = leb128(body, &mut at)?;
        let name = body.get(at..at + len).ok_or_else(truncated)?;
        names.push(String::from_utf8(name.to_vec()).map_err(io::Error::other)?);
        at += len + 1; // the name, then the export's kind
        leb128(body, &mut at)?; // and its index
    }
    Ok(names)
}

/// A wasm module's sections, in order: each one's id and body.
pub(super) fn module_sections(wasm: &[u8]) -> io::Result<Vec<(u8, &[u8])>> {
    if wasm.get(..8) != Some(b"\0asm\x01\0\0\0") {
        return Err(io::Error::other("not a wasm module (version 1)"));
    }
    let mut sections = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = leb128(wasm, &mut at)?;
        sections.push((id, wasm.get(at..at + size).ok_or_else(truncated)?));
        at += size;
    }
    Ok(sections)
}

/// An unsigned LEB128 number at `at`, which moves past it.
pub(super) fn leb128(wasm: &[u8], at: &mut usize) -> io::Result<usize> {
    let mut value = 0_usize;
    for shift in (0..35).step_by(7) {
        let byte = *wasm.get(*at).ok_or_else(truncated)?;
        *at += 1;
        value |= usize::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err(io::Error::other("LEB128 number longer than 32 bits"))
}

pub(super) fn truncated() -> io::Error {
    io::Error::other("wasm module ends inside a section")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with a type section (skipped) and an export section with `names`.
    fn module(names: &[&str]) -> Vec<u8> {
        let mut exports = vec![names.len() as u8];
        for name in names {
            exports.push(name.len() as u8);
            exports.extend_from_slice(name.as_bytes());
            exports.extend_from_slice(&[0x00, 0x80, 0x01]); // a function, index 128 (two bytes)
        }
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
        wasm.push(7);
        wasm.push(exports.len() as u8);
        wasm.extend(exports);
        wasm
    }

    #[test]
    fn reads_the_export_section() {
        struct Case {
            name: &'static str,
            wasm: Vec<u8>,
            exports: Option<&'static [&'static str]>,
        }
        let cases = [
            Case {
                name: "exports after another section",
                wasm: module(&["mount", "intounderlyingsource_pull"]),
                exports: Some(&["mount", "intounderlyingsource_pull"]),
            },
            Case {
                name: "no export section",
                wasm: b"\0asm\x01\0\0\0".to_vec(),
                exports: Some(&[]),
            },
            Case {
                name: "not wasm",
                wasm: b"<html>".to_vec(),
                exports: None,
            },
            Case {
                name: "cut inside a name",
                wasm: module(&["mount"])[..18].to_vec(),
                exports: None,
            },
        ];
        for case in cases {
            let names = export_names(&case.wasm).ok();
            let expected = case
                .exports
                .map(|names| names.iter().map(|n| n.to_string()).collect::<Vec<_>>());
            assert_eq!(names, expected, "{}", case.name);
        }
    }

    #[test]
    fn only_what_nothing_calls_is_dropped() {
        for (export, dropped) in [
            ("intounderlyingsource_pull_58a9338f50bce61c", true),
            ("__wbg_intounderlyingsink_free_58a9338f50bce61c", true),
            (
                "__wbindgen_describe___wbg_new_with_into_underlying_source_10a8",
                true,
            ),
            ("_WASM_SPLIT_MARKER_732e786d2a082da8version", true),
            ("mount", false),
            ("__wbindgen_malloc", false),
            ("__wbg_handle_free", false),
        ] {
            assert_eq!(is_unused(export), dropped, "{export}");
        }
    }
}
