//! A table of typed cells, printed as aligned text: the one table printer
//! of logprof, for a [`Summary`](crate::Summary)'s `Display` and for every
//! table the `logprof` command prints or exports. Typed cells let each
//! export format render numbers its own way (rounded in Markdown and on the
//! terminal, exact in JSON and CSV).

use serde_json::{Map, Value};

/// One cell of a table.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A count.
    Int(u64),
    /// A number shown with `decimals` digits after the point.
    Float {
        /// The exact value, as JSON and CSV give it.
        value: f64,
        /// Digits shown on the terminal and in Markdown.
        decimals: usize,
    },
    /// A ratio in `0..=1`, shown as a percentage with one decimal (`61.9 %`,
    /// as the pictures write it) and given as the ratio in JSON and CSV.
    Percent(f64),
    /// Numbers already formatted for people (`1.234 ± 0.010`), right-aligned;
    /// only for columns that are shown, never exported as data.
    Figure(String),
    /// Yes or no.
    Bool(bool),
    /// A number that is not there (nothing measured, say): `-` to people,
    /// `null` in JSON, an empty field in CSV.
    Missing,
}

impl Cell {
    /// A float shown with `decimals` digits.
    pub fn float(value: f64, decimals: usize) -> Cell {
        Cell::Float { value, decimals }
    }

    /// The cell as people read it.
    pub fn display(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Figure(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float { value, decimals } => format!("{value:.decimals$}"),
            Cell::Percent(ratio) => percent(*ratio),
            Cell::Bool(b) => if *b { "yes" } else { "NO" }.to_owned(),
            Cell::Missing => "-".to_owned(),
        }
    }

    /// The cell as data: full precision.
    pub fn raw(&self) -> String {
        match self {
            Cell::Float { value, .. } | Cell::Percent(value) => value.to_string(),
            Cell::Bool(b) => b.to_string(),
            Cell::Missing => String::new(),
            other => other.display(),
        }
    }

    /// The cell as a JSON value.
    pub fn json(&self) -> Value {
        match self {
            Cell::Text(s) | Cell::Figure(s) => Value::from(s.as_str()),
            Cell::Int(i) => Value::from(*i),
            Cell::Float { value, .. } | Cell::Percent(value) => Value::from(*value),
            Cell::Bool(b) => Value::from(*b),
            Cell::Missing => Value::Null,
        }
    }

    fn is_numeric(&self) -> bool {
        !matches!(self, Cell::Text(_) | Cell::Bool(_))
    }
}

/// A ratio as the pictures write it: `61.9 %`.
pub fn percent(ratio: f64) -> String {
    format!("{:.1} %", ratio * 100.0)
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

/// Where a column appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    /// On the terminal, in Markdown, in JSON and in CSV.
    Everywhere,
    /// Only in JSON and CSV: exact numbers that a shown column summarises.
    AsData,
    /// Only on the terminal and in Markdown: a column for people.
    ToPeople,
}

/// One column: its key (the field in JSON and CSV), its title (the heading
/// on the terminal and in Markdown) and where it appears.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// Field name in JSON and CSV: a short identifier.
    pub key: &'static str,
    /// Heading on the terminal and in Markdown.
    pub title: &'static str,
    /// Where the column appears.
    pub shown: Shown,
}

impl Column {
    /// A column shown everywhere.
    pub const fn new(key: &'static str, title: &'static str) -> Column {
        Column {
            key,
            title,
            shown: Shown::Everywhere,
        }
    }

    /// A column only in JSON and CSV.
    pub const fn data(key: &'static str) -> Column {
        Column {
            key,
            title: key,
            shown: Shown::AsData,
        }
    }

    /// A column only on the terminal and in Markdown.
    pub const fn view(title: &'static str) -> Column {
        Column {
            key: title,
            title,
            shown: Shown::ToPeople,
        }
    }

    fn is_data(&self) -> bool {
        self.shown != Shown::ToPeople
    }

