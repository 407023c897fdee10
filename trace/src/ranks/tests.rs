use std::path::{Path, PathBuf};

use super::*;
use crate::compact::{self, ClockMoment, LptWriter, FLAG_STREAMED};
use crate::{Lane, MessageSide, MpiCall, Span};

fn sample(at_ns: u64, offset_ns: i64) -> ClockSample {
    ClockSample {
        at_ns,
        offset_ns,
        uncertainty_ns: 7,
    }
}

fn message(side: MessageSide, peer: u32) -> Option<Box<MpiCall>> {
    Some(Box::new(MpiCall {
        side,
        peer,
        tag: 3,
        seq: 0,
        bytes: 8,
    }))
}

/// A rank's streamed file as `logprof::ranks` writes it: its rank first,
/// then names and events as they drain (the rank's own name first, so that
/// the files' name ids differ), the clock samples and the footer last.
/// `clock`: the start and end samples, none for a rank without them.
fn rank_file(
    dir: &Path,
    rank: u32,
    ranks: u32,
    clock: Option<(ClockSample, ClockSample)>,
    spans: &[Span],
) -> PathBuf {
    rank_file_with(dir, rank, ranks, clock, |w, lane| {
        w.spans(lane, spans).unwrap();
    })
}

/// [`rank_file`] whose lane's chunks `write` writes.
fn rank_file_with(
    dir: &Path,
    rank: u32,
    ranks: u32,
    clock: Option<(ClockSample, ClockSample)>,
    write: impl FnOnce(&mut LptWriter<std::fs::File>, u32),
) -> PathBuf {
    let path = rank_path(&dir.join("run.lpt"), rank);
    let file = std::fs::File::create(&path).unwrap();
    let mut w = LptWriter::new(file, FLAG_STREAMED).unwrap();
    w.rank(&RankFacts {
        rank,
        ranks,
        host: "h".into(),
        cpus: Some(vec![rank]),
        ..RankFacts::default()
    })
    .unwrap();
    w.names(&[format!("only-{rank}"), "work".into(), "MPI_Send".into()])
        .unwrap();
    w.name_flags(&[(1, compact::name_flag::REGION)]).unwrap();
    let lane = w.lane(4000 + rank, 1, "main", None).unwrap();
    write(&mut w, lane);
    if let Some((start, end)) = clock {
        w.clock(ClockMoment::Start, &start).unwrap();
        w.clock(ClockMoment::End, &end).unwrap();
    }
    let facts = Trace {
        off_cpu: OffCpuStatus::Recorded { lost_switches: 1 },
        ..Trace::default()
    };
    w.finish(&facts).unwrap();
    path
}

/// Rank 0 on its own clock; rank 1's clock 1000 ns behind at the start and
/// 2000 ns behind at its time 10 000; rank 1 sends rank 0 a message.
fn two_ranks(dir: &Path) -> Vec<PathBuf> {
    let mut receive = Span::new(2, 5_000, 6_000, 0);
    receive.mpi = message(MessageSide::Receive, 1);
    let zero = rank_file(
        dir,
        0,
        2,
        Some((sample(0, 0), sample(10_000, 0))),
        &[Span::new(1, 1_000, 2_000, 0), receive],
    );
    let mut send = Span::new(2, 5_000, 5_500, 0);
    send.mpi = message(MessageSide::Send, 0);
    let one = rank_file(
        dir,
        1,
        2,
        Some((sample(0, 1_000), sample(10_000, 2_000))),
        &[Span::new(0, 100, 200, 0), send],
    );
    // Given out of order: the merge orders them by rank.
    vec![one, zero]
}

