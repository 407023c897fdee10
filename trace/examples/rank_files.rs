//! Writes the streamed files of a synthetic MPI run, for measuring
//! `logprof merge` at scale (BENCHMARKS.md, "At scale, on paper"): RANKS
//! files `DIR/run.rank-N.lpt`, each EVENTS events (an enter and an exit
//! are two: EVENTS / 2 spans) on one lane, as a rank's stream writes them
//! (its `rank` chunk first, chunks of 16 384 spans in the order they
//! exit, its clock samples last). The spans are calls of 200 ns to 2 µs
//! nested three deep over 12 function names; about one span in 1 000 is
//! an `MPI_Send` to the next rank or an `MPI_Recv` from the one before,
//! alternating, so every message pairs. Rank r's
//! clock is r µs ahead of rank 0's at the start and 2r µs at the end.
//!
//! ```sh
//! cargo run --release -p logprof-trace --example rank_files -- DIR RANKS EVENTS
//! ```

use std::path::PathBuf;

use logprof_trace::compact::{ClockMoment, LptWriter, FLAG_STREAMED};
use logprof_trace::ranks::{rank_path, ClockSample, RankFacts};
use logprof_trace::{MessageSide, MpiCall, Span, Trace};

const CHUNK: usize = 16_384;
const NAMES: [&str; 12] = [
    "solve",
    "assemble",
    "exchange_halo",
    "pack",
    "unpack",
    "residual",
    "dot",
    "axpy",
    "precondition",
    "smooth",
    "restrict",
    "prolong",
];

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, ranks, events] = &args[..] else {
        eprintln!("usage: rank_files DIR RANKS EVENTS");
        std::process::exit(2);
    };
    let dir = PathBuf::from(dir);
    let ranks: u32 = ranks.parse().expect("RANKS: a number");
    let events: u64 = events.parse().expect("EVENTS: a number");
    std::fs::create_dir_all(&dir)?;
    let mut bytes = 0;
    for rank in 0..ranks {
        bytes += write_rank(&dir, rank, ranks, events / 2)?;
    }
    println!(
        "{ranks} files of {events} events: {bytes} bytes, {:.2} bytes an event",
        bytes as f64 / (u64::from(ranks) * events) as f64
    );
    Ok(())
}

fn write_rank(dir: &std::path::Path, rank: u32, ranks: u32, spans: u64) -> std::io::Result<u64> {
    let path = rank_path(&dir.join("run.lpt"), rank);
    let file = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&path)?);
    let mut w = LptWriter::new(file, FLAG_STREAMED)?;
    w.rank(&RankFacts {
        rank,
        ranks,
        host: format!("node{}", rank / 64),
        cpus: Some(vec![rank % 64]),
        ..RankFacts::default()
    })?;
    let mut names: Vec<&str> = NAMES.to_vec();
    names.extend(["MPI_Send", "MPI_Recv"]);
    w.names(&names)?;
    let lane = w.lane(10_000 + rank, 1, "main", None)?;
    let (send, receive) = (NAMES.len() as u32, NAMES.len() as u32 + 1);
    let (next, previous) = ((rank + 1) % ranks, (rank + ranks - 1) % ranks);
    let mut chunk = Vec::with_capacity(CHUNK);
    let mut t = 1_000u64;
    let mut messages = 0u64;
    // A cheap deterministic sequence for the lengths.
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ u64::from(rank);
    let mut i = 0;
    let mut step = 0u64;
    while i < spans {
        step += 1;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = 200 + x % 1_800;
        let name = (x % NAMES.len() as u64) as u32;
        // Three calls nested (outer, middle, inner), in the order they
        // exit, as a stream drains them; or one MPI call.
        let calls: Vec<Span> = if step.is_multiple_of(334) && ranks > 1 {
            // Sends and receives alternate, so each rank sends as many as
            // it receives: the ring pairs every one.
            let sending = messages.is_multiple_of(2);
            let mut s = Span::new(if sending { send } else { receive }, t, t + len, 0);
            s.mpi = Some(Box::new(MpiCall {
                side: if sending {
                    MessageSide::Send
                } else {
                    MessageSide::Receive
                },
                peer: if sending { next } else { previous },
                tag: 1,
                seq: messages / 2,
                bytes: 4096,
            }));
            messages += 1;
            vec![s]
        } else {
            vec![
                Span::new((name + 2) % 12, t + 20, t + 20 + len / 4, 2),
                Span::new((name + 1) % 12, t + 10, t + 10 + len / 2, 1),
                Span::new(name, t, t + len, 0),
            ]
        };
        t += len + 50;
        for call in calls {
            i += 1;
            chunk.push(call);
            if chunk.len() == CHUNK {
                w.spans(lane, &chunk)?;
                chunk.clear();
            }
        }
    }
    w.spans(lane, &chunk)?;
    let r = i64::from(rank);
    w.clock(
        ClockMoment::Start,
        &ClockSample {
            at_ns: 0,
            offset_ns: -1_000 * r,
            uncertainty_ns: 500,
        },
    )?;
    w.clock(
        ClockMoment::End,
        &ClockSample {
            at_ns: t,
            offset_ns: -2_000 * r,
            uncertainty_ns: 500,
        },
    )?;
    let (_, bytes) = w.finish(&Trace::default())?;
    Ok(bytes)
}
