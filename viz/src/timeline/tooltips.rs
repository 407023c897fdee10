//! The text of a bar's tooltip: what, where, when, how long. The lane
//! groupings fill in the names; the layout of the text is the same in both
//! views.

use super::model::PanelView;
use crate::bars::Bar;
use crate::scale::{count, duration};

/// The time of `t` from the panel's region start, as a duration.
fn from_start(panel: &PanelView, t: u64) -> String {
    duration(t.saturating_sub(panel.summary.start_ns) as f64)
}

/// The tooltip of a bar of one span: `what` ran on `thread`.
pub(super) fn single(panel: &PanelView, bar: &Bar, what: &str, thread: &str) -> String {
    format!(
        "{what}\nthread: {thread}\nstart: {}\nduration: {}",
        from_start(panel, bar.start_ns),
        duration(bar.busy_ns as f64)
    )
}

/// The tooltip of a bar that merges several spans (`noun`: "calls",
/// "slices") of one lane (`owner`: what the lane is, and its name), with the
/// three keys of most time, named by `key_name`.
pub(super) fn merged(
    panel: &PanelView,
    bar: &Bar,
    noun: &str,
    (owner, owner_name): (&str, &str),
    key_name: impl Fn(u32) -> String,
) -> String {
    let mut s = format!("{} {noun} merged", count(bar.calls));
    s.push_str(&format!("\n{owner}: {owner_name}"));
    s.push_str(&format!(
        "\nfrom {} to {}\nbusy: {}",
        from_start(panel, bar.start_ns),
        from_start(panel, bar.end_ns),
        duration(bar.busy_ns as f64)
    ));
    for &(key, calls, ns) in bar.keys.iter().take(3) {
        s.push_str(&format!(
            "\n{} × {} ({})",
            count(calls),
            key_name(key),
            duration(ns as f64)
        ));
    }
    if bar.keys.len() > 3 {
        s.push_str(&format!("\n… {} more", bar.keys.len() - 3));
    }
    s
}
