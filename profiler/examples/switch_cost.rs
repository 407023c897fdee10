//! What the off-CPU records add to a context switch, measured as pairs of
//! interleaved rounds (so drift on a shared machine hits both alike): two
//! threads hand a token back and forth through rendezvous channels, each
//! round trip blocking and waking each thread once; in the recorded rounds
//! both threads registered with logprof first (their context-switch events
//! are open). Prints the medians and the median per-pair difference.
//!
//! `cargo run --release -p logprof --example switch_cost [pairs] [round trips]`

#[path = "../benches/support/ping_pong.rs"]
mod ping_pong;

/// Microseconds per round trip over `trips` round trips.
fn round_trip_us(trips: u64, recorded: bool) -> f64 {
    ping_pong::ping_pong(trips, recorded).as_secs_f64() * 1e6 / trips as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let pairs: usize = args.next().map_or(30, |a| a.parse().expect("pairs"));
    let trips: u64 = args
        .next()
        .map_or(2000, |a| a.parse().expect("round trips"));
    logprof::init_buffer(1 << 10);
    let (mut plain, mut recorded, mut diff) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs {
        // A fresh recording each time, so no ring fills; alternate the order.
        logprof::clear();
        let (p, r) = if i % 2 == 0 {
            let p = round_trip_us(trips, false);
            (p, round_trip_us(trips, true))
        } else {
            let r = round_trip_us(trips, true);
            (round_trip_us(trips, false), r)
        };
        plain.push(p);
        recorded.push(r);
        diff.push(r - p);
    }
    println!(
        "{pairs} pairs of {trips} round trips: plain {:.2} µs, with off-CPU records {:.2} µs \
         a round trip; difference {:.2} µs a round trip, {:.2} µs a switch (out and back in)",
        median(plain),
        median(recorded),
        median(diff.clone()),
        median(diff) / 2.0
    );
}