#[test]
fn ranks_files_merge_into_one_process_per_rank_on_rank_0s_clock() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged.lpt");
    let report = merge_files(&two_ranks(dir.path()), &out, false).unwrap();
    assert_eq!((report.ranks, report.files, report.spans), (2, 2, 4));
    assert_eq!((report.messages, report.unmatched_message_ends), (1, 0));
    assert!(report.notes.is_empty(), "{:?}", report.notes);
    let merged = Trace::read_file(&out).unwrap();
    let pids: Vec<u32> = merged.lanes.iter().map(|l| l.pid).collect();
    assert_eq!(pids, [0, 1]);
    assert_eq!(merged.process_names[&1], "rank 1");
    // Names interned once, in the order first met (rank 0's file first).
    assert_eq!(merged.names, ["only-0", "work", "MPI_Send", "only-1"]);
    let work = merged.name_id("work").unwrap();
    assert!(merged.region_names.contains(&work));
    assert_eq!(merged.region_names.len(), 1);
    // Rank 1: offset 1000 at its 0, 2000 at its 10 000, linear between.
    let r1 = &merged.lanes[1].spans;
    assert_eq!(merged.name(r1[0].name), "only-1");
    assert_eq!((r1[0].start_ns, r1[0].end_ns), (100 + 1_010, 200 + 1_020));
    assert_eq!(r1[1].start_ns, 5_000 + 1_500);
    let r0 = &merged.lanes[0].spans;
    assert_eq!((r0[0].start_ns, r0[0].name), (1_000, work));
    // The message pairs across the files, as the in-memory merge pairs it.
    let messages = merged.messages();
    assert_eq!(messages.flows.len(), 1);
    assert_eq!((messages.flows[0].from, messages.flows[0].to), (1, 0));
    let mpi = &merged.metadata["mpi"];
    assert_eq!(mpi["messages"], 1);
    assert_eq!(mpi["origin_ns"], 0);
    assert_eq!(mpi["ranks"][1]["end"]["offset_ns"], 2_000);
    assert_eq!(merged.cores, Some(2));
    assert_eq!(merged.off_cpu, OffCpuStatus::Recorded { lost_switches: 2 });
}

/// A rank streamed without message keys writes its calls as events
/// chunks: the merge copies them with their names renumbered and their
/// times moved onto rank 0's clock, and the merged file's reader pairs
/// them, a call open across two chunks included.
#[test]
fn a_ranks_events_chunks_are_merged_unpaired_and_paired_when_read() {
    use crate::raw_events::kind;
    let dir = tempfile::tempdir().unwrap();
    let zero = rank_file(
        dir.path(),
        0,
        2,
        Some((sample(0, 0), sample(10_000, 0))),
        &[Span::new(1, 1_000, 2_000, 0)],
    );
    let one = rank_file_with(
        dir.path(),
        1,
        2,
        Some((sample(0, 1_000), sample(10_000, 1_000))),
        |w, lane| {
            let mut batch = compact::EventsBatch::new();
            // "work" (1) calls "only-1" (0); the chunk ends inside both.
            batch.push_timed(kind::ENTER, Some(1), 0, 100);
            batch.push_timed(kind::ENTER, Some(0), 0, 150);
            w.write_events(lane, &mut batch).unwrap();
            batch.push_timed(kind::EXIT, Some(0), 0, 180);
            batch.push_timed(kind::EXIT, Some(1), 0, 300);
            batch.push_value(Some(1), 0, 42);
            // Events lost: a call open there is dropped.
            batch.push_timed(kind::ENTER, Some(0), 0, 400);
            batch.push_break();
            batch.push_timed(kind::EXIT, Some(0), 0, 500);
            w.write_events(lane, &mut batch).unwrap();
        },
    );
    let out = dir.path().join("merged.lpt");
    let report = merge_files(&[zero, one], &out, false).unwrap();
    assert_eq!((report.spans, report.unpaired_events), (1, 8));
    let merged = Trace::read_file(&out).unwrap();
    let r1: Vec<_> = merged.lanes[1]
        .spans
        .iter()
        .map(|s| (merged.name(s.name), s.start_ns, s.end_ns, s.depth, s.result))
        .collect();
    assert_eq!(
        r1,
        [
            ("work", 1_100, 1_300, 0, Some(42)),
            ("only-1", 1_150, 1_180, 1, None)
        ]
    );
    assert_eq!(
        (merged.losses.unclosed_enters, merged.losses.unmatched_exits),
        (1, 1)
    );
}

/// A rank's events chunk whose count says fewer events than it holds
/// is refused, naming the file, and nothing is written.
#[test]
fn a_ranks_events_chunk_with_bytes_past_its_end_is_refused() {
    use crate::raw_events::kind;
    let dir = tempfile::tempdir().unwrap();
    let zero = rank_file(dir.path(), 0, 2, None, &[Span::new(1, 10, 20, 0)]);
    let one = rank_file_with(dir.path(), 1, 2, None, |w, lane| {
        let mut batch = compact::EventsBatch::new();
        batch.push_timed(kind::ENTER, Some(1), 0, 100);
        batch.push_timed(kind::EXIT, Some(1), 0, 300);
        w.write_events(lane, &mut batch).unwrap();
    });
    let mut bytes = std::fs::read(&one).unwrap();
    let index = compact::read_index_of(&bytes).unwrap();
    let chunk = index
        .iter()
        .find(|e| e.kind == compact::ChunkKind::Events)
        .unwrap();
    let count = chunk.offset as usize + 10 + 1;
    assert_eq!(bytes[count], 2);
    bytes[count] = 1;
    std::fs::write(&one, &bytes).unwrap();
    let out = dir.path().join("merged.lpt");
    let e = merge_files(&[zero, one.clone()], &out, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("bytes past its end"), "{e}");
    assert!(e.contains(&one.display().to_string()), "{e}");
    assert!(!out.exists());
}

