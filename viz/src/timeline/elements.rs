//! Small SVG building blocks of a timeline: rounded coordinates, text at a
//! place, and the list of nodes a picture is drawn into.

use svg::node::element::{Text as SvgText, Title};
use svg::Node;

use super::layout::FONT;

pub(super) use crate::svg_coords::r2;

/// `content` at `(x, y)` in `size` and `fill`; the size is left to the
/// document's default when it is [`FONT`].
pub(super) fn text(x: f64, y: f64, content: &str, size: f64, fill: &str) -> SvgText {
    let mut t = SvgText::new(content)
        .set("x", r2(x))
        .set("y", r2(y))
        .set("fill", fill);
    if size != FONT {
        t = t.set("font-size", size);
    }
    t
}

/// Nodes in drawing order.
#[derive(Default)]
pub(super) struct Drawing {
    /// What was drawn so far, first at the bottom.
    pub nodes: Vec<Box<dyn Node>>,
}

impl Drawing {
    /// Draws `node` above everything drawn before.
    pub fn push(&mut self, node: impl Into<Box<dyn Node>>) {
        self.nodes.push(node.into());
    }
}

/// Adds a `<title>` child: a tooltip.
pub(super) trait AppendTitle: Node + Sized {
    /// The element with a `<title>` child holding `title`.
    fn append_title(mut self, title: String) -> Self {
        self.append(Title::new(title));
        self
    }
}
impl AppendTitle for svg::node::element::Path {}
impl AppendTitle for svg::node::element::Rectangle {}
