//! The lecture's allocation-heavy workload: a byte histogram of every file in
//! a folder, one task a file.
//!
//! Two counters, as in the lecture: a `HashMap<u8, u64>` (the `Dict`
//! version: a hash and a probe for every byte, and a map per file) and a
//! `[u64; 256]` array (the `Vector` version). Each runs serially or on the
//! workers of a [`Pool`], and the per-file results are merged. Every variant
//! gives the same [`Histogram`].
//!
//! [`generate_folder`] writes a reproducible folder of files (seeded, varied
//! sizes and byte distributions) so tests and benchmarks need no user data.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::pool::Pool;

/// A failure to read or write the files; the message names the path.
#[derive(Debug, thiserror::Error)]
pub enum HistogramError {
    /// A file could not be read.
    #[error(
        "cannot read file {}: {source}; check that it exists and is readable",
        .path.display()
    )]
    ReadFile {
        /// The file.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A folder could not be listed.
    #[error(
        "cannot list folder {}: {source}; check that it exists and is a readable folder",
        .path.display()
    )]
    ReadDir {
        /// The folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A generated file or folder could not be written.
    #[error(
        "cannot write {}: {source}; check that its folder is writable",
        .path.display()
    )]
    Write {
        /// The file or folder.
        path: PathBuf,
        /// What the system said.
        source: io::Error,
    },
    /// A [`FolderSpec`] that cannot be generated.
    #[error("{message}")]
    InvalidSpec {
        /// What is wrong and what is accepted.
        message: String,
    },
}

/// How many times each byte value occurs.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Histogram {
    counts: [u64; 256],
}

impl Default for Histogram {
    fn default() -> Histogram {
        Histogram { counts: [0; 256] }
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let nonzero: Vec<(u8, u64)> = (0..=255u8)
            .filter(|&b| self.counts[b as usize] != 0)
            .map(|b| (b, self.counts[b as usize]))
            .collect();
        f.debug_struct("Histogram")
            .field("total", &self.total())
            .field("counts", &nonzero)
            .finish()
    }
}

impl Histogram {
    /// An empty histogram.
    pub fn new() -> Histogram {
        Histogram::default()
    }

    /// The histogram of `bytes`.
    pub fn of_bytes(bytes: &[u8]) -> Histogram {
        let mut h = Histogram::new();
        h.add_bytes(bytes);
        h
    }

    /// Counts `bytes` in.
    pub fn add_bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.counts[b as usize] += 1;
        }
    }

    /// How many times `byte` occurs.
    pub fn get(&self, byte: u8) -> u64 {
        self.counts[byte as usize]
    }

    /// The histogram of these 256 counts, byte 0 first.
    pub fn from_counts(counts: [u64; 256]) -> Histogram {
        Histogram { counts }
    }

    /// The 256 counts, byte 0 first.
    pub fn counts(&self) -> &[u64; 256] {
        &self.counts
    }

    /// All bytes counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Adds `other`'s counts in.
    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(other.counts.iter()) {
            *a += b;
        }
    }

    /// The same counts as a hash-map counter.
    pub fn from_map(map: &HashMap<u8, u64>) -> Histogram {
        let mut h = Histogram::new();
        for (&b, &c) in map {
            h.counts[b as usize] += c;
        }
        h
    }
}

/// Which counter a file's histogram is built with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Counter {
    /// A `HashMap<u8, u64>`: a hash and a probe per byte (the lecture's
    /// `Dict{UInt8,Int}`).
    HashMap,
    /// A `[u64; 256]` indexed by the byte (the lecture's `Vector`).
    #[default]
    Array,
}

impl Counter {
    /// Both counters.
    pub const ALL: [Counter; 2] = [Counter::HashMap, Counter::Array];

    /// `"hashmap"` or `"array"`.
    pub fn name(self) -> &'static str {
        match self {
            Counter::HashMap => "hashmap",
            Counter::Array => "array",
        }
    }
}

/// How a histogram run counts and records its files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HistogramOptions {
    /// The counter each file's histogram is built with.
    pub counter: Counter,
    /// Whether every file is recorded as one `histfile_map` or
    /// `histfile_array` call.
    pub record: bool,
}

impl HistogramOptions {
    /// `counter`, with nothing recorded.
    pub fn plain(counter: Counter) -> HistogramOptions {
        HistogramOptions {
            counter,
            record: false,
        }
    }

    /// `counter`, with every file recorded.
    pub fn recorded(counter: Counter) -> HistogramOptions {
        HistogramOptions {
            counter,
            record: true,
        }
    }
}

impl fmt::Display for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Counter {
    type Err = String;

