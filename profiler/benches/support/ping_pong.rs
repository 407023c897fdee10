//! Two threads handing a token back and forth through rendezvous channels:
//! each round trip blocks and wakes each thread once (two switches out and
//! two back in). Shared by the `offcpu` bench and the `switch_cost` example.

use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

/// `iters` round trips between this thread and a partner; registers both
/// with logprof (so both record their switches) when `recorded`.
pub fn ping_pong(iters: u64, recorded: bool) -> Duration {
    let (to_partner, from_main) = sync_channel::<u64>(0);
    let (to_main, from_partner) = sync_channel::<u64>(0);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            if recorded {
                logprof::register_thread();
            }
            while let Ok(v) = from_main.recv() {
                if to_main.send(v).is_err() {
                    break;
                }
            }
        });
        if recorded {
            logprof::register_thread();
        }
        // One round trip first, so the partner is up and waiting.
        to_partner.send(0).unwrap();
        from_partner.recv().unwrap();
        let start = Instant::now();
        for i in 0..iters {
            to_partner.send(i).unwrap();
            from_partner.recv().unwrap();
        }
        let elapsed = start.elapsed();
        drop(to_partner);
        elapsed
    })
}
