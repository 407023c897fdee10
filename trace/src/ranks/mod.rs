//! The ranks of an MPI program, as their trace files know them: which rank
//! a file is ([`RankFacts`]), its clock against rank 0's ([`ClockSync`]),
//! and merging ranks' files into one trace with one process per rank
//! ([`merge_files`], the `logprof merge` command).
//!
//! Recording on MPI is the `logprof` crate's (`logprof::ranks`, feature
//! `mpi`): it measures the clocks and writes these facts into each rank's
//! streamed `.lpt` file. This module only reads and merges; it needs no MPI.
//!
//! - `mod.rs`: the facts a rank's file carries, the clock model, and what
//!   a merged trace says of its ranks (cores, off-CPU status, metadata),
//!   shared with the in-memory merge of `logprof::ranks`;
//! - `inputs.rs`: finding each input's rank and checking the set is whole;
//! - `merge_files.rs`: the merge itself, chunk by chunk.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::{OffCpuStatus, Trace};

mod inputs;
mod merge_files;

pub use inputs::{rank_path, MergeError};
pub use merge_files::{merge_files, MergeReport};

/// The key of [`Trace::metadata`] under which a whole trace read from a
/// rank's file keeps its [`RankFacts`].
pub const RANK_METADATA: &str = "rank";

/// One rank's offset to rank 0 at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSample {
    /// The rank's own clock at the exchange, in ns.
    pub at_ns: u64,
    /// What to add to the rank's clock to read rank 0's:
    /// `t0_send + rtt/2 − t_rank`.
    pub offset_ns: i64,
    /// Half the round trip of the exchange: the offset is right to within
    /// this.
    pub uncertainty_ns: u64,
}

/// A rank's clock against rank 0's, at the start and the end of a recording.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockSync {
    /// Measured when the ranks started.
    pub start: ClockSample,
    /// Measured when the traces were gathered (or the streams ended).
    pub end: ClockSample,
}

impl ClockSync {
    /// The offset at `t_ns` on the rank's clock: linear between the start
    /// and end samples, held at their values outside them.
    pub fn offset_at(&self, t_ns: u64) -> i64 {
        let (s, e) = (&self.start, &self.end);
        if e.at_ns <= s.at_ns || t_ns <= s.at_ns {
            return s.offset_ns;
        }
        if t_ns >= e.at_ns {
            return e.offset_ns;
        }
        let f = (t_ns - s.at_ns) as f64 / (e.at_ns - s.at_ns) as f64;
        s.offset_ns + ((e.offset_ns - s.offset_ns) as f64 * f).round() as i64
    }

    /// `t_ns` on the rank's clock, as rank 0's clock read it.
    pub fn to_rank0(&self, t_ns: u64) -> i64 {
        t_ns as i64 + self.offset_at(t_ns)
    }

    /// The larger of the two uncertainties.
    pub fn uncertainty_ns(&self) -> u64 {
        self.start.uncertainty_ns.max(self.end.uncertainty_ns)
    }

    /// The smallest offset the clock ever gets: times at or above 0 on the
    /// rank's clock are at or above this on rank 0's.
    pub fn least_offset_ns(&self) -> i64 {
        self.start.offset_ns.min(self.end.offset_ns)
    }
}

/// What a rank's file says of the rank that wrote it: written by
/// `logprof::ranks` into a streamed `.lpt` file (chunks `rank` and `clock`,
/// see `docs/compact-format.md`), kept in a whole trace read from it under
/// [`Trace::metadata`]`["rank"]` ([`RANK_METADATA`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankFacts {
    /// The rank, from 0.
    pub rank: u32,
    /// The number of ranks of the run.
    pub ranks: u32,
    /// The host it ran on (MPI's processor name); empty when unknown.
    #[serde(default)]
    pub host: String,
    /// The CPUs it could run on (its affinity mask), when known.
    #[serde(default)]
    pub cpus: Option<Vec<u32>>,
    /// The whole CPUs its cgroup's quota allows, when it has one.
    #[serde(default)]
    pub quota: Option<u32>,
    /// Its clock against rank 0's at the start, when measured.
    #[serde(default)]
    pub clock_start: Option<ClockSample>,
    /// Its clock against rank 0's at the end, when measured (the file's
    /// last chunks: a file cut off before them has only the start).
    #[serde(default)]
    pub clock_end: Option<ClockSample>,
}

