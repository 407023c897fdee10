//! The embedded font: its bytes for the rasteriser and its glyph advances to
//! lay out text (label columns, legends, labels inside bars).

use std::sync::OnceLock;

/// The font family every text element of our SVGs names.
pub(crate) const FONT_FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans regular and bold, parsed once.
struct Faces {
    regular: ttf_parser::Face<'static>,
    bold: ttf_parser::Face<'static>,
}

fn faces() -> Option<&'static Faces> {
    static FACES: OnceLock<Option<Faces>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            Some(Faces {
                regular: ttf_parser::Face::parse(dejavu::sans::regular(), 0).ok()?,
                bold: ttf_parser::Face::parse(dejavu::sans::bold(), 0).ok()?,
            })
        })
        .as_ref()
}

/// Width of `text` set in DejaVu Sans at `size` px (no kerning: a slight
/// overestimate, which is the safe side for layout).
pub(crate) fn text_width(text: &str, size: f64, bold: bool) -> f64 {
    let Some(faces) = faces() else {
        return text.chars().count() as f64 * size * 0.62;
    };
    let face = if bold { &faces.bold } else { &faces.regular };
    let per_unit = size / f64::from(face.units_per_em());
    text.chars()
        .map(|c| {
            face.glyph_index(c)
                .and_then(|g| face.glyph_hor_advance(g))
                .map(|a| f64::from(a) * per_unit)
                .unwrap_or(size * 0.62)
        })
        .sum()
}

/// `text`, shortened with an ellipsis so that it fits in `max_width`.
pub(crate) fn fit(text: &str, size: f64, bold: bool, max_width: f64) -> String {
    if text_width(text, size, bold) <= max_width {
        return text.to_owned();
    }
    let ellipsis = "…";
    let budget = max_width - text_width(ellipsis, size, bold);
    let mut out = String::new();
    let mut used = 0.0;
    for c in text.chars() {
        let w = text_width(c.encode_utf8(&mut [0; 4]), size, bold);
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    if out.is_empty() {
        return String::new();
    }
    out.push_str(ellipsis);
    out
}

/// `text`, shortened in the middle with an ellipsis so that it fits in
/// `max_width`, keeping its start and its end: the end is what tells apart
/// lanes such as `ThreadPoolForegroundWorker 1` and `… 12`.
pub(crate) fn fit_middle(text: &str, size: f64, bold: bool, max_width: f64) -> String {
    if text_width(text, size, bold) <= max_width {
        return text.to_owned();
    }
    let budget = max_width - text_width("…", size, bold);
    let width = |c: char| text_width(c.encode_utf8(&mut [0; 4]), size, bold);
    let chars: Vec<char> = text.chars().collect();
    // The end gets up to half the room; the start takes the rest.
    let (mut tail, mut used) = (0, 0.0);
    while tail < chars.len() && used + width(chars[chars.len() - 1 - tail]) <= budget / 2.0 {
        used += width(chars[chars.len() - 1 - tail]);
        tail += 1;
    }
    let mut head = 0;
    while head < chars.len() - tail && used + width(chars[head]) <= budget {
        used += width(chars[head]);
        head += 1;
    }
    if head + tail == 0 {
        return String::new();
    }
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_middle_keeps_both_ends() {
        let long = "ThreadPoolForegroundWorker 12";
        let short = fit_middle(long, 12.0, false, text_width(long, 12.0, false) * 0.6);
        assert!(
            short.starts_with("Thread") && short.ends_with(" 12"),
            "{short}"
        );
        assert!(short.contains('…'));
        assert_eq!(fit_middle("w1", 12.0, false, 100.0), "w1");
    }

    #[test]
    fn widths_come_from_the_font() {
        let narrow = text_width("iiii", 12.0, false);
        let wide = text_width("MMMM", 12.0, false);
        assert!(narrow > 0.0 && wide > 2.0 * narrow);
        assert!(text_width("abc", 12.0, true) > text_width("abc", 12.0, false));
    }

    #[test]
    fn fit_shortens_only_when_needed() {
        assert_eq!(fit("short", 12.0, false, 500.0), "short");
        let long = fit("a_very_long_thread_name_indeed", 12.0, false, 60.0);
        assert!(long.ends_with('…'));
        assert!(text_width(&long, 12.0, false) <= 60.0);
    }
}
