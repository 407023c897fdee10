//! The vector column kernels (x86-64): several pixels of one column in the
//! lanes of a vector.
//!
//! ## Same image, bit for bit
//!
//! Each lane performs exactly the operations of the scalar
//! [`pixel`](crate::pixel), in the same order, as separate IEEE multiplies,
//! adds and subtracts (never a fused multiply-add): `rr = zr·zr`,
//! `ii = zi·zi`, the test `rr + ii > 4`, then `zr = (rr - ii) + c_re` and
//! `zi = 2·(zr·zi) + c_im`. (Doubling is exact, so `2·ri` is bit for bit the
//! scalar `ri + ri`; it runs on the multiplier, which has room to spare.)
//! The row coordinates `-2 + (i·4)/(n-1)` are computed with the same
//! multiply, divide and add, in vector form. A lane that has escaped stops
//! counting (its "alive" bit is cleared for good) while the others go on.
//!
//! The counts are kept out of the vector units: each lane's count is one
//! byte of a 64-bit integer, and every update adds the alive mask spread
//! to one bit a byte ([`SPREAD`]). A count never exceeds 255, so no byte
//! carries into the next, and the integer's bytes are the pixel values.
//!
//! ## Keeping the lanes busy
//!
//! The work per pixel varies a lot (most pixels escape within a few updates,
//! a few take all 255). A vector is done when its slowest lane is, so the
//! kernel keeps three vectors of consecutive rows in flight, each with
//! its own update counter: when one is done, its counts are written out and
//! it is refilled with the next rows, while the others continue. Several
//! slots hide the latency of the multiply-subtract-add chain of an update;
//! refilling a slot on its own keeps a slow vector from holding up the rest.

use std::arch::x86_64::*;

use crate::MAX_ITERATIONS;

/// 2.0, hidden from the optimiser: a multiply by a known 2.0 would be turned
/// back into `ri + ri`, which takes a slot on the busier adder.
#[inline(always)]
fn opaque_two() -> f64 {
    std::hint::black_box(2.0)
}

/// `SPREAD[m]` has byte `l` set to 1 where bit `l` of `m` is set: adding it
/// to a byte-per-lane counter counts the lanes of mask `m`.
static SPREAD: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut m = 0;
    while m < 256 {
        let mut lane = 0;
        while lane < 8 {
            if m & (1 << lane) != 0 {
                table[m] |= 1 << (8 * lane);
            }
            lane += 1;
        }
        m += 1;
    }
    table
};

/// Writes the counts of the vector of rows `first..` (one byte a lane, lane
/// 0 lowest) into the column; only the rows that exist (the last vector of
/// a column may stick out).
#[inline(always)]
fn write_counts<const LANES: usize>(column: &mut [u8], first: usize, counts: u64) {
    let n = column.len();
    let bytes = counts.to_le_bytes();
    if first + LANES <= n {
        // A fixed-size copy: one store, no call.
        column[first..first + LANES].copy_from_slice(&bytes[..LANES]);
    } else {
        for (out, &b) in column[first..].iter_mut().zip(bytes.iter()) {
            *out = b;
        }
    }
}

/// One vector of rows in flight (AVX-512F).
#[derive(Clone, Copy)]
struct Slot512 {
    zr: __m512d,
    zi: __m512d,
    /// One bit a lane: not yet escaped.
    alive: u8,
    /// One byte a lane: updates made.
    counts: u64,
    /// Updates made by the slot so far.
    updates: u8,
    /// Row of lane 0; `n` or more when the slot is idle.
    first_row: usize,
}

