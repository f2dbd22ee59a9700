//! What a run learns from the file system besides its inputs' texts: the
//! files a kustomization reads or probes, the folders its entries name, the
//! canonical paths of symlinked folders.
//!
//! Checks that look at the disk go through these functions. When a run
//! records ([`record`]), each path is noted with what was asked of it, so
//! the result cache (`kvet check`'s) can later tell whether the answer would
//! still be the same ([`Dep::still_holds`]) before it replays a result.

use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a run asked about a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Probe {
    /// Whether it is a file, a folder, something else or nothing.
    Kind,
    /// Its bytes.
    Content,
    /// Where it leads (symlinks resolved).
    Canonical,
}

/// A path, what was asked of it, and a digest of the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dep {
    pub path: PathBuf,
    pub probe: Probe,
    pub digest: u64,
}

impl Dep {
    /// The dependency as the disk answers now.
    pub fn now(path: PathBuf, probe: Probe) -> Dep {
        let digest = digest(&path, probe);
        Dep { path, probe, digest }
    }

    /// Whether the disk still gives the answer the run saw.
    pub fn still_holds(&self) -> bool {
        digest(&self.path, self.probe) == self.digest
    }
}

static RECORDING: AtomicBool = AtomicBool::new(false);
static SEEN: Mutex<BTreeMap<(PathBuf, Probe), u64>> = Mutex::new(BTreeMap::new());

/// Starts noting the paths the checks look at (for the whole process).
pub fn record() {
    RECORDING.store(true, Ordering::SeqCst);
}

/// The paths looked at since [`record`], each with a digest of the answer
/// the run got (the first, when it asked twice).
pub fn take() -> Vec<Dep> {
    let seen = std::mem::take(&mut *SEEN.lock().unwrap_or_else(|e| e.into_inner()));
    seen.into_iter()
        .map(|((path, probe), digest)| Dep { path, probe, digest })
        .collect()
}

fn note(path: &Path, probe: Probe, digest: impl FnOnce() -> u64) {
    if RECORDING.load(Ordering::Relaxed) {
        let digest = digest();
        SEEN.lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((path.to_path_buf(), probe))
            .or_insert(digest);
    }
}

fn hash_of(v: impl Hash) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    v.hash(&mut h);
    h.finish()
}

fn kind_digest(m: &io::Result<std::fs::Metadata>) -> u64 {
    hash_of(match m {
        Ok(m) if m.is_file() => 1u8,
        Ok(m) if m.is_dir() => 2,
        Ok(_) => 3,
        Err(_) => 0,
    })
}

fn content_digest(r: &io::Result<Vec<u8>>) -> u64 {
    hash_of(r.as_ref().map_err(|e| e.kind().to_string()))
}

fn canonical_digest(r: &io::Result<PathBuf>) -> u64 {
    hash_of(r.as_ref().ok())
}

pub fn metadata(path: &Path) -> io::Result<std::fs::Metadata> {
    let m = std::fs::metadata(path);
    note(path, Probe::Kind, || kind_digest(&m));
    m
}

pub fn is_file(path: &Path) -> bool {
    metadata(path).is_ok_and(|m| m.is_file())
}

pub fn is_dir(path: &Path) -> bool {
    metadata(path).is_ok_and(|m| m.is_dir())
}

pub fn read(path: &Path) -> io::Result<Vec<u8>> {
    let r = std::fs::read(path);
    note(path, Probe::Content, || content_digest(&r));
    r
}

pub fn read_to_string(path: &Path) -> io::Result<String> {
    let bytes = read(path)?;
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    let r = path.canonicalize();
    note(path, Probe::Canonical, || canonical_digest(&r));
    r
}

fn digest(path: &Path, probe: Probe) -> u64 {
    match probe {
        Probe::Kind => kind_digest(&std::fs::metadata(path)),
        Probe::Content => content_digest(&std::fs::read(path)),
        Probe::Canonical => canonical_digest(&path.canonicalize()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dependency_holds_until_the_disk_changes() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let f = dir.path().join("a.yaml");
        let deps = [Dep::now(f.clone(), Probe::Kind), Dep::now(f.clone(), Probe::Content)];
        assert!(deps.iter().all(Dep::still_holds));
        std::fs::write(&f, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(deps.iter().all(|d| !d.still_holds()), "a new file changes both");
        let deps = [Dep::now(f.clone(), Probe::Kind), Dep::now(f.clone(), Probe::Content)];
        std::fs::write(&f, "a: 2\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(deps[0].still_holds(), "still a file");
        assert!(!deps[1].still_holds(), "other bytes");
    }
}
