//! Heat rows: how a panel is drawn when its lanes, one per thread, would make
//! the picture taller than a PNG can be. Each lane shrinks to a row of 1 to
//! 4 px (several lanes to a row only when even 1-px rows do not fit), rows
//! are grouped by process with a white line between processes, and each
//! pixel of a row is coloured by the share of that pixel column's time the
//! lane was busy, of the kind the summary counts (on-CPU where off-CPU time
//! was recorded, wall-clock otherwise). The busiest and idlest lanes are
//! named beside their rows.
//!
//! Busy time is added up per pixel column from each lane's busy stretches
//! (the union of its top-level spans), never span by span on the drawing:
//! a panel costs one pass over its spans plus one over its pixels, whatever
//! the number of spans. This module plans the rows and builds the view;
//! `heat_draw` draws it.

use logprof_trace::{Summary, Trace};

use super::busy;
use crate::bars::{add_coverage, TimeScale};
use crate::scale::{count, duration};

/// Height in px of all panels' heat rows together: at most half the largest
/// PNG side, so that a picture of thousands of lanes stays a few megabytes
/// and its rows still read on a screen.
pub(super) const MAX_BLOCK_PX: usize = 8192;
/// The tallest row a lane gets.
pub(super) const MAX_ROW_PX: usize = 4;
/// Busy-share bins of the colour scale (each 100 % / `BINS` wide); idle
/// pixels have a colour of their own.
pub(super) const BINS: usize = 10;

/// The palette of the heat rows' image: the background (separators between
/// processes), an idle pixel, then the bins from least to most busy, light
/// to dark.
pub(super) const PALETTE: [[u8; 3]; BINS + 2] = [
    [0xff, 0xff, 0xff],
    [0xee, 0xf0, 0xf3],
    [0xfe, 0xf3, 0xc7],
    [0xfd, 0xe6, 0x8a],
    [0xfb, 0xbf, 0x24],
    [0xf5, 0x9e, 0x0b],
    [0xea, 0x58, 0x0c],
    [0xdc, 0x26, 0x26],
    [0xb9, 0x1c, 0x1c],
    [0x99, 0x1b, 0x4b],
    [0x70, 0x1a, 0x75],
    [0x3b, 0x07, 0x64],
];
/// Palette index of the background.
pub(super) const BACKGROUND: u8 = 0;
/// Palette index of an idle pixel.
pub(super) const IDLE: u8 = 1;

/// How the heat rows of a scene are laid out: the same for every panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct HeatPlan {
    /// Height of a row in px, 1 to [`MAX_ROW_PX`].
    pub row_px: usize,
    /// Lanes drawn in one row (their mean): 1 unless even 1-px rows do not
    /// fit.
    pub lanes_per_row: usize,
    /// Whether a 1-px line separates processes (and rows never mix them):
    /// dropped only when there are too many processes for even that.
    pub separators: bool,
}

impl HeatPlan {
    /// The rows of a panel whose lanes, in drawing order, form `groups`
    /// (the lanes of each process), and the separators between them.
    fn rows(&self, groups: &[usize]) -> (usize, usize) {
        if self.separators {
            let rows = groups.iter().map(|&n| n.div_ceil(self.lanes_per_row)).sum();
            (rows, groups.len().saturating_sub(1))
        } else {
            (groups.iter().sum::<usize>().div_ceil(self.lanes_per_row), 0)
        }
    }

    /// The height in px of the heat rows of a panel of `groups`.
    pub fn block_px(&self, groups: &[usize]) -> usize {
        let (rows, separators) = self.rows(groups);
        rows * self.row_px + separators
    }

    fn total_px(&self, panels: &[Vec<usize>]) -> usize {
        panels.iter().map(|g| self.block_px(g)).sum()
    }
}

