//! The byte histogram: every variant gives the same counts; errors name the
//! path.

use std::collections::HashMap;

use logprof_kernels::histogram::{
    generate_folder, histfile_array, histfile_map, histogram_serial, histogram_threads, list_files,
    Counter, FolderSpec, Histogram, HistogramError, HistogramOptions, XorShift,
};
use logprof_kernels::Pool;

fn spec() -> FolderSpec {
    FolderSpec {
        files: 12,
        min_size: 0,
        max_size: 50_000,
        seed: 42,
    }
}

#[test]
fn all_variants_agree() {
    let dir = tempfile::tempdir().unwrap();
    let files = generate_folder(dir.path(), &spec()).unwrap();
    assert_eq!(files.len(), 12);
    assert_eq!(list_files(dir.path()).unwrap(), files);

    // The reference: every file's bytes counted directly.
    let mut want = Histogram::new();
    let mut total_bytes = 0;
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        total_bytes += bytes.len() as u64;
        want.add_bytes(&bytes);
    }
    assert_eq!(want.total(), total_bytes);
    assert!(total_bytes > 0);

    for counter in Counter::ALL {
        assert_eq!(
            histogram_serial(&files, HistogramOptions::plain(counter)).unwrap(),
            want
        );
        for threads in [1, 2, 5, 16] {
            let pool = Pool::new(threads).unwrap();
            assert_eq!(
                histogram_threads(&pool, &files, HistogramOptions::plain(counter)).unwrap(),
                want,
                "{counter} on {threads} threads"
            );
        }
    }
    // Per file, the two counters agree.
    for f in &files {
        let map: HashMap<u8, u64> = histfile_map(f).unwrap();
        assert_eq!(Histogram::from_map(&map), histfile_array(f).unwrap());
    }
    // No files: an empty histogram.
    assert_eq!(
        histogram_serial(&[], HistogramOptions::plain(Counter::HashMap)).unwrap(),
        Histogram::new()
    );
}

#[test]
fn generated_folders_are_reproducible_and_varied() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let fa = generate_folder(a.path(), &spec()).unwrap();
    let fb = generate_folder(b.path(), &spec()).unwrap();
    let mut sizes = Vec::new();
    for (x, y) in fa.iter().zip(&fb) {
        let bx = std::fs::read(x).unwrap();
        assert_eq!(bx, std::fs::read(y).unwrap());
        sizes.push(bx.len());
    }
    sizes.sort();
    sizes.dedup();
    assert!(sizes.len() > 6, "sizes should vary: {sizes:?}");
    let other = FolderSpec { seed: 43, ..spec() };
    let c = tempfile::tempdir().unwrap();
    let fc = generate_folder(c.path(), &other).unwrap();
    assert_ne!(
        std::fs::read(&fa[1]).unwrap(),
        std::fs::read(&fc[1]).unwrap()
    );
    // Text-like, skewed and uniform files have different histograms.
    let h: Vec<Histogram> = fa[..3].iter().map(|f| histfile_array(f).unwrap()).collect();
    assert!(h[0].get(b'e') > h[0].get(b'z'));
    assert_eq!(h[0].get(0), 0);
    // Skewed: only values below 128, small ones common.
    assert_eq!(h[1].get(255), 0);
    assert!(h[1].get(1) > h[1].get(120));
    // Uniform: every value shows up in a large enough file.
    assert!(h[2].total() < 5000 || h[2].counts().iter().all(|&c| c > 0));
    let mut rng = XorShift::new(0);
    assert_ne!(rng.next_u64(), rng.next_u64());
    assert_eq!(rng.range(5, 5), 5);
}

#[test]
fn errors_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder");
    let err = list_files(&missing).unwrap_err();
    assert!(matches!(err, HistogramError::ReadDir { .. }));
    assert!(err.to_string().contains("no-such-folder"), "{err}");

    let files = vec![dir.path().join("missing.bin")];
    for counter in Counter::ALL {
        let err = histogram_serial(&files, HistogramOptions::plain(counter)).unwrap_err();
        assert!(err.to_string().contains("missing.bin"), "{err}");
        let pool = Pool::new(2).unwrap();
        let err = histogram_threads(&pool, &files, HistogramOptions::plain(counter)).unwrap_err();
        assert!(matches!(err, HistogramError::ReadFile { .. }), "{err}");
    }
    let bad = FolderSpec {
        min_size: 10,
        max_size: 5,
        ..spec()
    };
    let err = generate_folder(dir.path(), &bad).unwrap_err();
    assert!(err.to_string().contains("min_size"), "{err}");
    // A file where the folder should be.
    let file = dir.path().join("plain");
    std::fs::write(&file, b"x").unwrap();
    let err = generate_folder(&file.join("sub"), &spec()).unwrap_err();
    assert!(err.to_string().contains("plain"), "{err}");
    assert_eq!("dict".parse::<Counter>(), Ok(Counter::HashMap));
    assert!("tree"
        .parse::<Counter>()
        .unwrap_err()
        .contains("hashmap, array"));
}
