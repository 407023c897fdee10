//! Files as the Perfetto SDK and Chromium write them, built packet by
//! packet: sequence-scoped interning, packet defaults, an incremental
//! clock, descriptors with parents, counters, older Chromium's thread
//! descriptors with microsecond deltas and legacy events, lost state and
//! packets of other kinds.

use prost::Message;

use super::protos::*;
use crate::trace::Trace;

fn file(packets: &[TracePacket]) -> Vec<u8> {
    let mut bytes = Vec::new();
    for p in packets {
        bytes.push(0x0a);
        p.encode_length_delimited(&mut bytes).unwrap();
    }
    bytes
}

fn on(seq: u32, p: TracePacket) -> TracePacket {
    TracePacket {
        trusted_packet_sequence_id: Some(seq),
        sequence_flags: Some(p.sequence_flags.unwrap_or(SEQ_NEEDS_INCREMENTAL_STATE)),
        ..p
    }
}

fn event(ts: u64, kind: i32, e: TrackEvent) -> TracePacket {
    TracePacket {
        timestamp: Some(ts),
        track_event: Some(TrackEvent {
            r#type: Some(kind),
            ..e
        }),
        ..Default::default()
    }
}

fn named(iid: u64, name: &str) -> InternedName {
    InternedName {
        iid: Some(iid),
        name: Some(name.to_owned()),
    }
}

