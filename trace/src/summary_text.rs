//! `Display` for [`Summary`]: the per-thread table and the table of the
//! functions that took the most time, as `logprof report` prints them.
//!
//! `{}` lists the ten functions of most time; a precision sets how many
//! (`{:.25}` lists 25, `{:.0}` leaves the functions table out).

use std::fmt;

use crate::summary::Summary;

/// Columns of a text table: title and whether the column is right-aligned.
type Columns<'a> = &'a [(&'a str, bool)];

/// A table with a header row, a row of dashes and `rows`, columns two
/// spaces apart, each as wide as its widest cell.
fn text_table(columns: Columns<'_>, rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, (title, _))| {
            rows.iter()
                .map(|r| r[i].chars().count())
                .chain([title.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(columns.iter().zip(&widths))
            .map(|(c, ((_, right), &w))| {
                if *right {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        parts.join("  ").trim_end().to_owned() + "\n"
    };
    let mut out = line(columns.iter().map(|(t, _)| (*t).to_owned()).collect());
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for row in rows {
        out.push_str(&line(row.clone()));
    }
    out
}

fn ms(ns: f64) -> String {
    format!("{:.3}", ns / 1e6)
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // With off-CPU time, busy time split as `report` splits it.
        let off_cpu = self.off_cpu.is_recorded();
        let lanes: Vec<Vec<String>> = self
            .lanes
            .iter()
            .map(|l| {
                let mut row = vec![
                    l.label(),
                    l.tid.to_string(),
                    l.spans.to_string(),
                    ms(l.busy_ns as f64),
                    ms(l.idle_ns as f64),
                    format!("{:.1} %", l.utilisation * 100.0),
                    if l.scored { "yes" } else { "no" }.to_owned(),
                ];
                if off_cpu {
                    row.extend(
                        [l.on_cpu_busy_ns, l.preempted_ns, l.blocked_ns].map(|ns| ms(ns as f64)),
                    );
                }
                row
            })
            .collect();
        let mut columns = vec![
            ("thread", false),
            ("tid", true),
            ("spans", true),
            ("busy ms", true),
            ("idle ms", true),
            ("utilisation", true),
            ("scored", false),
        ];
        if off_cpu {
            columns.extend([
                ("on-CPU busy ms", true),
                ("preempted ms", true),
                ("blocked ms", true),
            ]);
        }
        f.write_str(&text_table(&columns, &lanes))?;
        let top = f.precision().unwrap_or(10);
        if top == 0 {
            return Ok(());
        }
        // The range of the values spans carry, only when some do.
        let with_values = self.functions.iter().take(top).any(|s| s.values.is_some());
        let with_results = self.functions.iter().take(top).any(|s| s.results.is_some());
        let functions: Vec<Vec<String>> = self
            .functions
            .iter()
            .take(top)
            .map(|s| {
                let mut row = vec![
                    s.name.clone(),
                    s.calls.to_string(),
                    ms(s.total_ns as f64),
                    ms(s.self_ns as f64),
                    format!("{:.2}", s.total_ns as f64 / s.calls.max(1) as f64 / 1e3),
                ];
                if with_values {
                    row.push(s.values_text());
                }
                if with_results {
                    row.push(s.results_text());
                }
                row
            })
            .collect();
        let mut columns = vec![
            ("function", false),
            ("calls", true),
            ("total ms", true),
            ("self ms", true),
            ("mean µs", true),
        ];
        if with_values {
            columns.push(("values", true));
        }
        if with_results {
            columns.push(("results", true));
        }
        writeln!(f)?;
        f.write_str(&text_table(&columns, &functions))
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
