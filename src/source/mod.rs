//! Input files: discovery, reading and decoding, line index.

mod discover;
mod line_index;

pub use discover::{DiscoverOptions, Discovered, Input, discover};
pub use line_index::{CharToByte, LineCol, LineIndex};

use std::path::{Path, PathBuf};

/// Files larger than this are reported instead of read.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The read cap of this process: [`MAX_FILE_BYTES`], or the environment
/// variable `KVET_MAX_FILE_BYTES` (read once; an invalid value keeps the
/// default, and the command line reports it before reading anything).
pub fn max_file_bytes() -> u64 {
    static CURRENT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *CURRENT.get_or_init(|| crate::yaml::env_limit("KVET_MAX_FILE_BYTES", MAX_FILE_BYTES).unwrap_or(MAX_FILE_BYTES))
}

/// Index of a file in the run (`Vec<SourceFile>` position).
pub type FileId = u32;

/// One input file as read, with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The name shown to users: the path as given or found, or the
    /// `--stdin-filename` (default `<stdin>`).
    pub name: String,
    /// The file on disk; `None` for stdin and in-memory documents.
    pub path: Option<PathBuf>,
    /// The decoded text (lossily decoded when `decode_error` is set).
    pub text: String,
    /// Built on first use ([`SourceFile::line_index`]): a file with no
    /// finding never needs one.
    line_index: std::sync::OnceLock<LineIndex>,
    /// Set when the bytes could not be read or decoded: the file yields this
    /// finding (at `offset`) and no objects.
    pub load_error: Option<LoadError>,
    /// What the file system said of the file just before kvet read it,
    /// when the file had not changed for a while ([`Stamp::settled`]); the
    /// result cache replays a run whose files all kept their stamps without
    /// reading them ([`crate::filecache::Stamps`]).
    pub stamp: Option<Stamp>,
}

/// A file's identity and times as the file system reports them: its
/// device and inode, size, and last modification and status-change times
/// (nanoseconds). Writing a file moves its status-change time to the
/// present (a program can set the modification time back, not that one),
/// and an editor's save by rename gives it a new inode: a file whose stamp
/// is unchanged has its bytes unchanged, short of a file system that
/// reports stale times (some network file systems cache them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Stamp {
    pub device: u64,
    pub inode: u64,
    pub size: u64,
    pub modified: i128,
    pub changed: i128,
}

