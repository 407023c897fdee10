//! A results table: typed cells, so each export format can render numbers
//! its own way (rounded in Markdown and on the terminal, exact in JSON/CSV).

use serde_json::{Map, Value};

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    /// A number shown with `decimals` digits after the point.
    Float {
        value: f64,
        decimals: usize,
    },
    Bool(bool),
}

impl Cell {
    /// A float shown with `decimals` digits.
    pub fn float(value: f64, decimals: usize) -> Cell {
        Cell::Float { value, decimals }
    }

    /// The cell as people read it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float { value, decimals } => format!("{value:.decimals$}"),
            Cell::Bool(b) => if *b { "yes" } else { "NO" }.to_owned(),
        }
    }

    /// The cell as data: full precision.
    pub fn raw(&self) -> String {
        match self {
            Cell::Float { value, .. } => value.to_string(),
            Cell::Bool(b) => b.to_string(),
            other => other.display(),
        }
    }

    /// The cell as a JSON value.
    pub fn json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::from(s.as_str()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float { value, .. } => Value::from(*value),
            Cell::Bool(b) => Value::from(*b),
        }
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Float { .. })
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

/// A table: a header of column names (used as JSON keys, so they are short
/// identifiers) and rows of cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub columns: Vec<(&'static str, &'static str)>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with `(key, title)` columns: the key names the field in JSON
    /// and CSV, the title heads the column in Markdown and on the terminal.
    pub fn new(columns: &[(&'static str, &'static str)]) -> Table {
        Table {
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Cell>) {
        assert_eq!(row.len(), self.columns.len(), "one cell per column");
        self.rows.push(row);
    }

    /// The rows as JSON objects keyed by column key.
    pub fn to_json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = self
                    .columns
                    .iter()
                    .zip(row)
                    .map(|((key, _), cell)| ((*key).to_owned(), cell.json()))
                    .collect();
                Value::Object(object)
            })
            .collect()
    }

    /// The table as aligned plain text for the terminal.
    pub fn to_text(&self) -> String {
        let cells: Vec<Vec<String>> = self
            .rows
            .iter()
            .map(|r| r.iter().map(Cell::display).collect())
            .collect();
        let widths: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, (_, title))| {
                cells
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([title.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let numeric: Vec<bool> = (0..self.columns.len())
            .map(|i| !self.rows.is_empty() && self.rows.iter().all(|r| r[i].is_numeric()))
            .collect();
        let line = |texts: Vec<String>| {
            let parts: Vec<String> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if numeric[i] {
                        format!("{t:>w$}", w = widths[i])
                    } else {
                        format!("{t:<w$}", w = widths[i])
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let mut out = line(self.columns.iter().map(|(_, t)| (*t).to_owned()).collect());
        out.push('\n');
        out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
        out.push('\n');
        for row in cells {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    /// Whether column `i` holds only numbers (right-aligned in Markdown).
    pub fn is_numeric_column(&self, i: usize) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(|r| r[i].is_numeric())
    }
}