fn sdk_file() -> Vec<u8> {
    let clock = |id, ts, incremental| Clock {
        clock_id: Some(id),
        timestamp: Some(ts),
        is_incremental: Some(incremental),
        unit_multiplier_ns: None,
    };
    let mut p = vec![
        on(
            7,
            TracePacket {
                sequence_flags: Some(SEQ_INCREMENTAL_STATE_CLEARED),
                trace_packet_defaults: Some(Box::new(TracePacketDefaults {
                    timestamp_clock_id: Some(64),
                    track_event_defaults: Some(TrackEventDefaults {
                        track_uuid: Some(100),
                    }),
                })),
                clock_snapshot: Some(Box::new(ClockSnapshot {
                    clocks: vec![clock(6, 1_000_000, false), clock(64, 1_000_000, true)],
                    primary_trace_clock: None,
                })),
                ..Default::default()
            },
        ),
        on(
            7,
            TracePacket {
                track_descriptor: Some(Box::new(TrackDescriptor {
                    uuid: Some(50),
                    process: Some(ProcessDescriptor {
                        pid: Some(42),
                        process_name: Some("app".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
                ..Default::default()
            },
        ),
        on(
            7,
            TracePacket {
                track_descriptor: Some(Box::new(TrackDescriptor {
                    uuid: Some(100),
                    parent_uuid: Some(50),
                    thread: Some(ThreadDescriptor {
                        pid: Some(42),
                        tid: Some(43),
                        thread_name: Some("worker".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
                ..Default::default()
            },
        ),
    ];
    let begin = |ts, e| event(ts, event_type::SLICE_BEGIN, e);
    let end = |ts| event(ts, event_type::SLICE_END, TrackEvent::default());
    p.push(on(
        7,
        TracePacket {
            interned_data: Some(Box::new(InternedData {
                event_names: vec![named(1, "outer")],
                event_categories: vec![named(1, "toplevel,region")],
                ..Default::default()
            })),
            ..begin(
                10,
                TrackEvent {
                    name_iid: Some(1),
                    category_iids: vec![1],
                    flow_ids: vec![99],
                    ..Default::default()
                },
            )
        },
    ));
    p.push(on(
        7,
        begin(
            5,
            TrackEvent {
                name: Some("inner".into()),
                ..Default::default()
            },
        ),
    ));
    p.push(on(7, end(5)));
    p.push(on(
        7,
        TracePacket {
            interned_data: Some(Box::new(InternedData {
                event_names: vec![named(2, "mark")],
                ..Default::default()
            })),
            ..event(
                10,
                event_type::INSTANT,
                TrackEvent {
                    name_iid: Some(2),
                    ..Default::default()
                },
            )
        },
    ));
    p.push(on(7, end(10)));
    // Left open: drawn to the lane's end.
    p.push(on(
        7,
        begin(
            20,
            TrackEvent {
                name_iid: Some(1),
                ..Default::default()
            },
        ),
    ));
    p.push(on(
        7,
        TracePacket {
            track_descriptor: Some(Box::new(TrackDescriptor {
                uuid: Some(200),
                parent_uuid: Some(50),
                name: Some("queue".into()),
                counter: Some(CounterDescriptor::default()),
                ..Default::default()
            })),
            ..Default::default()
        },
    ));
    p.push(on(
        7,
        event(
            1,
            event_type::COUNTER,
            TrackEvent {
                track_uuid: Some(200),
                counter_value: Some(7),
                ..Default::default()
            },
        ),
    ));
    // A packet of another kind, and one whose sequence lost its state.
    p.push(on(7, TracePacket::default()));
    p.push(on(8, end(1)));
    // Older Chromium: a thread descriptor and microsecond deltas.
    p.push(on(
        9,
        TracePacket {
            sequence_flags: Some(SEQ_INCREMENTAL_STATE_CLEARED),
            thread_descriptor: Some(Box::new(ThreadDescriptor {
                pid: Some(42),
                tid: Some(44),
                thread_name: Some("old".into()),
                reference_timestamp_us: Some(1000),
            })),
            ..Default::default()
        },
    ));
    let legacy = |delta, e: TrackEvent| TracePacket {
        track_event: Some(TrackEvent {
            timestamp_delta_us: Some(delta),
            ..e
        }),
        ..Default::default()
    };
    p.push(on(
        9,
        legacy(
            1,
            TrackEvent {
                name: Some("legacy X".into()),
                legacy_event: Some(LegacyEvent {
                    phase: Some(i32::from(b'X')),
                    duration_us: Some(3),
                    ..Default::default()
                }),
                ..Default::default()
            },
        ),
    ));
    p.push(on(
        9,
        legacy(
            2,
            TrackEvent {
                name: Some("b".into()),
                r#type: Some(event_type::SLICE_BEGIN),
                ..Default::default()
            },
        ),
    ));
    p.push(on(
        9,
        legacy(
            1,
            TrackEvent {
                r#type: Some(event_type::SLICE_END),
                ..Default::default()
            },
        ),
    ));
    file(&p)
}

#[test]
fn a_file_as_the_sdk_writes_it_reads_with_interning_defaults_and_clocks() {
    let t = Trace::from_perfetto_bytes(&sdk_file()).unwrap();
    assert!(t.repairs.from_other_tool);
    assert_eq!(t.process_name.as_deref(), Some("app"));
    let lanes: Vec<_> = t
        .lanes
        .iter()
        .map(|l| (l.pid, l.tid, l.thread_name.as_str()))
        .collect();
    assert_eq!(lanes, [(42, 43, "worker"), (42, 44, "old")]);
    let spans = |i: usize| -> Vec<(&str, u64, u64, u32, bool)> {
        (t.lanes[i].spans.iter())
            .map(|s| (t.name(s.name), s.start_ns, s.end_ns, s.depth, s.unfinished))
            .collect()
    };
    // The incremental clock: 1_000_000 + 10, +5, +5, +10, +10, +20.
    assert_eq!(
        spans(0),
        [
            ("outer", 1_000_010, 1_000_040, 0, false),
            ("inner", 1_000_015, 1_000_020, 1, false),
            // Never ended: cut off at its lane's last event, its own begin.
            ("outer", 1_000_060, 1_000_060, 0, true),
        ]
    );
    let outer = t.name_id("outer").unwrap();
    assert!(t.is_region(outer), "category list holding region");
    assert_eq!(t.name(t.lanes[0].instants[0].name), "mark");
    assert_eq!(t.lanes[0].instants[0].ts_ns, 1_000_030);
    assert_eq!(t.counters.len(), 1);
    assert_eq!(
        (t.counters[0].pid, t.counters[0].name.as_str()),
        (42, "queue")
    );
    assert_eq!(t.counters[0].samples, [(1_000_061, 7.0)]);
    // Microseconds since the thread descriptor's reference.
    assert_eq!(
        spans(1),
        [
            ("legacy X", 1_001_000, 1_004_000, 0, false),
            ("b", 1_003_000, 1_004_000, 0, false)
        ]
    );
    let r = &t.repairs;
    assert_eq!(r.unclosed_begins, 1);
    let not_drawn: Vec<_> = r.not_drawn.keys().map(String::as_str).collect();
    assert_eq!(
        not_drawn,
        [
            "flow (arrows between slices)",
            "packet (its sequence's interned state was lost)",
            "packet of another kind (system data, config, stats)"
        ]
    );
}

#[test]
fn tracks_under_a_thread_join_its_lane_and_other_tracks_are_lanes_of_their_own() {
    let track = |uuid, parent: Option<u64>, thread: Option<(i32, i32)>, name: &str| {
        on(
            1,
            TracePacket {
                track_descriptor: Some(Box::new(TrackDescriptor {
                    uuid: Some(uuid),
                    parent_uuid: parent,
                    name: Some(name.into()),
                    thread: thread.map(|(pid, tid)| ThreadDescriptor {
                        pid: Some(pid),
                        tid: Some(tid),
                        thread_name: Some(name.into()),
                        ..Default::default()
                    }),
                    process: (uuid == 1).then(|| ProcessDescriptor {
                        pid: Some(5),
                        ..Default::default()
                    }),
                    ..Default::default()
                })),
                ..Default::default()
            },
        )
    };
    let slice = |ts, kind, uuid, name: Option<&str>| {
        on(
            1,
            event(
                ts,
                kind,
                TrackEvent {
                    track_uuid: Some(uuid),
                    name: name.map(str::to_owned),
                    ..Default::default()
                },
            ),
        )
    };
    let (b, e) = (event_type::SLICE_BEGIN, event_type::SLICE_END);
    let mut first = track(1, None, None, "proc");
    first.sequence_flags = Some(SEQ_INCREMENTAL_STATE_CLEARED);
    let packets = [
        first,
        track(2, Some(1), Some((5, 6)), "main"),
        track(3, Some(2), None, "main async"),
        track(4, Some(1), None, "requests"),
        slice(100, b, 2, Some("run")),
        slice(150, b, 3, Some("fetch")), // on the child track: overlaps run's end
        slice(200, e, 2, None),
        slice(250, e, 3, None),
        slice(120, b, 3, Some("inner")),
        slice(130, e, 3, None),
        slice(300, b, 4, Some("request")),
        slice(400, e, 4, None),
    ];
    let t = Trace::from_perfetto_bytes(&file(&packets)).unwrap();
    let lanes: Vec<_> = (t.lanes.iter())
        .map(|l| (l.pid, l.tid, l.thread_name.as_str(), l.spans.len()))
        .collect();
    assert_eq!(
        lanes,
        [(5, 6, "main", 3), (5, (1 << 63) | 4, "requests", 1)],
        "the child track's slices on the thread's lane; the process's track a lane"
    );
    let spans: Vec<_> = (t.lanes[0].spans.iter())
        .map(|s| (t.name(s.name), s.start_ns, s.end_ns, s.depth))
        .collect();
    // Depths across the lane's tracks as the Chrome JSON reader gives
    // them (`nest_by_containment`): the spans open where each begins.
    assert_eq!(
        spans,
        [
            ("run", 100, 200, 0),
            ("inner", 120, 130, 1),
            ("fetch", 150, 250, 1)
        ]
    );
    assert_eq!(t.process_names.get(&5), None, "the process has no name");
}
