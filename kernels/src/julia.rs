//! The Julia-set fractal: parameters, the image, and the column kernels.
//!
//! Pixel `(i, j)` (row `i`, column `j`, both from 0) of an `n × n` image
//! starts at `z = x + yi` with `x = -2 + 4j/(n-1)` and `y = -2 + 4i/(n-1)`,
//! iterates `z = z² + c`, and holds the number of updates made before
//! `|z|² > 4`, at most 255: exactly the lecture's `juliaset_pixel` and
//! `juliaset_column!`, with the same floating-point operations in the same
//! order. For `n = 1` the formula divides by zero; the single pixel is then
//! taken at `x = y = -2` (the top-left corner every other size starts at).

use std::fmt;
use std::str::FromStr;

use crate::error::KernelError;

/// The largest image size accepted: 65 536 (a 4 GiB image).
pub const MAX_N: usize = 1 << 16;

/// The most updates a pixel gets, and so its largest value.
pub const MAX_ITERATIONS: u8 = 255;

/// The parameters of one fractal: size and constant.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct JuliaSet {
    /// Image size: the image is `n × n` pixels.
    pub n: usize,
    /// Real part of the constant `c`.
    pub c_re: f64,
    /// Imaginary part of the constant `c`.
    pub c_im: f64,
}

impl Default for JuliaSet {
    /// The lecture's fractal: `n = 1000`, `c = -0.79 + 0.15i`.
    fn default() -> JuliaSet {
        JuliaSet {
            n: 1000,
            c_re: -0.79,
            c_im: 0.15,
        }
    }
}

impl JuliaSet {
    /// A validated fractal: `n` in `1..=MAX_N` and a finite `c`.
    pub fn new(n: usize, c_re: f64, c_im: f64) -> Result<JuliaSet, KernelError> {
        let fractal = JuliaSet { n, c_re, c_im };
        fractal.validate()?;
        Ok(fractal)
    }

    /// The lecture's constant `c = -0.79 + 0.15i` at size `n`.
    pub fn with_size(n: usize) -> Result<JuliaSet, KernelError> {
        JuliaSet::new(n, -0.79, 0.15)
    }

    /// Checks the fields (they are public, so a value may have been built
    /// without [`JuliaSet::new`]).
    pub fn validate(&self) -> Result<(), KernelError> {
        check_size(self.n)?;
        if !self.c_re.is_finite() || !self.c_im.is_finite() {
            return Err(KernelError::InvalidConstant {
                c_re: self.c_re,
                c_im: self.c_im,
            });
        }
        Ok(())
    }

    /// Computes column `j` into `column` (which must hold `n` pixels) with
    /// `kernel`.
    pub fn compute_column(
        &self,
        column: &mut [u8],
        j: usize,
        kernel: Kernel,
    ) -> Result<(), KernelError> {
        self.compute_column_isa(column, j, kernel.isa())
    }

    /// Computes column `j` with one instruction set explicitly; an error if
    /// this CPU lacks it. For tests and benchmarks of each code path.
    pub fn compute_column_isa(
        &self,
        column: &mut [u8],
        j: usize,
        isa: Isa,
    ) -> Result<(), KernelError> {
        self.validate()?;
        if column.len() != self.n {
            return Err(KernelError::ColumnLength {
                expected: self.n,
                got: column.len(),
            });
        }
        if j >= self.n {
            return Err(KernelError::ColumnOutOfRange { col: j, n: self.n });
        }
        let isa = DetectedIsa::new(isa)?;
        column_kernel(isa, column, j, self);
        Ok(())
    }

    /// The whole image, serially on the calling thread, with `kernel`.
    pub fn compute(&self, kernel: Kernel) -> Result<Image, KernelError> {
        self.compute_isa(kernel.isa())
    }

    /// The whole image, serially, with one instruction set explicitly.
    pub fn compute_isa(&self, isa: Isa) -> Result<Image, KernelError> {
        self.validate()?;
        let isa = DetectedIsa::new(isa)?;
        let mut image = Image::new(self.n)?;
        for (j, column) in image.columns_mut().enumerate() {
            column_kernel(isa, column, j, self);
        }
        Ok(image)
    }
}

/// `Ok` for an image size in `1..=MAX_N`.
fn check_size(n: usize) -> Result<(), KernelError> {
    if n == 0 || n > MAX_N {
        return Err(KernelError::InvalidSize { n });
    }
    Ok(())
}

/// The coordinate of row or column `k` of `n`: `-2 + (4k)/(n-1)`, computed
/// as the lecture does (`-2.0 + (k*4.0)/(n-1)`), and `-2` for `n = 1`.
#[inline(always)]
pub fn coordinate(k: usize, n: usize) -> f64 {
    if n < 2 {
        return -2.0;
    }
    -2.0 + (k as f64 * 4.0) / (n - 1) as f64
}

