//! The document around the sections: head, styles, the tooltip box and the
//! script, all inline so the page is one file that makes no request.

use super::escape::escape;

/// The page's styles (system fonts only).
const STYLE: &str = include_str!("report.css");
/// Zoom and pan, tooltips, sortable tables: ours, no library.
const SCRIPT: &str = include_str!("report.js");

/// A complete HTML document titled `title` around `body` (already HTML).
pub(crate) fn document(title: &str, body: &str) -> String {
    let title = escape(title);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n\
         <h1>{title}</h1>\n{body}\
         <div id=\"tip\" role=\"tooltip\" hidden></div>\n\
         <script>\n{SCRIPT}</script>\n</body>\n</html>\n"
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