/// The plan for panels whose lanes form `panels` (per panel, the lanes of
/// each process in drawing order): the tallest rows, one lane each, that
/// fit [`MAX_BLOCK_PX`] together; else 1-px rows of as few lanes each as
/// fit, processes apart; else the same without separators.
pub(super) fn plan(panels: &[Vec<usize>]) -> HeatPlan {
    for row_px in (1..=MAX_ROW_PX).rev() {
        let plan = HeatPlan {
            row_px,
            lanes_per_row: 1,
            separators: true,
        };
        if plan.total_px(panels) <= MAX_BLOCK_PX {
            return plan;
        }
    }
    let with = |lanes_per_row: usize, separators: bool| HeatPlan {
        row_px: 1,
        lanes_per_row,
        separators,
    };
    let largest = panels.iter().flatten().copied().max().unwrap_or(1).max(1);
    if with(largest, true).total_px(panels) <= MAX_BLOCK_PX {
        // The height falls as the rows hold more lanes: the fewest that fit.
        let (mut lo, mut hi) = (1, largest);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if with(mid, true).total_px(panels) <= MAX_BLOCK_PX {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return with(lo, true);
    }
    let lanes: usize = panels.iter().flatten().sum();
    let mut k = lanes.div_ceil(MAX_BLOCK_PX).max(1);
    while with(k, false).total_px(panels) > MAX_BLOCK_PX {
        k += 1;
    }
    with(k, false)
}

/// The lanes of each process of `trace` in drawing order, its lanes being
/// in (pid, tid) `order`.
pub(super) fn groups(trace: &Trace, order: &[usize]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    let mut last = None;
    for &li in order {
        let pid = trace.lanes[li].pid;
        if last == Some(pid) {
            *out.last_mut().expect("a group was started") += 1;
        } else {
            out.push(1);
            last = Some(pid);
        }
    }
    out
}

/// A process's place in the heat rows.
pub(super) struct HeatGroup {
    /// Its header (as the lane view names it).
    pub label: String,
    /// y of its first row, in px from the top of the rows.
    pub top: usize,
}

/// Why a lane is named beside the heat rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    /// One of the busiest.
    Busiest,
    /// One of the idlest.
    Idlest,
}

/// A lane named beside its row.
pub(super) struct MarkedLane {
    /// Busiest or idlest.
    pub mark: Mark,
    /// Its name (with its process when the trace has several).
    pub name: String,
    /// Name, pid and tid, for the tooltip.
    pub full_name: String,
    /// Its busy share over the region, as the busy column gives it.
    pub share: f64,
    /// The middle of its row, in px from the top of the rows.
    pub row_mid: f64,
}

/// One panel drawn as heat rows.
pub(super) struct HeatView {
    /// The scene's plan.
    pub plan: HeatPlan,
    /// Width of the rows' image in px (the plot's, rounded up).
    pub width: usize,
    /// Palette index of each row's pixel columns, top row first: `width`
    /// entries a row.
    pub rows: Vec<Vec<u8>>,
    /// Rows of each process, in order (one entry for all rows when the
    /// plan has no separators).
    pub group_rows: Vec<usize>,
    /// The processes with the y of their first row.
    pub groups: Vec<HeatGroup>,
    /// The lanes named beside their rows.
    pub marked: Vec<MarkedLane>,
    /// The header line that says how the lanes are drawn.
    pub line: String,
}

impl HeatView {
    /// Height of the rows in px.
    pub fn height(&self) -> usize {
        let separators = if self.plan.separators {
            self.group_rows.len().saturating_sub(1)
        } else {
            0
        };
        self.rows.len() * self.plan.row_px + separators
    }

    /// Palette index of each pixel, row-major, `width` a row: the rows
    /// `row_px` high, a background line between processes.
    pub fn pixels(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.width * self.height());
        let mut r = 0;
        for (g, &n) in self.group_rows.iter().enumerate() {
            if g > 0 {
                out.extend(std::iter::repeat_n(BACKGROUND, self.width));
            }
            for row in &self.rows[r..r + n] {
                for _ in 0..self.plan.row_px {
                    out.extend_from_slice(row);
                }
            }
            r += n;
        }
        out
    }
}

/// The palette index of a pixel column whose busy share is `share` (0 to 1).
pub(super) fn level(share: f64) -> u8 {
    if share <= 0.0 {
        IDLE
    } else {
        let bin = (share * BINS as f64).ceil().clamp(1.0, BINS as f64) as u8;
        IDLE + bin
    }
}