/// The value of one pixel starting at `z0 = x + yi`: the lecture's
/// `juliaset_pixel`. This is the reference every other kernel must equal.
#[inline(always)]
pub fn pixel(x: f64, y: f64, c_re: f64, c_im: f64) -> u8 {
    let (mut zr, mut zi) = (x, y);
    for i in 0..MAX_ITERATIONS {
        // abs2(z) = re² + im²; the same two products feed z² below.
        let rr = zr * zr;
        let ii = zi * zi;
        if rr + ii > 4.0 {
            return i;
        }
        // z² + c = (re² - im² + c_re) + (re·im + im·re + c_im)i
        let ri = zr * zi;
        zr = (rr - ii) + c_re;
        zi = (ri + ri) + c_im;
    }
    MAX_ITERATIONS
}

/// Which kernel computes the pixels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// The plain one-pixel-at-a-time reference.
    Scalar,
    /// Several pixels of a column in vector lanes, with the best instruction
    /// set this CPU has ([`Isa::detect`]); the image is bit for bit the
    /// scalar one.
    #[default]
    Simd,
}

impl Kernel {
    /// Both kernels.
    pub const ALL: [Kernel; 2] = [Kernel::Scalar, Kernel::Simd];

    /// `"scalar"` or `"simd"`.
    pub fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Simd => "simd",
        }
    }

    /// The instruction set this kernel runs with on this CPU.
    pub fn isa(self) -> Isa {
        match self {
            Kernel::Scalar => Isa::Scalar,
            Kernel::Simd => Isa::detect(),
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Kernel {
    type Err = KernelError;

    fn from_str(s: &str) -> Result<Kernel, KernelError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "scalar" => Ok(Kernel::Scalar),
            "simd" => Ok(Kernel::Simd),
            _ => Err(KernelError::UnknownKernel { name: s.to_owned() }),
        }
    }
}

/// An instruction set a column kernel can run with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Isa {
    /// Plain scalar code: one pixel at a time.
    Scalar,
    /// AVX2: 4 pixels a vector, 3 vectors in flight (x86-64 only).
    Avx2,
    /// AVX-512F: 8 pixels a vector, 3 vectors in flight (x86-64 only).
    Avx512,
}

impl Isa {
    /// Every instruction set, available here or not.
    pub const ALL: [Isa; 3] = [Isa::Scalar, Isa::Avx2, Isa::Avx512];

    /// `"scalar"`, `"avx2"` or `"avx512"`.
    pub fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            Isa::Avx2 => "avx2",
            Isa::Avx512 => "avx512",
        }
    }

    /// Whether this CPU can run it (checked at run time, cached by std).
    pub fn is_available(self) -> bool {
        DetectedIsa::new(self).is_ok()
    }

    /// The widest instruction set available: AVX-512F, else AVX2, else
    /// scalar.
    pub fn detect() -> Isa {
        if Isa::Avx512.is_available() {
            Isa::Avx512
        } else if Isa::Avx2.is_available() {
            Isa::Avx2
        } else {
            Isa::Scalar
        }
    }

    /// The instruction sets this CPU has, narrowest first.
    pub fn available() -> Vec<Isa> {
        Isa::ALL.into_iter().filter(|i| i.is_available()).collect()
    }
}

impl fmt::Display for Isa {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An instruction set this CPU was found to have: the only way to choose a
/// column kernel, so the vector kernels run only where they can.
///
/// The vector variants hold the instruction set's token, which only its
/// `detect` makes, after checking the CPU; so no value of this type names a
/// missing instruction set, and [`column_kernel`] needs no `unsafe` and no
/// promise from its callers.
#[derive(Clone, Copy, Debug)]
pub(crate) enum DetectedIsa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2(crate::simd::Avx2),
    #[cfg(target_arch = "x86_64")]
    Avx512(crate::simd::Avx512),
}

impl DetectedIsa {
    /// `isa`, if this CPU has it; else an [`KernelError::UnsupportedIsa`].
    pub(crate) fn new(isa: Isa) -> Result<DetectedIsa, KernelError> {
        let detected = match isa {
            Isa::Scalar => Some(DetectedIsa::Scalar),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => crate::simd::Avx2::detect().map(DetectedIsa::Avx2),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => crate::simd::Avx512::detect().map(DetectedIsa::Avx512),
            #[cfg(not(target_arch = "x86_64"))]
            _ => None,
        };
        detected.ok_or(KernelError::UnsupportedIsa { isa: isa.name() })
    }

    /// The instruction set `kernel` runs with on this CPU (see
    /// [`Kernel::isa`]).
    pub(crate) fn for_kernel(kernel: Kernel) -> DetectedIsa {
        DetectedIsa::new(kernel.isa()).unwrap_or(DetectedIsa::Scalar)
    }
}