#[test]
fn a_rank_whose_clock_is_ahead_moves_every_time_up_so_none_is_negative() {
    let dir = tempfile::tempdir().unwrap();
    let zero = rank_file(
        dir.path(),
        0,
        2,
        Some((sample(0, 0), sample(1, 0))),
        &[Span::new(0, 10, 20, 0)],
    );
    let one = rank_file(
        dir.path(),
        1,
        2,
        Some((sample(0, -500), sample(1, -500))),
        &[Span::new(0, 100, 120, 0)],
    );
    let out = dir.path().join("merged.lpt");
    merge_files(&[zero, one], &out, false).unwrap();
    let merged = Trace::read_file(&out).unwrap();
    assert_eq!(merged.lanes[0].spans[0].start_ns, 510);
    assert_eq!(merged.lanes[1].spans[0].start_ns, 100);
    assert_eq!(merged.metadata["mpi"]["origin_ns"], 500);
}

#[test]
fn the_merged_file_in_another_format_holds_the_same_trace() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = two_ranks(dir.path());
    let (lpt, json) = (dir.path().join("m.lpt"), dir.path().join("m.json"));
    merge_files(&inputs, &lpt, false).unwrap();
    merge_files(&inputs, &json, false).unwrap();
    let (a, b) = (
        Trace::read_file(&lpt).unwrap(),
        Trace::read_file(&json).unwrap(),
    );
    assert_eq!(a.lanes, b.lanes);
    assert_eq!(a.names, b.names);
    // And a rank's file read whole keeps its facts in its metadata.
    let whole = Trace::read_file(&inputs[0]).unwrap();
    let facts = RankFacts::of_trace(&whole).unwrap();
    assert_eq!((facts.rank, facts.ranks), (1, 2));
    assert_eq!(facts.clock_end, Some(sample(10_000, 2_000)));
}

#[test]
fn a_ranks_file_read_whole_and_written_again_still_merges_as_its_rank() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = two_ranks(dir.path());
    // Written whole: its facts go in the info chunk's metadata.
    let again = dir.path().join("one.lpt");
    Trace::read_file(&inputs[0])
        .unwrap()
        .write_file(&again)
        .unwrap();
    let out = dir.path().join("m.lpt");
    let report = merge_files(&[again, inputs[1].clone()], &out, false).unwrap();
    assert_eq!(report.messages, 1);
    let merged = Trace::read_file(&out).unwrap();
    assert_eq!(merged.lanes[1].spans[1].start_ns, 6_500);
}

fn error(inputs: &[PathBuf], out: &Path) -> String {
    let e = merge_files(inputs, out, false).unwrap_err().to_string();
    assert!(!out.exists(), "no output after: {e}");
    e
}

#[test]
fn two_files_of_one_rank_or_of_two_runs_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.lpt");
    let zero = rank_file(dir.path(), 0, 2, None, &[]);
    let copy = dir.path().join("copy.lpt");
    std::fs::copy(&zero, &copy).unwrap();
    let e = error(&[zero.clone(), copy], &out);
    assert!(e.contains("are both rank 0"), "{e}");
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let of_three = rank_file(&other, 1, 3, None, &[]);
    let e = error(&[zero.clone(), of_three], &out);
    assert!(e.contains("not of one run") && e.contains("of 3"), "{e}");
    let plain = dir.path().join("plain.lpt");
    Trace::new().write_lpt(&plain).unwrap();
    let e = error(&[zero, plain.clone()], &out);
    assert!(
        e.contains("plain.lpt") && e.contains("does not say which rank"),
        "{e}"
    );
    let e = error(&[], &out);
    assert!(e.contains("no files"), "{e}");
}

