//! Table exports, one module a format, as hyperfine does: `--export-markdown`,
//! `--export-json`, `--export-csv`.

mod csv;
mod json;
mod markdown;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use logprof_trace::table::Table;

pub use csv::to_csv;
pub use json::to_json;
pub use markdown::to_markdown;

/// The export files asked for on the command line.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct ExportArgs {
    /// Also write the table as Markdown to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Also write the table as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Also write the table as CSV to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
}

impl ExportArgs {
    /// The export files asked for, each with its option.
    pub fn files(&self) -> impl Iterator<Item = (&'static str, &Path)> {
        [
            ("--export-markdown", &self.export_markdown),
            ("--export-json", &self.export_json),
            ("--export-csv", &self.export_csv),
        ]
        .into_iter()
        .filter_map(|(option, file)| Some((option, file.as_deref()?)))
    }

    /// Writes every export asked for; `meta` goes beside the rows in JSON.
    pub fn write(&self, table: &Table, meta: &serde_json::Value) -> Result<()> {
        if let Some(path) = &self.export_markdown {
            write_text(path, &to_markdown(table))?;
        }
        if let Some(path) = &self.export_json {
            write_text(path, &to_json(table, meta))?;
        }
        if let Some(path) = &self.export_csv {
            write_text(path, &to_csv(table))?;
        }
        Ok(())
    }
}

/// Writes `text` to `path` atomically, with an error naming the file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    logprof::write_atomically(path, |w| std::io::Write::write_all(w, text.as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use logprof_trace::table::Cell;

    #[test]
    fn a_missing_number_is_null_in_json_empty_in_csv_and_a_dash_to_people() {
        let mut t = Table::new(&[("scheduler", "scheduler"), ("measured_ms", "measured ms")]);
        t.push(vec![Cell::from("static"), Cell::float(2.5, 3)]);
        t.push(vec![Cell::from("rayon"), Cell::Missing]);
        let rows = t.to_json_rows();
        assert_eq!(rows[0]["measured_ms"], 2.5);
        assert!(rows[1]["measured_ms"].is_null(), "{}", rows[1]);
        let csv = to_csv(&t);
        assert_eq!(csv, "scheduler,measured_ms\nstatic,2.5\nrayon,\n");
        let text = t.to_text();
        assert!(text.lines().last().unwrap().ends_with(" -"), "{text}");
        // Still a numeric column: right-aligned, as its numbers are.
        assert!(to_markdown(&t).contains("|:---|---:|"));
    }
}
