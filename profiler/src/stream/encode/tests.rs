//! The writer's encoding against `collect`'s decoding: the spans path (an
//! MPI rank's) and the events path, batches cut anywhere, events lost.

use super::*;
use crate::Trace;
use logprof_trace::raw_events::{kind, meta, Decoded, Decoder};

/// A made-up recording of one thread: nested calls with values,
/// results and tasks, instants, counter samples, and exits whose enter
/// is missing; `(ticks, meta)` as the ring holds them.
fn events() -> Vec<(u64, u64)> {
    events_of(0x2545_f491_4f6c_dd1d)
}

/// [`events`] drawn from `seed` (not 0).
fn events_of(seed: u64) -> Vec<(u64, u64)> {
    let mut seed = seed;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut out = Vec::new();
    let mut open: Vec<(u32, u32)> = Vec::new();
    let mut t = 1_000u64;
    for _ in 0..3_000 {
        t += 1 + next(50);
        let site = 1 + next(4) as u32;
        match next(10) {
            0..=3 if open.len() < 6 => {
                let task = if next(4) == 0 { 7 } else { 0 };
                out.push((t, meta(kind::ENTER, site, task)));
                if next(3) == 0 {
                    out.push((next(1000), meta(kind::VALUE, site, task)));
                }
                open.push((site, task));
            }
            0..=6 => {
                if let Some((site, task)) = open.pop() {
                    out.push((t, meta(kind::EXIT, site, task)));
                    if next(3) == 0 {
                        out.push((next(1000) << 20, meta(kind::VALUE, site, task)));
                    }
                }
            }
            7 => out.push((t, meta(kind::INSTANT, site, 0))),
            8 => {
                out.push((t, meta(kind::COUNTER, 5, 0)));
                out.push(((next(100) as f64 / 4.0).to_bits(), meta(kind::VALUE, 5, 0)));
            }
            _ => out.push((t, meta(kind::EXIT, 3, 9))), // no enter
        }
    }
    out
}

fn registered() -> Registered {
    Registered {
        names: vec!["alpha", "beta", "alpha", "gamma", "queue"],
        regions: vec![2],
        waits: vec![4],
    }
}

/// Feeds `batches` (a gap before each batch that says so) through the
/// writer's encoding into an `.lpt` file, and through `Decoded`, the
/// sink `collect` uses; returns the file read back and what `Decoded`
/// says, as spans and instants of one lane.
fn both_ways(batches: &[(bool, &[(u64, u64)])]) -> (Trace, Trace) {
    both_ways_keyed(batches, None)
}

/// [`both_ways`] with `keys` attaching message ends, as on an MPI rank.
fn both_ways_keyed(batches: &[(bool, &[(u64, u64)])], keys: Option<MessageKeys>) -> (Trace, Trace) {
    let registered = registered();
    let to_ns = |t: u64| t * 3;
    let mut names = Names::default();
    let mut chunks = LaneChunks::new();
    let mut w = LptWriter::new(Vec::new(), logprof_trace::compact::FLAG_STREAMED).unwrap();
    let lane = w.lane(1, 1, "worker", None).unwrap();
    let mut decoder = Decoder::default();
    let mut reference = Decoded::default();
    let mut reference_decoder = Decoder::default();
    for &(gap, batch) in batches {
        if gap {
            // As the writer does where events were lost.
            decoder.break_off();
            reference_decoder.break_off();
        }
        decoder.feed_plain(
            batch,
            5,
            to_ns,
            &mut chunks.sink(&mut names, &registered, keys),
        );
        reference_decoder.feed(batch, 5, to_ns, &mut reference);
        // A chunk a batch, as the writer writes one a round.
        names.write(&mut w).unwrap();
        w.write_spans(lane, &mut chunks.spans).unwrap();
        w.instants(lane, &chunks.instants).unwrap();
        chunks.instants.clear();
    }
    chunks.release_held(&mut names, &registered, keys);
    names.write(&mut w).unwrap();
    w.write_spans(lane, &mut chunks.spans).unwrap();
    let (bytes, _) = w.finish(&Trace::new()).unwrap();
    let streamed = Trace::read_lpt_from(&bytes[..]).unwrap();

    let mut expected = Trace::new();
    let mut l = crate::Lane::new(1, 1, "worker");
    for s in &reference.spans {
        let name = expected.intern(registered.names[s.id as usize - 1]);
        let mut span = crate::Span::new(name, s.start_ns, s.end_ns, s.depth);
        span.task = (s.task != 0).then_some(s.task.into());
        span.value = s.value;
        span.result = s.result;
        if let Some(keys) = keys {
            keys(registered.names[s.id as usize - 1], &mut span);
        }
        l.spans.push(span);
    }
    for &(id, ts_ns) in &reference.instants {
        let name = expected.intern(registered.names[id as usize - 1]);
        l.instants.push(crate::InstantEvent { name, ts_ns });
    }
    expected.lanes.push(l);
    assert_eq!(
        chunks.unmatched_exits, reference.unmatched_exits,
        "unmatched exits"
    );
    assert_eq!(chunks.samples, reference.samples);
    (streamed, expected)
}

