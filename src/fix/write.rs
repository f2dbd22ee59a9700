//! Writing fixed text back without losing anything the file had: the
//! write goes through symlinks to the real file, keeps its mode, owner,
//! group and hard links, leaves read-only files alone, and happens only
//! while the file still holds the text kvet read.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::source::io_message;

/// Why fixed text was not written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteError {
    /// The file has no write permission bit: kvet does not override that.
    ReadOnly,
    /// The file no longer holds the text kvet read (edited meanwhile).
    Changed,
    /// Not a regular file (a device, FIFO or folder).
    NotRegular,
    Io(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::ReadOnly => f.write_str("the file is read-only"),
            WriteError::Changed => f.write_str("the file changed since kvet read it"),
            WriteError::NotRegular => f.write_str("not a regular file"),
            WriteError::Io(e) => f.write_str(e),
        }
    }
}

fn io_err(e: &io::Error) -> WriteError {
    WriteError::Io(io_message(e))
}

/// Whether the file at `path` still holds exactly `expected`.
fn holds(path: &Path, expected: &[u8]) -> Result<bool, WriteError> {
    let mut f = File::open(path).map_err(|e| io_err(&e))?;
    let mut buf = Vec::with_capacity(expected.len() + 1);
    // Read at most one byte more than expected: enough to tell.
    (&mut f)
        .take(expected.len() as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|e| io_err(&e))?;
    Ok(buf == expected)
}

/// A fresh name beside `real` for a temporary file.
fn temp_beside(real: &Path, tag: &str) -> PathBuf {
    let dir = real
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = real
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    dir.join(format!(".{name}.kvet-{tag}-{}.tmp", std::process::id()))
}

fn write_new(path: &Path, bytes: &[u8], mode: u32) -> io::Result<File> {
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.set_permissions(fs::Permissions::from_mode(mode & 0o7777))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(f)
}

/// Writes `new_text` over the file at `path`, only if it still holds
/// `expected`.
///
/// - A symlink is followed: the file it points to is written, the link
///   stays a link.
/// - A file with one link is replaced atomically: a temporary file in the
///   same folder gets the new text, the file's mode, owner and group, and
///   is renamed over it after a last check that the file is unchanged.
/// - A file with several hard links (or whose owner kvet cannot give a new
///   file) is written in place, so every link sees the new text; a
///   verified copy of the old text is kept beside it until the write is
///   done, and put back if the write fails.
/// - A file without any write permission bit is left alone.
pub fn write_fixed(path: &Path, expected: &str, new_text: &str) -> Result<(), WriteError> {
    let real = fs::canonicalize(path).map_err(|e| io_err(&e))?;
    let meta = fs::metadata(&real).map_err(|e| io_err(&e))?;
    if !meta.is_file() {
        return Err(WriteError::NotRegular);
    }
    if meta.permissions().mode() & 0o222 == 0 {
        return Err(WriteError::ReadOnly);
    }
    if !holds(&real, expected.as_bytes())? {
        return Err(WriteError::Changed);
    }
    if meta.nlink() > 1 {
        return write_in_place(&real, &meta, expected, new_text);
    }
    let tmp = temp_beside(&real, "new");
    let f = match write_new(&tmp, new_text.as_bytes(), meta.mode()) {
        Ok(f) => f,
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            return Err(io_err(&e));
        }
    };
    if std::os::unix::fs::fchown(&f, Some(meta.uid()), Some(meta.gid())).is_err() {
        // kvet may not give a new file the owner's name: write in place.
        drop(f);
        let _ = fs::remove_file(&tmp);
        return write_in_place(&real, &meta, expected, new_text);
    }
    drop(f);
    let renamed = match holds(&real, expected.as_bytes()) {
        Ok(true) => fs::rename(&tmp, &real).map_err(|e| io_err(&e)),
        Ok(false) => Err(WriteError::Changed),
        Err(e) => Err(e),
    };
    if renamed.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    renamed
}

