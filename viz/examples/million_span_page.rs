//! Writes the report page of a synthetic trace of a million spans, for
//! measuring the page in a browser (`.ci/browser/perf.mjs`, see
//! BENCHMARKS.md):
//!
//! `cargo run -p logprof-viz --release --example million_span_page -- /tmp/page.html [SPANS]`
//!
//! The trace imitates a fine-grained recording: 16 threads, each running a
//! few phases (marked as regions) holding calls of 40 names of 0.5 to 4 µs,
//! every tenth with a nested call, every fourth with a value and a result,
//! and the thread preempted now and then inside a call.

use std::time::Instant;

use logprof_trace::{Lane, NameTable, OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};
use logprof_viz::HtmlReport;

const THREADS: u64 = 16;
const PHASES: u64 = 4;

fn trace(spans: u64) -> Trace {
    let mut names = NameTable::new();
    let calls: Vec<_> = (0..40)
        .map(|i| names.intern(&format!("kernel_{i}")))
        .collect();
    let inner = names.intern("inner_loop");
    let phase = names.intern("phase");
    let mut lanes = Vec::new();
    let per_lane = spans / THREADS;
    for t in 0..THREADS {
        let mut lane = Lane::new(1, t + 1, format!("worker-{t}"));
        let mut now = 1_000 + t * 150;
        let mut i = 0u64;
        // One span a phase, the rest calls.
        let calls_per_phase = (per_lane - PHASES) / PHASES;
        for _ in 0..PHASES {
            let at = lane.spans.len();
            lane.spans.push(Span::new(phase, now, now, 0));
            let mut made = 0;
            while made < calls_per_phase {
                let len = 500 + (i * 7919 + t * 31) % 3_500;
                let mut call = Span::new(calls[(i % 40) as usize], now, now + len, 1);
                if i.is_multiple_of(4) {
                    call = call.with_value(i as i64).with_result((len * 3) as i64);
                }
                lane.spans.push(call);
                made += 1;
                if i.is_multiple_of(10) && made < calls_per_phase {
                    lane.spans
                        .push(Span::new(inner, now + 100, now + len - 100, 2));
                    made += 1;
                }
                if i.is_multiple_of(97) {
                    lane.off_cpu
                        .push(OffCpu::new(now + 200, now + 400, OffCpuKind::Preempted));
                }
                now += len + 150;
                i += 1;
            }
            lane.spans[at].end_ns = now;
            now += 20_000;
        }
        lanes.push(lane);
    }
    let mut trace = Trace {
        process_name: Some("synthetic".into()),
        names: names.into_names(),
        lanes,
        off_cpu: OffCpuStatus::Recorded { lost_switches: 0 },
        ..Trace::default()
    };
    trace.mark_region(phase);
    trace.normalize();
    trace
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("give the page's path: million_span_page OUT.html [SPANS]")?;
    let spans: u64 = match args.next() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("SPANS: {n:?} is not a count"))?,
        None => 1_000_000,
    };
    let trace = trace(spans.max(THREADS * (PHASES + 1)));
    let began = Instant::now();
    let page = HtmlReport::new("a million spans").trace("synthetic", &trace);
    let html = page.to_html_string();
    let built = began.elapsed();
    std::fs::write(&out, &html)?;
    let data = html
        .split("id=\"logprof-timeline-data\">")
        .nth(1)
        .and_then(|rest| rest.split("</script>").next())
        .map_or(0, str::len);
    println!(
        "{out}: {} spans, page {:.1} MB, timeline data {:.2} bytes a span, built in {:.2} s",
        trace.span_count(),
        html.len() as f64 / 1e6,
        data as f64 / trace.span_count() as f64,
        built.as_secs_f64()
    );
    Ok(())
}
