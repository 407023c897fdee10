//! The `info` chunk: what a trace holds besides its lanes and counters
//! (process names, metadata, losses, repairs, off-CPU status, cores).
//! Each group of numbers is written with its count first, so a later
//! version may add a field at the end of a group and still be read here.

use std::collections::BTreeMap;

use super::varint::{self, Bytes};
use super::CompactError;
use crate::offcpu::OffCpuStatus;
use crate::trace::{Losses, Repairs, Trace};

pub(crate) fn encode_info(out: &mut Vec<u8>, trace: &Trace) {
    match &trace.process_name {
        None => varint::put(out, 0),
        Some(name) => {
            varint::put(out, 1);
            varint::put_str(out, name);
        }
    }
    varint::put(out, trace.process_names.len() as u64);
    for (pid, name) in &trace.process_names {
        varint::put(out, (*pid).into());
        varint::put_str(out, name);
    }
    // Metadata is free-form JSON: kept as its text.
    let metadata = if trace.metadata.is_empty() {
        String::new()
    } else {
        serde_json::to_string(&trace.metadata).unwrap_or_default()
    };
    varint::put_str(out, &metadata);
    let l = &trace.losses;
    put_group(
        out,
        &[
            l.overwritten_events,
            l.unmatched_exits,
            l.unclosed_enters,
            l.dropped_events,
        ],
    );
    let r = &trace.repairs;
    put_group(
        out,
        &[
            r.unclosed_begins,
            r.stray_ends,
            r.complete_without_dur,
            r.bad_times,
            r.text_times,
            r.text_ids,
            r.trailing_commas,
            u64::from(r.cut_at_end),
            u64::from(r.from_other_tool),
        ],
    );
    varint::put(out, r.not_drawn.len() as u64);
    for (kind, n) in &r.not_drawn {
        varint::put_str(out, kind);
        varint::put(out, *n);
    }
    match &trace.off_cpu {
        OffCpuStatus::NotRecorded => out.push(0),
        OffCpuStatus::Recorded { lost_switches } => {
            out.push(1);
            varint::put(out, *lost_switches);
        }
        OffCpuStatus::Disabled => out.push(2),
        OffCpuStatus::Unavailable(reason) => {
            out.push(3);
            varint::put_str(out, reason);
        }
    }
    varint::put_opt_u32(out, trace.cores);
}

fn put_group(out: &mut Vec<u8>, values: &[u64]) {
    varint::put(out, values.len() as u64);
    for &v in values {
        varint::put(out, v);
    }
}

/// A group of numbers: those this version knows, in order (missing ones
/// 0); ones past them (a newer writer's) are skipped.
fn group<const N: usize>(b: &mut Bytes<'_>, what: &str) -> Result<[u64; N], CompactError> {
    let n = b.count(what)?;
    let mut out = [0u64; N];
    for i in 0..n {
        let v = b.varint(what)?;
        if let Some(slot) = out.get_mut(i) {
            *slot = v;
        }
    }
    Ok(out)
}

/// Reads an info payload into `trace`'s trace-wide fields.
pub(crate) fn decode_info(b: &mut Bytes<'_>, trace: &mut Trace) -> Result<(), CompactError> {
    trace.process_name = match b.varint("the process name")? {
        0 => None,
        _ => Some(b.string("the process name")?),
    };
    let n = b.count("the process names")?;
    let mut names = BTreeMap::new();
    for _ in 0..n {
        let pid = b.u32("a process's pid")?;
        names.insert(pid, b.string("a process's name")?);
    }
    trace.process_names = names;
    let metadata = b.string("the metadata")?;
    trace.metadata = if metadata.is_empty() {
        BTreeMap::new()
    } else {
        serde_json::from_str(&metadata)
            .map_err(|e| CompactError::damaged(format!("the metadata is not JSON: {e}")))?
    };
    let [overwritten_events, unmatched_exits, unclosed_enters, dropped_events] =
        group::<4>(b, "the losses")?;
    trace.losses = Losses {
        overwritten_events,
        unmatched_exits,
        unclosed_enters,
        dropped_events,
    };
    let r = group::<9>(b, "the repairs")?;
    let mut repairs = Repairs {
        unclosed_begins: r[0],
        stray_ends: r[1],
        complete_without_dur: r[2],
        bad_times: r[3],
        text_times: r[4],
        text_ids: r[5],
        trailing_commas: r[6],
        cut_at_end: r[7] != 0,
        from_other_tool: r[8] != 0,
        ..Repairs::default()
    };
    let n = b.count("the events not drawn")?;
    for _ in 0..n {
        let kind = b.string("a kind of event not drawn")?;
        repairs
            .not_drawn
            .insert(kind, b.varint("a count not drawn")?);
    }
    // The reader ORs in what it finds itself (a cut).
    let cut = trace.repairs.cut_at_end;
    trace.repairs = repairs;
    trace.repairs.cut_at_end |= cut;
    trace.off_cpu = match b.u8("the off-CPU status")? {
        0 => OffCpuStatus::NotRecorded,
        1 => OffCpuStatus::Recorded {
            lost_switches: b.varint("the lost switches")?,
        },
        2 => OffCpuStatus::Disabled,
        3 => OffCpuStatus::Unavailable(b.string("why off-CPU time is unavailable")?),
        s => return Err(CompactError::damaged(format!("an off-CPU status of {s}"))),
    };
    trace.cores = b.opt_u32("the cores")?;
    Ok(())
}
