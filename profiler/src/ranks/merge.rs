//! Every rank's trace into one: lanes of rank r get pid r and the process
//! name "rank r", times move onto rank 0's clock, names are interned once,
//! and the cores are those the ranks could use together.

use logprof_trace::ranks::{merged_cores, MpiMetadata, RankMetadata};

use super::clock_sync::ClockSync;
use crate::{CounterTrack, InstantEvent, Lane, NameTable, Span, Trace};
use crate::{OffCpu, OffCpuStatus};

/// One rank's trace, as gathered to rank 0.
pub(crate) struct RankTrace {
    pub(crate) rank: u32,
    pub(crate) host: String,
    /// The CPUs the rank could run on (its affinity mask), when known.
    pub(crate) cpus: Option<Vec<u32>>,
    /// The whole CPUs its cgroup's quota allows, when it has one.
    pub(crate) quota: Option<u32>,
    pub(crate) clock: ClockSync,
    pub(crate) trace: Trace,
}

/// The traces of all ranks, in rank order, as one trace on rank 0's clock
/// (shifted so that no time is negative; the shift is `origin_ns` in the
/// metadata).
pub(crate) fn merge(parts: &[RankTrace]) -> Trace {
    // The earliest time on rank 0's clock, to shift by when negative.
    let earliest = parts
        .iter()
        .flat_map(|p| times(&p.trace).map(|t| p.clock.to_rank0(t)))
        .min()
        .unwrap_or(0);
    let origin = earliest.min(0).unsigned_abs();
    let mut table = NameTable::new();
    let mut merged = Trace {
        process_name: parts.first().and_then(|p| p.trace.process_name.clone()),
        off_cpu: merged_off_cpu(parts),
        cores: cores(parts),
        ..Trace::default()
    };
    for part in parts {
        let ids: Vec<u32> = part.trace.names.iter().map(|n| table.intern(n)).collect();
        let name = |id: u32| ids.get(id as usize).copied().unwrap_or(id);
        let at = |t: u64| (part.clock.to_rank0(t) + origin as i64).max(0) as u64;
        // A name marked as a region on any rank is one in the merged trace.
        let regions = part.trace.region_names.iter().map(|&id| name(id));
        merged.region_names.extend(regions);
        let waits = part.trace.wait_names.iter().map(|&id| name(id));
        merged.wait_names.extend(waits);
        for lane in &part.trace.lanes {
            let mut out = Lane::new(part.rank, lane.tid, lane.thread_name.clone());
            out.spans = lane
                .spans
                .iter()
                .map(|s| Span {
                    name: name(s.name),
                    start_ns: at(s.start_ns),
                    end_ns: at(s.end_ns).max(at(s.start_ns)),
                    ..s.clone()
                })
                .collect();
            out.instants = lane
                .instants
                .iter()
                .map(|i| InstantEvent {
                    name: name(i.name),
                    ts_ns: at(i.ts_ns),
                })
                .collect();
            // Core numbers are each host's own; ranks on one host share them.
            out.start_cpu = lane.start_cpu;
            out.off_cpu = lane
                .off_cpu
                .iter()
                .map(|o| OffCpu {
                    start_ns: at(o.start_ns),
                    end_ns: at(o.end_ns).max(at(o.start_ns)),
                    kind: o.kind,
                    cpu: o.cpu,
                })
                .collect();
            merged.lanes.push(out);
        }
        for counter in &part.trace.counters {
            merged.counters.push(CounterTrack {
                pid: part.rank,
                name: counter.name.clone(),
                samples: counter.samples.iter().map(|&(t, v)| (at(t), v)).collect(),
            });
        }
        let (l, m) = (&part.trace.losses, &mut merged.losses);
        m.overwritten_events += l.overwritten_events;
        m.unmatched_exits += l.unmatched_exits;
        m.unclosed_enters += l.unclosed_enters;
        merged
            .process_names
            .insert(part.rank, format!("rank {}", part.rank));
    }
    merged.names = table.into_names();
    merged.normalize();
    let messages = merged.messages();
    let metadata = MpiMetadata {
        messages: messages.flows.len(),
        unmatched_message_ends: messages.unmatched,
        clock: Some(crate::clock_name()),
        origin_ns: origin,
        ranks: parts
            .iter()
            .map(|p| RankMetadata {
                rank: p.rank,
                host: &p.host,
                cpus: p.cpus.as_deref(),
                clock: p.clock,
            })
            .collect(),
    };
    if let Ok(value) = serde_json::to_value(metadata) {
        merged.metadata.insert("mpi".into(), value);
    }
    merged
}

/// The cores the ranks could use together ([`merged_cores`]).
fn cores(parts: &[RankTrace]) -> Option<u32> {
    merged_cores(
        parts
            .iter()
            .map(|p| (p.host.as_str(), p.cpus.as_deref(), p.quota)),
    )
}

fn merged_off_cpu(parts: &[RankTrace]) -> OffCpuStatus {
    logprof_trace::ranks::merged_off_cpu(parts.iter().map(|p| &p.trace.off_cpu))
}

/// Every time in a trace.
fn times(trace: &Trace) -> impl Iterator<Item = u64> + '_ {
    let lanes = trace.lanes.iter().flat_map(|l| {
        let spans = l.spans.iter().flat_map(|s| [s.start_ns, s.end_ns]);
        let off_cpu = l.off_cpu.iter().flat_map(|o| [o.start_ns, o.end_ns]);
        spans
            .chain(off_cpu)
            .chain(l.instants.iter().map(|i| i.ts_ns))
    });
    let counters = trace
        .counters
        .iter()
        .flat_map(|c| c.samples.iter().map(|&(t, _)| t));
    lanes.chain(counters)
}

