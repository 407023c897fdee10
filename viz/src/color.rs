//! Colours: a fixed palette, and the colour of a name.
//!
//! A span's colour is a function of its name alone (a FNV-1a hash of the
//! bytes into the palette), so `column` has the same colour in every picture
//! of every run, on every machine. Two names may share a colour (the palette
//! has 20 entries); the legend and the tooltips tell them apart.

/// The palette for span names: twenty hues 18° apart in the OKLCH colour
/// space, alternately darker and lighter so that neighbouring hues still
/// differ, all light enough for dark text on top.
const NAME_PALETTE: [&str; 20] = [
    "#ce6179", "#f99e95", "#cd693b", "#edaa6e", "#ac812d", "#cdbb64", "#869310", "#9dca81",
    "#36a15d", "#69d1b0", "#009e96", "#53cfdd", "#1d97bb", "#77c3fb", "#5588dd", "#adb5f3",
    "#9175d3", "#d4a5ec", "#b966ae", "#f09dc4",
];

/// Colours for threads in the task view, in lane order: far apart in hue so
/// that a slice that moved to another thread stands out.
const THREAD_PALETTE: [&str; 8] = [
    "#3f90dd", "#c8741d", "#5aa04a", "#cc6490", "#857edd", "#00a78f", "#a78a00", "#d46660",
];

/// The lines of a chart, in order: ten hues far apart (Tableau 10), so that
/// eight schedules get eight colours, none of them the grey of the ideal.
const SERIES_PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#17becf",
];

/// Text, axes and frames.
pub(crate) const INK: &str = "#1f2937";
/// Secondary text.
pub(crate) const MUTED: &str = "#6b7280";
/// Grid lines and separators.
pub(crate) const RULE: &str = "#e5e7eb";
/// Warnings (lost events, clipped spans).
pub(crate) const WARN: &str = "#b45309";
/// Waiting (MPI calls, spans marked with `logprof::wait!`): a cool grey no
/// name gets, drawn with a dashed outline so it never reads as work.
pub(crate) const WAIT: &str = "#cbd5e1";

/// FNV-1a, 64 bit: stable across runs, platforms and Rust versions (unlike
/// `std`'s `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The colour (`#rrggbb`) of spans named `name`: the same in every picture.
///
/// ```
/// assert_eq!(logprof_viz::name_color("column"), logprof_viz::name_color("column"));
/// assert!(logprof_viz::name_color("column").starts_with('#'));
/// ```
pub fn name_color(name: &str) -> &'static str {
    NAME_PALETTE[name_color_index(name)]
}

/// The index of [`name_color`] in [`name_palette`]: how the HTML page's
/// data names a colour in one byte.
pub(crate) fn name_color_index(name: &str) -> usize {
    (fnv1a(name.as_bytes()) % NAME_PALETTE.len() as u64) as usize
}

/// Every colour [`name_color`] gives, in index order.
pub(crate) fn name_palette() -> &'static [&'static str] {
    &NAME_PALETTE
}

/// The colour of the `index`-th thread (in lane order) in the task view.
pub fn thread_color(index: usize) -> &'static str {
    THREAD_PALETTE[index % THREAD_PALETTE.len()]
}

/// The colour of a chart's `index`-th line.
pub(crate) fn series_color(index: usize) -> &'static str {
    SERIES_PALETTE[index % SERIES_PALETTE.len()]
}

/// A darker shade of a `#rrggbb` colour, for outlines.
pub(crate) fn darker(hex: &str) -> String {
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
    let scale = |c: u8| (f64::from(c) * 0.7).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        scale(channel(1)),
        scale(channel(3)),
        scale(channel(5))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_reference_values() {
        // Published FNV-1a 64 test vectors.
        assert_eq!(fnv1a(b""), 0xcbf29ce484222325);
        assert_eq!(fnv1a(b"a"), 0xaf63dc4c8601ec8c);
    }

    #[test]
    fn darker_scales_every_channel() {
        assert_eq!(darker("#ffffff"), "#b3b3b3");
        assert_eq!(darker("#000000"), "#000000");
    }

    /// WCAG's relative luminance of a `#rrggbb` colour.
    fn luminance(hex: &str) -> f64 {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.039_28 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
    }

    /// The HTML page writes span names in black on the spans
    /// (`html/timeline.js`): readable on every colour a span can have.
    #[test]
    fn black_text_is_readable_on_every_span_colour() {
        for color in NAME_PALETTE.iter().chain([&WAIT]) {
            let ratio = (luminance(color) + 0.05) / 0.05;
            assert!(ratio >= 4.5, "{color}: {ratio:.2}:1");
        }
    }

    #[test]
    fn names_spread_over_the_palette() {
        let used: std::collections::HashSet<_> =
            (0..200).map(|i| name_color(&format!("f{i}"))).collect();
        assert!(used.len() >= 15, "only {} colours used", used.len());
    }
}