impl Stamp {
    /// The stamp of a file's metadata (`None` where the platform has no
    /// inodes).
    #[cfg(unix)]
    pub fn of(meta: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
        Some(Stamp {
            device: meta.dev(),
            inode: meta.ino(),
            size: meta.size(),
            modified: ns(meta.mtime(), meta.mtime_nsec()),
            changed: ns(meta.ctime(), meta.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    pub fn of(_meta: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file last changed at least [`Stamp::SETTLE`] before
    /// `now` (nanoseconds since the epoch). A later write could otherwise
    /// leave the same times on a file system that keeps them coarsely
    /// (two seconds on FAT), so only a settled stamp is trusted.
    pub fn settled(&self, now: i128) -> bool {
        self.modified.max(self.changed) + Self::SETTLE < now
    }

    /// How long a file must have been left alone for its stamp to be
    /// trusted (nanoseconds).
    pub const SETTLE: i128 = 2_000_000_000;

    /// The present, in nanoseconds since the epoch (0 when the clock is
    /// before it: then nothing is settled).
    pub fn now() -> i128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// `io-error` or `yaml-syntax`.
    pub rule: &'static str,
    pub message: String,
    pub offset: u32,
}

impl SourceFile {
    /// An in-memory file (tests, LSP buffers, stdin).
    pub fn from_text(name: impl Into<String>, path: Option<PathBuf>, text: String) -> Self {
        SourceFile {
            name: name.into(),
            path,
            text,
            line_index: std::sync::OnceLock::new(),
            load_error: None,
            stamp: None,
        }
    }

    /// Decodes raw bytes: UTF-8 (with or without BOM) is accepted; UTF-16,
    /// UTF-32, binary data and invalid UTF-8 are findings with a location.
    /// The text keeps one byte per byte of the file (invalid bytes become
    /// `?`), so every offset is an offset into the file.
    pub fn from_bytes(name: impl Into<String>, path: Option<PathBuf>, bytes: Vec<u8>) -> Self {
        let name = name.into();
        if let Some(encoding) = wide_encoding(&bytes) {
            return Self::failed(
                name,
                path,
                String::new(),
                "yaml-syntax",
                format!("the file is {encoding} encoded; Kubernetes tools expect UTF-8: re-save it as UTF-8"),
                0,
            );
        }
        if let Some(what) = binary_kind(&bytes) {
            // No text: a snippet of binary data helps nobody.
            return Self::failed(
                name,
                path,
                String::new(),
                "yaml-syntax",
                format!("binary, not a manifest ({what}): kvet reads YAML and JSON text"),
                0,
            );
        }
        match String::from_utf8(bytes) {
            Ok(text) => Self::from_text(name, path, text),
            Err(err) => {
                let at = err.utf8_error().valid_up_to();
                let bytes = err.into_bytes();
                let mut text = String::with_capacity(bytes.len());
                for chunk in bytes.utf8_chunks() {
                    text.push_str(chunk.valid());
                    text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
                }
                Self::failed(
                    name,
                    path,
                    text,
                    "yaml-syntax",
                    format!("invalid UTF-8 at byte {at}: YAML and JSON manifests must be UTF-8"),
                    at as u32,
                )
            }
        }
    }

    /// Reads a file from disk; failures become a located finding. Only
    /// regular files are read (`/dev/stdin` reads standard input): a FIFO, a
    /// device or a socket is refused, since reading it may block forever or
    /// never end. At most [`MAX_FILE_BYTES`] are read, counted as they are
    /// read (a size the file system reports is not trusted).
    pub fn read(path: &Path, name: String) -> Self {
        let fail = |message: String| {
            Self::failed(
                name.clone(),
                Some(path.to_path_buf()),
                String::new(),
                "io-error",
                message,
                0,
            )
        };
        if path == Path::new("/dev/stdin") {
            let mut f = Self::read_stdin(name.clone());
            f.path = None;
            return f;
        }
        let (hint, stamp) = match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => return fail("is a directory".into()),
            Ok(m) if !m.is_file() => {
                return fail(format!(
                    "{}: kvet reads regular files and standard input (`-`) only",
                    special_kind(&m)
                ));
            }
            Ok(m) if m.len() > max_file_bytes() => return fail(over_limit(m.len())),
            // Taken before the bytes are read: a write while they are read
            // moves the file's stamp away from this one.
            Ok(m) => (m.len(), Stamp::of(&m).filter(|s| s.settled(Stamp::now()))),
            Err(err) => return fail(format!("cannot read file: {}", io_message(&err))),
        };
        match std::fs::File::open(path).and_then(|f| read_capped(f, hint)) {
            Ok(Some(bytes)) => {
                let mut f = Self::from_bytes(name, Some(path.to_path_buf()), bytes);
                if f.load_error.is_none() {
                    f.stamp = stamp;
                }
                f
            }
            Ok(None) => fail(over_limit(max_file_bytes() + 1)),
            Err(err) => fail(format!("cannot read file: {}", io_message(&err))),
        }
    }

    /// Reads standard input, at most [`MAX_FILE_BYTES`].
    pub fn read_stdin(name: String) -> Self {
        let stdin = std::io::stdin();
        let failed = |message: String| Self::failed(name.clone(), None, String::new(), "io-error", message, 0);
        match read_capped(stdin.lock(), 0) {
            Ok(Some(bytes)) => Self::from_bytes(name, None, bytes),
            Ok(None) => failed(format!("standard input is {}", over_limit(max_file_bytes() + 1))),
            Err(e) => failed(format!("cannot read standard input: {}", io_message(&e))),
        }
    }

    fn failed(
        name: String,
        path: Option<PathBuf>,
        text: String,
        rule: &'static str,
        message: String,
        offset: u32,
    ) -> Self {
        let mut f = Self::from_text(name, path, text);
        f.load_error = Some(LoadError { rule, message, offset });
        f
    }

    /// The file's line index, built on first use.
    pub fn line_index(&self) -> &LineIndex {
        self.line_index.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn line_col(&self, offset: u32) -> LineCol {
        self.line_index().line_col(&self.text, offset)
    }

    /// The source text of a byte range (empty when out of range).
    pub fn slice(&self, start: u32, end: u32) -> &str {
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Whether the file should be read as JSON rather than YAML: a `.json`
    /// name, or content that starts with `{` or `[`.
    pub fn looks_like_json(&self) -> bool {
        if self.name.ends_with(".json") {
            return true;
        }
        let t = self.text.trim_start_matches('\u{feff}').trim_start();
        t.starts_with('{')
    }
}

/// What binary data the bytes look like (`a PNG image`), or `None` for
/// text. Known file signatures, a NUL byte in the first 8 KiB (as git
/// decides), or invalid UTF-8 mixed with many control bytes.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"%PDF-", "a PDF document"),
        (b"\x7fELF", "an ELF executable"),
        (b"PK\x03\x04", "a zip archive"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"BZh", "a bzip2 archive"),
        (b"\xfd7zXZ\x00", "an xz archive"),
        (b"\x28\xb5\x2f\xfd", "a zstd archive"),
        (b"\x00asm", "a WebAssembly module"),
    ];
    if let Some((_, what)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        // `BZh` could start a word in a text file; the others cannot.
        if *what != "a bzip2 archive" || bytes.get(3).is_some_and(|b| (b'1'..=b'9').contains(b)) {
            return Some(what);
        }
    }
    let head = &bytes[..bytes.len().min(8192)];
    if memchr::memchr(0, head).is_some() {
        return Some("it contains NUL bytes");
    }
    if std::str::from_utf8(head).is_err() {
        let mut odd = 0usize;
        for chunk in head.utf8_chunks() {
            odd += chunk.invalid().len();
            odd += chunk
                .valid()
                .bytes()
                .filter(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c))
                .count();
        }
        // Latin-1 text has an odd byte per accented letter; binary data
        // has them everywhere (a short file needs many to be called binary).
        if odd >= 16 && odd * 10 > head.len() {
            return Some("mostly bytes that are not text");
        }
    }
    None
}

/// The UTF-16 or UTF-32 encoding the bytes are in, from a byte-order mark
/// or (without one) the NUL bytes of ASCII text in the first four bytes.
fn wide_encoding(b: &[u8]) -> Option<&'static str> {
    if b.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Some("UTF-32 (little-endian)");
    }
    if b.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some("UTF-32 (big-endian)");
    }
    if b.starts_with(&[0xFF, 0xFE]) {
        return Some("UTF-16 (little-endian)");
    }
    if b.starts_with(&[0xFE, 0xFF]) {
        return Some("UTF-16 (big-endian)");
    }
    match b.get(..4)? {
        [a, 0, 0, 0] if *a != 0 => Some("UTF-32 (little-endian)"),
        [0, 0, 0, a] if *a != 0 => Some("UTF-32 (big-endian)"),
        [a, 0, c, 0] if *a != 0 && *c != 0 => Some("UTF-16 (little-endian)"),
        [0, a, 0, c] if *a != 0 && *c != 0 => Some("UTF-16 (big-endian)"),
        _ => None,
    }
}

