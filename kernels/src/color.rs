//! A colour map for the fractal: pixel values to RGB bytes.

use crate::julia::Image;

/// The eleven stops of a diverging red-yellow-blue palette, like the
/// `:Spectral` colour scheme the lecture plots with: value 0 is dark red,
/// 255 is violet-blue.
const SPECTRAL: [[u8; 3]; 11] = [
    [0x9e, 0x01, 0x42],
    [0xd5, 0x3e, 0x4f],
    [0xf4, 0x6d, 0x43],
    [0xfd, 0xae, 0x61],
    [0xfe, 0xe0, 0x8b],
    [0xff, 0xff, 0xbf],
    [0xe6, 0xf5, 0x98],
    [0xab, 0xdd, 0xa4],
    [0x66, 0xc2, 0xa5],
    [0x32, 0x88, 0xbd],
    [0x5e, 0x4f, 0xa2],
];

/// The colour of pixel value `v`: linear interpolation between the stops of
/// the Spectral palette.
pub fn spectral(v: u8) -> [u8; 3] {
    let segments = (SPECTRAL.len() - 1) as u32;
    // Position in units of 1/255 of a segment.
    let pos = v as u32 * segments;
    let k = (pos / 255) as usize;
    let frac = pos % 255;
    if k >= SPECTRAL.len() - 1 {
        return SPECTRAL[SPECTRAL.len() - 1];
    }
    let (a, b) = (SPECTRAL[k], SPECTRAL[k + 1]);
    std::array::from_fn(|c| {
        let (a, b) = (a[c] as u32, b[c] as u32);
        ((a * (255 - frac) + b * frac + 127) / 255) as u8
    })
}

/// The image as RGB bytes, row by row (row 0, i.e. y = -2, first; three
/// bytes a pixel), coloured with [`spectral`]: ready for a PNG encoder.
pub fn to_rgb(image: &Image) -> Vec<u8> {
    image
        .to_row_major()
        .into_iter()
        .flat_map(spectral)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_stops() {
        assert_eq!(spectral(0), SPECTRAL[0]);
        assert_eq!(spectral(255), SPECTRAL[10]);
        // 255 / 10 = 25.5: value 51 is exactly stop 2.
        assert_eq!(spectral(51), SPECTRAL[2]);
        // Halfway between stops 0 and 1 (value 12.75 ~ 13 is just past it).
        let mid = spectral(13);
        assert!(
            mid[0] > SPECTRAL[0][0] && mid[0] < SPECTRAL[1][0],
            "{mid:?}"
        );
    }

    #[test]
    fn rgb_is_row_major() {
        let mut image = Image::new(2).unwrap();
        image.as_bytes_mut().copy_from_slice(&[0, 255, 51, 0]); // columns
        let rgb = to_rgb(&image);
        assert_eq!(rgb.len(), 12);
        assert_eq!(&rgb[0..3], &spectral(0)); // (0, 0)
        assert_eq!(&rgb[3..6], &spectral(51)); // (0, 1)
        assert_eq!(&rgb[6..9], &spectral(255)); // (1, 0)
    }
}
