//! What a Perfetto trace's events cannot carry, kept by logprof in one
//! `ChromeEventBundle` metadata entry named `logprof` whose value is JSON:
//! the names table in order (so name ids survive), the process names, the
//! [`Losses`], the trace's metadata, the off-CPU status, the cores, the
//! core each lane started on, and the process and thread ids too wide for
//! the descriptors' 32-bit fields.
//! Trace processor keeps the entry among the trace's metadata; its
//! presence is how the reader knows logprof wrote the file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::offcpu::OffCpuStatus;
use crate::trace::{Losses, Trace};

/// Bumped when the meaning of the entry changes.
const FORMAT_VERSION: u32 = 1;

/// The `logprof` metadata entry.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(super) struct Facts {
    pub format: u32,
    #[serde(default)]
    pub producer: String,
    #[serde(default)]
    pub process_name: Option<String>,
    /// [`Trace::process_names`], as it was (the descriptors name every
    /// process, and cannot say which names were the trace's own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub process_names: BTreeMap<u32, String>,
    #[serde(default)]
    pub names: Vec<String>,
    #[serde(default)]
    pub losses: Losses,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub off_cpu: Option<String>,
    #[serde(default)]
    pub lost_switches: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cores: Option<u32>,
    /// `(thread track uuid, pid, tid)` of the lanes whose ids do not fit
    /// the descriptors' `int32` fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wide_ids: Vec<(u64, u32, u64)>,
    /// `(pid, tid, core)`: the core each lane was on where its off-CPU
    /// record begins ([`Lane::start_cpu`](crate::Lane::start_cpu)).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub start_cpus: Vec<(u32, u64, u32)>,
    /// The names marked as regions and as waiting, by id, whether or not a
    /// span uses them (a span's category says it only for names in use).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub region_names: Vec<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub wait_names: Vec<u32>,
}

impl Facts {
    pub fn off_cpu(&self) -> OffCpuStatus {
        self.off_cpu
            .as_deref()
            .map(|t| OffCpuStatus::from_text(t, self.lost_switches))
            .unwrap_or_default()
    }
}

/// The entry's JSON for `trace`.
pub(super) fn to_json(trace: &Trace, wide_ids: &[(u64, u32, u64)]) -> String {
    let facts = Facts {
        format: FORMAT_VERSION,
        producer: concat!("logprof ", env!("CARGO_PKG_VERSION")).to_owned(),
        process_name: trace.process_name.clone(),
        process_names: trace.process_names.clone(),
        names: trace.names.clone(),
        losses: trace.losses,
        metadata: trace.metadata.clone(),
        off_cpu: trace.off_cpu.to_text(),
        lost_switches: trace.off_cpu.lost_switches(),
        cores: trace.cores,
        wide_ids: wide_ids.to_vec(),
        region_names: trace.region_names.iter().copied().collect(),
        wait_names: trace.wait_names.iter().copied().collect(),
        start_cpus: (trace.lanes.iter())
            .filter_map(|l| Some((l.pid, l.tid, l.start_cpu?)))
            .collect(),
    };
    // A struct of strings, numbers and JSON values always serialises.
    serde_json::to_string(&facts).unwrap_or_default()
}