/// Moves every time of `trace` by `shift_ns` (saturating at 0): the trace
/// as a clock off by `shift_ns` would have recorded it.
pub(crate) fn shift(trace: &mut Trace, shift_ns: i64) {
    let by = |t: &mut u64| *t = t.saturating_add_signed(shift_ns);
    for lane in &mut trace.lanes {
        for s in &mut lane.spans {
            by(&mut s.start_ns);
            by(&mut s.end_ns);
        }
        lane.instants.iter_mut().for_each(|i| by(&mut i.ts_ns));
        for o in &mut lane.off_cpu {
            by(&mut o.start_ns);
            by(&mut o.end_ns);
        }
    }
    for c in &mut trace.counters {
        c.samples.iter_mut().for_each(|(t, _)| by(t));
    }
}

#[cfg(test)]
mod tests {
    use super::super::clock_sync::ClockSample;
    use super::*;

    fn part(rank: u32, offset_ns: i64, name: &str) -> RankTrace {
        let sample = ClockSample {
            at_ns: 0,
            offset_ns,
            uncertainty_ns: 5,
        };
        RankTrace {
            rank,
            host: "h".into(),
            cpus: Some(vec![rank]),
            quota: None,
            clock: ClockSync {
                start: sample,
                end: sample,
            },
            trace: Trace {
                names: vec!["shared".into(), name.into()],
                lanes: vec![Lane::with_spans(
                    4242,
                    1,
                    "main",
                    [Span::new(1, 100, 200, 0), Span::new(0, 300, 400, 0)],
                )],
                ..Trace::default()
            },
        }
    }

    #[test]
    fn ranks_become_processes_on_rank_0s_clock() {
        let merged = merge(&[part(0, 0, "zero"), part(1, -1000, "one")]);
        // Rank 1's times are 1000 ns behind: shifted by 900 so none is
        // negative, rank 0's by 900 too.
        let pids: Vec<u32> = merged.lanes.iter().map(|l| l.pid).collect();
        assert_eq!(pids, [0, 1]);
        assert_eq!(merged.names, ["shared", "zero", "one"]);
        let starts: Vec<u64> = merged.lanes[1].spans.iter().map(|s| s.start_ns).collect();
        assert_eq!(starts, [0, 200]);
        assert_eq!(merged.lanes[1].spans[0].name, 2);
        assert_eq!(merged.lanes[0].spans[0].start_ns, 1000);
        assert_eq!(merged.process_names[&1], "rank 1");
        let mpi = &merged.metadata["mpi"];
        assert_eq!(mpi["origin_ns"], 900);
        assert_eq!(mpi["ranks"][1]["start"]["offset_ns"], -1000);
        assert_eq!(mpi["ranks"][1]["end"]["uncertainty_ns"], 5);
    }

    #[test]
    fn off_cpu_time_moves_with_its_rank_and_is_kept_when_every_rank_has_it() {
        let mut parts = [part(0, 0, "zero"), part(1, -1000, "one")];
        for p in &mut parts {
            p.trace.off_cpu = OffCpuStatus::Recorded { lost_switches: 2 };
            p.trace.cores = Some(16);
            p.trace.lanes[0].off_cpu = vec![OffCpu {
                start_ns: 120,
                end_ns: 150,
                kind: crate::OffCpuKind::Preempted,
                cpu: None,
            }];
        }
        let merged = merge(&parts);
        assert_eq!(merged.off_cpu, OffCpuStatus::Recorded { lost_switches: 4 });
        // Each rank bound to a core of its own: two, not one rank's 16.
        assert_eq!(merged.cores, Some(2));
        let off = &merged.lanes[1].off_cpu[0];
        assert_eq!((off.start_ns, off.end_ns), (20, 50), "as its spans moved");
        // One rank without it: the merged trace says so.
        parts[1].trace.off_cpu = OffCpuStatus::Disabled;
        let merged = merge(&parts);
        assert_eq!(merged.off_cpu, OffCpuStatus::Disabled);
    }

    #[test]
    fn the_cores_are_the_union_of_each_hosts_ranks_cpus() {
        let mut parts: Vec<RankTrace> = (0..4).map(|r| part(r, 0, "x")).collect();
        // Four unbound ranks (oversubscribed) on a host of two cores.
        for p in &mut parts {
            p.cpus = Some(vec![0, 1]);
            p.trace.cores = Some(2);
        }
        assert_eq!(merge(&parts).cores, Some(2));
        // Two hosts: ranks 2 and 3 on another host, bound to CPU 0 and 3.
        for (p, cpu) in parts[2..].iter_mut().zip([0, 3]) {
            p.host = "other".into();
            p.cpus = Some(vec![cpu]);
        }
        assert_eq!(merge(&parts).cores, Some(4));
        // A quota of 1 CPU on the other host's container.
        parts[3].quota = Some(1);
        assert_eq!(merge(&parts).cores, Some(3));
        // One rank's CPUs unknown: so are the cores.
        parts[3].cpus = None;
        assert_eq!(merge(&parts).cores, None);
        // And the metadata lists each rank's CPUs.
        assert_eq!(
            merge(&parts).metadata["mpi"]["ranks"][2]["cpus"],
            serde_json::json!([0])
        );
    }

    #[test]
    fn a_shift_moves_every_time() {
        let mut trace = part(0, 0, "x").trace;
        shift(&mut trace, -150);
        let spans = &trace.lanes[0].spans;
        assert_eq!((spans[0].start_ns, spans[0].end_ns), (0, 50));
        assert_eq!(spans[1].start_ns, 150);
    }
}
