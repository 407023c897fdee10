//! The byte histogram on MPI ranks: the files shared out over the ranks,
//! each rank counting its own, the counts summed on rank 0 with an MPI
//! reduce (the lecture's `foldxd(mergewith(+), ...)` on processes).
//!
//! [`share_files`] decides who counts what, from the files' sizes alone, so
//! every rank computes the same split without talking; the counting itself
//! (`histogram_ranks`) needs the `mpi` feature.

use std::path::PathBuf;

#[cfg(feature = "mpi")]
use crate::histogram::{histogram_serial, Counter, Histogram, HistogramError, HistogramOptions};

/// The files each of `ranks` ranks counts, as indices into `sizes` (the
/// files' sizes in bytes): the largest file first to the rank with the
/// fewest bytes so far (lowest rank on a tie), so the bytes, not only the
/// files, are shared evenly. Each rank's list is in index order.
pub fn share_files(sizes: &[u64], ranks: usize) -> Vec<Vec<usize>> {
    let ranks = ranks.max(1);
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    let mut load = vec![0u64; ranks];
    let mut shares = vec![Vec::new(); ranks];
    for file in order {
        let (rank, _) = load
            .iter()
            .enumerate()
            .min_by_key(|&(r, &bytes)| (bytes, r))
            .expect("at least one rank");
        load[rank] += sizes[file];
        shares[rank].push(file);
    }
    for share in &mut shares {
        share.sort_unstable();
    }
    shares
}

/// The sizes of `files` in bytes, for [`share_files`].
pub fn file_sizes(files: &[PathBuf]) -> std::io::Result<Vec<u64>> {
    files
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()))
        .collect()
}

/// One rank's part of [`histogram_ranks`].
#[cfg(feature = "mpi")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RankCount {
    /// The sum over all ranks: `Some` on rank 0, `None` on the others.
    pub total: Option<Histogram>,
    /// How long this rank counted its own files (without the reduce).
    pub counting: std::time::Duration,
}

/// The histogram of all `files`, counted on every rank of `world` (this
/// rank counts its [`share_files`] share with `options.counter`) and summed
/// on rank 0 by `MPI_Reduce`. Every rank must call it with the same files.
#[cfg(feature = "mpi")]
pub fn histogram_ranks(
    world: &mpi::topology::SimpleCommunicator,
    files: &[PathBuf],
    options: HistogramOptions,
) -> Result<RankCount, HistogramError> {
    use mpi::collective::SystemOperation;
    use mpi::traits::*;

    let sizes = file_sizes(files).map_err(|source| HistogramError::ReadDir {
        path: files
            .first()
            .and_then(|f| f.parent())
            .map(PathBuf::from)
            .unwrap_or_default(),
        source,
    })?;
    let shares = share_files(&sizes, world.size() as usize);
    let mine: Vec<PathBuf> = shares[world.rank() as usize]
        .iter()
        .map(|&i| files[i].clone())
        .collect();
    let start = std::time::Instant::now();
    let local = {
        let _span = match options.counter {
            Counter::HashMap => logprof::scope!("count my files (hash map)"),
            Counter::Array => logprof::scope!("count my files (array)"),
        };
        histogram_serial(&mine, options)?
    };
    let counting = start.elapsed();
    let root = world.process_at_rank(0);
    // Named as the MPI call, so the trace counts it as time in MPI.
    let _reduce = logprof::scope!("MPI_Reduce");
    let total = if world.rank() == 0 {
        let mut total = [0u64; 256];
        root.reduce_into_root(&local.counts()[..], &mut total[..], SystemOperation::sum());
        Some(Histogram::from_counts(total))
    } else {
        root.reduce_into(&local.counts()[..], SystemOperation::sum());
        None
    };
    Ok(RankCount { total, counting })
}

/// The longest of every rank's `seconds`, on rank 0 (`None` on the
/// others): with [`RankCount::counting`], how much of a run the busiest
/// rank spent counting rather than waiting.
#[cfg(feature = "mpi")]
pub fn slowest_rank(world: &mpi::topology::SimpleCommunicator, seconds: f64) -> Option<f64> {
    use mpi::collective::SystemOperation;
    use mpi::traits::*;
    let root = world.process_at_rank(0);
    if world.rank() == 0 {
        let mut max = 0.0f64;
        root.reduce_into_root(&seconds, &mut max, SystemOperation::max());
        Some(max)
    } else {
        root.reduce_into(&seconds, SystemOperation::max());
        None
    }
}

/// Tag of rank 0's message that releases the waiting ranks.
#[cfg(feature = "mpi")]
const TAG_RELEASE: i32 = 40;

/// On rank 0, after work done without them: lets ranks `first..` waiting
/// in [`idle_until_released`] go on.
#[cfg(feature = "mpi")]
pub fn release_ranks_from(world: &mpi::topology::SimpleCommunicator, first: i32) {
    use mpi::traits::*;
    for rank in first.max(1)..world.size() {
        world
            .process_at_rank(rank)
            .send_with_tag(&[0u8][..], TAG_RELEASE);
    }
}

/// On a rank other than 0: waits for [`release_ranks_from`] without using a core,
/// so rank 0 can time work alone (on threads) on a quiet host. Open MPI's
/// barrier would spin on a core meanwhile; this sleeps between looks.
#[cfg(feature = "mpi")]
pub fn idle_until_released(world: &mpi::topology::SimpleCommunicator) {
    use mpi::traits::*;
    let root = world.process_at_rank(0);
    while root.immediate_probe_with_tag(TAG_RELEASE).is_none() {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    root.receive_vec_with_tag::<u8>(TAG_RELEASE);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_is_counted_once_and_the_bytes_are_shared_evenly() {
        let sizes = [100, 10, 60, 40, 30, 30, 5];
        let shares = share_files(&sizes, 3);
        let mut all: Vec<usize> = shares.iter().flatten().copied().collect();
        all.sort_unstable();
        assert_eq!(all, (0..sizes.len()).collect::<Vec<_>>());
        let loads: Vec<u64> = shares
            .iter()
            .map(|s| s.iter().map(|&i| sizes[i]).sum())
            .collect();
        // 275 bytes: the largest file alone, the rest close to each other.
        assert_eq!(loads, vec![100, 90, 85]);
        assert_eq!(share_files(&sizes, 3), shares, "the same on every rank");
    }

    #[test]
    fn more_ranks_than_files_leaves_some_idle() {
        let shares = share_files(&[1, 2], 4);
        assert_eq!(shares, vec![vec![1], vec![0], vec![], vec![]]);
        assert_eq!(share_files(&[], 0), vec![Vec::<usize>::new()]);
    }
}
