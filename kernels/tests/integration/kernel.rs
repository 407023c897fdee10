//! The column kernels: the lecture's semantics, and SIMD equal to scalar bit
//! for bit.

use logprof_kernels::{
    coordinate, iterations_per_block, pixel, Image, Isa, JuliaSet, Kernel, KernelError,
};

/// The lecture's `juliaset_pixel`, written independently with complex
/// arithmetic spelled out as Julia's `Complex{Float64}` does it.
fn lecture_pixel(z0: (f64, f64), c: (f64, f64)) -> u8 {
    let mut z = z0;
    for i in 1..=255u32 {
        let abs2 = z.0 * z.0 + z.1 * z.1;
        if abs2 > 4.0 {
            return (i - 1) as u8;
        }
        // z*z = (re*re - im*im) + (re*im + im*re)i, then + c
        z = (z.0 * z.0 - z.1 * z.1 + c.0, z.0 * z.1 + z.1 * z.0 + c.1);
    }
    255
}

#[test]
fn pixel_semantics() {
    // Never escapes: 255.
    assert_eq!(pixel(0.0, 0.0, 0.0, 0.0), 255);
    // Escapes before any update.
    assert_eq!(pixel(3.0, 0.0, 0.0, 0.0), 0);
    // |z|² = 4 is not > 4: one update to z = 4, then it escapes.
    assert_eq!(pixel(2.0, 0.0, 0.0, 0.0), 1);
    assert_eq!(pixel(-2.0, -2.0, -0.79, 0.15), 0);
    for (x, y) in [(0.1, 0.2), (-0.5, 0.3), (0.3, -0.01), (1.0, 0.5)] {
        assert_eq!(
            pixel(x, y, -0.79, 0.15),
            lecture_pixel((x, y), (-0.79, 0.15))
        );
    }
}

#[test]
fn coordinates_follow_the_lecture() {
    assert_eq!(coordinate(0, 1000), -2.0);
    assert_eq!(coordinate(999, 1000), 2.0);
    // The lecture's -2.0 + (j-1)*4.0/(n-1) for j = 2 (1-based).
    assert_eq!(coordinate(1, 1000), -2.0 + (1.0 * 4.0) / 999.0);
    // n = 1 would divide by zero: the single pixel sits at -2.
    assert_eq!(coordinate(0, 1), -2.0);
    // Row i, column j: x from the column, y from the row.
    let f = JuliaSet::new(7, -0.79, 0.15).unwrap();
    let image = f.compute(Kernel::Scalar).unwrap();
    for (i, j) in [(0, 3), (3, 0), (2, 5), (6, 6)] {
        let want = lecture_pixel((coordinate(j, 7), coordinate(i, 7)), (-0.79, 0.15));
        assert_eq!(image.get(i, j), Some(want));
    }
}

#[test]
fn scalar_image_matches_the_lecture_pixel_by_pixel() {
    let f = JuliaSet::with_size(64).unwrap();
    let image = f.compute(Kernel::Scalar).unwrap();
    for j in 0..64 {
        for i in 0..64 {
            let z0 = (coordinate(j, 64), coordinate(i, 64));
            assert_eq!(image.get(i, j), Some(lecture_pixel(z0, (-0.79, 0.15))));
        }
    }
}

const CONSTANTS: [(f64, f64); 6] = [
    (-0.79, 0.15),
    (-0.4, 0.6),
    (0.285, 0.01),
    (-0.8, 0.156),
    (0.0, 0.0),
    (-1.476, 0.0),
];

#[test]
fn every_isa_equals_scalar_bit_for_bit() {
    let isas = Isa::available();
    assert!(isas.contains(&Isa::Scalar));
    let sizes: Vec<usize> = (1..=40).chain([63, 64, 65, 100, 127, 129, 257]).collect();
    for &(c_re, c_im) in &CONSTANTS {
        for &n in &sizes {
            let f = JuliaSet::new(n, c_re, c_im).unwrap();
            let scalar = f.compute_isa(Isa::Scalar).unwrap();
            for &isa in &isas {
                let image = f.compute_isa(isa).unwrap();
                assert!(
                    image == scalar,
                    "{isa} differs from scalar at n={n}, c={c_re}+{c_im}i"
                );
            }
            assert_eq!(f.compute(Kernel::Simd).unwrap(), scalar);
        }
    }
}

#[test]
fn simd_equals_scalar_at_the_lecture_size() {
    let f = JuliaSet::default();
    let scalar = f.compute(Kernel::Scalar).unwrap();
    for isa in Isa::available() {
        assert!(f.compute_isa(isa).unwrap() == scalar, "{isa} at n=1000");
    }
}

