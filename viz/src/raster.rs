//! SVG to PNG: usvg parses, resvg draws, with the embedded DejaVu fonts only.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

use crate::error::VizError;
use crate::text::FONT_FAMILY;

/// Largest PNG side we agree to allocate, in pixels (a 16384² RGBA buffer
/// is already 1 GiB). Timelines are at most this wide, and `logprof` sizes
/// its runs so every picture fits.
pub const MAX_SIDE: u32 = 16_384;

/// A font database holding DejaVu Sans (regular, bold, oblique) and nothing
/// else: no system fonts, so a PNG looks the same on every machine.
fn font_database() -> Arc<usvg::fontdb::Database> {
    static DB: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = usvg::fontdb::Database::new();
        for bytes in [
            dejavu::sans::regular(),
            dejavu::sans::bold(),
            dejavu::sans::oblique(),
            dejavu::sans::bold_oblique(),
        ] {
            db.load_font_source(usvg::fontdb::Source::Binary(Arc::new(bytes)));
        }
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Rasterises an SVG document into PNG bytes, one pixel per SVG user unit,
/// on a white background, with text set in the embedded DejaVu Sans.
///
/// Timelines and charts use it for `write_png`; it is public so that any SVG
/// written by this crate can be turned into a PNG later.
pub fn svg_to_png(svg: &str) -> Result<Vec<u8>, VizError> {
    let fail = |problem: String| VizError::rasterize(None, problem);
    let options = usvg::Options {
        font_family: FONT_FAMILY.to_owned(),
        fontdb: font_database(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options)
        .map_err(|e| fail(format!("the SVG does not parse: {e}")).caused_by(e))?;
    let size = tree.size().to_int_size();
    let (width, height) = (size.width(), size.height());
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(fail(format!(
            "the image would be {width}×{height} px, more than {MAX_SIDE} px a side; \
             draw a narrower picture or fewer lanes"
        )));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| fail(format!("cannot allocate a {width}×{height} px image")))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::identity(),
        &mut pixmap.as_mut(),
    );
    encode_opaque(&pixmap).map_err(|e| fail(format!("PNG encoding failed: {e}")).caused_by(e))
}

/// The pixmap (drawn on white, so opaque) as an 8-bit RGB PNG, each row
/// filtered by its left neighbour and deflated at the default level.
///
/// `Pixmap::encode_png` writes RGBA at a fast level: for a timeline of 3000
/// lanes drawn as heat rows, 18 MB where this writes 1.8 MB (in 0.57 s
/// rather than about 0.1 s, BENCHMARKS.md); every picture gains alike.
fn encode_opaque(pixmap: &tiny_skia::Pixmap) -> Result<Vec<u8>, png::EncodingError> {
    // Premultiplied over white: what a pixel not quite opaque looks like.
    let rgb: Vec<u8> = pixmap
        .data()
        .chunks_exact(4)
        .flat_map(|p| {
            let clear = 255 - p[3];
            [
                p[0].saturating_add(clear),
                p[1].saturating_add(clear),
                p[2].saturating_add(clear),
            ]
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_filter(png::FilterType::Sub);
    encoder.set_compression(png::Compression::Default);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&rgb)?;
    writer.finish()?;
    Ok(out)
}

/// Writes `contents` to `path` atomically: complete or not at all.
pub(crate) fn write_file(path: &Path, contents: &[u8]) -> Result<(), VizError> {
    logprof_trace::write_atomically(path, |out| std::io::Write::write_all(out, contents))
        .map_err(|e| VizError::write(path, e))
}

/// Rasterises `svg` and writes the PNG to `path` atomically.
pub(crate) fn write_png(path: &Path, svg: &str) -> Result<(), VizError> {
    let png = svg_to_png(svg).map_err(|e| e.for_png(path))?;
    write_file(path, &png)
}

/// Gives a picture type its `write_svg` and `write_png` methods, from its
/// `to_svg_string(&self) -> Result<String, VizError>`.
///
/// [`Timeline`](crate::Timeline), [`Figure`](crate::Figure) and
/// [`LineChart`](crate::LineChart) write files the same way: render the SVG,
/// then write it (or its rasterisation) with [`write_file`] or
/// [`write_png`]. This macro is that one implementation. It is a macro
/// rather than a trait so that the methods stay inherent: users call
/// `timeline.write_png(path)` with no trait to import, and the documentation
/// lists the methods on each type. `$what` names the picture in the
/// methods' documentation.
macro_rules! picture_writers {
    ($ty:ty, $what:literal) => {
        impl $ty {
            #[doc = concat!("Writes the ", $what, " as SVG to `path` (complete or not at all).")]
            pub fn write_svg(
                &self,
                path: impl AsRef<std::path::Path>,
            ) -> Result<(), $crate::VizError> {
                let svg = self.to_svg_string()?;
                $crate::raster::write_file(path.as_ref(), svg.as_bytes())
            }

            #[doc = concat!(
                        "Writes the ", $what, " as a PNG to `path` (complete or not at all): ",
                        "the same SVG, rasterised with the embedded DejaVu Sans font, one ",
                        "pixel per SVG unit."
                    )]
            pub fn write_png(
                &self,
                path: impl AsRef<std::path::Path>,
            ) -> Result<(), $crate::VizError> {
                let svg = self.to_svg_string()?;
                $crate::raster::write_png(path.as_ref(), &svg)
            }
        }
    };
}
pub(crate) use picture_writers;

/// Writes an image given as row-major RGB bytes (`width × height × 3`) as a
/// PNG, atomically: the fractal of a run, say.
pub fn write_rgb_png(
    path: impl AsRef<Path>,
    width: u32,
    height: u32,
    rgb: &[u8],
) -> Result<(), VizError> {
    let path = path.as_ref();
    let fail = |problem: String| VizError::rasterize(Some(path), problem);
    if rgb.len() as u64 != width as u64 * height as u64 * 3 {
        return Err(fail(format!(
            "{} bytes of RGB for a {width}×{height} image; expected {}",
            rgb.len(),
            width as u64 * height as u64 * 3
        )));
    }
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(fail(format!(
            "a {width}×{height} px image is more than {MAX_SIDE} px a side"
        )));
    }
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| fail(format!("cannot allocate a {width}×{height} px image")))?;
    // Opaque pixels: premultiplied RGBA is the RGB itself with alpha 255.
    for (dst, src) in pixmap
        .data_mut()
        .chunks_exact_mut(4)
        .zip(rgb.chunks_exact(3))
    {
        dst.copy_from_slice(&[src[0], src[1], src[2], 255]);
    }
    let png = pixmap
        .encode_png()
        .map_err(|e| fail(format!("PNG encoding failed: {e}")).caused_by(e))?;
    write_file(path, &png)
}

#[cfg(test)]
mod rgb_tests {
    use super::*;

    #[test]
    fn rgb_png_round_trips_and_rejects_wrong_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.png");
        let rgb: Vec<u8> = (0..2 * 3 * 3).map(|i| (i * 10) as u8).collect();
        write_rgb_png(&path, 3, 2, &rgb).unwrap();
        let decoded = tiny_skia::Pixmap::load_png(&path).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (3, 2));
        let px = decoded.pixel(1, 1).unwrap();
        assert_eq!(
            (px.red(), px.green(), px.blue()),
            (rgb[12], rgb[13], rgb[14])
        );
        let err = write_rgb_png(&path, 4, 4, &rgb).unwrap_err().to_string();
        assert!(err.contains("x.png"), "{err}");
    }
}
