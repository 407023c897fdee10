//! What `logprof simulate` charges on top of the work: this machine's
//! scheduling overheads (measured when the command starts, by
//! [`logprof_kernels::overheads::measure`]) or none, and the machine they
//! were measured on, said in the assumptions and in the JSON metadata.
//!
//! Measured at every start rather than read from a calibration file: the
//! probes take about 15 ms, and a stored file would go stale (another
//! machine, another load) without saying so. A value measured while other
//! work had the cores is said to be in doubt (on stderr, in the assumptions
//! and the JSON), never charged silently.

use anyhow::{Context, Result};
use logprof_kernels::overheads::{measure, repeats::Doubt};
use logprof_kernels::simulate::Overheads;
use serde_json::{json, Value};

use crate::cli::OverheadsArg;
use crate::measure::cpus;

/// What the units' costs are, for what the overheads are charged in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CostUnit {
    /// Column times measured here, in ns.
    MeasuredHere,
    /// A trace file's span durations, in ns, maybe recorded elsewhere.
    TraceFile,
}

/// The overheads charged, and how they were had.
#[derive(Clone, Debug)]
pub struct Charged {
    /// The overheads, in ns (all zero with `--overheads zero`).
    pub overheads: Overheads,
    /// Which the user asked for.
    pub choice: OverheadsArg,
    /// What the costs (and so the overheads) are in.
    pub unit: CostUnit,
    /// The measured overheads whose repeats cast doubt on them.
    pub doubts: Vec<Doubt>,
}

impl Charged {
    /// Measures the overheads on this machine, or takes none.
    pub fn new(choice: OverheadsArg, unit: CostUnit) -> Result<Charged> {
        let (overheads, doubts) = match choice {
            OverheadsArg::Zero => (Overheads::default(), Vec::new()),
            OverheadsArg::Measured => {
                let m = measure().context("cannot measure the scheduling overheads")?;
                (m.overheads, m.doubts)
            }
        };
        Ok(Charged {
            overheads,
            choice,
            unit,
            doubts,
        })
    }

    /// Says on stderr which measured overheads are in doubt, and what to
    /// do.
    pub fn warn(&self) {
        let load = load_average();
        if let Some(load) =
            load.filter(|&l| self.choice == OverheadsArg::Measured && l > cpus() as f64)
        {
            eprintln!(
                "warning: the overheads were measured on a busy machine (load average {load:.2} \
                 on {} cores): a steal or a wake may include waiting for a core",
                cpus()
            );
        }
        for d in &self.doubts {
            eprintln!(
                "warning: scheduling overhead {d} (rerun on a quiet machine, or --overheads zero)"
            );
        }
    }

    /// What the model assumes, said with every prediction.
    pub fn assumptions(&self) -> String {
        let units = match self.unit {
            CostUnit::MeasuredHere => {
                "independent units, no dependencies, each costing its median time (ns) in the \
                 recorded serial runs"
            }
            CostUnit::TraceFile => {
                "independent units, no dependencies, each costing its span's duration in the \
                 trace, read as ns on this machine (the trace may come from another)"
            }
        };
        let o = self.overheads;
        let overheads = match self.choice {
            OverheadsArg::Zero => {
                "no overheads (dispatch, spawn, steal, wake) charged (--overheads zero)".to_owned()
            }
            OverheadsArg::Measured => format!(
                "overheads measured on this machine charged, each the fastest of its repeats: \
                 {} ns a piece from the shared counter, {} ns a join task, {} ns a FIFO task, \
                 {} ns a steal, {} ns to wake a core for its first piece (measured \
                 uncontended: contention at many cores is not modelled){}",
                o.dispatch,
                o.spawn,
                o.fifo_spawn,
                o.steal,
                o.wake,
                self.doubts_text()
            ),
        };
        format!("{units}; {overheads}")
    }

    /// The doubts, for the assumptions: none, or each and why.
    fn doubts_text(&self) -> String {
        if self.doubts.is_empty() {
            return String::new();
        }
        let each: Vec<String> = self.doubts.iter().map(Doubt::to_string).collect();
        format!("; in doubt (the machine was busy): {}", each.join("; "))
    }

    /// The metadata for the JSON export: the overheads in ns, what they are
    /// charged in, and the machine.
    pub fn meta(&self) -> Value {
        let o = self.overheads;
        json!({
            "overheads": match self.choice {
                OverheadsArg::Measured => "measured",
                OverheadsArg::Zero => "zero",
            },
            "overheads_ns": {
                "dispatch": o.dispatch,
                "spawn": o.spawn,
                "fifo_spawn": o.fifo_spawn,
                "steal": o.steal,
                "wake": o.wake,
            },
            "overheads_in_doubt": self.doubts.iter().map(|d| json!({
                "overhead": d.overhead,
                "charged_ns": d.charged_ns,
                "why": d.to_string(),
            })).collect::<Vec<_>>(),
            "cost_unit": match self.unit {
                CostUnit::MeasuredHere => "ns, measured on this machine",
                CostUnit::TraceFile => "ns, the trace file's span durations",
            },
            "machine": machine(),
        })
    }
}

/// This machine: its cores and, where `/proc` says, its CPU model and its
/// load when the overheads were measured.
pub fn machine() -> Value {
    json!({ "cores": cpus(), "cpu_model": cpu_model(), "load_average": load_average() })
}

/// The last minute's load average (Linux), or `None`.
fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// The CPU model `/proc/cpuinfo` names (Linux), or `None`.
pub fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    model_name(&info)
}

/// The first `model name` of a `/proc/cpuinfo` text.
fn model_name(cpuinfo: &str) -> Option<String> {
    cpuinfo.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        (key.trim() == "model name" && !value.trim().is_empty()).then(|| value.trim().to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_model_name_is_read_from_cpuinfo() {
        let info = "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Some CPU @ 2.00GHz\n";
        assert_eq!(model_name(info).as_deref(), Some("Some CPU @ 2.00GHz"));
        assert_eq!(model_name("processor : 0\n"), None);
    }

    #[test]
    fn zero_overheads_are_said_and_recorded() {
        let c = Charged::new(OverheadsArg::Zero, CostUnit::TraceFile).unwrap();
        assert!(
            c.assumptions().contains("no overheads"),
            "{}",
            c.assumptions()
        );
        assert!(c.assumptions().contains("another"), "{}", c.assumptions());
        let meta = c.meta();
        assert_eq!(meta["overheads"], "zero");
        assert_eq!(meta["overheads_ns"]["steal"], 0);
        assert_eq!(meta["machine"]["cores"], cpus());
    }
}
