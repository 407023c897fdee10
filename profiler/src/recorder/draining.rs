//! The streaming writer's side of the rings: a cursor per thread that
//! drains the events written since its last drain ([`LaneCursor::drain`]),
//! while the thread goes on writing. Nothing here runs on the hot path.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{registry, ThreadBuffer, CAPACITY, EPOCH};
use crate::offcpu::ThreadSwitches;

/// Where the streaming writer is in one thread's ring.
pub(crate) struct LaneCursor {
    buffer: Arc<ThreadBuffer>,
    /// The recording the cursor reads; 0 before its first drain.
    epoch: u64,
    /// The next event to drain.
    next: u64,
}

/// What one drain found, besides the events.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Drained {
    /// Events overwritten before they could be drained.
    pub(crate) lost: u64,
    /// Events appended to the caller's vector that are torn (counted in
    /// `lost`): skip this many from where the drain began appending.
    pub(crate) torn: usize,
    /// The thread began a new recording (a `clear`, `init_buffer`) since
    /// the last drain: the events are not the sequel of those before.
    pub(crate) restarted: bool,
    /// The thread had written more than `max` events: drain again.
    pub(crate) more: bool,
}

/// A cursor, at the start, for every registered thread whose key
/// ([`LaneCursor::key`]) `known` does not hold.
pub(crate) fn new_lanes(known: impl Fn(usize) -> bool) -> Vec<LaneCursor> {
    let buffers: Vec<Arc<ThreadBuffer>> = registry().clone();
    buffers
        .into_iter()
        .filter(|b| !known(Arc::as_ptr(b) as usize))
        .map(|buffer| LaneCursor {
            buffer,
            epoch: 0,
            next: 0,
        })
        .collect()
}

/// The ring size threads record into from now on.
pub(crate) fn capacity() -> usize {
    CAPACITY.load(Ordering::Relaxed)
}

impl LaneCursor {
    /// Tells the thread's buffer from every other one.
    pub(crate) fn key(&self) -> usize {
        Arc::as_ptr(&self.buffer) as usize
    }

    pub(crate) fn tid(&self) -> u64 {
        self.buffer.tid
    }

    pub(crate) fn thread_name(&self) -> &str {
        &self.buffer.thread_name
    }

    /// Whether the thread asked for a lane even when it records nothing.
    pub(crate) fn keeps_lane(&self) -> bool {
        self.buffer.keeps_lane()
    }

    pub(crate) fn switches(&self) -> &ThreadSwitches {
        &self.buffer.switches
    }

    /// Events written since the last drain, at most `max`, appended to
    /// `out` oldest first, the first [`Drained::torn`] of them to be
    /// skipped. A thread still on an older recording than the current one
    /// (it has not recorded since a `clear`) gives nothing.
    pub(crate) fn drain(&mut self, out: &mut Vec<(u64, u64)>, max: usize) -> Drained {
        let mut drained = Drained::default();
        let ring_epoch = self.buffer.ring.epoch();
        if ring_epoch != self.epoch {
            if ring_epoch != EPOCH.load(Ordering::Acquire) {
                return drained;
            }
            drained.restarted = self.epoch != 0;
            self.epoch = ring_epoch;
            self.next = 0;
        }
        // The writer thread never records, so it never owns the ring.
        if let Some(d) = self
            .buffer
            .ring
            .read_since(self.epoch, self.next, max, false, out)
        {
            drained.lost = d.lost;
            drained.torn = d.torn;
            drained.more = d.more;
            self.next = d.next;
        }
        drained
    }
}