/// All of `r`, or `None` past [`MAX_FILE_BYTES`] (reading stops there).
/// `hint` (the size the file system reports) only sizes the buffer; the
/// limit counts the bytes actually read.
fn read_capped(r: impl std::io::Read, hint: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(hint.min(max_file_bytes()) as usize + 1);
    r.take(max_file_bytes() + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max_file_bytes()).then_some(bytes))
}

fn over_limit(len: u64) -> String {
    let size = |n: u64| {
        if n >= 1024 * 1024 {
            format!("{} MiB", n / (1024 * 1024))
        } else {
            format!("{n} bytes")
        }
    };
    let cap = max_file_bytes();
    if len > cap && len <= cap + 1 {
        format!(
            "over the {} limit (KVET_MAX_FILE_BYTES raises it): reading stopped there",
            size(cap)
        )
    } else {
        format!(
            "file is {}, over the {} limit (KVET_MAX_FILE_BYTES raises it)",
            size(len),
            size(cap)
        )
    }
}

/// What kind of special file `m` describes.
fn special_kind(m: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = m.file_type();
        if t.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = m;
    "not a regular file"
}

/// An `io::Error` without the "(os error N)" suffix.
pub fn io_message(err: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match err.kind() {
        ErrorKind::NotFound => "no such file or directory".into(),
        ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = err.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_located() {
        let f = SourceFile::from_bytes("x.yaml", None, b"a: 1\nb: \xff\n".to_vec());
        let e = f.load_error.as_ref().map(|e| e.offset);
        assert_eq!(e, Some(8));
        assert_eq!(f.line_col(8).line, 2);
    }

    #[test]
    fn binary_and_utf16_are_rejected() {
        let f = SourceFile::from_bytes("x", None, b"\x7fELF\x02\x01\x00\x00".to_vec());
        assert!(f.text.is_empty(), "no text to show");
        assert_eq!(
            f.load_error.map(|e| e.message).as_deref(),
            Some("binary, not a manifest (an ELF executable): kvet reads YAML and JSON text")
        );
        for bytes in [
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR".to_vec(),
            b"apiVersion: v1\x00\nkind: Pod\n".to_vec(),
            (1u8..=255).cycle().take(600).collect(),
        ] {
            let f = SourceFile::from_bytes("x", None, bytes);
            assert!(
                f.load_error
                    .as_ref()
                    .is_some_and(|e| e.message.starts_with("binary, not a manifest")),
                "{:?}",
                f.load_error
            );
        }
        // Latin-1 text is text with a bad byte, not binary; `BZh` can start a word.
        for text in [&b"data:\n  name: caf\xe9\n"[..], b"BZhello: 1\n"] {
            let f = SourceFile::from_bytes("x", None, text.to_vec());
            assert!(!f.load_error.is_some_and(|e| e.message.starts_with("binary")));
        }
        let f = SourceFile::from_bytes("x", None, vec![0xFF, 0xFE, b'a', 0]);
        assert!(f.load_error.is_some_and(|e| e.message.contains("UTF-16")));
    }

    #[test]
    fn utf32_is_not_reported_as_utf16() {
        let le: Vec<u8> = "a: 1\n".chars().flat_map(|c| (c as u32).to_le_bytes()).collect();
        let with_bom = [vec![0xFF, 0xFE, 0, 0], le.clone()].concat();
        for (bytes, want) in [
            (with_bom, "UTF-32 (little-endian)"),
            (le, "UTF-32 (little-endian)"),
            (
                [vec![0, 0, 0xFE, 0xFF], vec![0, 0, 0, b'a']].concat(),
                "UTF-32 (big-endian)",
            ),
            (vec![0xFF, 0xFE, b'a', 0], "UTF-16 (little-endian)"),
            (vec![b'a', 0, b':', 0], "UTF-16 (little-endian)"),
            (vec![0, b'a', 0, b':'], "UTF-16 (big-endian)"),
        ] {
            let f = SourceFile::from_bytes("x", None, bytes);
            let m = f.load_error.map(|e| e.message).unwrap_or_default();
            assert!(m.contains(&format!("is {want} encoded")), "{want}: {m}");
        }
    }

    #[test]
    fn invalid_utf8_keeps_file_offsets() {
        let bytes = b"a: \xff\xfe\nb: \xc3".to_vec();
        let len = bytes.len();
        let f = SourceFile::from_bytes("x.yaml", None, bytes);
        assert_eq!(f.text.len(), len);
        assert_eq!(f.text, "a: ??\nb: ?");
        assert_eq!(f.load_error.map(|e| e.offset), Some(3));
    }

    #[test]
    fn unreadable_path_is_a_finding() {
        let f = SourceFile::read(Path::new("/nonexistent/kvet/x.yaml"), "x.yaml".into());
        let e = f.load_error.unwrap_or_else(|| panic!("expected a load error"));
        assert_eq!(e.rule, "io-error");
        assert!(e.message.contains("no such file"));
    }
}
