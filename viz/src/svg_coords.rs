//! Coordinates as every picture writes them into its SVG.

/// A coordinate rounded to hundredths of a pixel, to keep the SVG short.
pub(crate) fn r2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
