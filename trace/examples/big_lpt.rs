//! Writes a big `.lpt` file for measuring `logprof report` and `render` on
//! it (BENCHMARKS.md, "The compact format"): a few lanes of nested spans
//! (iterations of steps of kernel calls, some recursive, some waiting on a
//! lock) and an off-CPU interval every few thousand spans, chunk by chunk
//! through `LptWriter`, so it holds one chunk of spans at a time whatever
//! the count.
//!
//! ```text
//! cargo run --release -p logprof-trace --example big_lpt -- OUT.lpt [SPANS] [LANES]
//! ```
//!
//! SPANS defaults to 300 000 000: 600 M events as BENCHMARKS.md counts
//! them (an enter and an exit a span; about 1.3 GB of file). LANES
//! defaults to 4.

use std::io::BufWriter;

use logprof_trace::compact::{name_flag, LptWriter};
use logprof_trace::{OffCpu, OffCpuKind, OffCpuStatus, Span, Trace};

/// A small deterministic generator: the same file every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const ITERATION: u32 = 0;
const STEP: u32 = 1;
const KERNEL: u32 = 2;
const LOCK: u32 = 3;

/// Appends one iteration starting at `t` (10 steps of 8 calls, every
/// fourth step's first kernel calling itself); returns its end.
fn iteration(rng: &mut Rng, mut t: u64, out: &mut Vec<Span>) -> u64 {
    let at = out.len();
    out.push(Span::new(ITERATION, t, 0, 0));
    t += 3;
    for step in 0..10 {
        let step_at = out.len();
        out.push(Span::new(STEP, t, 0, 1));
        t += 2;
        for call in 0..8 {
            let name = if call % 4 == 3 { LOCK } else { KERNEL };
            let len = 20 + rng.below(120);
            out.push(Span::new(name, t, t + len, 2));
            if step % 4 == 0 && call == 0 {
                out.push(Span::new(KERNEL, t + 2, t + len / 2, 3));
            }
            t += len + 1 + rng.below(4);
        }
        out[step_at].end_ns = t;
        t += 2;
    }
    out[at].end_ns = t;
    t + 5 + rng.below(20)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("give the file to write: big_lpt OUT.lpt [SPANS] [LANES]")?;
    let spans: u64 = args.next().map_or(Ok(300_000_000), |s| s.parse())?;
    let lanes: u64 = args.next().map_or(Ok(4), |s| s.parse())?;
    let file = std::fs::File::create(&path)?;
    let mut w = LptWriter::new(BufWriter::with_capacity(1 << 20, file), 0)?;
    w.names(&["iteration", "step", "kernel", "lock"])?;
    w.name_flags(&[(LOCK, name_flag::WAIT)])?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut batch: Vec<Span> = Vec::with_capacity(1 << 15);
    for l in 0..lanes {
        let lane = w.lane(1, 1000 + l, &format!("worker-{l}"), Some(l as u32))?;
        // Lanes do unequal work: the last does a quarter less than each
        // other (weights 4, …, 4, 3), the shares adding up to SPANS.
        let weight = |l: u64| 4 - u64::from(l + 1 == lanes && lanes > 1);
        let share = spans * weight(l) / (0..lanes).map(weight).sum::<u64>();
        let (mut written, mut t) = (0u64, 1_000 + l * 7);
        let mut off = Vec::new();
        while written < share {
            t = iteration(&mut rng, t, &mut batch);
            if rng.below(30) == 0 {
                // Switched out between two iterations, or inside one.
                let start = t.saturating_sub(rng.below(400));
                let kind = if rng.below(3) == 0 {
                    OffCpuKind::Blocked
                } else {
                    OffCpuKind::Preempted
                };
                let start = start.max(off.last().map_or(0, |o: &OffCpu| o.end_ns + 1));
                off.push(OffCpu {
                    cpu: Some((l + rng.below(2)) as u32),
                    ..OffCpu::new(start, start + 50 + rng.below(500), kind)
                });
                t = t.max(start + 600);
            }
            if batch.len() >= 1 << 14 {
                written += batch.len() as u64;
                w.spans(lane, &batch)?;
                batch.clear();
            }
        }
        written += batch.len() as u64;
        w.spans(lane, &batch)?;
        batch.clear();
        w.off_cpu(lane, &off)?;
        eprintln!("lane {l}: {written} spans, {} off-CPU intervals", off.len());
    }
    let mut facts = Trace::new();
    facts.off_cpu = OffCpuStatus::Recorded { lost_switches: 0 };
    facts.cores = Some(lanes as u32);
    let (_, bytes) = w.finish(&facts)?;
    eprintln!("{path}: {bytes} bytes");
    Ok(())
}