/// Feeds `batches` as the writer does for a process that is not an MPI
/// rank: unpaired into an events chunk a batch, a break before each
/// batch that follows a gap. Returns the file read back whole, and in
/// one pass (its summary's span count and losses).
fn events_way(batches: &[(bool, &[(u64, u64)])]) -> (Trace, logprof_trace::LptPass) {
    let registered = registered();
    let mut names = Names::default();
    let mut batch = EventsBatch::new();
    let mut w = LptWriter::new(Vec::new(), logprof_trace::compact::FLAG_STREAMED).unwrap();
    let lane = w.lane(1, 1, "worker", None).unwrap();
    for &(gap, events) in batches {
        if gap {
            batch.push_break();
        }
        encode_events(events, 5, |t| t * 3, &mut names, &registered, &mut batch);
        names.write(&mut w).unwrap();
        w.write_events(lane, &mut batch).unwrap();
    }
    let (bytes, _) = w.finish(&Trace::new()).unwrap();
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), &bytes).unwrap();
    let pass = Trace::summarize_lpt(file.path()).unwrap();
    (Trace::read_lpt_from(&bytes[..]).unwrap(), pass)
}

/// The events way reads back as `collect` decodes the same events:
/// spans, instants, counter samples, and what did not pair.
fn assert_events_way_as_collect(batches: &[(bool, &[(u64, u64)])], expected: &Trace) {
    let (mut reference, mut decoder) = (Decoded::default(), Decoder::default());
    let mut unclosed = 0;
    for &(gap, events) in batches {
        if gap {
            unclosed += decoder.break_off();
        }
        decoder.feed(events, 5, |t| t * 3, &mut reference);
    }
    unclosed += decoder.open_count();
    let (whole, pass) = events_way(batches);
    assert_eq!(contents(&whole), contents(expected));
    let losses = (whole.losses.unmatched_exits, whole.losses.unclosed_enters);
    assert_eq!(losses, (reference.unmatched_exits, unclosed));
    let samples: Vec<(u64, f64)> = reference.samples.iter().map(|s| (s.1, s.2)).collect();
    assert!(!samples.is_empty());
    assert_eq!(whole.counters.len(), 1);
    assert_eq!(whole.counters[0].name, "queue");
    assert_eq!(whole.counters[0].samples, samples);
    // One pass: every span, and the same losses.
    assert_eq!(pass.span_count, whole.span_count() as u64);
    let pass_losses = (
        pass.trace.losses.unmatched_exits,
        pass.trace.losses.unclosed_enters,
    );
    assert_eq!(pass_losses, losses);
}

/// The spans and instants of lane 0, by name text, in one order.
fn contents(t: &Trace) -> (Vec<String>, Vec<String>) {
    let mut spans: Vec<String> = t.lanes[0]
        .spans
        .iter()
        .map(|s| {
            format!(
                "{} {} {} {} {:?} {:?} {:?}",
                s.start_ns,
                s.depth,
                s.end_ns,
                t.name(s.name),
                s.task,
                s.value,
                s.result
            )
        })
        .collect();
    spans.sort();
    let mut instants: Vec<String> = t.lanes[0]
        .instants
        .iter()
        .map(|i| format!("{} {}", i.ts_ns, t.name(i.name)))
        .collect();
    instants.sort();
    (spans, instants)
}

#[test]
fn encoded_spans_read_back_as_the_decoder_gives_them_wherever_the_batches_end() {
    let events = events();
    let (whole, expected) = both_ways(&[(false, &events)]);
    assert_events_way_as_collect(&[(false, &events)], &expected);
    assert!(whole.lanes[0].spans.len() > 500);
    assert!(whole.lanes[0].spans.iter().any(|s| s.result.is_some()));
    assert!(whole.lanes[0].spans.iter().any(|s| s.task.is_some()));
    assert_eq!(contents(&whole), contents(&expected));
    // Flags, once for the two call sites named alpha.
    let beta = whole.name_id("beta").unwrap();
    let gamma = whole.name_id("gamma").unwrap();
    assert!(whole.is_region(beta) && whole.wait_names.contains(&gamma));
    assert_eq!(whole.names.iter().filter(|n| *n == "alpha").count(), 1);
    // Cut into batches anywhere (a result in the batch after its exit
    // included): the same file contents.
    for cut in [1, 2, 3, 17, 100, 1001, events.len() - 1] {
        let (a, b) = events.split_at(cut);
        let (streamed, _) = both_ways(&[(false, a), (false, b)]);
        assert_eq!(contents(&streamed), contents(&expected), "cut at {cut}");
        assert_events_way_as_collect(&[(false, a), (false, b)], &expected);
    }
}

