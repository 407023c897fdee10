#![allow(missing_docs)]
use logprof_trace::{Lane, Span, Trace};
use std::time::Instant;
fn main() {
    let mut trace = Trace::new();
    let names: Vec<u32> = (0..10)
        .map(|i| trace.intern(&format!("kernels::column_{i}")))
        .collect();
    for tid in 1..=8u64 {
        let mut spans = Vec::new();
        let mut t = 1_000_000 * tid;
        for k in 0..62_500u64 {
            let parent = Span::new(names[(k % 10) as usize], t, t + 1_500, 0);
            spans.push(if k % 64 == 0 {
                parent.in_task(k / 64 * 8 + (k / 64 + tid) % 8)
            } else {
                parent
            });
            spans.push(Span::new(
                names[((k + 3) % 10) as usize],
                t + 100,
                t + 1_234,
                1,
            ));
            t += 2_017;
        }
        trace
            .lanes
            .push(Lane::with_spans(1, tid, format!("worker-{tid}"), spans));
    }
    for _ in 0..3 {
        let t0 = Instant::now();
        let json = trace.to_chrome_json();
        let t1 = Instant::now();
        let pf = trace.to_perfetto_bytes();
        let t2 = Instant::now();
        let a = Trace::from_chrome_json_str(&json).unwrap();
        let t3 = Instant::now();
        let b = Trace::from_perfetto_bytes(&pf).unwrap();
        let t4 = Instant::now();
        println!(
            "json write {:?} pf write {:?} json read {:?} pf read {:?} ({} {})",
            t1 - t0,
            t2 - t1,
            t3 - t2,
            t4 - t3,
            a.span_count(),
            b.span_count()
        );
    }
}
