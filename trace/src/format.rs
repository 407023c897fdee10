//! The trace file formats logprof reads and writes, and the one place that
//! tells them apart: a file read is known by its first bytes
//! ([`TraceFormat::of_bytes`], [`Trace::read_file`]), whatever its name; a
//! file written by its name ([`TraceFormat::of_path`], [`Trace::write_file`],
//! or [`Trace::write_as`] to choose).
//!
//! A new format is one more variant here: the compiler then names every
//! `match` that must learn it, and nothing else changes.

use std::io::Read;
use std::path::Path;

use crate::chrome::TraceFileError;
use crate::compact;
use crate::trace::Trace;

/// A trace file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraceFormat {
    /// Chrome Trace Event JSON (`.json`), see [`crate::chrome`].
    ChromeJson,
    /// Perfetto's protobuf trace (`.pftrace`), see [`crate::perfetto`].
    Perfetto,
    /// logprof's compact format (`.lpt`), see [`crate::compact`].
    Compact,
}

impl TraceFormat {
    /// Every format, in the order the messages list them.
    pub const ALL: [TraceFormat; 3] = [
        TraceFormat::ChromeJson,
        TraceFormat::Perfetto,
        TraceFormat::Compact,
    ];

    /// The format's name in messages.
    pub fn name(self) -> &'static str {
        match self {
            TraceFormat::ChromeJson => "Chrome JSON",
            TraceFormat::Perfetto => "Perfetto protobuf",
            TraceFormat::Compact => "logprof compact",
        }
    }

    /// The file extensions that name the format, the usual one first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            TraceFormat::ChromeJson => &["json"],
            TraceFormat::Perfetto => &["pftrace", "perfetto-trace", "pb"],
            TraceFormat::Compact => &["lpt"],
        }
    }

    /// The format a file name asks for, by its extension (any case).
    pub fn of_path(path: &Path) -> Option<TraceFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|f| f.extensions().contains(&ext.as_str()))
    }

    /// The format a file written at `path` gets: the one its extension
    /// names, Chrome JSON for any other.
    pub fn for_path(path: &Path) -> TraceFormat {
        Self::of_path(path).unwrap_or(TraceFormat::ChromeJson)
    }

    /// The format of a file that starts with `head`: `.lpt` with its magic
    /// number ([`compact::MAGIC`]; a file cut inside it too, so its reader
    /// says it is cut), JSON with `{` or `[` (after a byte-order mark and
    /// white space), a Perfetto trace with the tag of its first packet,
    /// `0x0a`.
    pub fn of_bytes(head: &[u8]) -> Option<TraceFormat> {
        let magic = head.len().min(compact::MAGIC.len());
        if !head.is_empty() && head[..magic] == compact::MAGIC[..magic] {
            return Some(TraceFormat::Compact);
        }
        let text = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
        match text.iter().find(|b| !b.is_ascii_whitespace()) {
            Some(b'{' | b'[') => Some(TraceFormat::ChromeJson),
            _ if head.first() == Some(&0x0a) => Some(TraceFormat::Perfetto),
            _ => None,
        }
    }

    /// The extensions of every format, for messages: `.json, .pftrace`.
    pub fn known_extensions() -> String {
        Self::ALL
            .iter()
            .map(|f| format!(".{} ({})", f.extensions()[0], f.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Trace {
    /// Reads a trace file in any format logprof reads (Chrome JSON,
    /// Perfetto's protobuf, `.lpt`), told by its first bytes, not its name:
    /// the one way every command reads a trace.
    pub fn read_file(path: impl AsRef<Path>) -> Result<Trace, TraceFileError> {
        let path = path.as_ref();
        let mut head = [0u8; 64];
        let n = std::fs::File::open(path)
            .and_then(|mut f| read_head(&mut f, &mut head))
            .map_err(|e| TraceFileError::cannot_read(path, e))?;
        match TraceFormat::of_bytes(&head[..n]) {
            Some(TraceFormat::ChromeJson) => Trace::read_chrome_json(path),
            Some(TraceFormat::Perfetto) => Trace::read_perfetto(path),
            Some(TraceFormat::Compact) => Trace::read_lpt(path),
            None => Err(TraceFileError::new(path, unknown_format(&head[..n]))),
        }
    }

    /// Writes the trace to `path` atomically, in the format its extension
    /// names ([`TraceFormat::for_path`]: Chrome JSON unless it names
    /// another).
    pub fn write_file(&self, path: impl AsRef<Path>) -> Result<(), TraceFileError> {
        let path = path.as_ref();
        self.write_as(path, TraceFormat::for_path(path))
    }

    /// Writes the trace to `path` in `format`, atomically.
    pub fn write_as(
        &self,
        path: impl AsRef<Path>,
        format: TraceFormat,
    ) -> Result<(), TraceFileError> {
        match format {
            TraceFormat::ChromeJson => self.write_chrome_json(path),
            TraceFormat::Perfetto => self.write_perfetto(path),
            TraceFormat::Compact => self.write_lpt(path),
        }
    }
}

/// Fills `head` as far as the file goes.
fn read_head(file: &mut impl Read, head: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < head.len() {
        match file.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Why a file that starts with `head` is no trace logprof reads.
fn unknown_format(head: &[u8]) -> String {
    if head.is_empty() {
        return "the file is empty: no trace to read".to_owned();
    }
    let shown: Vec<String> = head.iter().take(4).map(|b| format!("{b:02x}")).collect();
    let hint = if head.starts_with(&[0x1f, 0x8b]) {
        " (it is gzip-compressed: gunzip it first)"
    } else {
        ""
    };
    format!(
        "not a trace logprof reads: it starts with bytes {}{hint}; logprof reads Chrome JSON \
         (starting with {{ or [), Perfetto protobuf traces (starting with 0a) and its own .lpt \
         (starting with 89 4c 50 54)",
        shown.join(" ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_by_their_first_bytes_and_their_names() {
        assert_eq!(
            TraceFormat::of_bytes(b"\xef\xbb\xbf \n[{"),
            Some(TraceFormat::ChromeJson)
        );
        assert_eq!(
            TraceFormat::of_bytes(b"{\"traceEvents\""),
            Some(TraceFormat::ChromeJson)
        );
        assert_eq!(
            TraceFormat::of_bytes(b"\x0a\x10"),
            Some(TraceFormat::Perfetto)
        );
        assert_eq!(TraceFormat::of_bytes(b"\x1f\x8b"), None);
        assert_eq!(
            TraceFormat::of_bytes(&compact::MAGIC),
            Some(TraceFormat::Compact)
        );
        // Cut inside the magic number: still ours, read as cut.
        assert_eq!(TraceFormat::of_bytes(b"\x89LP"), Some(TraceFormat::Compact));
        assert_eq!(
            TraceFormat::for_path(Path::new("x.LPT")),
            TraceFormat::Compact
        );
        assert_eq!(
            TraceFormat::for_path(Path::new("x.txt")),
            TraceFormat::ChromeJson
        );
        assert_eq!(TraceFormat::of_bytes(b""), None);
        let of = |p: &str| TraceFormat::of_path(Path::new(p));
        assert_eq!(of("a/run.trace.json"), Some(TraceFormat::ChromeJson));
        assert_eq!(of("run.PFTRACE"), Some(TraceFormat::Perfetto));
        assert_eq!(of("run.txt"), None);
        assert_eq!(of("run"), None);
        assert!(unknown_format(b"\x1f\x8b\x08\x00").contains("gunzip"));
        assert!(TraceFormat::known_extensions().contains(".pftrace"));
    }

    #[test]
    fn any_trace_reads_whatever_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let mut trace = Trace::new();
        let f = trace.intern("f");
        trace.lanes.push(crate::Lane::with_spans(
            1,
            1,
            "t",
            [crate::Span::new(f, 5, 9, 0)],
        ));
        for format in TraceFormat::ALL {
            // A misleading name: the content decides.
            let path = dir
                .path()
                .join(format!("trace-{}.txt", format.extensions()[0]));
            trace.write_as(&path, format).unwrap();
            assert_eq!(Trace::read_file(&path).unwrap(), trace, "{format:?}");
        }
        let junk = dir.path().join("junk.json");
        std::fs::write(&junk, b"\x1f\x8b\x08\x00").unwrap();
        let err = Trace::read_file(&junk).unwrap_err().to_string();
        assert!(err.contains("junk.json") && err.contains("gunzip"), "{err}");
    }
}
