//! Short import names, in the wasm and its glue alike (issue 14, docs/widget-size.md).
//!
//! wasm-bindgen names each JavaScript shim the wasm imports after the function and a hash
//! (`__wbg_appendChild_dbf7ad2f48413560`), under the module `./widget_bg.js`; the glue's import
//! object carries the same names as keys. The hashes do not compress, and there are about 150 of
//! them in each file. Every import's module and name becomes a short identifier in both files; a
//! name the glue does not hold exactly once, as a key, fails the build: a wasm whose imports the
//! glue does not provide would not even instantiate.
use std::collections::BTreeMap;
use std::io;

use super::unused_exports::{leb128, module_sections, truncated};

/// The wasm with every import's module and name shortened, and the glue with the same renames.
pub fn shorten(wasm: &[u8], glue: &str) -> io::Result<(Vec<u8>, String)> {
    let sections = module_sections(wasm)?;
    let mut renames = BTreeMap::new();
    let mut out = wasm[..8].to_vec();
    for (id, body) in sections {
        let body = if id == 2 {
            rename_imports(body, &mut renames)?
        } else {
            body.to_vec()
        };
        out.push(id);
        push_leb128(&mut out, body.len());
        out.extend(body);
    }
    Ok((out, rename_keys(glue, &renames)?))
}

/// The import section `body` with short names, each new name recorded in `renames`
/// (old → new; modules and names share one namespace of short names).
fn rename_imports(body: &[u8], renames: &mut BTreeMap<String, String>) -> io::Result<Vec<u8>> {
    let mut at = 0;
    let count = leb128(body, &mut at)?;
    let mut out = Vec::with_capacity(body.len());
    push_leb128(&mut out, count);
    for _ in 0..count {
        for _ in ["module", "name"] {
            let len = leb128(body, &mut at)?;
            let old = body.get(at..at + len).ok_or_else(truncated)?;
            at += len;
            let old = String::from_utf8(old.to_vec()).map_err(io::Error::other)?;
            let next = short_name(renames.len());
            let new = renames.entry(old).or_insert(next);
            push_leb128(&mut out, new.len());
            out.extend_from_slice(new.as_bytes());
        }
        let start = at;
        skip_import_kind(body, &mut at)?;
        out.extend_from_slice(&body[start..at]);
    }
    if at != body.len() {
        return Err(io::Error::other("import section longer than its imports"));
    }
    Ok(out)
}

/// Moves `at` past an import's kind and its description (function, table, memory, global, tag).
fn skip_import_kind(body: &[u8], at: &mut usize) -> io::Result<()> {
    let kind = *body.get(*at).ok_or_else(truncated)?;
    *at += 1;
    let limits = |at: &mut usize| -> io::Result<()> {
        let flags = *body.get(*at).ok_or_else(truncated)?;
        *at += 1;
        leb128(body, at)?;
        if flags & 1 == 1 {
            leb128(body, at)?;
        }
        Ok(())
    };
    match kind {
        0 => leb128(body, at).map(drop),
        1 => {
            *at += 1; // the reference type
            limits(at)
        }
        2 => limits(at),
        3 => {
            *at += 2; // the value type and mutability
            Ok(())
        }
        4 => {
            *at += 1; // the tag's attribute
            leb128(body, at).map(drop)
        }
        _ => Err(io::Error::other(format!("unknown import kind {kind}"))),
    }
}

/// The `index`th short identifier: `a`…`Z`, then `aa`, `ab`… (a letter first, so that it needs no
/// quotes as a JavaScript key).
fn short_name(mut index: usize) -> String {
    const FIRST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    const REST: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut name = vec![FIRST[index % FIRST.len()]];
    index /= FIRST.len();
    while index > 0 {
        index -= 1;
        name.push(REST[index % REST.len()]);
        index /= REST.len();
    }
    String::from_utf8(name).expect("ASCII")
}

/// `glue` with each key of `renames` replaced, where it stands as an object key (`name:` or
/// `"name":`); each must occur exactly once as a whole word, and as a key.
fn rename_keys(glue: &str, renames: &BTreeMap<String, String>) -> io::Result<String> {
    let mut edits = Vec::with_capacity(renames.len());
    for (old, new) in renames {
        let found: Vec<usize> = glue
            .match_indices(old.as_str())
            .map(|(at, _)| at)
            .filter(|&at| {
                !glue[..at].ends_with(is_word) && !glue[at + old.len()..].starts_with(is_word)
            })
            .collect();
        let [at] = found[..] else {
            return Err(io::Error::other(format!(
                "the wasm-bindgen glue holds the import `{old}` {} times, not once: \
                 update xtask/src/widget/short_imports.rs",
                found.len()
            )));
        };
        let after = &glue[at + old.len()..];
        let quoted = glue[..at].ends_with('"') && after.starts_with("\":");
        if !quoted && !after.starts_with(':') {
            return Err(io::Error::other(format!(
                "the wasm-bindgen glue names the import `{old}` but not as a key: \
                 update xtask/src/widget/short_imports.rs"
            )));
        }
        edits.push((at, old.len(), new));
    }
    edits.sort_unstable();
    let mut out = String::with_capacity(glue.len());
    let mut copied = 0;
    for (at, len, new) in edits {
        out.push_str(&glue[copied..at]);
        out.push_str(new);
        copied = at + len;
    }
    out.push_str(&glue[copied..]);
    Ok(out)
}