#[test]
fn events_lost_between_batches_lose_what_the_decoder_loses_and_no_more() {
    let events = events();
    for (from, to) in [(10, 20), (301, 302), (1000, 2500)] {
        let batches = [(false, &events[..from]), (true, &events[to..])];
        let (streamed, expected) = both_ways(&batches);
        assert_eq!(contents(&streamed), contents(&expected), "{from}..{to}");
        assert_events_way_as_collect(&batches, &expected);
        let (all, _) = both_ways(&[(false, &events)]);
        assert!(streamed.lanes[0].spans.len() < all.lanes[0].spans.len());
    }
}

/// A lane that took the spans path after writing events chunks (a
/// process that became an MPI rank while streaming) sends an exit
/// whose enter is not in its decoder to its events chunk, where the
/// readers find the enter; before, such an exit is counted.
#[test]
fn an_exit_without_its_enter_is_forwarded_once_the_lane_wrote_events() {
    let registered = registered();
    let mut names = Names::default();
    let exits = [(10, meta(kind::EXIT, 1, 0)), (20, meta(kind::EXIT, 2, 5))];
    for forward in [false, true] {
        let mut chunks = LaneChunks::new();
        chunks.forward_unmatched = forward;
        let mut sink = chunks.sink(&mut names, &registered, None);
        Decoder::default().feed_plain(&exits, 5, |t| t, &mut sink);
        let expected: &[(u32, u32, u64)] = if forward {
            &[(1, 0, 10), (2, 5, 20)]
        } else {
            &[]
        };
        assert_eq!(chunks.forwarded, expected);
        assert_eq!(chunks.unmatched_exits, if forward { 0 } else { 2 });
    }
}

/// As an MPI rank's keys do: a message end on every span of one name.
fn beta_sends(name: &str, span: &mut crate::Span) {
    if name == "beta" {
        span.mpi = Some(Box::new(logprof_trace::MpiCall {
            side: logprof_trace::MessageSide::Send,
            peer: 1,
            tag: 7,
            seq: span.start_ns,
            bytes: 64,
        }));
    }
}

#[test]
fn message_ends_are_attached_to_the_spans_the_keys_name() {
    let events = events();
    let (streamed, expected) = both_ways_keyed(&[(false, &events)], Some(beta_sends));
    let ends = |t: &Trace| -> Vec<(String, u64)> {
        let mut ends: Vec<(String, u64)> = t.lanes[0]
            .spans
            .iter()
            .filter_map(|s| Some((t.name(s.name).to_owned(), s.mpi.as_ref()?.seq)))
            .collect();
        ends.sort();
        ends
    };
    let got = ends(&streamed);
    assert!(got.len() > 50 && got.iter().all(|(n, _)| n == "beta"));
    assert_eq!(got, ends(&expected));
    assert_eq!(contents(&streamed), contents(&expected));
}

/// The writer's short path (`feed_plain`) decodes as `feed` does,
/// wherever the batches end: spans in the same (exit) order with the
/// same fields, instants, samples, unmatched exits, calls left open.
#[test]
fn the_short_path_decodes_as_the_long_one_wherever_batches_end() {
    let key = |d: &Decoded| {
        let spans: Vec<_> = d
            .spans
            .iter()
            .map(|s| {
                (
                    s.id, s.task, s.start_ns, s.end_ns, s.depth, s.value, s.result,
                )
            })
            .collect();
        (
            spans,
            d.instants.clone(),
            d.samples.clone(),
            d.unmatched_exits,
        )
    };
    for seed in 1..=20u64 {
        let events = events_of(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let (mut long, mut decoder) = (Decoded::default(), Decoder::default());
        decoder.feed(&events, 5, |t| t, &mut long);
        let plain = long
            .spans
            .iter()
            .filter(|s| s.task == 0 && s.value.is_none());
        assert!(
            plain.count() > 100,
            "seed {seed}: too few spans for the short path"
        );
        for step in [1, 2, 3, 7, 64, events.len()] {
            let (mut short, mut short_decoder) = (Decoded::default(), Decoder::default());
            for batch in events.chunks(step) {
                short_decoder.feed_plain(batch, 5, |t| t, &mut short);
            }
            assert_eq!(key(&short), key(&long), "seed {seed}, batches of {step}");
            assert_eq!(short_decoder.open_count(), decoder.open_count());
        }
    }
}
