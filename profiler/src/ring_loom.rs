//! Models of the protocol under loom, which runs each over every
//! interleaving (and every value a relaxed load may return) of its threads.
//! Each writes events whose two halves carry the same marker, so a reader
//! that returned a torn or mixed event (ticks of one event, meta of another,
//! or events of two recordings) fails the check.

use super::*;
use loom::thread;

/// The marker of event `k` of recording `epoch`: both halves hold it.
fn marker(epoch: u64, k: u64) -> u64 {
    epoch * 1000 + k + 1
}

/// The writer's side: its ring, mask and next event number.
struct Writer {
    lane: Arc<SharedRing>,
    ring: Arc<Ring>,
    head: u64,
    epoch: u64,
}

impl Writer {
    fn new(lane: &Arc<SharedRing>, capacity: usize, epoch: u64) -> Writer {
        let ring = lane.ring.lock().unwrap().clone();
        let mut writer = Writer {
            lane: lane.clone(),
            ring,
            head: 0,
            epoch: 0,
        };
        writer.reset(epoch, capacity);
        writer
    }

    fn push(&mut self) {
        let m = marker(self.epoch, self.head);
        self.lane
            .push(&self.ring, self.ring.mask(), self.head, m, m);
        self.head += 1;
    }

    fn reset(&mut self, epoch: u64, capacity: usize) {
        let (ring, _old) = self.lane.reset(epoch, &self.ring, capacity);
        self.ring = ring;
        self.head = 0;
        self.epoch = epoch;
    }
}

/// Every event intact, of recording `epoch`, consecutive, and the
/// counts add up to the events written before the read began at least.
fn check(snapshot: &Snapshot, epoch: u64) {
    let mut expected_k = None;
    for &(ticks, meta) in &snapshot.events {
        assert_eq!(ticks, meta, "torn event: {snapshot:?}");
        assert_eq!(
            (meta - 1) / 1000,
            epoch,
            "event of another recording: {snapshot:?}"
        );
        let k = (meta - 1) % 1000;
        if let Some(e) = expected_k {
            assert_eq!(k, e, "events not consecutive: {snapshot:?}");
        } else {
            assert_eq!(
                k, snapshot.overwritten,
                "losses do not add up: {snapshot:?}"
            );
        }
        expected_k = Some(k + 1);
    }
}

/// Under every interleaving: a writer that has written `prefill`
/// events of recording 1 into a ring of 2 slots goes on with `then` in
/// its own thread, while this thread reads recording 1 and checks the
/// copy (a read may come back empty-handed only when `may_reset`).
fn race(prefill: u64, may_reset: bool, then: fn(&mut Writer)) {
    loom::model(move || {
        let lane = Arc::new(SharedRing::new(Ring::new(2)));
        let mut writer = Writer::new(&lane, 2, 1);
        for _ in 0..prefill {
            writer.push();
        }
        let w = thread::spawn(move || then(&mut writer));
        match lane.read(1, false) {
            Some(snapshot) => check(&snapshot, 1),
            None => assert!(may_reset, "a read without a reset failed"),
        }
        w.join().unwrap();
    });
}

/// Under every interleaving: a writer with 1 event of recording 1 in a
/// ring of 2 slots writes 2 more in its own thread (the second over the
/// first's slot) while this thread drains the ring twice; every event returned is intact and in order,
/// and the events returned and counted lost are exactly those numbered
/// before the last drain's `next`, each once; whether each drain may take
/// everything written or only `max` events.
fn drain_race(max: usize) {
    loom::model(move || {
        let lane = Arc::new(SharedRing::new(Ring::new(2)));
        let mut writer = Writer::new(&lane, 2, 1);
        writer.push();
        let w = thread::spawn(move || {
            writer.push();
            writer.push();
        });
        let mut next = 0;
        let mut accounted = 0;
        for _ in 0..2 {
            let mut out = Vec::new();
            let d = lane
                .read_since(1, next, max, false, &mut out)
                .expect("no reset");
            let mut expected = next + d.lost;
            for &(ticks, meta) in &out[d.torn..] {
                assert_eq!(ticks, meta, "torn event: {out:?}");
                assert_eq!(meta, marker(1, expected), "not consecutive: {out:?} {d:?}");
                expected += 1;
            }
            assert_eq!(expected, d.next, "{out:?} {d:?}");
            accounted += d.lost + (out.len() - d.torn) as u64;
            next = d.next;
        }
        assert_eq!(accounted, next);
        w.join().unwrap();
    });
}

#[test]
fn draining_racing_writes_returns_each_event_once_or_counts_it_lost() {
    drain_race(usize::MAX);
}

#[test]
fn draining_one_at_a_time_racing_writes_returns_each_event_once_or_counts_it_lost() {
    drain_race(1);
}

#[test]
fn a_read_racing_a_write_over_the_oldest_slot_never_returns_a_torn_event() {
    race(2, false, |writer| {
        writer.push(); // overwrites event 0's slot
        writer.push(); // and event 1's
    });
}

#[test]
fn a_reset_racing_a_read_never_mixes_two_recordings() {
    race(2, true, |writer| {
        writer.reset(2, 2); // `clear`: same ring, new recording
        writer.push();
    });
}

#[test]
fn a_ring_switch_racing_a_read_never_mixes_two_recordings() {
    race(3, true, |writer| {
        writer.lane.offer(Ring::new(4)); // `init_buffer`
        writer.reset(2, 4);
        writer.push();
    });
}

#[test]
fn a_writer_exiting_while_read_never_leaves_a_torn_event() {
    race(2, false, |writer| {
        writer.push();
        writer.lane.retire(); // the thread exits
    });
}

#[test]
fn a_quiet_ring_returns_its_newest_events_and_counts_the_rest() {
    loom::model(|| {
        let lane = Arc::new(SharedRing::new(Ring::new(2)));
        let mut writer = Writer::new(&lane, 2, 1);
        for _ in 0..5 {
            writer.push();
        }
        let snapshot = lane.read(1, true).unwrap();
        check(&snapshot, 1);
        assert_eq!(snapshot.events.len(), 2);
        assert_eq!(snapshot.overwritten, 3);
    });
}
