//! Numbers for people: round tick steps, durations and counts.

/// A unit of time for an axis: its name and its length in nanoseconds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TimeUnit {
    pub name: &'static str,
    pub ns: f64,
}

const UNITS: [TimeUnit; 4] = [
    TimeUnit {
        name: "ns",
        ns: 1.0,
    },
    TimeUnit {
        name: "µs",
        ns: 1e3,
    },
    TimeUnit {
        name: "ms",
        ns: 1e6,
    },
    TimeUnit { name: "s", ns: 1e9 },
];

/// The largest unit of which `span_ns` holds at least one.
pub(crate) fn unit_for(span_ns: f64) -> TimeUnit {
    UNITS
        .iter()
        .rev()
        .find(|u| span_ns >= u.ns)
        .copied()
        .unwrap_or(UNITS[0])
}

/// A round step (1, 2 or 5 × 10^k) that cuts `span` into about `target`
/// intervals, and never less than `min_step`.
pub(crate) fn nice_step(span: f64, target: f64, min_step: f64) -> f64 {
    let raw = (span / target.max(1.0))
        .max(min_step)
        .max(f64::MIN_POSITIVE);
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * magnitude);
    step.max(min_step)
}

/// Tick positions (in ns from the region start) at multiples of a round step
/// within `[lo, hi]`, and the formatted labels.
pub(crate) fn time_ticks(lo: f64, hi: f64, target: f64) -> Vec<(f64, String)> {
    let span = (hi - lo).max(1.0);
    let step = nice_step(span, target, 1.0);
    let unit = unit_for(span.max(hi.abs()));
    let step_in_unit = step / unit.ns;
    let decimals = if step_in_unit >= 1.0 {
        0
    } else {
        (-step_in_unit.log10().floor()) as usize
    };
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last)
        .map(|i| {
            let t = i as f64 * step;
            let value = t / unit.ns;
            let label = if i == 0 {
                "0".to_owned()
            } else {
                let digits = format!("{value:.decimals$}");
                let digits = if digits.contains('.') {
                    digits.trim_end_matches('0').trim_end_matches('.')
                } else {
                    &digits
                };
                format!("{digits} {}", unit.name)
            };
            (t, label)
        })
        .collect()
}

/// A duration with three significant digits: `812 ns`, `15.7 µs`, `3.25 ms`.
pub(crate) fn duration(ns: f64) -> String {
    if ns == 0.0 {
        return "0 s".to_owned();
    }
    let unit = unit_for(ns.abs());
    let value = ns / unit.ns;
    let decimals = if value.abs() >= 100.0 {
        0
    } else if value.abs() >= 10.0 {
        1
    } else {
        2
    };
    let decimals = if unit.name == "ns" { 0 } else { decimals };
    format!("{value:.decimals$} {}", unit.name)
}

/// A count with thousands separators: `1,000,000`.
pub(crate) fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count in three significant digits: `812`, `15.7 k`, `4.45 M`.
pub(crate) fn compact(n: u64) -> String {
    if n < 10_000 {
        return n.to_string();
    }
    let units = [(1e3, " k"), (1e6, " M"), (1e9, " G")];
    let mut text = String::new();
    for (i, (size, suffix)) in units.into_iter().enumerate() {
        let scaled = n as f64 / size;
        // The digits after rounding decide: 99 950 is "100 k", not "100.0 k".
        let decimals = if scaled >= 99.95 {
            0
        } else if scaled >= 9.995 {
            1
        } else {
            2
        };
        text = format!("{scaled:.decimals$}{suffix}");
        // 999 999 rounds to "1000 k": the next unit says it in 3 digits.
        if scaled < 999.5 || i == units.len() - 1 {
            break;
        }
    }
    text
}

/// A ratio as a percentage with one decimal (`61.9 %`), as every table
/// writes it.
pub(crate) use logprof_trace::table::percent;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_compact() {
        assert_eq!(compact(812), "812");
        assert_eq!(compact(15_700), "15.7 k");
        assert_eq!(compact(4_450_000), "4.45 M");
        assert_eq!(compact(123_000_000_000), "123 G");
        // Where rounding reaches the next digit or unit.
        assert_eq!(compact(99_999), "100 k");
        assert_eq!(compact(999_999), "1.00 M");
        assert_eq!(compact(9_999_999), "10.0 M");
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(15.75e6, 8.0, 1.0), 2e6);
        assert_eq!(nice_step(1000.0, 10.0, 1.0), 100.0);
        assert_eq!(nice_step(3.0, 10.0, 1.0), 1.0);
        assert_eq!(nice_step(4.2e6, 10.0, 1.0), 5e5);
    }

    #[test]
    fn ticks_start_at_zero_and_carry_units() {
        let ticks = time_ticks(0.0, 15.75e6, 8.0);
        let labels: Vec<&str> = ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(
            labels,
            ["0", "2 ms", "4 ms", "6 ms", "8 ms", "10 ms", "12 ms", "14 ms"]
        );
        let small = time_ticks(0.0, 1.2e6, 6.0);
        assert_eq!(small[1].1, "0.2 ms");
        assert_eq!(small[5].1, "1 ms");
        let micro = time_ticks(0.0, 800e3, 8.0);
        assert_eq!(micro[1].1, "100 µs");
    }

    #[test]
    fn ticks_inside_a_window() {
        let ticks = time_ticks(3e6, 7e6, 4.0);
        assert_eq!(ticks.first().unwrap().0, 3e6);
        assert_eq!(ticks.last().unwrap().0, 7e6);
    }

    #[test]
    fn durations_and_counts() {
        assert_eq!(duration(15_750_000.0), "15.8 ms");
        assert_eq!(duration(812.0), "812 ns");
        assert_eq!(duration(3_250_000_000.0), "3.25 s");
        assert_eq!(count(1_000_000), "1,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(percent(0.6189), "61.9 %");
    }
}