/// A character that continues a JavaScript identifier.
fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn push_leb128(out: &mut Vec<u8>, mut value: usize) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module with a type section, an import section (`functions`, then `memory`) and an export
    /// section.
    fn module(functions: &[(&str, &str)], memory: (&str, &str)) -> Vec<u8> {
        let mut section = vec![functions.len() as u8 + 1];
        let name = |section: &mut Vec<u8>, text: &str| {
            section.push(text.len() as u8);
            section.extend_from_slice(text.as_bytes());
        };
        for (module, field) in functions {
            name(&mut section, module);
            name(&mut section, field);
            section.extend_from_slice(&[0x00, 0x80, 0x01]); // a function of type 128 (two bytes)
        }
        name(&mut section, memory.0);
        name(&mut section, memory.1);
        section.extend_from_slice(&[0x02, 0x01, 0x11, 0x80, 0x02]); // 17 to 256 pages
        let mut wasm = b"\0asm\x01\0\0\0".to_vec();
        wasm.extend_from_slice(&[0x01, 0x04, 0x01, 0x60, 0x00, 0x00]);
        wasm.push(2);
        wasm.push(section.len() as u8);
        wasm.extend(section);
        wasm.extend_from_slice(&[0x07, 0x05, 0x01, 0x01, b'm', 0x00, 0x00]);
        wasm
    }

    const BG: &str = "./widget_bg.js";
    const MEMORY: (&str, &str) = ("env", "memory");

    #[test]
    fn renames_both_files_or_fails() {
        type Imports = &'static [(&'static str, &'static str)];
        struct Case {
            name: &'static str,
            imports: Imports,
            glue: &'static str,
            /// The wasm's new function imports (the memory's become `d`, `e`) and the new glue;
            /// `None`: the build fails.
            shortened: Option<(Imports, &'static str)>,
        }
        let cases = [
            Case {
                name: "quoted module, bare names, other words alike left alone",
                imports: &[(BG, "__wbg_appendChild_dbf7"), (BG, "__wbg_Error_2084")],
                glue: "function L(){return{\"./widget_bg.js\":{__wbg_appendChild_dbf7:function(e,t){return e.appendChild(t)},__wbg_Error_2084:function(e){return Error(e)}},env:{memory:m}}}c.__wbg_handle_free(0)",
                shortened: Some((
                    &[("a", "b"), ("a", "c")],
                    "function L(){return{\"a\":{b:function(e,t){return e.appendChild(t)},c:function(e){return Error(e)}},d:{e:m}}}c.__wbg_handle_free(0)",
                )),
            },
            Case {
                name: "a name that starts another is found once",
                imports: &[(BG, "__wbg_new"), (BG, "__wbg_new_with")],
                glue: "{\"./widget_bg.js\":{__wbg_new_with:function(){},__wbg_new:function(){}},env:{memory:m}}",
                shortened: Some((
                    &[("a", "b"), ("a", "c")],
                    "{\"a\":{c:function(){},b:function(){}},d:{e:m}}",
                )),
            },
            Case {
                name: "an import the glue does not provide",
                imports: &[(BG, "__wbg_appendChild_dbf7")],
                glue: "{\"./widget_bg.js\":{__wbg_appendChild_0000:function(){}},env:{memory:m}}",
                shortened: None,
            },
            Case {
                name: "an import the glue names twice",
                imports: &[(BG, "__wbg_x_1")],
                glue: "{\"./widget_bg.js\":{__wbg_x_1:function(){}},env:{memory:m}}__wbg_x_1:1",
                shortened: None,
            },
            Case {
                name: "an import named once, but not as a key",
                imports: &[(BG, "__wbg_x_1")],
                glue: "{\"./widget_bg.js\":{y:__wbg_x_1},env:{memory:m}}",
                shortened: None,
            },
        ];
        for case in cases {
            let result = shorten(&module(case.imports, MEMORY), case.glue).ok();
            let expected = case
                .shortened
                .map(|(imports, glue)| (module(imports, ("d", "e")), glue.to_owned()));
            assert_eq!(result, expected, "{}", case.name);
        }
    }

    #[test]
    fn short_names_are_unique_identifiers() {
        let names: Vec<String> = (0..4000).map(short_name).collect();
        for (index, name) in [
            (0, "a"),
            (25, "z"),
            (51, "Z"),
            (52, "aa"),
            (53, "ba"),
            (104, "ab"),
        ] {
            assert_eq!(names[index], name, "name {index}");
        }
        let unique: std::collections::BTreeSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        assert!(names
            .iter()
            .all(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()) && n.chars().all(is_word)));
    }

    #[test]
    fn refuses_what_is_not_wasm() {
        assert!(shorten(b"<html>", "").is_err());
        let cut = module(&[(BG, "__wbg_x_1")], MEMORY);
        assert!(shorten(&cut[..cut.len() - 12], "").is_err());
    }
}