    fn is_view(&self) -> bool {
        self.shown != Shown::AsData
    }
}

/// A table: a header of columns and rows of cells.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    /// A table with `(key, title)` columns shown everywhere: the key names
    /// the field in JSON and CSV, the title heads the column in Markdown and
    /// on the terminal.
    pub fn new(columns: &[(&'static str, &'static str)]) -> Table {
        Table::with_columns(columns.iter().map(|&(k, t)| Column::new(k, t)).collect())
    }

    /// A table of the given columns.
    pub fn with_columns(columns: Vec<Column>) -> Table {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Cell>) {
        assert_eq!(row.len(), self.columns.len(), "one cell per column");
        self.rows.push(row);
    }

    /// The data columns' keys, for JSON and CSV.
    pub fn data_keys(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .filter(|c| c.is_data())
            .map(|c| c.key)
            .collect()
    }

    /// The data cells of a row, in the order of [`Table::data_keys`].
    pub fn data_cells<'a>(&'a self, row: &'a [Cell]) -> impl Iterator<Item = &'a Cell> + 'a {
        self.columns
            .iter()
            .zip(row)
            .filter(|(c, _)| c.is_data())
            .map(|(_, cell)| cell)
    }

    /// The shown columns as (title, right-aligned, cells as people read
    /// them), for the terminal and Markdown.
    pub fn view(&self) -> Vec<(&'static str, bool, Vec<String>)> {
        self.columns
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_view())
            .map(|(i, c)| {
                let numeric = !self.rows.is_empty() && self.rows.iter().all(|r| r[i].is_numeric());
                let cells = self.rows.iter().map(|r| r[i].display()).collect();
                (c.title, numeric, cells)
            })
            .collect()
    }

    /// The rows as JSON objects keyed by column key.
    pub fn to_json_rows(&self) -> Vec<Value> {
        self.rows
            .iter()
            .map(|row| {
                let object: Map<String, Value> = self
                    .data_keys()
                    .into_iter()
                    .zip(self.data_cells(row))
                    .map(|(key, cell)| (key.to_owned(), cell.json()))
                    .collect();
                Value::Object(object)
            })
            .collect()
    }

    /// The table as aligned plain text for the terminal.
    pub fn to_text(&self) -> String {
        let view = self.view();
        let widths: Vec<usize> = view
            .iter()
            .map(|(title, _, cells)| {
                cells
                    .iter()
                    .map(|c| c.chars().count())
                    .chain([title.chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |texts: Vec<String>| {
            let parts: Vec<String> = texts
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    if view[i].1 {
                        format!("{t:>w$}", w = widths[i])
                    } else {
                        format!("{t:<w$}", w = widths[i])
                    }
                })
                .collect();
            parts.join("  ").trim_end().to_owned()
        };
        let mut out = line(view.iter().map(|(t, _, _)| (*t).to_owned()).collect());
        out.push('\n');
        out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
        out.push('\n');
        for r in 0..self.rows.len() {
            out.push_str(&line(view.iter().map(|(_, _, c)| c[r].clone()).collect()));
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_view_columns_go_to_their_formats() {
        let mut t = Table::with_columns(vec![
            Column::new("scheduler", "scheduler"),
            Column::data("mean_ms"),
            Column::view("time ms"),
            Column::new("load_balance", "load balance"),
        ]);
        t.push(vec![
            Cell::from("static"),
            Cell::float(1.23456, 3),
            Cell::Figure("1.235 ± 0.010".into()),
            Cell::Percent(0.6189),
        ]);
        let text = t.to_text();
        assert!(
            text.contains("1.235 ± 0.010") && text.contains("61.9 %"),
            "{text}"
        );
        assert!(!text.contains("mean_ms"), "{text}");
        let json = &t.to_json_rows()[0];
        assert_eq!(json["mean_ms"], 1.23456);
        assert_eq!(json["load_balance"], 0.6189);
        assert!(json.get("time ms").is_none());
    }
}
