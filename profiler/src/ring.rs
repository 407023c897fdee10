//! The ring protocol: one thread writes events into its ring with plain
//! stores, while any other thread may read a consistent copy.
//!
//! A [`SharedRing`] is one lane's ring as every thread sees it: the ring of
//! 16-byte [`Slot`]s, `head` (events written since the last reset), the
//! `epoch` (which recording the contents belong to) and `alive` (whether the
//! writer still exists). Event number `k` goes to slot `k % len`, so a full
//! ring keeps the newest events and `head` goes on, telling how many were
//! lost.
//!
//! ## Writing ([`SharedRing::push`])
//!
//! A release fence, two relaxed stores into the slot, a release store of
//! the new `head`. On x86 these are plain `mov`s: no lock, no
//! read-modify-write. Only the owning thread writes; nothing here checks
//! that, the recorder's thread-local guarantees it.
//!
//! ## Reading ([`SharedRing::read`])
//!
//! The reader takes the ring (under a lock the writer only takes when it
//! switches rings), reads `head`, copies the slots, and then, after an
//! acquire fence that pairs with the writer's release fence, reads whether
//! the writer is alive and `head` again. A slot it copied that the writer
//! overwrote meanwhile belongs to an event at or after the second `head`,
//! so every event older than `head + 1 - len` (the `+ 1`: the event being
//! written now) is certainly intact, and the rest are dropped and counted as
//! overwritten. If the writer has exited, or is the reader itself, nothing is
//! being written and the `+ 1` is not needed. Last, the epoch is read again:
//! if the writer reset meanwhile, the copy may mix two recordings and is
//! thrown away.
//!
//! The loom models (`ring_loom.rs`) check these claims over every
//! interleaving (run them with `RUSTFLAGS="--cfg logprof_loom" cargo test -p logprof
//! --lib --release ring::loom`).

use crate::sync_shim::{fence, Arc, AtomicBool, AtomicU64, Mutex, Ordering};

/// One event: a timestamp in raw clock ticks, and what happened.
struct Slot {
    ticks: AtomicU64,
    meta: AtomicU64,
}

/// A power-of-two array of slots.
pub(crate) struct Ring {
    slots: Box<[Slot]>,
}

impl Ring {
    /// A ring of at least `capacity` slots (at least 2, a power of two).
    pub(crate) fn new(capacity: usize) -> Arc<Ring> {
        let capacity = capacity.max(2).next_power_of_two();
        Arc::new(Ring {
            slots: (0..capacity)
                .map(|_| Slot {
                    ticks: AtomicU64::new(0),
                    meta: AtomicU64::new(0),
                })
                .collect(),
        })
    }

    /// The number of slots.
    pub(crate) fn len(&self) -> usize {
        self.slots.len()
    }

    /// `len - 1`: the mask that turns an event number into a slot index.
    pub(crate) fn mask(&self) -> u64 {
        self.slots.len() as u64 - 1
    }
}

/// What a reader copied out of a ring.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Snapshot {
    /// `(ticks, meta)` of the intact events, oldest first.
    pub(crate) events: Vec<(u64, u64)>,
    /// Events written before the read that it could not return: overwritten
    /// by newer ones, or possibly being overwritten while it copied.
    pub(crate) overwritten: u64,
}

/// One lane's ring and counters, shared between its writer and readers.
pub(crate) struct SharedRing {
    /// Events written since the last reset; only the writer stores it.
    head: AtomicU64,
    /// The recording the contents belong to; only the writer stores it.
    epoch: AtomicU64,
    /// The ring in use. Replaced only by the writer (in [`reset`]); a reader
    /// clones the `Arc`, so a ring it reads is never freed under it.
    ///
    /// [`reset`]: SharedRing::reset
    ring: Mutex<Arc<Ring>>,
    /// A ring preallocated by another thread for the writer to switch to at
    /// its next reset.
    pending: Mutex<Option<Arc<Ring>>>,
    /// False once the writer has exited.
    alive: AtomicBool,
}

impl SharedRing {
    /// A live lane with `ring`, empty, at epoch 0 (no recording).
    pub(crate) fn new(ring: Arc<Ring>) -> SharedRing {
        SharedRing {
            head: AtomicU64::new(0),
            epoch: AtomicU64::new(0),
            ring: Mutex::new(ring),
            pending: Mutex::new(None),
            alive: AtomicBool::new(true),
        }
    }

