//! The split drawn over the profile: every other piece shaded, each
//! piece's boundary, mean per unit and total.

use svg::node::element::{Group, Line, Rectangle, Title};
use svg::Node;

use super::plot::{r2, text, Plot};
use super::{WorkProfile, PIECE_INK, PIECE_SHADE, SMALL};
use crate::color::INK;
use crate::scale::compact;
use crate::text::text_width;

impl WorkProfile {
    /// Every other piece shaded, so the pieces read as bands.
    pub(super) fn piece_shading(&self, plot: &Plot) -> Group {
        let mut g = Group::new().set("class", "piece-bands");
        for r in self.pieces.iter().skip(1).step_by(2) {
            let (x0, x1) = (plot.x_of(r.start), plot.x_of(r.end));
            g.append(
                Rectangle::new()
                    .set("x", r2(x0))
                    .set("y", r2(plot.y))
                    .set("width", r2(x1 - x0))
                    .set("height", r2(plot.h))
                    .set("fill", PIECE_SHADE),
            );
        }
        g
    }

    /// Boundaries, each piece's mean cost per unit, and its label.
    pub(super) fn piece_marks(&self, plot: &Plot) -> Group {
        let mut g = Group::new().set("class", "pieces");
        let totals = self.piece_totals();
        let lightest = totals.iter().copied().filter(|&t| t > 0).min();
        for (i, (r, &total)) in self.pieces.iter().zip(&totals).enumerate() {
            let (x0, x1) = (plot.x_of(r.start), plot.x_of(r.end));
            let mut piece = Group::new()
                .set("class", "piece")
                .set("data-first", r.start)
                .set("data-end", r.end)
                .set("data-total", total);
            if i > 0 {
                piece.append(
                    Line::new()
                        .set("x1", r2(x0))
                        .set("x2", r2(x0))
                        .set("y1", r2(plot.y))
                        .set("y2", r2(plot.y + plot.h))
                        .set("stroke", PIECE_INK)
                        .set("stroke-dasharray", "6 4"),
                );
            }
            if !r.is_empty() {
                let mean = total as f64 / r.len() as f64;
                piece.append(
                    Line::new()
                        .set("x1", r2(x0))
                        .set("x2", r2(x1))
                        .set("y1", r2(plot.y_of(mean)))
                        .set("y2", r2(plot.y_of(mean)))
                        .set("stroke", PIECE_INK)
                        .set("stroke-width", 2),
                );
            }
            let ratio = match lightest {
                Some(l) if totals.len() > 1 => {
                    format!(" ({:.1}× the lightest)", total as f64 / l as f64)
                }
                _ => String::new(),
            };
            // From 0, as the lanes (`worker-0`) and the units are.
            let label = format!("{} {i}: {}{ratio}", self.piece, compact(total));
            piece.append(Title::new(format!(
                "{label}\n{}s {}..{}, {} {} in all",
                self.unit, r.start, r.end, total, self.cost
            )));
            // Written where it fits: on one line, else as two (name, then
            // figures), else only in the tooltip.
            let room = x1 - x0 - 6.0;
            let (head, figures) = (
                format!("{} {i}", self.piece),
                format!("{}{ratio}", compact(total)),
            );
            if text_width(&label, SMALL, false) <= room {
                piece.append(text(x0 + 3.0, plot.y + 14.0, &label, SMALL, INK));
            } else if text_width(&figures, SMALL, false) <= room {
                piece.append(text(x0 + 3.0, plot.y + 14.0, &head, SMALL, INK));
                piece.append(text(x0 + 3.0, plot.y + 28.0, &figures, SMALL, INK));
            }
            g.append(piece);
        }
        g
    }
}