#[test]
fn a_missing_rank_is_refused_unless_allowed_then_noted() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.lpt");
    let one = rank_file(dir.path(), 1, 3, Some((sample(0, 5), sample(9, 5))), &[]);
    let e = error(std::slice::from_ref(&one), &out);
    assert!(
        e.contains("ranks 0, 2 of 3 missing") && e.contains("--allow-missing"),
        "{e}"
    );
    let report = merge_files(&[one], &out, true).unwrap();
    assert!(
        report.notes[0].contains("ranks 0, 2 of 3 missing"),
        "{:?}",
        report.notes
    );
    assert_eq!(Trace::read_file(&out).unwrap().lanes[0].pid, 1);
}

#[test]
fn a_file_cut_off_is_merged_up_to_its_last_whole_chunk_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = two_ranks(dir.path());
    // Rank 1's file cut inside its first clock chunk: its clock samples,
    // info and footer are gone, its spans kept.
    let bytes = std::fs::read(&inputs[0]).unwrap();
    let index = compact::read_index_of(&bytes).unwrap();
    let clock = index
        .iter()
        .find(|e| e.kind == compact::ChunkKind::Clock)
        .unwrap();
    std::fs::write(&inputs[0], &bytes[..clock.offset as usize + 3]).unwrap();
    let out = dir.path().join("m.lpt");
    let report = merge_files(&inputs, &out, false).unwrap();
    let notes = report.notes.join("\n");
    assert!(notes.contains("rank-1.lpt (rank 1) is cut off"), "{notes}");
    assert!(notes.contains("rank 1 carries no clock samples"), "{notes}");
    assert_eq!(report.spans, 4);
    let merged = Trace::read_file(&out).unwrap();
    assert!(
        !merged.repairs.cut_at_end,
        "the merged file itself is whole"
    );
    assert_eq!(merged.lanes[1].spans[0].start_ns, 100);
}

#[test]
fn a_damaged_file_is_an_error_naming_it_and_an_old_output_stays() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = two_ranks(dir.path());
    let out = dir.path().join("m.lpt");
    std::fs::write(&out, b"old").unwrap();
    // The lane chunk's pid made a 10-byte varint with no end.
    let mut bytes = std::fs::read(&inputs[1]).unwrap();
    let index = compact::read_index_of(&bytes).unwrap();
    let lane = index
        .iter()
        .find(|e| e.kind == compact::ChunkKind::Lane)
        .unwrap();
    let at = lane.offset as usize + 10;
    bytes[at..at + 10].fill(0xff);
    std::fs::write(&inputs[1], &bytes).unwrap();
    let e = merge_files(&inputs, &out, false).unwrap_err().to_string();
    assert!(e.contains("rank-0.lpt") && e.contains("at byte"), "{e}");
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(leftovers, 3, "no temporary file left");
}

#[test]
fn files_that_do_not_say_their_rank_merge_in_the_order_given() {
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for (i, tid) in [7u64, 8].iter().enumerate() {
        let mut t = Trace::new();
        let n = t.intern("x");
        t.lanes.push(Lane::with_spans(
            99,
            *tid,
            "main",
            [Span::new(n, 10, 20, 0)],
        ));
        let p = dir.path().join(format!("t{i}.json"));
        t.write_file(&p).unwrap();
        paths.push(p);
    }
    let out = dir.path().join("m.json");
    let report = merge_files(&paths, &out, false).unwrap();
    assert!(
        report.notes[0].contains("in the order of the files"),
        "{:?}",
        report.notes
    );
    let merged = Trace::read_file(&out).unwrap();
    let lanes: Vec<(u32, u64)> = merged.lanes.iter().map(|l| (l.pid, l.tid)).collect();
    assert_eq!(lanes, [(0, 7), (1, 8)]);
}

#[test]
fn a_rank_path_puts_the_rank_before_the_extension() {
    assert_eq!(
        rank_path(Path::new("d/run.lpt"), 3),
        Path::new("d/run.rank-3.lpt")
    );
    assert_eq!(rank_path(Path::new("run"), 0), Path::new("run.rank-0"));
}

#[test]
fn the_clock_holds_its_start_without_an_end_and_is_zero_without_either() {
    let mut facts = RankFacts::default();
    assert_eq!(facts.clock().to_rank0(50), 50);
    facts.clock_start = Some(sample(10, -5));
    assert_eq!(facts.clock().to_rank0(1_000), 995);
    assert_eq!(facts.clock().least_offset_ns(), -5);
}
