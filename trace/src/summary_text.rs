//! A [`Summary`] as tables: the per-thread table and the table of the
//! functions that took the most time, built once here as [`Table`]s that
//! `logprof report` prints and exports, and that `Display` prints.
//!
//! `{}` lists the ten functions of most time; a precision sets how many
//! (`{:.25}` lists 25, `{:.0}` leaves the functions table out).

use std::fmt;

use crate::summary::Summary;
use crate::table::{Cell, Table};

/// The per-thread columns a trace with off-CPU time adds: busy time split
/// into on-CPU, preempted and blocked (inside top-level spans).
const OFF_CPU_COLUMNS: [(&str, &str); 3] = [
    ("on_cpu_busy_ms", "on-CPU busy ms"),
    ("preempted_ms", "preempted ms"),
    ("blocked_ms", "blocked ms"),
];

/// Nanoseconds as milliseconds with three decimals.
fn ms(ns: u64) -> Cell {
    Cell::float(ns as f64 / 1e6, 3)
}

impl Summary {
    /// The per-thread table: spans, busy and idle time, utilisation and
    /// whether the lane counts in the load balance; with off-CPU time, busy
    /// time split into on-CPU, preempted and blocked.
    pub fn lanes_table(&self) -> Table {
        // Waiting (MPI calls, `wait!`) is neither busy nor idle: a column
        // of its own when some lane waited.
        let waited = self.lanes.iter().any(|l| l.waiting_ns > 0);
        let mut columns = vec![
            ("thread", "thread"),
            ("tid", "tid"),
            ("spans", "spans"),
            ("busy_ms", "busy ms"),
        ];
        if waited {
            columns.push(("waiting_ms", "waiting ms"));
        }
        columns.extend([
            ("idle_ms", "idle ms"),
            ("utilisation", "utilisation"),
            ("scored", "scored"),
        ]);
        let off_cpu = self.off_cpu.is_recorded();
        if off_cpu {
            columns.extend(OFF_CPU_COLUMNS);
        }
        let mut table = Table::new(&columns);
        for lane in &self.lanes {
            let mut row = vec![
                Cell::from(lane.label()),
                Cell::Int(lane.tid),
                Cell::Int(lane.spans as u64),
                ms(lane.busy_ns),
            ];
            if waited {
                row.push(ms(lane.waiting_ns));
            }
            row.extend([
                ms(lane.idle_ns),
                Cell::Percent(lane.utilisation),
                Cell::from(if lane.scored { "yes" } else { "no" }),
            ]);
            if off_cpu {
                row.extend([lane.on_cpu_busy_ns, lane.preempted_ns, lane.blocked_ns].map(ms));
            }
            table.push(row);
        }
        table
    }

    /// The `top` functions of most total time: calls, total and self time,
    /// mean time a call, and the range of the values and results their
    /// spans carry (columns only when some do).
    pub fn functions_table(&self, top: usize) -> Table {
        let shown = || self.functions.iter().take(top);
        let with_values = shown().any(|f| f.values.is_some());
        let with_results = shown().any(|f| f.results.is_some());
        let mut columns = vec![
            ("function", "function"),
            ("calls", "calls"),
            ("total_ms", "total ms"),
            ("self_ms", "self ms"),
            ("mean_us", "mean µs"),
        ];
        if with_values {
            columns.push(("values", "values"));
        }
        if with_results {
            columns.push(("results", "results"));
        }
        let mut table = Table::new(&columns);
        for f in shown() {
            let mut row = vec![
                Cell::from(f.name.as_str()),
                Cell::Int(f.calls),
                ms(f.total_ns),
                ms(f.self_ns),
                Cell::float(f.total_ns as f64 / f.calls.max(1) as f64 / 1e3, 2),
            ];
            // Ranges of numbers, right-aligned as numbers are.
            if with_values {
                row.push(Cell::Figure(f.values_text()));
            }
            if with_results {
                row.push(Cell::Figure(f.results_text()));
            }
            table.push(row);
        }
        table
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lanes_table().to_text())?;
        let top = f.precision().unwrap_or(10);
        if top == 0 {
            return Ok(());
        }
        writeln!(f)?;
        f.write_str(&self.functions_table(top).to_text())
    }
}

#[cfg(test)]
mod tests {
    use crate::trace::{Lane, Span, Trace};
    use crate::{OffCpu, OffCpuKind, OffCpuStatus};

    #[test]
    fn off_cpu_time_adds_the_columns_report_adds() {
        let mut trace = Trace::new();
        let work = trace.intern("work");
        let mut lane = Lane::with_spans(1, 7, "main", [Span::new(work, 0, 4_000_000, 0)]);
        lane.off_cpu = vec![OffCpu {
            start_ns: 1_000_000,
            end_ns: 2_000_000,
            kind: OffCpuKind::Preempted,
            cpu: None,
        }];
        trace.lanes.push(lane);
        let plain = trace.summary().to_string();
        assert!(!plain.contains("preempted"), "{plain}");
        trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
        let text = trace.summary().to_string();
        let header = text.lines().next().unwrap();
        assert!(
            header.ends_with("on-CPU busy ms  preempted ms  blocked ms"),
            "{text}"
        );
        let row: Vec<&str> = text.lines().nth(2).unwrap().split_whitespace().collect();
        assert_eq!(row[row.len() - 3..], ["3.000", "1.000", "0.000"], "{text}");
    }

    #[test]
    fn the_summary_displays_as_report_tables() {
        let mut trace = Trace::new();
        let work = trace.intern("work");
        let spans = [Span::new(work, 0, 2_000_000, 0)];
        trace.lanes.push(Lane::with_spans(1, 7, "main", spans));
        let text = trace.summary().to_string();
        assert_eq!(
            text,
            "thread  tid  spans  busy ms  idle ms  utilisation  scored\n\
             ------  ---  -----  -------  -------  -----------  ------\n\
             main      7      1    2.000    0.000      100.0 %  yes\n\
             \n\
             function  calls  total ms  self ms  mean µs\n\
             --------  -----  --------  -------  -------\n\
             work          1     2.000    2.000  2000.00\n"
        );
        assert!(!format!("{:.0}", trace.summary()).contains("function"));
    }
}