    fn from_str(s: &str) -> Result<Counter, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hashmap" | "map" | "dict" => Ok(Counter::HashMap),
            "array" | "vector" => Ok(Counter::Array),
            _ => Err(format!(
                "unknown counter {s:?}; valid counters are: hashmap, array"
            )),
        }
    }
}

fn read(path: &Path) -> Result<Vec<u8>, HistogramError> {
    std::fs::read(path).map_err(|source| HistogramError::ReadFile {
        path: path.to_owned(),
        source,
    })
}

/// The histogram of one file with a hash-map counter (reads the whole file
/// into memory first, as the lecture's `open(read, ...)` does).
pub fn histfile_map(path: &Path) -> Result<HashMap<u8, u64>, HistogramError> {
    let bytes = read(path)?;
    let mut counts: HashMap<u8, u64> = HashMap::new();
    for b in bytes {
        *counts.entry(b).or_insert(0) += 1;
    }
    Ok(counts)
}

/// The histogram of one file with a 256-entry array counter.
pub fn histfile_array(path: &Path) -> Result<Histogram, HistogramError> {
    Ok(Histogram::of_bytes(&read(path)?))
}

/// Adds `b`'s counts into `a` (the lecture's `mergewith(+)`), keeping the
/// larger map.
fn merge_maps(mut a: HashMap<u8, u64>, mut b: HashMap<u8, u64>) -> HashMap<u8, u64> {
    if a.len() < b.len() {
        std::mem::swap(&mut a, &mut b);
    }
    for (byte, count) in b {
        *a.entry(byte).or_insert(0) += count;
    }
    a
}

/// One file's histogram with `options.counter`, recorded as a
/// `histfile_map` or `histfile_array` call when `options.record` is on.
fn one_file(path: &Path, options: HistogramOptions) -> Result<Part, HistogramError> {
    Ok(match (options.counter, options.record) {
        (Counter::HashMap, true) => Part::Map(logprof::record_fn!(histfile_map(path))?),
        (Counter::HashMap, false) => Part::Map(histfile_map(path)?),
        (Counter::Array, true) => Part::Array(Box::new(logprof::record_fn!(histfile_array(path))?)),
        (Counter::Array, false) => Part::Array(Box::new(histfile_array(path)?)),
    })
}

/// A partial result: the counter type is kept until the final merge, so the
/// hash-map variant pays for merging maps as the lecture's does.
enum Part {
    Map(HashMap<u8, u64>),
    /// Boxed: 2 KiB would make every `Part` that large.
    Array(Box<Histogram>),
}

impl Part {
    fn empty(counter: Counter) -> Part {
        match counter {
            Counter::HashMap => Part::Map(HashMap::new()),
            Counter::Array => Part::Array(Box::default()),
        }
    }

    fn merge(self, other: Part) -> Part {
        match (self, other) {
            (Part::Map(a), Part::Map(b)) => Part::Map(merge_maps(a, b)),
            (Part::Array(mut a), Part::Array(b)) => {
                a.merge(&b);
                Part::Array(a)
            }
            // Never mixed within one run; merge through the array form.
            (a, b) => {
                let mut h = a.into_histogram();
                h.merge(&b.into_histogram());
                Part::Array(Box::new(h))
            }
        }
    }

    fn into_histogram(self) -> Histogram {
        match self {
            Part::Map(m) => Histogram::from_map(&m),
            Part::Array(h) => *h,
        }
    }
}

/// The histogram of all `files`, one after the other on the calling thread.
pub fn histogram_serial(
    files: &[PathBuf],
    options: HistogramOptions,
) -> Result<Histogram, HistogramError> {
    let mut total = Part::empty(options.counter);
    for path in files {
        total = total.merge(one_file(path, options)?);
    }
    Ok(total.into_histogram())
}

/// The histogram of all `files`, one task a file on the workers of `pool`
/// (a rayon parallel iterator), the per-file results merged pairwise. The
/// first error met is returned.
pub fn histogram_threads(
    pool: &Pool,
    files: &[PathBuf],
    options: HistogramOptions,
) -> Result<Histogram, HistogramError> {
    pool.as_rayon().install(|| {
        files
            .par_iter()
            .with_max_len(1)
            .map(|path| one_file(path, options))
            .try_reduce(|| Part::empty(options.counter), |a, b| Ok(a.merge(b)))
            .map(Part::into_histogram)
    })
}