/// What [`build`] needs of a panel.
pub(super) struct HeatInput<'a> {
    /// The trace drawn.
    pub trace: &'a Trace,
    /// Its summary.
    pub summary: &'a Summary,
    /// Trace time to x, over the window.
    pub scale: TimeScale,
    /// Pixel columns of the plot.
    pub columns: usize,
    /// Indices of the trace's lanes in (pid, tid) order.
    pub order: &'a [usize],
    /// Each lane's name in that order.
    pub thread_names: &'a [String],
    /// Each lane's busy stretches in that order (top-level spans).
    pub busy: &'a [Vec<(u64, u64)>],
    /// How many lanes to name at each end (busiest, idlest).
    pub marks: usize,
}

/// The heat rows of one panel under `plan`.
pub(super) fn build(input: &HeatInput, plan: HeatPlan) -> HeatView {
    let HeatInput {
        trace,
        summary,
        scale,
        columns,
        order,
        ..
    } = *input;
    let on_cpu = summary.off_cpu.is_recorded();
    let groups = groups(trace, order);
    // The lanes of each row, as ordinals in `order`.
    let mut row_lanes: Vec<std::ops::Range<usize>> = Vec::new();
    let mut group_rows = Vec::new();
    let mut heat_groups = Vec::new();
    let mut first = 0;
    let mut y = 0;
    let k = plan.lanes_per_row;
    let mut row_of = vec![0usize; order.len()];
    let mut y_of_row: Vec<usize> = Vec::new();
    for (g, &n) in groups.iter().enumerate() {
        let pid = trace.lanes[order[first]].pid;
        let rows_before = row_lanes.len();
        if plan.separators {
            if g > 0 {
                y += 1;
            }
            heat_groups.push(HeatGroup {
                label: super::thread_lanes::process_header(trace, pid),
                top: y,
            });
            for start in (first..first + n).step_by(k) {
                row_lanes.push(start..(start + k).min(first + n));
                y_of_row.push(y);
                y += plan.row_px;
            }
            group_rows.push(row_lanes.len() - rows_before);
        } else {
            // Rows hold `k` lanes whatever their process: a process is
            // labelled at the row of its first lane.
            heat_groups.push(HeatGroup {
                label: super::thread_lanes::process_header(trace, pid),
                top: (first / k) * plan.row_px,
            });
        }
        first += n;
    }
    if !plan.separators {
        for start in (0..order.len()).step_by(k) {
            row_lanes.push(start..(start + k).min(order.len()));
            y_of_row.push(row_lanes.len() * plan.row_px - plan.row_px);
        }
        group_rows.push(row_lanes.len());
    }
    let mut cover = vec![0.0; columns];
    let rows = row_lanes
        .iter()
        .enumerate()
        .map(|(r, lanes)| {
            cover.iter_mut().for_each(|c| *c = 0.0);
            for ord in lanes.clone() {
                row_of[ord] = r;
                let li = order[ord];
                let stretches = &input.busy[ord];
                if on_cpu {
                    let on = busy::on_cpu(stretches, &trace.lanes[li].off_cpu);
                    add_coverage(&mut cover, &scale, &on);
                } else {
                    add_coverage(&mut cover, &scale, stretches);
                }
            }
            let n = lanes.len() as f64;
            cover.iter().map(|&c| level(c / n)).collect()
        })
        .collect();
    let marked = marked_lanes(input, &|ord| {
        y_of_row[row_of[ord]] as f64 + plan.row_px as f64 / 2.0
    });
    let line = header_line(input, plan, groups.len(), &marked);
    HeatView {
        plan,
        width: columns,
        rows,
        group_rows,
        groups: heat_groups,
        marked,
        line,
    }
}

