//! [`Regions`] as a table and as the "where the time goes" text that
//! `logprof report` prints.

use super::{RegionGroup, Regions};
use crate::table::{percent, Cell, Column, Table};

/// Nanoseconds as milliseconds with three decimals.
fn ms(ns: f64) -> Cell {
    Cell::float(ns / 1e6, 3)
}

/// A ratio, or `-` when there is none.
fn maybe_percent(ratio: Option<f64>) -> Cell {
    ratio.map_or(Cell::Missing, Cell::Percent)
}

impl Regions {
    /// The `top` ranked groups of regions (those without child regions, by
    /// what fixing them could save), one row each: which, how many, where,
    /// their shape and figures.
    pub fn table(&self, top: usize) -> Table {
        let columns = [
            ("rank", "#"),
            ("region", "region"),
            ("count", "×"),
            ("found", "found"),
            ("parent", "in"),
            ("wall_ms", "wall ms"),
            ("share", "share"),
            ("threads", "threads"),
            ("shape", "shape"),
            ("load_balance", "load balance"),
            ("parallel_efficiency", "efficiency"),
            ("potential_gain_ms", "gain ms"),
        ];
        let mut columns: Vec<Column> = columns.iter().map(|&(k, t)| Column::new(k, t)).collect();
        // The ranking key is the wall (serial) or the gain (parallel), both
        // shown: exported only.
        columns.push(Column::data("could_save_ms"));
        columns.push(Column::new("critical_lane", "critical lane"));
        let mut table = Table::with_columns(columns);
        for r in self.ranked().iter().take(top) {
            table.push(self.row(r));
        }
        table
    }

    fn row(&self, g: &RegionGroup) -> Vec<Cell> {
        let parent = g
            .path
            .last()
            .map_or(Cell::from("-"), |p| Cell::from(p.as_str()));
        let shape = match (g.serial, g.threads) {
            (_, 0) => "no work",
            (true, _) => "serial",
            (false, _) => "parallel",
        };
        vec![
            Cell::Int(g.rank as u64),
            Cell::from(g.name.as_str()),
            Cell::Int(g.regions.len() as u64),
            Cell::from(g.found.as_str()),
            parent,
            ms(g.wall_ns as f64),
            Cell::Percent(g.share),
            Cell::Int(g.threads as u64),
            Cell::from(shape),
            maybe_percent(g.load_balance),
            maybe_percent(g.parallel_efficiency),
            ms(g.potential_gain_ns),
            ms(g.could_save_ns),
            g.critical_lane.as_deref().map_or(Cell::Missing, Cell::from),
        ]
    }

    /// The advice of a group, one line: its region's, or for several
    /// regions the costliest one's that has advice (said).
    fn advice_line(&self, g: &RegionGroup) -> Option<String> {
        let advised = g
            .regions
            .iter()
            .filter_map(|&i| self.regions.get(i))
            .filter(|r| r.advice.is_some());
        let r = advised.max_by(|a, b| a.could_save_ns.total_cmp(&b.could_save_ns))?;
        let advice = r.advice.as_ref()?;
        let which = match g.regions.len() {
            1 => String::new(),
            n => format!(", the costliest of {n}"),
        };
        Some(format!(
            "advice: {} ({:.0} % of the run{which}): {}\n",
            r.name,
            r.share * 100.0,
            advice.why
        ))
    }

    /// "Where the time goes": a line on the run's serial time, the table
    /// of the `top` ranked regions, the advice of each advised one
    /// (`advice: region (share): why`), their notes (`- region: note`), then
    /// the notes on the whole run (`note: …`).
    pub fn to_text(&self, top: usize) -> String {
        let mut out = String::new();
        let wall = self.wall_ns();
        if !self.regions.is_empty() {
            let plural = |n: usize, word: &str| match n {
                1 => format!("1 {word}"),
                n => format!("{n} {word}s"),
            };
            out.push_str(&format!(
                "{} ({}); serial {:.3} of {:.3} ms ({}); ranked by what fixing them could save \
                 (serial: their time; parallel: wall − ideal time)\n",
                plural(self.regions.len(), "region"),
                plural(self.ranking.len(), "kind"),
                self.serial_ns as f64 / 1e6,
                wall as f64 / 1e6,
                percent(self.serial_ns as f64 / wall.max(1) as f64),
            ));
            out.push_str(&self.table(top).to_text());
        }
        for g in self.ranked().iter().take(top) {
            if let Some(line) = self.advice_line(g) {
                out.push_str(&line);
            }
        }
        for r in self.ranked().iter().take(top) {
            for note in &r.notes {
                out.push_str(&format!("- {}: {note}\n", r.name));
            }
        }
        for note in &self.notes {
            out.push_str(&format!("note: {note}\n"));
        }
        out
    }
}
