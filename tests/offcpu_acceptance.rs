//! Issue 10's acceptance: `logprof run --schedule static --threads 4 --size
//! 1000`, run while another thread keeps a core busy, gives honest figures
//! where off-CPU time is recorded. It compares ratios within one run, never
//! absolute times, so a noisy machine moves it little:
//!
//! - the two middle workers, which carry the same iterations, have on-CPU
//!   busy times within 10 % of each other (their wall-clock busy times are
//!   whatever the time-sharing made them);
//! - the load balance is within 0.05 of what the iteration counts of the
//!   four blocks predict (2.64 / 4.45 ≈ 0.59), the median of five runs, in
//!   an optimised build (see the test's `ignore` reason for debug builds);
//! - the on-CPU busy time summed over the lanes never exceeds cores × wall.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use logprof::{Summary, Trace};
use logprof_kernels::{iterations_per_block, JuliaSet, Kernel};

/// Mean / max of the four static blocks' work: the load balance a
/// perfect, uncontended run of `static` has.
fn load_balance_of(blocks: &[f64]) -> f64 {
    let max = blocks.iter().copied().fold(0.0, f64::max);
    blocks.iter().sum::<f64>() / blocks.len() as f64 / max
}

/// The load balance the iteration counts of the four blocks predict
/// (2.64 / 4.45 ≈ 0.59 at n = 1000).
fn predicted_by_iterations() -> f64 {
    let image = JuliaSet::default().compute(Kernel::Scalar).unwrap();
    let blocks = iterations_per_block(&image.iterations_per_column(), 4);
    load_balance_of(&blocks.iter().map(|&b| b as f64).collect::<Vec<_>>())
}

/// One test at a time: each runs `logprof` beside its own busy thread, and
/// two at once would load the machine far beyond the one busy core the
/// acceptance describes.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static SERIAL: Mutex<()> = Mutex::new(());
    SERIAL.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The summary of `logprof run --schedule static --threads 4 --size 1000`
/// run while a thread keeps a core busy, with its figures printed; `None`
/// where off-CPU time could not be recorded (then the summary says so).
fn static_run_beside_a_busy_core() -> Option<Summary> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    // Another process's worth of load: one core kept busy all along.
    let stop = AtomicBool::new(false);
    let output = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                std::hint::spin_loop();
            }
        });
        std::thread::sleep(Duration::from_millis(20));
        let output = Command::new(env!("CARGO_BIN_EXE_logprof"))
            .args(["run", "--schedule", "static", "--threads", "4"])
            .args(["--size", "1000", "--kernel", "scalar"])
            .args(["--runs", "1", "--warmup", "0", "--out"])
            .arg(&out)
            .output()
            .expect("the binary runs");
        stop.store(true, Ordering::Relaxed);
        output
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let trace = Trace::read_chrome_json(out.join("static.trace.json")).unwrap();
    let s = trace.summary();
    if !s.off_cpu.is_recorded() {
        // Not a failure: the figures are then the wall-clock ones, and say so.
        eprintln!("skipped: {:?}", s.off_cpu.note());
        assert!(s.off_cpu.note().is_some());
        return None;
    }
    assert_eq!(s.lanes.len(), 4);
    // The figures, for BENCHMARKS.md (`-- --nocapture`): wall-clock, then
    // on-CPU, busy per worker in ms.
    let per_lane = |f: fn(&logprof::LaneSummary) -> u64| -> Vec<String> {
        s.lanes
            .iter()
            .map(|l| format!("{:.1}", f(l) as f64 / 1e6))
            .collect()
    };
    eprintln!(
        "wall-clock busy ms {:?}, load balance {:.3}, parallel efficiency {:.3}\n\
         on-CPU busy ms {:?}, load balance {:.3}, parallel efficiency {:.3} (on {} cores)",
        per_lane(|l| l.busy_ns),
        s.wall_load_balance,
        s.wall_parallel_efficiency,
        per_lane(|l| l.on_cpu_busy_ns),
        s.load_balance,
        s.parallel_efficiency,
        s.usable_cores
    );
    Some(s)
}

