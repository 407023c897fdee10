//! The document around the sections: head, styles, the tooltip box, the
//! timeline's elements and data, and the scripts, all inline so the page is
//! one file that makes no request.

use super::data::TimelineData;
use super::escape::escape;

/// The page's styles (system fonts only).
const STYLE: &str = include_str!("report.css");
/// Sortable tables, zoomable SVG charts, their tooltips: ours, no library.
const SCRIPT: &str = include_str!("report.js");
/// The canvas timeline: ours, no library.
const TIMELINE_SCRIPT: &str = include_str!("timeline.js");

/// A complete HTML document titled `title` around `body` (already HTML).
pub(crate) fn document(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n{body}\
         <div id=\"tip\" role=\"tooltip\" hidden></div>\n\
         <script>\n{SCRIPT}{TIMELINE_SCRIPT}</script>\n</body>\n</html>\n"
    )
}

/// The timeline under `caption`: its keys, its buttons, the canvas in a
/// box that scrolls through the lanes, the selected span's figures, and
/// the data (JSON, read by `timeline.js`).
pub(crate) fn timeline(caption: &str, data: &TimelineData) -> String {
    let axis_button = if data.panels() > 1 {
        "<button type=\"button\" id=\"timeline-axis\" aria-pressed=\"true\">\
         one time axis for all (on)</button>\n"
    } else {
        ""
    };
    format!(
        "<figure class=\"canvas-figure\">\n<figcaption>{caption}</figcaption>\n\
         <p class=\"hint\" id=\"timeline-keys\">Wheel: zoom around the pointer; drag: pan; \
         W/S zoom and A/D pan from the keyboard; Shift+wheel or ↑/↓: scroll the lanes; \
         click a span, or press Enter, to see it and its function's figures; then the arrow \
         keys step from span to span; 0 or double-click: everything.</p>\n\
         <div class=\"timeline-tools\">{axis_button}\
         <button type=\"button\" id=\"timeline-reset\">show everything</button></div>\n\
         <div class=\"canvas-timeline\" id=\"timeline-scroll\" tabindex=\"0\" role=\"application\" \
         aria-label=\"{label}\" aria-describedby=\"timeline-keys\">\
         <canvas id=\"timeline-canvas\"></canvas><div id=\"timeline-spacer\"></div></div>\n\
         <pre id=\"timeline-details\" class=\"span-details\" aria-live=\"polite\">Click a span \
         (or press Enter on the timeline) to see it and its function's figures here.</pre>\n\
         <script type=\"application/json\" id=\"logprof-timeline-data\">{json}</script>\n\
         </figure>\n",
        caption = escape(caption),
        label = escape(&format!("{caption}: {} spans", data.spans())),
        json = data.to_json(),
    )
}

/// An SVG drawing made ready to zoom on the page: any prolog before the
/// `<svg` root dropped (it is not HTML), the root marked for the script and
/// reachable by keyboard.
pub(crate) fn inline_svg(svg: &str, label: &str) -> String {
    let root = svg.find("<svg").map_or(svg, |at| &svg[at..]);
    let rest = root.strip_prefix("<svg").unwrap_or(root);
    format!(
        "<svg class=\"zoomable\" tabindex=\"0\" role=\"img\" aria-label=\"{}\"{rest}",
        escape(label)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prolog_goes_and_the_root_is_marked() {
        let svg = inline_svg(
            "<?xml version=\"1.0\"?>\n<svg width=\"10\"></svg>",
            "a \"b\"",
        );
        assert_eq!(
            svg,
            "<svg class=\"zoomable\" tabindex=\"0\" role=\"img\" aria-label=\"a &quot;b&quot;\" width=\"10\"></svg>"
        );
    }
}
