//! One self-contained HTML page of results: headings, text, tables, charts
//! and a timeline of every lane on a canvas, with styles, scripts and data
//! inline.
//!
//! - `escape`: every text put into the page, escaped once, here.
//! - `table`: a [`Table`] as an HTML table, sortable by its numbers.
//! - `data`: the traces of the timeline as compact columns for its script.
//! - `page`: the document around the sections, the timeline's elements, and
//!   an SVG made zoomable.
//! - `report.css`, `report.js` (tables, tooltips, zoomable SVG charts),
//!   `timeline.js` (the canvas timeline): included at build time.

mod data;
mod escape;
mod page;
mod table;

use std::path::Path;

use logprof_trace::table::{percent, Table};
use logprof_trace::Trace;

use self::data::TimelineData;
use crate::error::VizError;
use crate::raster::write_file;

/// How many functions a trace's section lists, the most time first.
const TOP_FUNCTIONS: usize = 20;

/// A report page, built section by section, then written as one HTML file
/// that opens from disk and makes no request.
///
/// ```
/// use logprof_trace::{Lane, Span, Trace};
///
/// let mut trace = Trace::new();
/// let work = trace.intern("work");
/// trace.lanes.push(Lane::with_spans(1, 1, "main", [Span::new(work, 0, 1_000, 0)]));
///
/// let page = logprof_viz::HtmlReport::new("my run")
///     .trace("my run", &trace)
///     .to_html_string();
/// assert!(page.contains("<canvas"));
/// ```
///
/// Every text given is escaped. The page has at most one timeline, on a
/// canvas, holding every trace given to [`HtmlReport::timeline`] as a panel
/// of its own on one time axis: it zooms with the wheel around the pointer,
/// pans by dragging (or W/A/S/D when focused), shows a span's tooltip and,
/// on a click, its function's figures. A table sorts by a click on its
/// heading.
#[derive(Clone, Debug)]
pub struct HtmlReport {
    title: String,
    body: String,
    /// Where the timeline goes in `body` (the byte offset), and its caption.
    timeline_at: Option<(usize, String)>,
    timeline: TimelineData,
}

impl HtmlReport {
    /// An empty page titled `title`.
    pub fn new(title: impl Into<String>) -> HtmlReport {
        HtmlReport {
            title: title.into(),
            body: String::new(),
            timeline_at: None,
            timeline: TimelineData::default(),
        }
    }

    /// The page's timeline under `caption`, here, with a panel for each
    /// `(title, trace)`; called again, it adds panels below the first ones
    /// (the page keeps the first place and caption).
    pub fn timeline(mut self, caption: &str, panels: &[(&str, &Trace)]) -> Self {
        if self.timeline_at.is_none() {
            self.timeline_at = Some((self.body.len(), caption.to_owned()));
        }
        for &(title, trace) in panels {
            self.timeline.add(title, trace);
        }
        self
    }

    /// Spans on the page's timeline, over all its panels.
    pub fn timeline_spans(&self) -> usize {
        self.timeline.spans()
    }

    /// A section heading.
    pub fn heading(mut self, text: &str) -> Self {
        self.body
            .push_str(&format!("<h2>{}</h2>\n", escape::escape(text)));
        self
    }

    /// Text kept as it is laid out (a command's summary lines, say).
    pub fn text(mut self, text: &str) -> Self {
        self.body
            .push_str(&format!("<pre>{}</pre>\n", escape::escape(text)));
        self
    }

    /// A table under `caption`: the columns people read, as on the terminal.
    pub fn table(mut self, caption: &str, table: &Table) -> Self {
        self.body.push_str(&table::table_html(caption, table));
        self
    }

    /// An SVG drawing of this crate (a chart, the work profile, a
    /// [`Timeline`](crate::Timeline)) under `caption`, zoomable.
    pub fn picture(mut self, caption: &str, svg: &str) -> Self {
        self.body.push_str(&format!(
            "<figure>\n<figcaption>{}</figcaption>\n\
             <p class=\"hint\">Wheel: zoom around the pointer; drag: pan; W/S, A/D: the same \
             from the keyboard; double-click or 0: everything.</p>\n\
             <div class=\"timeline\">{}</div>\n</figure>\n",
            escape::escape(caption),
            page::inline_svg(svg, caption)
        ));
        self
    }

    /// Links to files beside the page, each `(text, relative path)`.
    pub fn links<S: AsRef<str>, T: AsRef<str>>(mut self, caption: &str, links: &[(S, T)]) -> Self {
        self.body
            .push_str(&format!("<h2>{}</h2>\n<ul>\n", escape::escape(caption)));
        for (text, href) in links {
            self.body.push_str(&format!(
                "<li><a href=\"{}\">{}</a></li>\n",
                escape::escape(&relative_href(href.as_ref())),
                escape::escape(text.as_ref())
            ));
        }
        self.body.push_str("</ul>\n");
        self
    }

    /// One trace: its figures, its timeline (`title` over its panel), then
    /// the summary's per-thread table and its top functions.
    pub fn trace(self, title: &str, trace: &Trace) -> Self {
        let summary = trace.summary();
        let figures = format!(
            "wall {:.3} ms   load balance {}   parallel efficiency {}   threads {}   spans {}",
            summary.wall_ns as f64 / 1e6,
            percent(summary.load_balance),
            percent(summary.parallel_efficiency),
            summary.threads,
            trace.span_count()
        );
        self.text(&figures)
            .timeline(&format!("timeline: {title}"), &[(title, trace)])
            .table("per thread", &summary.lanes_table())
            .table(
                &format!("functions (top {TOP_FUNCTIONS}, most time first)"),
                &summary.functions_table(TOP_FUNCTIONS),
            )
    }

    /// The whole page.
    pub fn to_html_string(&self) -> String {
        match &self.timeline_at {
            Some((at, caption)) => {
                let figure = page::timeline(caption, &self.timeline);
                let body = format!("{}{figure}{}", &self.body[..*at], &self.body[*at..]);
                page::document(&self.title, &body)
            }
            None => page::document(&self.title, &self.body),
        }
    }

    /// Writes the page to `path` atomically: complete or not at all.
    pub fn write(&self, path: impl AsRef<Path>) -> Result<(), VizError> {
        write_file(path.as_ref(), self.to_html_string().as_bytes())
    }
}

/// A link to a file beside the page, as a relative URL: never a scheme, so a
/// file named `http:x` cannot make the page point at a network.
fn relative_href(path: &str) -> String {
    if path.contains(':') && !path.starts_with("./") {
        format!("./{path}")
    } else {
        path.to_owned()
    }
}
