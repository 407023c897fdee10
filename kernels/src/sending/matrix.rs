//! The "send the recipe, not the matrix" pair's work: a square matrix of
//! random `f64` from a seed, squared, and a checksum of the result's bits.
//!
//! The same seed gives the same matrix on every rank, and the product is
//! computed in one fixed order, so the checksum of a square computed on
//! another rank equals the one computed here bit for bit.

use super::SendingError;
use crate::histogram::XorShift;

/// Largest matrix side accepted (8 GiB of `f64` would be 32768).
pub const MAX_SIDE: usize = 8192;

/// A square matrix of `f64`, row by row.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    side: usize,
    values: Vec<f64>,
}

impl Matrix {
    /// A `side`×`side` matrix of values uniform in `[0, 1)`, the same for
    /// the same seed (the lecture's `rand(1000, 1000)`).
    pub fn random(side: usize, seed: u64) -> Matrix {
        let mut rng = XorShift::new(seed);
        let values = (0..side * side)
            // The top 53 bits, as a fraction of 2^53.
            .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
            .collect();
        Matrix { side, values }
    }

    /// The matrix whose rows are `values`, `side` at a time; an error
    /// unless there are `side * side` values.
    pub fn from_values(side: usize, values: Vec<f64>) -> Result<Matrix, SendingError> {
        if values.len() != side * side {
            return Err(SendingError::new(format!(
                "a {side}×{side} matrix needs {} values, got {}",
                side * side,
                values.len()
            )));
        }
        Ok(Matrix { side, values })
    }

    /// Rows and columns.
    pub fn side(&self) -> usize {
        self.side
    }

    /// The values, row by row.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The matrix times itself (the lecture's `A^2`). The i-k-j order walks
    /// both operands row by row, which the compiler vectorises.
    pub fn square(&self) -> Matrix {
        let n = self.side;
        let a = &self.values;
        let mut out = vec![0.0; n * n];
        for (i, row) in out.chunks_exact_mut(n.max(1)).enumerate().take(n) {
            for k in 0..n {
                let aik = a[i * n + k];
                let b_row = &a[k * n..(k + 1) * n];
                for (o, &b) in row.iter_mut().zip(b_row) {
                    *o += aik * b;
                }
            }
        }
        Matrix {
            side: n,
            values: out,
        }
    }

    /// A 64-bit checksum of every value's bits, in order (FNV-1a over the
    /// bit patterns): equal checksums mean equal results, bit for bit.
    pub fn checksum(&self) -> u64 {
        self.values.iter().fold(0xcbf2_9ce4_8422_2325, |h, v| {
            (h ^ v.to_bits()).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squares_a_known_matrix() {
        let m = Matrix::from_values(2, vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        assert_eq!(m.square().values(), &[7.0, 10.0, 15.0, 22.0]);
        assert!(Matrix::from_values(2, vec![1.0]).is_err());
    }

    #[test]
    fn the_same_seed_gives_the_same_square_bit_for_bit() {
        let a = Matrix::random(33, 5);
        assert_eq!(a, Matrix::random(33, 5));
        assert!(a.values().iter().all(|v| (0.0..1.0).contains(v)));
        assert_eq!(
            a.square().checksum(),
            Matrix::random(33, 5).square().checksum()
        );
        assert_ne!(a.checksum(), Matrix::random(33, 6).checksum());
        assert_eq!(Matrix::random(0, 1).square().values().len(), 0);
    }
}
