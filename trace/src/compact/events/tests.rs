//! Events chunks pushed and read back, and paired across chunks.

use super::*;

/// The events of a payload (after its lane), all at once.
fn decode_events(
    b: &mut Bytes<'_>,
    names: usize,
    out: &mut Vec<(u64, u64)>,
) -> Result<(), CompactError> {
    EventsIn::new(b)?.next_block(b, names, out, usize::MAX)
}

/// Events and breaks, pushed and read back: the same words, times
/// clamped to never go back, and the chunk after goes on from the
/// last time of the one before.
#[test]
fn events_read_back_as_pushed() {
    let mut batch = EventsBatch::new();
    batch.push_timed(kind::ENTER, Some(0), 0, 1_000);
    batch.push_value(Some(0), 0, (-5i64) as u64);
    batch.push_timed(kind::ENTER, Some(300), 9, 1_010);
    batch.push_timed(kind::EXIT, Some(300), 9, 1_005); // clamped to 1 010
    batch.push_break();
    batch.push_timed(kind::INSTANT, None, 0, 1_000_000);
    batch.push_value(Some(2), 0, 2.5f64.to_bits());
    assert_eq!(batch.times(), (1_000, 1_000_000));
    let read = |batch: &EventsBatch| {
        let mut payload = Vec::new();
        varint::put(&mut payload, batch.count);
        varint::put(&mut payload, batch.base_ns);
        payload.extend_from_slice(&batch.body);
        let mut out = Vec::new();
        decode_events(&mut Bytes::new(&payload), 301, &mut out).map(|()| out)
    };
    assert_eq!(
        read(&batch).unwrap(),
        [
            (1_000, meta(kind::ENTER, 1, 0)),
            ((-5i64) as u64, meta(kind::VALUE, 1, 0)),
            (1_010, meta(kind::ENTER, 301, 9)),
            (1_010, meta(kind::EXIT, 301, 9)),
            (0, BREAK_META),
            (1_000_000, meta(kind::INSTANT, 0, 0)),
            (2.5f64.to_bits(), meta(kind::VALUE, 3, 0)),
        ]
    );
    // Past the names declared: damaged.
    let mut few = Vec::new();
    varint::put(&mut few, batch.count);
    varint::put(&mut few, batch.base_ns);
    few.extend_from_slice(&batch.body);
    assert!(decode_events(&mut Bytes::new(&few), 300, &mut Vec::new()).is_err());
    // Values from the last of their kind: an enter's value going up by
    // one takes a byte, whatever its size.
    let mut values = EventsBatch::new();
    for v in [1_000_000u64, 1_000_001] {
        values.push_timed(kind::ENTER, Some(0), 0, v);
        values.push_value(Some(0), 0, v);
        values.push_timed(kind::EXIT, Some(0), 0, v + 1);
        values.push_value(Some(0), 0, 7);
    }
    let second = &values.body[values.body.len() - 8..];
    assert_eq!(second, [0x10, 0, 0x12, 2, 0x11, 1, 0x12, 0]);
    // The next chunk: times from where this one ended.
    batch.clear();
    assert_eq!((batch.times(), batch.base_ns), ((0, 0), 1_000_000));
    batch.push_timed(kind::EXIT, Some(0), 0, 1_000_090);
    assert_eq!(batch.body, [(1 << NAME_SHIFT) | kind::EXIT as u8, 90]);
    assert_eq!(read(&batch).unwrap(), [(1_000_090, meta(kind::EXIT, 1, 0))]);
}

/// A call pushed at once is the enter and exit pushed one by one: the
/// same bytes, count and times, whatever its deltas, first or not,
/// its times clamped or not, a value after it included.
#[test]
fn a_call_pushed_at_once_is_its_two_events() {
    let calls: [(Option<NameId>, u64, u64); 7] = [
        (Some(0), 100, 120), // the first: the long way
        (Some(0), 130, 140),
        (Some(0), 140, 140),
        (Some(7), 150, 151), // a name of two head bytes
        (None, 160, 170),
        (Some(1), 10_000, 10_300), // long deltas
        (Some(1), 9_000, 8_000),   // back in time: clamped
    ];
    let (mut at_once, mut one_by_one) = (EventsBatch::new(), EventsBatch::new());
    for (name, start, end) in calls {
        at_once.push_call(name, start, end);
        at_once.push_value(name, 0, start);
        one_by_one.push_timed(kind::ENTER, name, 0, start);
        one_by_one.push_timed(kind::EXIT, name, 0, end);
        one_by_one.push_value(name, 0, start);
    }
    assert_eq!(at_once.body, one_by_one.body);
    assert_eq!(
        (at_once.count, at_once.times()),
        (one_by_one.count, one_by_one.times())
    );
    assert_eq!(at_once.times(), (100, 10_300));
}

/// Calls open across chunks close in a later one; a break drops the
/// calls open at it, and their exits after it are unmatched.
#[test]
fn pairing_goes_on_across_chunks_and_stops_at_a_break() {
    let chunk = |events: &[(u64, Option<NameId>, u64)], base: u64| {
        let mut batch = EventsBatch::new();
        batch.last_ns = base;
        batch.base_ns = base;
        for &(k, name, ns) in events {
            if k == BREAK {
                batch.push_break();
            } else if k == kind::VALUE {
                batch.push_value(name, 0, ns);
            } else {
                batch.push_timed(k, name, 0, ns);
            }
        }
        let mut payload = Vec::new();
        varint::put(&mut payload, batch.count);
        varint::put(&mut payload, batch.base_ns);
        payload.extend_from_slice(&batch.body);
        payload
    };
    let (mut spans, mut instants, mut samples, mut unmatched) = (vec![], vec![], vec![], 0);
    let mut lane = PairedLane::default();
    for payload in [
        chunk(&[(kind::ENTER, Some(0), 10), (kind::ENTER, Some(1), 20)], 0),
        chunk(
            &[
                (kind::EXIT, Some(1), 30),
                (kind::EXIT, Some(0), 40),
                (kind::VALUE, Some(0), 7),
                (kind::ENTER, Some(1), 50),
                (BREAK, None, 0),
                (kind::EXIT, Some(1), 60),
                (kind::ENTER, Some(0), 70),
            ],
            20,
        ),
    ] {
        let mut sink = IntoSpans {
            spans: &mut spans,
            instants: &mut instants,
            samples: &mut samples,
            unmatched_exits: &mut unmatched,
        };
        lane.feed(&mut Bytes::new(&payload), 2, &mut sink).unwrap();
    }
    let got: Vec<_> = spans
        .iter()
        .map(|s| (s.name, s.start_ns, s.end_ns, s.depth, s.result))
        .collect();
    assert_eq!(got, [(1, 20, 30, 1, None), (0, 10, 40, 0, Some(7))]);
    assert_eq!((unmatched, lane.unclosed()), (1, 2));
}
