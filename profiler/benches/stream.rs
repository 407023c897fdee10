//! Streaming (`logprof::stream_to`) against recording into the ring alone:
//! the cost of one recorded tiny call on the recording thread, and what a
//! sustained run streams (calls a second, events lost, bytes an event).
//!
//! `cargo bench -p logprof --bench stream`
//! (`LOGPROF_BENCH_KEEP=FILE` keeps the sustained run's file)
//!
//! First a sustained run, printed: one thread calls a tiny recorded
//! function for `LOGPROF_BENCH_SECONDS` (default 10) while the writer
//! drains it, then the same loop into the ring alone. Then criterion times
//! one call, ring alone and streamed, in the same run (compare the ratio).
//!
//! Besides wall-clock rates, which on a shared machine say how much CPU the
//! threads got, it prints CPU time: the writer's per event drained, and the
//! recording thread's per call, streamed and into the ring alone (their
//! ratio is what streaming costs the recording thread, whatever else runs).

// `criterion_group!` defines a public function it cannot document.
#![allow(missing_docs)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion};

#[inline(never)]
fn leaf(x: u64) -> u64 {
    black_box(x.wrapping_mul(3))
}

#[inline(never)]
fn tiny(x: u64) -> u64 {
    logprof::record_fn!(leaf(x))
}

/// The CPU time the calling thread has used (Linux; zero elsewhere).
fn thread_cpu() -> Duration {
    #[cfg(target_os = "linux")]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec for the call.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
        }
    }
    Duration::ZERO
}

/// Calls `tiny` for `seconds`; returns the calls made.
fn run_for(seconds: f64) -> u64 {
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let mut calls = 0u64;
    let mut x = 1;
    while Instant::now() < end {
        for _ in 0..10_000 {
            x = tiny(x);
        }
        calls += 10_000;
    }
    black_box(x);
    calls
}

fn sustained() {
    let seconds: f64 = std::env::var("LOGPROF_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sustained.lpt");
    let stream = logprof::stream_to(&path).unwrap();
    let start = Instant::now();
    let cpu = thread_cpu();
    let calls = run_for(seconds);
    let streamed_cpu = (thread_cpu() - cpu).as_secs_f64();
    let elapsed = start.elapsed().as_secs_f64();
    let stats = stream.finish().unwrap();
    eprintln!(
        "streamed, 1 thread, {elapsed:.1} s: {:.1} M calls/s, {} events written, {} lost, \
         {:.2} B/event ({:.1} MB file); writer busy {:.2} s, CPU {:.2} s: {:.1} M events \
         a CPU second",
        calls as f64 / elapsed / 1e6,
        stats.events,
        stats.lost,
        stats.bytes_per_event(),
        stats.bytes as f64 / 1e6,
        stats.writer_busy.as_secs_f64(),
        stats.writer_cpu.as_secs_f64(),
        stats.events as f64 / stats.writer_cpu.as_secs_f64().max(1e-9) / 1e6,
    );
    eprintln!(
        "writer CPU {:.1} ns an event drained; recording thread CPU {:.1} ns a call",
        stats.writer_cpu.as_secs_f64() * 1e9 / stats.events.max(1) as f64,
        streamed_cpu * 1e9 / calls as f64,
    );
    assert_eq!(stats.events + stats.lost, 2 * calls, "{stats:?}");
    // Read back in one pass: a 10-s file holds some 600 M events, more
    // than this machine's memory holds as spans.
    let read_back = Instant::now();
    let pass = logprof::Trace::summarize_lpt(&path).unwrap();
    eprintln!(
        "read back in one pass (as `logprof report` reads a big file): {:.1} s, {} spans",
        read_back.elapsed().as_secs_f64(),
        pass.span_count
    );
    assert_eq!(pass.trace.losses.dropped_events, stats.lost);
    // `LOGPROF_BENCH_KEEP=FILE` keeps the streamed file, to time
    // `logprof report` on it.
    if let Some(keep) = std::env::var_os("LOGPROF_BENCH_KEEP") {
        std::fs::rename(&path, &keep)
            .or_else(|_| std::fs::copy(&path, &keep).map(drop))
            .unwrap();
    }
    assert!(
        pass.span_count <= calls,
        "{} spans of {calls} calls",
        pass.span_count
    );
    drop(pass);
    logprof::init_buffer(logprof::STREAM_RING_EVENTS);
    let start = Instant::now();
    let cpu = thread_cpu();
    let ring_calls = run_for(seconds);
    let ring_cpu = (thread_cpu() - cpu).as_secs_f64();
    let elapsed = start.elapsed().as_secs_f64();
    eprintln!(
        "ring alone, 1 thread, {elapsed:.1} s: {:.1} M calls/s; recording thread CPU {:.1} ns \
         a call; streamed / ring alone, CPU a call: {:.2}",
        ring_calls as f64 / elapsed / 1e6,
        ring_cpu * 1e9 / ring_calls as f64,
        (streamed_cpu / calls as f64) / (ring_cpu / ring_calls as f64),
    );
}

fn stream(c: &mut Criterion) {
    sustained();
    let mut group = c.benchmark_group("stream");
    group.measurement_time(Duration::from_secs(5));
    logprof::init_buffer(logprof::STREAM_RING_EVENTS);
    let mut x = 1;
    group.bench_function("tiny_call_ring_only", |b| {
        b.iter(|| {
            x = tiny(x);
        })
    });
    let dir = tempfile::tempdir().unwrap();
    let stream = logprof::stream_to(dir.path().join("criterion.lpt")).unwrap();
    group.bench_function("tiny_call_streamed", |b| {
        b.iter(|| {
            x = tiny(x);
        })
    });
    let stats = stream.finish().unwrap();
    eprintln!(
        "criterion's streamed calls: {} events written, {} lost, {:.2} B/event",
        stats.events,
        stats.lost,
        stats.bytes_per_event()
    );
    group.finish();
}

criterion_group!(benches, stream);
criterion_main!(benches);
