//! Every worker of a rayon pool has a lane, idle or not (feature `rayon`).

use rayon::prelude::*;

use crate::support::slate::lock;

#[test]
fn a_pool_of_8_with_2_items_gives_8_lanes_6_idle() {
    let _l = lock();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(8)
        .thread_name(|i| format!("pool-{i}"))
        .build()
        .unwrap();
    logprof::register_pool(&pool);
    // Lanes stay across new recordings, without registering again.
    for _ in 0..2 {
        logprof::init_buffer(1 << 10);
        // Each item waits for the other: they run on two workers.
        let both = std::sync::Barrier::new(2);
        pool.install(|| {
            [1u64, 2].par_iter().for_each(|&x| {
                let _s = logprof::scope!("item", x);
                both.wait();
            })
        });
        let trace = logprof::collect();
        let names: Vec<&str> = trace
            .lanes
            .iter()
            .filter(|l| l.thread_name.starts_with("pool-"))
            .map(|l| l.thread_name.as_str())
            .collect();
        let want: Vec<String> = (0..8).map(|i| format!("pool-{i}")).collect();
        assert_eq!(names, want, "every worker, in index order");
        assert_eq!(trace.lanes.len(), 8);
        let idle = trace.lanes.iter().filter(|l| l.spans.is_empty()).count();
        assert_eq!(idle, 6);
        assert_eq!(trace.span_count(), 2);
        let summary = trace.summary();
        assert!(
            summary.load_balance <= 0.25 + 1e-9,
            "{}",
            summary.load_balance
        );
    }
    // A worker that exits is no longer kept. Dropping a pool does not wait
    // for its workers to exit: wait for them, up to a deadline far beyond
    // any scheduling delay.
    drop(pool);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        logprof::clear();
        let kept = logprof::collect()
            .lanes
            .iter()
            .filter(|l| l.thread_name.starts_with("pool-"))
            .count();
        if kept == 0 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{kept} lanes of a dropped pool's workers still kept after 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}
