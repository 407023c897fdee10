//! Table exports, one module a format, as hyperfine does: `--export-markdown`,
//! `--export-json`, `--export-csv`.

mod csv;
mod json;
mod markdown;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::table::Table;

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