/// Computes column `j` of `fractal` into `column` (`n` pixels) with `isa`,
/// and returns the instruction set that did: `isa`'s, or scalar for a
/// one-pixel column (the vector kernel needs two rows). Callers ignore it;
/// the tests use it to prove that each vector path ran rather than a
/// silent scalar fallback.
///
/// The caller has checked that `column.len() == n` and `j < n`; a violated
/// length would panic on a slice index, never be unsound.
#[inline]
pub(crate) fn column_kernel(
    isa: DetectedIsa,
    column: &mut [u8],
    j: usize,
    fractal: &JuliaSet,
) -> Isa {
    let n = fractal.n;
    debug_assert_eq!(column.len(), n);
    let x = coordinate(j, n);
    match isa {
        #[cfg(target_arch = "x86_64")]
        DetectedIsa::Avx512(lanes) if n >= 2 => {
            lanes.column(column, x, fractal.c_re, fractal.c_im);
            Isa::Avx512
        }
        #[cfg(target_arch = "x86_64")]
        DetectedIsa::Avx2(lanes) if n >= 2 => {
            lanes.column(column, x, fractal.c_re, fractal.c_im);
            Isa::Avx2
        }
        _ => {
            column_scalar(column, x, fractal.c_re, fractal.c_im);
            Isa::Scalar
        }
    }
}

/// The scalar column: the lecture's `juliaset_column!`.
fn column_scalar(column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
    let n = column.len();
    for (i, out) in column.iter_mut().enumerate() {
        *out = pixel(x, coordinate(i, n), c_re, c_im);
    }
}

/// An `n × n` image of pixel values, stored column by column (column `j` is
/// the contiguous slice `j*n .. (j+1)*n`), as the lecture's Julia arrays are.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Image {
    n: usize,
    pixels: Vec<u8>,
}

impl fmt::Debug for Image {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Image")
            .field("n", &self.n)
            .field("sum", &self.pixels.iter().map(|&p| p as u64).sum::<u64>())
            .finish()
    }
}

impl Image {
    /// A zeroed `n × n` image.
    pub fn new(n: usize) -> Result<Image, KernelError> {
        check_size(n)?;
        Ok(Image {
            n,
            pixels: vec![0; n * n],
        })
    }

    /// Makes this an `n × n` image, reusing the allocation when it is big
    /// enough. The pixels are unspecified afterwards.
    pub fn resize(&mut self, n: usize) -> Result<(), KernelError> {
        check_size(n)?;
        self.n = n;
        self.pixels.resize(n * n, 0);
        Ok(())
    }

    /// Side length.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The pixel at row `row`, column `col`, or `None` outside the image.
    pub fn get(&self, row: usize, col: usize) -> Option<u8> {
        if row < self.n && col < self.n {
            Some(self.pixels[col * self.n + row])
        } else {
            None
        }
    }

    /// Column `col` (`n` pixels, top row first), or `None` outside the image.
    pub fn column(&self, col: usize) -> Option<&[u8]> {
        (col < self.n).then(|| &self.pixels[col * self.n..(col + 1) * self.n])
    }

    /// The columns in order.
    pub fn columns(&self) -> std::slice::ChunksExact<'_, u8> {
        self.pixels.chunks_exact(self.n)
    }

    /// The columns in order, writable.
    pub fn columns_mut(&mut self) -> std::slice::ChunksExactMut<'_, u8> {
        self.pixels.chunks_exact_mut(self.n)
    }

    /// All pixels, column by column.
    pub fn as_bytes(&self) -> &[u8] {
        &self.pixels
    }

    /// All pixels, column by column, writable.
    pub fn as_bytes_mut(&mut self) -> &mut [u8] {
        &mut self.pixels
    }

    /// All pixels, row by row (row 0 first), as image files want them.
    pub fn to_row_major(&self) -> Vec<u8> {
        let n = self.n;
        let mut out = vec![0; n * n];
        for (j, column) in self.columns().enumerate() {
            for (i, &v) in column.iter().enumerate() {
                out[i * n + j] = v;
            }
        }
        out
    }

    /// The iterations each column took: the sum of its pixel values (each
    /// pixel's value is the number of updates made for it).
    pub fn iterations_per_column(&self) -> Vec<u64> {
        self.columns()
            .map(|c| c.iter().map(|&v| v as u64).sum())
            .collect()
    }

    /// The escape checks (`|z|² > 4` tests) each column made: a pixel of
    /// value `v < 255` was checked `v + 1` times, one of value 255 255 times.
    /// This is what the lecture's loop `for i in 1:255` runs, and what its
    /// figures count (1.07 M, 4.70 M, 4.70 M, 1.07 M for 4 blocks at n =
    /// 1000); the updates ([`Image::iterations_per_column`]) are fewer by one
    /// per escaped pixel (0.82 M, 4.45 M, 4.45 M, 0.82 M).
    pub fn escape_checks_per_column(&self) -> Vec<u64> {
        self.columns()
            .map(|c| c.iter().map(|&v| checks(v)).sum())
            .collect()
    }

    /// Total iterations of the image.
    pub fn total_iterations(&self) -> u64 {
        self.pixels.iter().map(|&v| v as u64).sum()
    }
}

