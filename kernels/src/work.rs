//! The work profile of a recorded fractal run: what each column cost, as
//! the trace itself says it (every `juliaset_column` span carries its
//! column as its value and the column's iterations as its result), so a
//! trace read back from a file explains itself without recomputing the
//! image, and each column's measured time (its span's on-CPU time).

use logprof::{Lane, Span, Trace};

/// The iterations a computed column took: the sum of its pixel values, as
/// [`crate::Image::iterations_per_column`] counts them; every recorded
/// column carries it as its span's result.
///
/// Summed in runs of 256 values, whose sum fits a `u16` (256 × 255 <
/// 65536), so the compiler adds 16 or 32 values an instruction: widening
/// every value to `u64` cost each recorded fractal 1.5–2.5 % of its time.
pub(crate) fn column_iterations(column: &[u8]) -> u64 {
    column
        .chunks(256)
        .map(|run| u64::from(run.iter().map(|&v| u16::from(v)).sum::<u16>()))
        .sum()
}

/// The name of the span each column is recorded as.
pub const COLUMN_SPAN: &str = "juliaset_column";

/// Each column's iterations in a recorded run of an `n`-column image, from
/// its `juliaset_column` spans: the span whose value is `j` gives column
/// `j`'s cost as its result. Fails, saying which, when a column has no such
/// span (events lost, or a trace not recorded by this crate), or when a
/// span's value is not a column of the image.
///
/// ```
/// use logprof_kernels::{run, recorded_column_iterations, JuliaSet, Kernel, Pool, RunOptions, Schedule};
///
/// let fractal = JuliaSet::with_size(50)?;
/// logprof::init_buffer(1 << 10);
/// let image = run(&Pool::new(2)?, &Schedule::Dynamic, &fractal, RunOptions::recorded(Kernel::Simd))?;
/// let costs = recorded_column_iterations(&logprof::collect(), 50).unwrap();
/// assert_eq!(costs, image.iterations_per_column());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recorded_column_iterations(trace: &Trace, n: usize) -> Result<Vec<u64>, String> {
    per_column(trace, n, "their iterations", |_, span| {
        span.result.map(|r| r.max(0) as u64)
    })
}

/// Each column's measured time in a recorded run of an `n`-column image, in
/// ns: the on-CPU time of the `juliaset_column` span whose value is `j`
/// ([`logprof::Lane::on_cpu_ns`]: its duration less the time its thread was
/// switched out inside it, when the trace recorded that, else its whole
/// duration). Fails as [`recorded_column_iterations`] does.
///
/// ```
/// use logprof_kernels::{run, recorded_column_times, JuliaSet, Kernel, Pool, RunOptions, Schedule};
///
/// let fractal = JuliaSet::with_size(50)?;
/// logprof::init_buffer(1 << 10);
/// run(&Pool::new(2)?, &Schedule::Dynamic, &fractal, RunOptions::recorded(Kernel::Simd))?;
/// let times = recorded_column_times(&logprof::collect(), 50).unwrap();
/// assert_eq!(times.len(), 50);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn recorded_column_times(trace: &Trace, n: usize) -> Result<Vec<u64>, String> {
    per_column(trace, n, "a time", |lane, span| Some(lane.on_cpu_ns(span)))
}

/// One figure per column of an `n`-column image, read by `figure` from the
/// column's `juliaset_column` span (`None`: the span lacks it, `what` says
/// what it lacks).
fn per_column(
    trace: &Trace,
    n: usize,
    what: &str,
    figure: impl Fn(&Lane, &Span) -> Option<u64>,
) -> Result<Vec<u64>, String> {
    let Some(id) = trace.name_id(COLUMN_SPAN) else {
        return Err(format!("the trace has no `{COLUMN_SPAN}` span"));
    };
    let mut figures: Vec<Option<u64>> = vec![None; n];
    for lane in &trace.lanes {
        for span in lane.spans.iter().filter(|s| s.name == id) {
            let (Some(column), Some(value)) = (span.value, figure(lane, span)) else {
                continue;
            };
            let slot = usize::try_from(column)
                .ok()
                .and_then(|j| figures.get_mut(j))
                .ok_or_else(|| {
                    format!("a `{COLUMN_SPAN}` span names column {column}, outside 0..{n}")
                })?;
            *slot = Some(value);
        }
    }
    let missing = figures.iter().filter(|c| c.is_none()).count();
    if missing > 0 {
        let first = figures.iter().position(Option::is_none).unwrap_or(0);
        return Err(format!(
            "{missing} of {n} columns (the first: {first}) have no `{COLUMN_SPAN}` span with \
             {what}"
        ));
    }
    Ok(figures.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use logprof::{OffCpu, OffCpuKind};

    #[test]
    fn a_columns_time_is_its_spans_on_cpu_time() {
        let mut trace = Trace::new();
        let id = trace.intern(COLUMN_SPAN);
        let column = |j: i64, start, end| Span::new(id, start, end, 0).with_value(j);
        let mut lane = Lane::with_spans(1, 1, "a", [column(0, 0, 100), column(1, 100, 300)]);
        lane.off_cpu.push(OffCpu {
            start_ns: 150,
            end_ns: 190,
            kind: OffCpuKind::Preempted,
            cpu: None,
        });
        trace.lanes.push(lane);
        trace
            .lanes
            .push(Lane::with_spans(1, 2, "b", [column(2, 0, 50)]));
        assert_eq!(recorded_column_times(&trace, 3).unwrap(), [100, 160, 50]);
        let e = recorded_column_times(&trace, 4).unwrap_err();
        assert!(e.contains("1 of 4 columns (the first: 3)"), "{e}");
        // No results recorded: no iterations, but times all the same.
        assert!(recorded_column_iterations(&trace, 3).is_err());
    }

    #[test]
    fn column_iterations_is_the_plain_sum_across_runs_of_256() {
        for n in [0, 1, 255, 256, 257, 1000, 4099] {
            let full = vec![u8::MAX; n];
            assert_eq!(column_iterations(&full), 255 * n as u64, "n = {n}");
            let mixed: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            let plain: u64 = mixed.iter().map(|&v| u64::from(v)).sum();
            assert_eq!(column_iterations(&mixed), plain, "n = {n}");
        }
    }
}
