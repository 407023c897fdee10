//! The folder whose files are counted: the one given, or a generated one.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use logprof_kernels::histogram::{generate_folder, list_files, FolderSpec};

/// The generated folder: 64 files of 16 KiB to 1 MiB (about 34 MB), enough
/// for the counting, not the start-up, to take the time.
const GENERATED: FolderSpec = FolderSpec {
    files: 64,
    min_size: 16 << 10,
    max_size: 1 << 20,
    seed: 1,
};

/// The files to count, and where they are.
pub struct Folder {
    /// The folder, as given or generated.
    pub dir: PathBuf,
    /// The regular files directly in it, sorted by name.
    pub files: Vec<PathBuf>,
    /// Their bytes in all.
    pub bytes: u64,
    /// Whether the folder was generated (and is removed with this value).
    pub generated: bool,
    _temp: Option<tempfile::TempDir>,
}

/// Checks that `dir` lists and holds at least one file.
pub fn check(dir: &Path) -> Result<Vec<PathBuf>> {
    let files = list_files(dir).context("--files")?;
    if files.is_empty() {
        bail!(
            "--files {}: no files directly in it; give a folder that holds files",
            dir.display()
        );
    }
    Ok(files)
}

impl Folder {
    /// The files of `dir`, or of a generated folder when `None` (every
    /// rank generates the same bytes into its own temporary folder).
    pub fn open(dir: Option<&Path>) -> Result<Folder> {
        let (dir, files, temp) = match dir {
            Some(dir) => (dir.to_owned(), check(dir)?, None),
            None => {
                let temp = tempfile::Builder::new()
                    .prefix("logprof-histogram-")
                    .tempdir()
                    .context("cannot make a temporary folder for the generated files")?;
                let files = generate_folder(temp.path(), &GENERATED)?;
                (temp.path().to_owned(), files, Some(temp))
            }
        };
        let bytes = logprof_kernels::histogram_ranks::file_sizes(&files)
            .with_context(|| format!("--files {}", dir.display()))?
            .iter()
            .sum();
        Ok(Folder {
            dir,
            files,
            bytes,
            generated: temp.is_some(),
            _temp: temp,
        })
    }
}
