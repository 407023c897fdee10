//! Packet timestamps to nanoseconds on the trace's clock.
//!
//! A packet's `timestamp` is on the clock its `timestamp_clock_id` names
//! (or its sequence's default), BOOTTIME when none. Clocks are related by
//! `ClockSnapshot` packets, readings of several clocks at one moment: a
//! time on another clock is moved by the difference of the latest
//! snapshot that read both. A sequence-scoped clock (ids 64 to 127, as
//! the Perfetto SDK and Chromium write) may be *incremental*: each packet
//! then gives the time since the sequence's previous one, from the value
//! its snapshot set, in units of `unit_multiplier_ns`.

use std::collections::HashMap;

use super::protos::{ClockSnapshot, CLOCK_BOOTTIME};

/// The first and last sequence-scoped clock id.
const SEQUENCE_CLOCKS: std::ops::RangeInclusive<u32> = 64..=127;

/// The trace-wide clocks: snapshots relating them to the trace clock.
#[derive(Default)]
pub(super) struct Clocks {
    /// The trace clock, when a snapshot named it; BOOTTIME otherwise.
    primary: Option<u32>,
    /// Per clock (not the trace clock), what to add to its readings, in ns,
    /// from the latest snapshot that read it and the trace clock.
    offsets: HashMap<u32, i128>,
}

/// A sequence's own clock.
#[derive(Clone, Copy, Debug)]
pub(super) struct SequenceClock {
    /// The clock's latest value, in its units.
    last: u64,
    unit_ns: u64,
    incremental: bool,
    /// What to add to its values, in ns, for the trace clock.
    offset: i128,
}

impl Clocks {
    fn primary(&self) -> u32 {
        self.primary.unwrap_or(CLOCK_BOOTTIME)
    }

    /// Takes in a snapshot; its sequence-scoped clocks go to `sequence`.
    pub fn snapshot(&mut self, snap: &ClockSnapshot, sequence: &mut HashMap<u32, SequenceClock>) {
        if let Some(p) = snap.primary_trace_clock.and_then(|p| u32::try_from(p).ok()) {
            self.primary.get_or_insert(p);
        }
        let primary = self.primary();
        let reading = |c: &super::protos::Clock| {
            i128::from(c.timestamp.unwrap_or(0))
                * i128::from(c.unit_multiplier_ns.unwrap_or(1).max(1))
        };
        let Some(base) = snap
            .clocks
            .iter()
            .find(|c| c.clock_id == Some(primary))
            .map(reading)
        else {
            return;
        };
        for c in &snap.clocks {
            let Some(id) = c.clock_id else { continue };
            let offset = base - reading(c);
            if SEQUENCE_CLOCKS.contains(&id) {
                sequence.insert(
                    id,
                    SequenceClock {
                        last: c.timestamp.unwrap_or(0),
                        unit_ns: c.unit_multiplier_ns.unwrap_or(1).max(1),
                        incremental: c.is_incremental.unwrap_or(false),
                        offset,
                    },
                );
            } else if id != primary {
                self.offsets.insert(id, offset);
            }
        }
    }

    /// `value` on `clock` in ns on the trace clock; `None` when it falls
    /// before 0 or past 2^64 ns, or its sequence clock was never defined.
    pub fn to_trace(
        &self,
        clock: Option<u32>,
        value: u64,
        sequence: &mut HashMap<u32, SequenceClock>,
    ) -> Option<u64> {
        let ns = match clock {
            None => i128::from(value),
            Some(id) if id == self.primary() => i128::from(value),
            Some(id) if SEQUENCE_CLOCKS.contains(&id) => {
                let c = sequence.get_mut(&id)?;
                c.last = if c.incremental {
                    c.last.wrapping_add(value)
                } else {
                    value
                };
                i128::from(c.last) * i128::from(c.unit_ns) + c.offset
            }
            Some(id) => i128::from(value) + self.offsets.get(&id).copied().unwrap_or(0),
        };
        u64::try_from(ns).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::super::protos::Clock;
    use super::*;

    fn clock(id: u32, ts: u64, incremental: bool, unit: u64) -> Clock {
        Clock {
            clock_id: Some(id),
            timestamp: Some(ts),
            is_incremental: Some(incremental),
            unit_multiplier_ns: Some(unit),
        }
    }

    #[test]
    fn incremental_sequence_clocks_add_up_from_their_snapshot() {
        let mut clocks = Clocks::default();
        let mut seq = HashMap::new();
        let snap = ClockSnapshot {
            clocks: vec![
                clock(6, 5_000, false, 1),
                clock(64, 4, true, 1000),
                clock(3, 100, false, 1),
            ],
            primary_trace_clock: None,
        };
        clocks.snapshot(&snap, &mut seq);
        // 4 µs on clock 64 is 5000 ns on BOOTTIME: offset 1000 ns.
        assert_eq!(clocks.to_trace(Some(64), 2, &mut seq), Some(7_000));
        assert_eq!(clocks.to_trace(Some(64), 3, &mut seq), Some(10_000));
        assert_eq!(clocks.to_trace(None, 42, &mut seq), Some(42));
        assert_eq!(clocks.to_trace(Some(3), 150, &mut seq), Some(5_050));
        assert_eq!(
            clocks.to_trace(Some(65), 1, &mut seq),
            None,
            "never defined"
        );
    }
}