    /// Writer only: stores event number `k` into `ring` (the ring the writer
    /// switched to at its last reset, with `mask` its [`Ring::mask`]) and
    /// publishes `k + 1` events.
    #[inline(always)]
    pub(crate) fn push(&self, ring: &Ring, mask: u64, k: u64, ticks: u64, meta: u64) {
        // SAFETY: `mask` is the ring's length - 1 (the writer took both from
        // the same ring at its last reset), so the index is in bounds.
        let slot = unsafe { ring.slots.get_unchecked((k & mask) as usize) };
        // Orders the previous `head` store before these slot stores, so a
        // reader that sees them also sees that `head` (see `read`).
        fence(Ordering::Release);
        slot.ticks.store(ticks, Ordering::Relaxed);
        slot.meta.store(meta, Ordering::Relaxed);
        self.head.store(k + 1, Ordering::Release);
    }

    /// Writer only: starts recording `epoch` from event 0, switching to the
    /// pending ring if another thread left one, or else to a new ring of
    /// `capacity` slots if the current one is smaller. Returns the ring to
    /// write from now on, and the ring it replaces (for the caller to drop
    /// where freeing is safe).
    pub(crate) fn reset(
        &self,
        epoch: u64,
        current: &Arc<Ring>,
        capacity: usize,
    ) -> (Arc<Ring>, Option<Arc<Ring>>) {
        // `head` and `epoch` before the ring: a reader that takes the new
        // ring then also sees the new epoch and throws its copy away (the
        // other order let it pair the new, empty ring with the old head).
        // `head` before `epoch`: a reader that sees the new epoch sees the
        // new head too, and one that sees the old epoch with the new head
        // copies nothing.
        self.head.store(0, Ordering::Release);
        self.epoch.store(epoch, Ordering::Release);
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let new_ring = match pending {
            Some(ring) => Some(ring),
            None if current.len() < capacity => Some(Ring::new(capacity)),
            None => None,
        };
        let (ring, old) = match new_ring {
            Some(ring) => {
                *self.ring.lock().unwrap_or_else(|e| e.into_inner()) = ring.clone();
                (ring, Some(current.clone()))
            }
            None => (current.clone(), None),
        };
        (ring, old)
    }

    /// Writer only, once: the writer has exited and writes no more.
    pub(crate) fn retire(&self) {
        self.alive.store(false, Ordering::Release);
    }

    /// Leaves `ring` for the writer to switch to at its next reset.
    pub(crate) fn offer(&self, ring: Arc<Ring>) {
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = Some(ring);
    }

    /// Whether the writer still exists.
    pub(crate) fn is_alive(&self) -> bool {
        self.alive.load(Ordering::Acquire)
    }

    /// The recording the contents belong to.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Events written since the last reset (the newest may still be being
    /// written).
    pub(crate) fn head(&self) -> u64 {
        self.head.load(Ordering::Acquire)
    }

    /// The length of the ring in use.
    pub(crate) fn capacity(&self) -> usize {
        self.ring.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// The intact events of recording `epoch`, oldest first, or `None` if
    /// the writer reset to another recording while they were read.
    /// `reader_is_writer`: the calling thread is the writer, so nothing is
    /// being written while it reads.
    pub(crate) fn read(&self, epoch: u64, reader_is_writer: bool) -> Option<Snapshot> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let len = ring.len() as u64;
        let mask = ring.mask();
        let head_before = self.head.load(Ordering::Acquire);
        let oldest = head_before.saturating_sub(len);
        let mut events: Vec<(u64, u64)> = (oldest..head_before)
            .map(|k| {
                let slot = &ring.slots[(k & mask) as usize];
                (
                    slot.ticks.load(Ordering::Relaxed),
                    slot.meta.load(Ordering::Relaxed),
                )
            })
            .collect();
        // Pairs with the release fence in `push`: if a slot we copied was
        // overwritten by event k, we now see a head of at least k.
        fence(Ordering::Acquire);
        // `alive` before `head`: a writer seen gone has published its last
        // head, so the head read next is final and nothing is in flight.
        let quiet = reader_is_writer || !self.alive.load(Ordering::Acquire);
        let head_after = self.head.load(Ordering::Relaxed);
        // Event `head_after` may be being written right now, over the slot
        // of event `head_after - len`: keep only what is certainly intact.
        let in_flight = u64::from(!quiet);
        let first_intact = (head_after + in_flight).saturating_sub(len).max(oldest);
        let torn = (first_intact - oldest).min(events.len() as u64);
        events.drain(..torn as usize);
        if self.epoch.load(Ordering::Acquire) != epoch {
            return None; // reset under us: the copy may mix two recordings
        }
        Some(Snapshot {
            events,
            overwritten: first_intact.min(head_before),
        })
    }
}

