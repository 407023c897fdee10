//! Sets of time as sorted, disjoint `(start_ns, end_ns)` intervals: the
//! arithmetic behind busy, waiting and useful time.

/// Sorted, disjoint intervals covering the same time as `intervals`.
pub(crate) fn union(mut intervals: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    intervals.sort_unstable();
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(intervals.len());
    for (start, end) in intervals {
        match out.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => out.push((start, end)),
        }
    }
    out
}

/// The time of `a` not in `b`; both sorted and disjoint.
pub(crate) fn minus(a: &[(u64, u64)], b: &[(u64, u64)]) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    let mut j = 0;
    for &(start, end) in a {
        let mut from = start;
        // Skip the cuts that end before this interval.
        while j < b.len() && b[j].1 <= from {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].0 < end {
            if b[k].0 > from {
                out.push((from, b[k].0));
            }
            from = from.max(b[k].1);
            k += 1;
        }
        if from < end {
            out.push((from, end));
        }
    }
    out
}

/// The total length of disjoint intervals.
pub(crate) fn length(intervals: Vec<(u64, u64)>) -> u64 {
    intervals.iter().map(|(s, e)| e - s).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_merges_overlapping_and_touching_intervals() {
        assert_eq!(
            union(vec![(5, 8), (0, 2), (1, 3), (3, 4)]),
            [(0, 4), (5, 8)]
        );
    }

    #[test]
    fn minus_cuts_holes_and_ends() {
        let a = [(0, 10), (20, 30)];
        let b = [(2, 4), (8, 22), (29, 40)];
        assert_eq!(minus(&a, &b), [(0, 2), (4, 8), (22, 29)]);
        assert_eq!(length(minus(&a, &b)), 2 + 4 + 7);
        assert_eq!(minus(&a, &[]), a);
    }
}
