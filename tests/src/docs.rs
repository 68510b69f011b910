//! Code blocks of the docs, by name, so the suites run the very code a reader copies. A block is
//! named by an HTML comment on the line before its opening fence: `<!-- snippet: receive-node -->`.
//!
//! ```
//! use billpay_tests::docs::code_blocks;
//! let page = "Intro\n\n<!-- snippet: hello -->\n```js\nconsole.log(1);\n```\n";
//! let blocks = code_blocks(page);
//! assert_eq!(blocks[0].name.as_deref(), Some("hello"));
//! assert_eq!(blocks[0].code, "console.log(1);\n");
//! ```
use std::path::{Path, PathBuf};

const MARKER: &str = "<!-- snippet: ";

/// One fenced code block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeBlock {
    /// From the marker comment just above the fence; `None` for an unnamed block.
    pub name: Option<String>,
    /// The fence's info string (`js`, `python`, …), empty when it has none.
    pub lang: String,
    pub code: String,
}

/// Every fenced block of `markdown`, in order.
pub fn code_blocks(markdown: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut previous = "";
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let mut code = String::new();
            for inner in lines.by_ref() {
                if inner.trim_end() == "```" {
                    break;
                }
                code.push_str(inner);
                code.push('\n');
            }
            let name = previous
                .trim()
                .strip_prefix(MARKER)
                .and_then(|rest| rest.strip_suffix("-->"))
                .map(|name| name.trim().to_owned());
            blocks.push(CodeBlock {
                name,
                lang: lang.trim().to_owned(),
                code,
            });
        }
        previous = line;
    }
    blocks
}

/// The repository's `docs/` folder.
pub fn docs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs")
}

/// The block named `name` in `docs/<page>`; panics naming what is missing, as tests want.
pub fn snippet(page: &str, name: &str) -> CodeBlock {
    let path = docs_dir().join(page);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    code_blocks(&text)
        .into_iter()
        .find(|b| b.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("docs/{page} has no block marked `{MARKER}{name} -->`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_and_their_names() {
        let page = "# T\n<!-- snippet: a -->\n```js\nx();\n\ny();\n```\ntext\n```\nplain\n```\n\n<!-- snippet: b -->\n```php\n<?php\n```";
        let blocks = code_blocks(page);
        let summary: Vec<(Option<&str>, &str, &str)> = blocks
            .iter()
            .map(|b| (b.name.as_deref(), b.lang.as_str(), b.code.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (Some("a"), "js", "x();\n\ny();\n"),
                (None, "", "plain\n"),
                (Some("b"), "php", "<?php\n"),
            ]
        );
    }

    #[test]
    fn a_marker_must_sit_right_above_the_fence() {
        let page = "<!-- snippet: far -->\n\n```js\nx();\n```\n";
        assert_eq!(code_blocks(page)[0].name, None);
    }

    #[test]
    fn the_shop_pages_name_their_runnable_blocks() {
        for (page, name, lang) in [
            ("shop-integration.md", "receive-node", "js"),
            ("shop-integration.md", "receive-python", "python"),
            ("shop-integration.md", "receive-php", "php"),
            ("order-tokens.md", "mint-node", "js"),
            ("order-tokens.md", "mint-python", "python"),
            ("order-tokens.md", "mint-php", "php"),
        ] {
            assert_eq!(snippet(page, name).lang, lang, "{page} {name}");
        }
    }
}
