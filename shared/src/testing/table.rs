//! A table of figures with how it was measured. xtask makes some (sizes, cold start, criterion);
//! the bench driver (`tests/benches/stack.rs`) makes the rest with this same type, so the JSON it
//! writes is exactly what xtask reads back before rendering BENCHMARKS.md.
use serde::{Deserialize, Serialize};

/// One table of BENCHMARKS.md.
#[derive(Debug, Serialize, Deserialize)]
pub struct Table {
    /// The heading above the table.
    pub title: String,
    /// How it was measured, printed under the table.
    pub note: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows of cells, each as wide as `columns`.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// An empty table.
    pub fn new(title: &str, note: &str, columns: &[&str]) -> Table {
        Table {
            title: title.into(),
            note: note.into(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; panics on a row of the wrong width (a bug in the bench, not a measurement).
    pub fn row(&mut self, cells: Vec<String>) {
        assert_eq!(
            cells.len(),
            self.columns.len(),
            "{}: a row of the wrong width",
            self.title
        );
        self.rows.push(cells);
    }

    /// The table as a Markdown section: heading, table, then the note.
    pub fn markdown(&self) -> String {
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = format!("## {}\n\n", self.title);
        out += &line(&self.columns);
        out += &line(
            &self
                .columns
                .iter()
                .map(|_| "---".to_string())
                .collect::<Vec<_>>(),
        );
        self.rows.iter().for_each(|r| out += &line(r));
        format!("{out}\n{}\n", self.note)
    }
}