/// What [`SharedRing::read_since`] took from a ring.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Drain {
    /// Events from the first asked for that were overwritten (or possibly
    /// being overwritten) before they could be copied: never returned.
    pub(crate) lost: u64,
    /// The number of the event to ask for next time: every event before it
    /// was either returned or counted in `lost`, once.
    pub(crate) next: u64,
    /// Of the events appended to `out`, how many at the front are torn
    /// (counted in `lost`) and must be skipped: left for the caller to
    /// skip rather than removed, which would move all the others.
    pub(crate) torn: usize,
    /// More events were written before the drain than it could take (`max`).
    pub(crate) more: bool,
}

impl SharedRing {
    /// The events of recording `epoch` numbered `from` on, at most `max`
    /// of them, appended to `out` oldest first, the first [`Drain::torn`]
    /// of them to be skipped, for a reader that drains the ring as it
    /// fills (a streaming writer: a few thousand at a time, so the copy
    /// stays in its cache); `None`, with nothing appended, if the writer
    /// reset to another recording meanwhile (or before: `from` is past its
    /// head).
    ///
    /// The protocol is [`SharedRing::read`]'s, starting at `from` instead
    /// of the oldest slot: copy, fence, read `head` again, drop what the
    /// writer may have overwritten meanwhile, and count it lost.
    pub(crate) fn read_since(
        &self,
        epoch: u64,
        from: u64,
        max: usize,
        reader_is_writer: bool,
        out: &mut Vec<(u64, u64)>,
    ) -> Option<Drain> {
        let ring = self.ring.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let len = ring.len() as u64;
        let mask = ring.mask();
        let head_before = self.head.load(Ordering::Acquire);
        if head_before < from {
            return None; // reset since the last drain
        }
        let oldest = head_before.saturating_sub(len).max(from);
        let end = head_before.min(oldest.saturating_add(max as u64));
        let start = out.len();
        out.extend((oldest..end).map(|k| {
            let slot = &ring.slots[(k & mask) as usize];
            (
                slot.ticks.load(Ordering::Relaxed),
                slot.meta.load(Ordering::Relaxed),
            )
        }));
        // As in `read`: pairs with the release fence in `push`.
        fence(Ordering::Acquire);
        let quiet = reader_is_writer || !self.alive.load(Ordering::Acquire);
        let head_after = self.head.load(Ordering::Relaxed);
        let in_flight = u64::from(!quiet);
        let first_intact = (head_after + in_flight).saturating_sub(len).max(oldest);
        let torn = (first_intact - oldest).min(end - oldest);
        if self.epoch.load(Ordering::Acquire) != epoch {
            out.truncate(start);
            return None;
        }
        Some(Drain {
            lost: first_intact.min(end) - from,
            next: end,
            torn: torn as usize,
            more: end < head_before,
        })
    }
}

#[cfg(all(test, not(logprof_loom)))]
mod tests {
    use super::*;

    /// Writes `count` events (ticks `k`, meta `k + 100`) from event 0.
    fn fill(lane: &SharedRing, ring: &Ring, count: u64) {
        for k in 0..count {
            lane.push(ring, ring.mask(), k, k, k + 100);
        }
    }

    #[test]
    fn rings_are_powers_of_two_of_at_least_two_slots() {
        assert_eq!(Ring::new(0).len(), 2);
        assert_eq!(Ring::new(3).len(), 4);
        assert_eq!(Ring::new(8).len(), 8);
        assert_eq!(Ring::new(9).mask(), 15);
    }

    #[test]
    fn a_reset_grows_a_small_ring_takes_an_offered_one_and_keeps_a_large_one() {
        let small = Ring::new(4);
        let lane = SharedRing::new(small.clone());
        // Asked for more than it has: a new ring of that size.
        let (grown, old) = lane.reset(1, &small, 16);
        assert_eq!(grown.len(), 16);
        assert!(Arc::ptr_eq(&old.unwrap(), &small));
        assert_eq!(lane.capacity(), 16);
        // Large enough: kept, nothing to drop.
        let (kept, old) = lane.reset(2, &grown, 8);
        assert!(Arc::ptr_eq(&kept, &grown) && old.is_none());
        // An offered ring wins, even a smaller one.
        lane.offer(Ring::new(2));
        let (offered, _) = lane.reset(3, &kept, 8);
        assert_eq!(offered.len(), 2);
        assert_eq!(lane.capacity(), 2);
    }

    #[test]
    fn a_reset_starts_the_new_recording_empty() {
        let ring = Ring::new(4);
        let lane = SharedRing::new(ring.clone());
        let (ring, _) = lane.reset(1, &ring, 4);
        fill(&lane, &ring, 3);
        assert_eq!((lane.head(), lane.epoch()), (3, 1));
        let (ring, _) = lane.reset(2, &ring, 4);
        assert_eq!((lane.head(), lane.epoch()), (0, 2));
        assert_eq!(lane.read(1, true), None, "the old recording is gone");
        assert_eq!(lane.read(2, true).unwrap(), Snapshot::default());
        fill(&lane, &ring, 1);
        assert_eq!(lane.read(2, true).unwrap().events, [(0, 100)]);
    }