#[test]
fn single_columns_through_the_public_api() {
    let f = JuliaSet::with_size(33).unwrap();
    let image = f.compute(Kernel::Scalar).unwrap();
    for isa in Isa::available() {
        for j in [0, 1, 16, 32] {
            let mut column = vec![0; 33];
            f.compute_column_isa(&mut column, j, isa).unwrap();
            assert_eq!(Some(&column[..]), image.column(j), "{isa} column {j}");
        }
    }
    let mut short = vec![0; 5];
    assert_eq!(
        f.compute_column(&mut short, 0, Kernel::Simd),
        Err(KernelError::ColumnLength {
            expected: 33,
            got: 5
        })
    );
    let mut column = vec![0; 33];
    assert_eq!(
        f.compute_column(&mut column, 33, Kernel::Simd),
        Err(KernelError::ColumnOutOfRange { col: 33, n: 33 })
    );
}

/// The figures file's count of the lecture's work, 4 static blocks at n =
/// 1000: 1.07 M, 4.70 M, 4.70 M, 1.07 M "iterations". They are the escape
/// checks (loop passes) of the lecture's `for i in 1:255`; the updates (the
/// pixel values) are one fewer per escaped pixel.
#[test]
fn lecture_block_iterations() {
    let image = JuliaSet::default().compute(Kernel::Simd).unwrap();
    let millions = |v: Vec<u64>| -> Vec<f64> {
        v.into_iter()
            .map(|x| (x as f64 / 1e4).round() / 100.0)
            .collect()
    };
    let checks = iterations_per_block(&image.escape_checks_per_column(), 4);
    assert_eq!(millions(checks), vec![1.07, 4.70, 4.70, 1.07]);
    let updates = iterations_per_block(&image.iterations_per_column(), 4);
    assert_eq!(millions(updates.clone()), vec![0.82, 4.45, 4.45, 0.82]);
    // Point symmetry: the image reversed is itself, so the blocks mirror.
    assert_eq!(updates[0], updates[3]);
    assert_eq!(updates[1], updates[2]);
    assert_eq!(image.total_iterations(), updates.iter().sum::<u64>());
    let mut reversed = image.as_bytes().to_vec();
    reversed.reverse();
    assert_eq!(reversed, image.as_bytes());
}

#[test]
fn image_accessors() {
    let mut image = Image::new(3).unwrap();
    image
        .as_bytes_mut()
        .copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Column-major: column 1 is 4, 5, 6.
    assert_eq!(image.column(1), Some(&[4, 5, 6][..]));
    assert_eq!(image.get(0, 1), Some(4));
    assert_eq!(image.get(2, 0), Some(3));
    assert_eq!(image.get(3, 0), None);
    assert_eq!(image.get(0, 3), None);
    assert_eq!(image.to_row_major(), vec![1, 4, 7, 2, 5, 8, 3, 6, 9]);
    assert_eq!(image.iterations_per_column(), vec![6, 15, 24]);
    assert_eq!(image.escape_checks_per_column(), vec![9, 18, 27]);
    assert_eq!(Image::new(0), Err(KernelError::InvalidSize { n: 0 }));
    image.resize(2).unwrap();
    assert_eq!(image.n(), 2);
    assert_eq!(image.as_bytes().len(), 4);
}

#[test]
fn bad_fractals_are_errors() {
    assert_eq!(
        JuliaSet::new(0, -0.79, 0.15),
        Err(KernelError::InvalidSize { n: 0 })
    );
    let err = JuliaSet::new(0, -0.79, 0.15).unwrap_err().to_string();
    assert!(err.contains("n") && err.contains('0'), "{err}");
    assert!(JuliaSet::new(logprof_kernels::MAX_N + 1, 0.0, 0.0).is_err());
    assert!(matches!(
        JuliaSet::new(10, f64::NAN, 0.0),
        Err(KernelError::InvalidConstant { .. })
    ));
    let built = JuliaSet {
        n: 0,
        ..JuliaSet::default()
    };
    assert!(built.compute(Kernel::Scalar).is_err());
}

#[test]
fn kernel_names() {
    assert_eq!("simd".parse::<Kernel>(), Ok(Kernel::Simd));
    assert_eq!(" Scalar ".parse::<Kernel>(), Ok(Kernel::Scalar));
    let err = "gpu".parse::<Kernel>().unwrap_err().to_string();
    assert!(err.contains("gpu") && err.contains("scalar, simd"), "{err}");
    assert_eq!(Kernel::Simd.to_string(), "simd");
    assert!(Kernel::Simd.isa().is_available());
}