/// Escape checks the scalar loop makes for a pixel of value `v`.
fn checks(v: u8) -> u64 {
    if v == MAX_ITERATIONS {
        v as u64
    } else {
        v as u64 + 1
    }
}

/// The iterations of each of `blocks` equal contiguous blocks of columns (the
/// `static` schedule's split): why `static` is unbalanced. `per_column`
/// comes from [`Image::iterations_per_column`] or
/// [`Image::escape_checks_per_column`]; `blocks == 0` gives an empty vector.
pub fn iterations_per_block(per_column: &[u64], blocks: usize) -> Vec<u64> {
    crate::schedule::static_blocks(per_column.len(), blocks)
        .into_iter()
        .map(|r| per_column[r].iter().sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Every instruction set, listed by this test rather than taken from
    /// [`Isa::ALL`], so that a set added to `Isa::ALL` and not here fails.
    const EVERY_ISA: [Isa; 3] = [Isa::Scalar, Isa::Avx2, Isa::Avx512];

    /// Whether this CPU has `isa`, asked of the CPU itself rather than of
    /// [`Isa::is_available`]. No wildcard arm: a new `Isa` does not compile
    /// here until the test knows how to detect it.
    fn cpu_has(isa: Isa) -> bool {
        match isa {
            Isa::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Isa::Avx2 | Isa::Avx512 => false,
        }
    }

    /// Runs every instruction set this CPU has against the scalar reference,
    /// bit for bit, over sizes around each vector width and several
    /// constants; prints which ran; and fails unless the sets that ran are
    /// exactly those the CPU reports. So a CPU feature the kernels (or this
    /// test) skip, or a vector path that quietly falls back to scalar,
    /// fails here instead of passing on scalar alone.
    #[test]
    fn every_isa_the_cpu_has_runs_and_matches_scalar() {
        assert_eq!(
            Isa::ALL.as_slice(),
            EVERY_ISA.as_slice(),
            "Isa::ALL and this test list different instruction sets"
        );
        let cpu: Vec<Isa> = EVERY_ISA.into_iter().filter(|&i| cpu_has(i)).collect();
        let mut ran = HashSet::new();
        let constants = [(-0.79, 0.15), (-0.4, 0.6), (0.285, 0.01), (0.0, 0.0)];
        let sizes = [1, 2, 3, 4, 5, 7, 8, 9, 11, 16, 17, 24, 25, 33, 64, 129];
        for (c_re, c_im) in constants {
            for n in sizes {
                let fractal = JuliaSet::new(n, c_re, c_im).unwrap();
                for j in (0..n).step_by(n.div_ceil(12)) {
                    // The reference, called directly: not through the
                    // dispatch under test.
                    let mut reference = vec![0; n];
                    column_scalar(&mut reference, coordinate(j, n), c_re, c_im);
                    for &isa in &cpu {
                        let detected = DetectedIsa::new(isa)
                            .unwrap_or_else(|e| panic!("the CPU has {isa}, but: {e}"));
                        let mut column = vec![0; n];
                        let used = column_kernel(detected, &mut column, j, &fractal);
                        let want = if n < 2 { Isa::Scalar } else { isa };
                        assert_eq!(used, want, "asked for {isa} at n={n}, {used} ran");
                        assert!(
                            column == reference,
                            "{isa} differs from scalar at n={n}, column {j}, c={c_re}+{c_im}i"
                        );
                        ran.insert(used);
                    }
                }
            }
        }
        let ran: Vec<Isa> = EVERY_ISA.into_iter().filter(|i| ran.contains(i)).collect();
        let names = |isas: &[Isa]| isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ");
        println!(
            "instruction sets run against the scalar reference: {}; this CPU has: {}",
            names(&ran),
            names(&cpu)
        );
        assert_eq!(
            ran,
            cpu,
            "ran {} but the CPU has {}",
            names(&ran),
            names(&cpu)
        );
        // The public view agrees with the CPU: all it has, the widest by
        // default, and the rest refused rather than run as something else.
        assert_eq!(Isa::available(), cpu);
        assert_eq!(Kernel::Simd.isa(), *cpu.last().unwrap());
        for isa in EVERY_ISA.into_iter().filter(|&i| !cpu_has(i)) {
            assert!(DetectedIsa::new(isa).is_err(), "{isa} is not on this CPU");
        }
    }
}