/// Column with AVX-512F: 8 rows a vector, 3 vectors in flight (more were
/// no faster on the machine it was tuned on).
///
/// `column.len()` (the image size n) must be at least 2.
#[target_feature(enable = "avx512f")]
pub(crate) fn column_avx512(column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
    const LANES: usize = 8;
    let n = column.len();
    let four = _mm512_set1_pd(4.0);
    let two = _mm512_set1_pd(opaque_two());
    let minus_two = _mm512_set1_pd(-2.0);
    let den = _mm512_set1_pd((n - 1) as f64);
    let rows_end = _mm512_set1_pd(n as f64);
    let cr = _mm512_set1_pd(c_re);
    let ci = _mm512_set1_pd(c_im);
    let xr = _mm512_set1_pd(x);
    let lane_rows = _mm512_setr_pd(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0);
    let mut next_row = 0;
    let mut busy = 0u32;

    // Starts a slot on the next LANES rows, or leaves it idle.
    macro_rules! refill {
        ($s:ident) => {{
            if next_row < n {
                let rows = _mm512_add_pd(_mm512_set1_pd(next_row as f64), lane_rows);
                // y = -2 + (i*4)/(n-1), as `coordinate` computes it.
                $s.zi = _mm512_add_pd(minus_two, _mm512_div_pd(_mm512_mul_pd(rows, four), den));
                $s.zr = xr;
                // Lanes past the last row start dead.
                $s.alive = _mm512_cmp_pd_mask::<_CMP_LT_OQ>(rows, rows_end);
                $s.counts = 0;
                $s.updates = 0;
                $s.first_row = next_row;
                next_row += LANES;
                busy += 1;
            } else {
                $s.first_row = n;
                $s.alive = 0;
            }
        }};
    }

    // One update of a slot; a finished slot is written out and refilled.
    macro_rules! step {
        ($s:ident) => {{
            if $s.first_row < n {
                let rr = _mm512_mul_pd($s.zr, $s.zr);
                let ii = _mm512_mul_pd($s.zi, $s.zi);
                // Alive while |z|² <= 4, i.e. not (|z|² > 4): the scalar
                // test, for the finite values live lanes hold.
                $s.alive &= _mm512_cmp_pd_mask::<_CMP_LE_OQ>(_mm512_add_pd(rr, ii), four);
                $s.counts += SPREAD[$s.alive as usize];
                let ri = _mm512_mul_pd($s.zr, $s.zi);
                $s.zr = _mm512_add_pd(_mm512_sub_pd(rr, ii), cr);
                $s.zi = _mm512_add_pd(_mm512_mul_pd(ri, two), ci);
                $s.updates += 1;
                if $s.alive == 0 || $s.updates == MAX_ITERATIONS {
                    // Done: every lane escaped, or the live ones made 255
                    // updates.
                    write_counts::<LANES>(column, $s.first_row, $s.counts);
                    busy -= 1;
                    refill!($s);
                }
            }
        }};
    }

    let idle = Slot512 {
        zr: xr,
        zi: xr,
        alive: 0,
        counts: 0,
        updates: 0,
        first_row: n,
    };
    let (mut s0, mut s1, mut s2) = (idle, idle, idle);
    refill!(s0);
    refill!(s1);
    refill!(s2);
    while busy > 0 {
        step!(s0);
        step!(s1);
        step!(s2);
    }
}

/// One vector of rows in flight (AVX2).
#[derive(Clone, Copy)]
struct Slot256 {
    zr: __m256d,
    zi: __m256d,
    /// One bit a lane: not yet escaped.
    alive: u8,
    /// One byte a lane: updates made.
    counts: u64,
    updates: u8,
    first_row: usize,
}

/// Column with AVX2: 4 rows a vector, 3 vectors in flight (16 vector
/// registers hold three slots, the constants and the temporaries).
///
/// `column.len()` (the image size n) must be at least 2.
#[target_feature(enable = "avx2")]
pub(crate) fn column_avx2(column: &mut [u8], x: f64, c_re: f64, c_im: f64) {
    const LANES: usize = 4;
    let n = column.len();
    let four = _mm256_set1_pd(4.0);
    let two = _mm256_set1_pd(opaque_two());
    let minus_two = _mm256_set1_pd(-2.0);
    let den = _mm256_set1_pd((n - 1) as f64);
    let rows_end = _mm256_set1_pd(n as f64);
    let cr = _mm256_set1_pd(c_re);
    let ci = _mm256_set1_pd(c_im);
    let xr = _mm256_set1_pd(x);
    let lane_rows = _mm256_setr_pd(0.0, 1.0, 2.0, 3.0);
    let mut next_row = 0;
    let mut busy = 0u32;

    macro_rules! refill {
        ($s:ident) => {{
            if next_row < n {
                let rows = _mm256_add_pd(_mm256_set1_pd(next_row as f64), lane_rows);
                $s.zi = _mm256_add_pd(minus_two, _mm256_div_pd(_mm256_mul_pd(rows, four), den));
                $s.zr = xr;
                $s.alive = _mm256_movemask_pd(_mm256_cmp_pd::<_CMP_LT_OQ>(rows, rows_end)) as u8;
                $s.counts = 0;
                $s.updates = 0;
                $s.first_row = next_row;
                next_row += LANES;
                busy += 1;
            } else {
                $s.first_row = n;
                $s.alive = 0;
            }
        }};
    }

    macro_rules! step {
        ($s:ident) => {{
            if $s.first_row < n {
                let rr = _mm256_mul_pd($s.zr, $s.zr);
                let ii = _mm256_mul_pd($s.zi, $s.zi);
                let test = _mm256_cmp_pd::<_CMP_LE_OQ>(_mm256_add_pd(rr, ii), four);
                $s.alive &= _mm256_movemask_pd(test) as u8;
                $s.counts += SPREAD[$s.alive as usize];
                let ri = _mm256_mul_pd($s.zr, $s.zi);
                $s.zr = _mm256_add_pd(_mm256_sub_pd(rr, ii), cr);
                $s.zi = _mm256_add_pd(_mm256_mul_pd(ri, two), ci);
                $s.updates += 1;
                if $s.alive == 0 || $s.updates == MAX_ITERATIONS {
                    write_counts::<LANES>(column, $s.first_row, $s.counts);
                    busy -= 1;
                    refill!($s);
                }
            }
        }};
    }

    let idle = Slot256 {
        zr: xr,
        zi: xr,
        alive: 0,
        counts: 0,
        updates: 0,
        first_row: n,
    };
    let (mut s0, mut s1, mut s2) = (idle, idle, idle);
    refill!(s0);
    refill!(s1);
    refill!(s2);
    while busy > 0 {
        step!(s0);
        step!(s1);
        step!(s2);
    }
}