/// The regular files directly in `dir`, sorted by name (the lecture's
/// `filter(isfile, readdir(dir, join = true))`).
pub fn list_files(dir: &Path) -> Result<Vec<PathBuf>, HistogramError> {
    let read_dir_error = |source| HistogramError::ReadDir {
        path: dir.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(read_dir_error)? {
        let entry = entry.map_err(read_dir_error)?;
        let path = entry.path();
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// What [`generate_folder`] writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FolderSpec {
    /// Number of files.
    pub files: usize,
    /// Smallest file size in bytes.
    pub min_size: usize,
    /// Largest file size in bytes (≥ `min_size`).
    pub max_size: usize,
    /// Seed of the generator: the same spec writes the same bytes.
    pub seed: u64,
}

impl Default for FolderSpec {
    /// 32 files of 4 KiB to 256 KiB (about 4 MiB in all), seed 1.
    fn default() -> FolderSpec {
        FolderSpec {
            files: 32,
            min_size: 4 << 10,
            max_size: 256 << 10,
            seed: 1,
        }
    }
}

/// A small xorshift64* generator: reproducible, good enough for test data.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator from `seed` (any value, 0 included).
    pub fn new(seed: u64) -> XorShift {
        // Mix the seed so nearby seeds give unrelated streams; never 0.
        let mut s = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        s = (s ^ (s >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        s = (s ^ (s >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        s ^= s >> 31;
        XorShift(if s == 0 { 1 } else { s })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A value in `lo..=hi` (`lo` if `hi < lo`).
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        if hi <= lo {
            return lo;
        }
        let span = (hi - lo) as u64 + 1;
        lo + (self.next_u64() % span) as usize
    }
}

/// The bytes of generated file number `k`: by turns text-like (letters,
/// spaces and newlines), skewed binary (small values common), and uniform,
/// so the histograms differ from file to file.
fn file_bytes(rng: &mut XorShift, k: usize, len: usize) -> Vec<u8> {
    const TEXT: &[u8] = b"eeeeeeetttttaaaaoooiiinnnssshhrrdlu      \n.,";
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        let r = rng.next_u64();
        for byte in r.to_le_bytes() {
            if out.len() == len {
                break;
            }
            out.push(match k % 3 {
                0 => TEXT[byte as usize % TEXT.len()],
                1 => byte.min(byte.rotate_left(3)) / 2,
                _ => byte,
            });
        }
    }
    out
}

/// Writes `spec.files` files named `file-0000.bin`, ... into `dir`
/// (created if missing; existing files of those names are overwritten) and
/// returns their paths in order. The same spec always writes the same bytes.
pub fn generate_folder(dir: &Path, spec: &FolderSpec) -> Result<Vec<PathBuf>, HistogramError> {
    if spec.min_size > spec.max_size {
        return Err(HistogramError::InvalidSpec {
            message: format!(
                "min_size ({}) must not exceed max_size ({})",
                spec.min_size, spec.max_size
            ),
        });
    }
    std::fs::create_dir_all(dir).map_err(|source| HistogramError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut rng = XorShift::new(spec.seed);
    let mut paths = Vec::with_capacity(spec.files);
    for k in 0..spec.files {
        let len = rng.range(spec.min_size, spec.max_size);
        let bytes = file_bytes(&mut rng, k, len);
        let path = dir.join(format!("file-{k:04}.bin"));
        std::fs::write(&path, &bytes).map_err(|source| HistogramError::Write {
            path: path.clone(),
            source,
        })?;
        paths.push(path);
    }
    Ok(paths)
}

#[cfg(test)]
mod error_tests {
    use std::error::Error;
    use std::io;

    use super::{histfile_array, list_files, HistogramError};

    #[test]
    fn a_missing_file_is_an_io_error_underneath() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("absent.bin");
        let err = histfile_array(&path).unwrap_err();
        assert!(matches!(err, HistogramError::ReadFile { .. }), "{err}");
        let io = err
            .source()
            .and_then(|s| s.downcast_ref::<io::Error>())
            .expect("an io::Error");
        assert_eq!(io.kind(), io::ErrorKind::NotFound);
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read file {}: {io}; check that it exists and is readable",
                path.display()
            )
        );
    }

    #[test]
    fn a_missing_folder_is_an_io_error_underneath() {
        let dir = tempfile::tempdir().unwrap();
        let err = list_files(&dir.path().join("absent")).unwrap_err();
        assert!(matches!(err, HistogramError::ReadDir { .. }), "{err}");
        let io = err.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(io.map(io::Error::kind), Some(io::ErrorKind::NotFound));
    }

    #[test]
    fn an_invalid_spec_has_no_source() {
        let err = HistogramError::InvalidSpec {
            message: "files must be at least 1".into(),
        };
        assert!(err.source().is_none());
        assert_eq!(err.to_string(), "files must be at least 1");
    }
}