/// The busiest and the idlest scored lanes, `input.marks` of each at most
/// (the busiest first; a lane is named once), each at its row's middle.
fn marked_lanes(input: &HeatInput, row_mid: &dyn Fn(usize) -> f64) -> Vec<MarkedLane> {
    let summary = input.summary;
    let mut scored: Vec<(usize, f64)> = input
        .order
        .iter()
        .enumerate()
        .filter(|&(_, &li)| summary.lanes[li].scored)
        .map(|(ord, &li)| (ord, busy::lane_share(summary, li)))
        .collect();
    // Busiest first; equal shares in lane order.
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let busiest = input.marks.min(scored.len().div_ceil(2));
    let idlest = input.marks.min(scored.len() - busiest);
    let mut idle: Vec<(usize, f64)> = scored[busiest..].to_vec();
    idle.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    let mark = |mark: Mark, &(ord, share): &(usize, f64)| {
        let lane = &input.trace.lanes[input.order[ord]];
        MarkedLane {
            mark,
            name: input.thread_names[ord].clone(),
            full_name: format!("{} (pid {}, tid {})", lane.thread_name, lane.pid, lane.tid),
            share,
            row_mid: row_mid(ord),
        }
    };
    scored[..busiest]
        .iter()
        .map(|s| mark(Mark::Busiest, s))
        .chain(idle[..idlest].iter().map(|s| mark(Mark::Idlest, s)))
        .collect()
}

/// The line under the header that says how the lanes are drawn.
fn header_line(
    input: &HeatInput,
    plan: HeatPlan,
    processes: usize,
    marked: &[MarkedLane],
) -> String {
    let lanes = input.order.len();
    let scored = input.summary.lanes.iter().filter(|l| l.scored).count();
    let kind = busy::kind(input.summary);
    let rows = if plan.lanes_per_row == 1 {
        format!("{}-px rows", plan.row_px)
    } else {
        format!(
            "1-px rows of {} lanes each (their mean)",
            plan.lanes_per_row
        )
    };
    let apart = match (processes, plan.separators) {
        (1, _) => "",
        (_, true) => ", a white line between processes",
        (_, false) => ", too many processes to set apart",
    };
    let pixel_ns = 1.0 / input.scale.px_per_ns;
    let busiest = marked.iter().filter(|m| m.mark == Mark::Busiest).count();
    let named = if marked.is_empty() {
        String::new()
    } else {
        format!(
            "; the {busiest} busiest and {} idlest of {} scored lanes named",
            marked.len() - busiest,
            count(scored as u64)
        )
    };
    format!(
        "{} lanes in {} {} drawn as {rows}{apart}, coloured by busy share \
         (busy: {kind}) in each pixel column of {}{named}",
        count(lanes as u64),
        count(processes as u64),
        if processes == 1 {
            "process"
        } else {
            "processes"
        },
        duration(pixel_ns),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_bin_the_share() {
        assert_eq!(level(0.0), IDLE);
        assert_eq!(level(1e-9), IDLE + 1);
        assert_eq!(level(0.1), IDLE + 1);
        assert_eq!(level(0.100_001), IDLE + 2);
        assert_eq!(level(1.0), IDLE + BINS as u8);
        assert_eq!(level(1.000_000_1), IDLE + BINS as u8);
    }

    #[test]
    fn the_plan_takes_the_tallest_rows_that_fit() {
        // 3000 lanes of one process: 2 px (6000 px; 3 px would be 9000).
        let p = plan(&[vec![3000]]);
        assert_eq!((p.row_px, p.lanes_per_row, p.separators), (2, 1, true));
        // 1000 ranks of 3 threads: 2 px and 999 separators.
        let p = plan(&[vec![3; 1000]]);
        assert_eq!((p.row_px, p.lanes_per_row), (2, 1));
        assert_eq!(p.block_px(&[3; 1000]), 6999);
        // Few lanes: 4 px.
        assert_eq!(plan(&[vec![700]]).row_px, 4);
        // 20 000 lanes of one process: 3 lanes a 1-px row.
        let p = plan(&[vec![20_000]]);
        assert_eq!((p.row_px, p.lanes_per_row, p.separators), (1, 3, true));
        assert!(p.block_px(&[20_000]) <= MAX_BLOCK_PX);
        // 9000 one-thread processes: separators alone do not fit.
        let p = plan(&[vec![1; 9000]]);
        assert!(!p.separators && p.lanes_per_row == 2, "{p:?}");
        assert!(p.block_px(&[1; 9000]) <= MAX_BLOCK_PX);
        // Panels share the height.
        let p = plan(&[vec![1500], vec![1500]]);
        assert_eq!(p.row_px, 2);
    }
}