#[test]
fn static_on_a_busy_machine_never_counts_more_cpu_than_the_cores_give() {
    let _serial = one_at_a_time();
    let Some(s) = static_run_beside_a_busy_core() else {
        return;
    };
    let on_cpu: Vec<u64> = s.lanes.iter().map(|l| l.on_cpu_busy_ns).collect();
    let cores = s.cores.expect("logprof's own trace knows its cores") as f64;
    let total: u64 = on_cpu.iter().sum();
    // 1 % for the two clocks' mapping onto each other.
    assert!(
        total as f64 <= cores * s.wall_ns as f64 * 1.01,
        "on-CPU busy {total} ns over {} ns wall on {cores} cores",
        s.wall_ns
    );
    // Five busy threads on fewer cores: someone waited for a core.
    if (cores as usize) < 5 {
        assert!(
            s.lanes.iter().any(|l| l.preempted_ns > 0),
            "no preemption recorded: {:?}",
            s.lanes
        );
    }
}

/// How many runs the balance test takes the median of: one run beside a
/// busy core (and, on a shared machine, other people's work) now and then
/// lands a middle worker on a hyperthread whose sibling is busy, which
/// slows its on-CPU time by up to a quarter; the median of five is what
/// the schedule does, not what one or two unlucky runs did.
const BALANCE_RUNS: usize = 5;

/// The median of `values` (odd count).
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "an optimised build's figures: unoptimised code pays a per-column overhead \
              that makes the cheap outer blocks cost more than their iterations (on-CPU \
              load balance 0.62-0.67 in a debug build); CI runs it with \
              cargo test --release -p logprof-cli --test offcpu_acceptance"
)]
fn static_on_a_busy_machine_balances_as_the_iterations_predict() {
    let _serial = one_at_a_time();
    let mut differences = Vec::new();
    let mut balances = Vec::new();
    for _ in 0..BALANCE_RUNS {
        let Some(s) = static_run_beside_a_busy_core() else {
            return;
        };
        let (a, b) = (
            s.lanes[1].on_cpu_busy_ns as f64,
            s.lanes[2].on_cpu_busy_ns as f64,
        );
        differences.push((a - b).abs() / a.max(b));
        balances.push(s.load_balance);
    }
    let difference = median(differences.clone());
    assert!(
        difference <= 0.10,
        "the middle workers' on-CPU busy times differ by {:.1} % (median of {differences:?}), \
         more than 10 %",
        difference * 100.0
    );
    let predicted = predicted_by_iterations();
    let balance = median(balances.clone());
    assert!(
        (balance - predicted).abs() <= 0.05,
        "on-CPU load balance {balance:.3} (median of {balances:?}), the iterations predict \
         {predicted:.3}"
    );
}

/// `LOGPROF_OFFCPU=0`: no off-CPU time, and the table's header line, the
/// picture's header and `report` say so once each; the figures are the
/// wall-clock ones, marked where time-sharing distorts them.
#[test]
fn logprof_offcpu_0_says_so_in_the_table_the_picture_and_the_report() {
    let _serial = one_at_a_time();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let threads = (std::thread::available_parallelism().map_or(1, |n| n.get()) + 1).to_string();
    let run = Command::new(env!("CARGO_BIN_EXE_logprof"))
        .env("LOGPROF_OFFCPU", "0")
        .args(["run", "--schedule", "static", "--threads", &threads])
        .args(["--size", "40", "--runs", "1", "--warmup", "0", "--out"])
        .arg(&out)
        .output()
        .expect("the binary runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let table = String::from_utf8_lossy(&run.stdout);
    let header = table.lines().next().unwrap();
    assert!(
        header.contains(&format!("{threads} threads on"))
            && header.contains("off-CPU time not recorded"),
        "{table}"
    );
    assert!(table.contains("load balance †"), "{table}");
    let svg = std::fs::read_to_string(out.join("static.svg")).unwrap();
    assert_eq!(
        svg.matches("LOGPROF_OFFCPU=0").count(),
        1,
        "once in the picture"
    );
    assert!(!svg.contains("class=\"preempted\""));
    let trace = out.join("static.trace.json");
    let report = Command::new(env!("CARGO_BIN_EXE_logprof"))
        .arg("report")
        .arg(&trace)
        .output()
        .expect("the binary runs");
    let report = String::from_utf8_lossy(&report.stdout);
    assert_eq!(report.matches("LOGPROF_OFFCPU=0").count(), 1, "{report}");
    assert!(!report.contains("on-CPU busy ms"), "{report}");
    let s = Trace::read_chrome_json(&trace).unwrap().summary();
    assert_eq!(s.off_cpu, logprof::OffCpuStatus::Disabled);
    assert!(
        s.parallel_efficiency <= 1.0,
        "against the threads, not the cores"
    );
}