impl RankFacts {
    /// The clock model: both samples, the start held when the end is
    /// missing, no offset when neither was measured.
    pub fn clock(&self) -> ClockSync {
        let start = self.clock_start.or(self.clock_end).unwrap_or_default();
        ClockSync {
            start,
            end: self.clock_end.unwrap_or(start),
        }
    }

    /// The facts a whole trace read from a rank's file keeps in its
    /// metadata; `None` when it has none (or they do not read).
    pub fn of_trace(trace: &Trace) -> Option<RankFacts> {
        let value = trace.metadata.get(RANK_METADATA)?;
        serde_json::from_value(value.clone()).ok()
    }
}

/// What a merged trace keeps of one rank, in `metadata["mpi"]["ranks"]`.
#[derive(Serialize)]
pub struct RankMetadata<'a> {
    /// The rank.
    pub rank: u32,
    /// The host it ran on.
    pub host: &'a str,
    /// The CPUs it could run on (absent when unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpus: Option<&'a [u32]>,
    /// Its clock against rank 0's.
    #[serde(flatten)]
    pub clock: ClockSync,
}

/// What a merged trace's `metadata["mpi"]` holds.
#[derive(Serialize)]
pub struct MpiMetadata<'a> {
    /// The recorder's clock on every rank, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<&'a str>,
    /// Added to every time after the offsets, so none is negative.
    pub origin_ns: u64,
    /// Each rank, in rank order.
    pub ranks: Vec<RankMetadata<'a>>,
    /// Messages with both ends recorded (drawn as flow arrows).
    pub messages: usize,
    /// Message ends whose other end was not recorded.
    pub unmatched_message_ends: usize,
}

/// One rank's place, for [`merged_cores`]: its host, the CPUs it could
/// run on, its cgroup's CPU quota.
pub type RankCpus<'a> = (&'a str, Option<&'a [u32]>, Option<u32>);

/// The cores the ranks could use together: per host, the union of its
/// ranks' CPUs (ranks bound to one core each add up; ranks free to use all
/// of a host's cores count them once), at most the smallest CPU quota of
/// its ranks (one container's ranks share one), summed over the hosts.
/// Unknown when one rank's CPUs are: a rank's own count would say nothing
/// of the others.
pub fn merged_cores<'a>(ranks: impl IntoIterator<Item = RankCpus<'a>>) -> Option<u32> {
    let mut of_host: BTreeMap<&str, (BTreeSet<u32>, u32)> = BTreeMap::new();
    for (host, cpus, quota) in ranks {
        let (set, q) = of_host.entry(host).or_insert((BTreeSet::new(), u32::MAX));
        set.extend(cpus?);
        *q = (*q).min(quota.unwrap_or(u32::MAX));
    }
    let cores: u64 = of_host
        .values()
        .map(|(cpus, quota)| (cpus.len() as u64).min(u64::from(*quota)))
        .sum();
    (cores > 0).then(|| u32::try_from(cores).unwrap_or(u32::MAX))
}

/// Whether the merged trace has off-CPU time: recorded when every rank
/// recorded it (losses added up), else what the first rank without it says.
pub fn merged_off_cpu<'a>(ranks: impl IntoIterator<Item = &'a OffCpuStatus>) -> OffCpuStatus {
    let mut lost = 0;
    let mut any = false;
    for status in ranks {
        any = true;
        match status {
            OffCpuStatus::Recorded { lost_switches } => lost += lost_switches,
            other => return other.clone(),
        }
    }
    if any {
        OffCpuStatus::Recorded {
            lost_switches: lost,
        }
    } else {
        OffCpuStatus::NotRecorded
    }
}

#[cfg(test)]
mod tests;