/// Overwrites the file's own bytes (keeping its inode: hard links, owner,
/// mode, ACLs), with a verified backup of the old text beside it.
fn write_in_place(real: &Path, meta: &fs::Metadata, expected: &str, new_text: &str) -> Result<(), WriteError> {
    let backup = temp_beside(real, "backup");
    write_new(&backup, expected.as_bytes(), meta.mode() & 0o600).map_err(|e| io_err(&e))?;
    let verified = holds(&backup, expected.as_bytes()).unwrap_or(false);
    if !verified {
        let _ = fs::remove_file(&backup);
        return Err(WriteError::Io(
            "could not keep a copy of the file before writing it".into(),
        ));
    }
    if !holds(real, expected.as_bytes())? {
        let _ = fs::remove_file(&backup);
        return Err(WriteError::Changed);
    }
    let written = (|| -> io::Result<()> {
        let mut f = OpenOptions::new().write(true).truncate(true).open(real)?;
        f.write_all(new_text.as_bytes())?;
        f.sync_all()
    })();
    match written {
        Ok(()) => {
            let _ = fs::remove_file(&backup);
            Ok(())
        }
        Err(e) => {
            let restored = (|| -> io::Result<()> {
                let mut f = OpenOptions::new().write(true).truncate(true).open(real)?;
                f.write_all(expected.as_bytes())?;
                f.sync_all()
            })();
            match restored {
                Ok(()) => {
                    let _ = fs::remove_file(&backup);
                    Err(io_err(&e))
                }
                Err(_) => Err(WriteError::Io(format!(
                    "{}; the original text is kept in {}",
                    io_message(&e),
                    backup.display()
                ))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"))
    }

    fn read(p: &Path) -> String {
        fs::read_to_string(p).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn writes_through_a_symlink_and_keeps_it() {
        let d = dir();
        let real = d.path().join("real.yaml");
        let link = d.path().join("link.yaml");
        fs::write(&real, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        std::os::unix::fs::symlink(&real, &link).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&link, "a: 1\n", "a: 2\n"), Ok(()));
        assert!(
            fs::symlink_metadata(&link)
                .map(|m| m.file_type().is_symlink())
                .unwrap_or(false)
        );
        assert_eq!(read(&real), "a: 2\n");
    }

    #[test]
    fn keeps_hard_links_and_mode() {
        let d = dir();
        let a = d.path().join("a.yaml");
        let b = d.path().join("b.yaml");
        fs::write(&a, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        fs::set_permissions(&a, fs::Permissions::from_mode(0o640)).unwrap_or_else(|e| panic!("{e}"));
        fs::hard_link(&a, &b).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&a, "a: 1\n", "a: 2\n"), Ok(()));
        assert_eq!(read(&b), "a: 2\n");
        let m = fs::metadata(&a).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.nlink(), 2);
        assert_eq!(m.mode() & 0o777, 0o640);
        // Nothing left behind.
        assert_eq!(fs::read_dir(d.path()).map(|r| r.count()).unwrap_or(0), 2);
        // One link: replaced, mode kept.
        let c = d.path().join("c.yaml");
        fs::write(&c, "c: 1\n").unwrap_or_else(|e| panic!("{e}"));
        fs::set_permissions(&c, fs::Permissions::from_mode(0o604)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&c, "c: 1\n", "c: 2\n"), Ok(()));
        assert_eq!(fs::metadata(&c).map(|m| m.mode() & 0o777).unwrap_or(0), 0o604);
    }

    #[test]
    fn refuses_read_only_and_changed_files() {
        let d = dir();
        let p = d.path().join("ro.yaml");
        fs::write(&p, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&p, "a: 1\n", "a: 2\n"), Err(WriteError::ReadOnly));
        assert_eq!(read(&p), "a: 1\n");
        let q = d.path().join("q.yaml");
        fs::write(&q, "a: 1 # edited\n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&q, "a: 1\n", "a: 2\n"), Err(WriteError::Changed));
        assert_eq!(read(&q), "a: 1 # edited\n");
    }

    #[test]
    fn keeps_owner_and_group() {
        let d = dir();
        let p = d.path().join("owned.yaml");
        fs::write(&p, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        // Give the file to another user where kvet may (as root, as CI
        // runs); otherwise it stays the runner's own, which must be kept too.
        let other = std::os::unix::fs::chown(&p, Some(65534), Some(65534)).is_ok();
        let before = fs::metadata(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(write_fixed(&p, "a: 1\n", "a: 2\n"), Ok(()));
        let after = fs::metadata(&p).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
        if other {
            assert_eq!(after.uid(), 65534);
        }
        assert_eq!(read(&p), "a: 2\n");
    }
}