    #[test]
    fn a_live_writer_costs_one_more_event_than_a_quiet_one() {
        let ring = Ring::new(4);
        let lane = SharedRing::new(ring.clone());
        let (ring, _) = lane.reset(1, &ring, 4);
        fill(&lane, &ring, 6);
        // Written 6 into 4 slots: events 2..6 are in the ring.
        let quiet = lane.read(1, true).unwrap();
        assert_eq!(quiet.events, [(2, 102), (3, 103), (4, 104), (5, 105)]);
        assert_eq!(quiet.overwritten, 2);
        // The writer may be writing event 6 over event 2's slot.
        let live = lane.read(1, false).unwrap();
        assert_eq!(live.events, [(3, 103), (4, 104), (5, 105)]);
        assert_eq!(live.overwritten, 3);
        // Once it has exited, nothing is in flight.
        lane.retire();
        assert!(!lane.is_alive());
        assert_eq!(lane.read(1, false).unwrap(), quiet);
    }

    #[test]
    fn draining_returns_each_event_once_or_counts_it_lost() {
        let ring = Ring::new(4);
        let lane = SharedRing::new(ring.clone());
        let (ring, _) = lane.reset(1, &ring, 4);
        let mut out = Vec::new();
        fill(&lane, &ring, 3);
        let d = lane.read_since(1, 0, usize::MAX, true, &mut out).unwrap();
        assert_eq!((d.lost, d.next, d.torn), (0, 3, 0));
        assert_eq!(out, [(0, 100), (1, 101), (2, 102)]);
        // Nothing new: nothing returned, nothing lost.
        out.clear();
        assert_eq!(
            lane.read_since(1, 3, usize::MAX, true, &mut out).unwrap(),
            Drain {
                lost: 0,
                next: 3,
                torn: 0,
                more: false,
            }
        );
        assert!(out.is_empty());
        // 6 more into 4 slots: events 3 and 4 were overwritten.
        for k in 3..9 {
            lane.push(&ring, ring.mask(), k, k, k + 100);
        }
        let d = lane.read_since(1, 3, usize::MAX, true, &mut out).unwrap();
        assert_eq!((d.lost, d.next, d.torn), (2, 9, 0));
        assert_eq!(out, [(5, 105), (6, 106), (7, 107), (8, 108)]);
        // A live writer may be writing event 9 over event 5's slot: copied,
        // but to be skipped.
        out.clear();
        let d = lane.read_since(1, 5, usize::MAX, false, &mut out).unwrap();
        assert_eq!((d.lost, d.next, d.torn), (1, 9, 1));
        assert_eq!(out[d.torn..], [(6, 106), (7, 107), (8, 108)]);
        // Another recording: nothing.
        out.clear();
        assert_eq!(lane.read_since(2, 0, usize::MAX, true, &mut out), None);
        let _ = lane.reset(2, &ring, 4);
        assert_eq!(lane.read_since(1, 9, usize::MAX, true, &mut out), None);
        assert!(out.is_empty());
    }

    #[test]
    fn draining_a_few_at_a_time_returns_what_draining_at_once_does() {
        let ring = Ring::new(8);
        let lane = SharedRing::new(ring.clone());
        let (ring, _) = lane.reset(1, &ring, 8);
        // 12 into 8 slots: events 0..4 overwritten.
        fill(&lane, &ring, 12);
        for max in 1..=9 {
            let (mut next, mut lost, mut got) = (0, 0, Vec::new());
            loop {
                let mut out = Vec::new();
                let d = lane.read_since(1, next, max, true, &mut out).unwrap();
                assert!(out.len() <= max);
                lost += d.lost;
                got.extend_from_slice(&out[d.torn..]);
                next = d.next;
                if !d.more {
                    break;
                }
            }
            assert_eq!((lost, next), (4, 12), "max {max}");
            assert_eq!(got, (4..12).map(|k| (k, k + 100)).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_ring_not_yet_full_loses_nothing() {
        let ring = Ring::new(8);
        let lane = SharedRing::new(ring.clone());
        let (ring, _) = lane.reset(1, &ring, 8);
        fill(&lane, &ring, 3);
        let snapshot = lane.read(1, false).unwrap();
        assert_eq!(snapshot.events, [(0, 100), (1, 101), (2, 102)]);
        assert_eq!(snapshot.overwritten, 0);
    }
}

/// The loom models of this protocol, in a file of their own.
#[cfg(all(test, logprof_loom))]
#[path = "ring_loom.rs"]
mod loom_models;
