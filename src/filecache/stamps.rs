//! [`Stamps`]: each input's [`Stamp`] when its text was last digested,
//! with that digest, so that a run whose inputs all kept their stamps can
//! be replayed from the result cache without reading them.

use std::path::{Path, PathBuf};

use super::TextDigest;
use crate::codec::{Reader, Writer};
use crate::source::Stamp;

/// The format; a change makes every older file empty.
const MAGIC: &[u8] = b"kvet-stamps 1\n";

/// The most entries a file keeps: this run's, then others' (another
/// command's inputs in the same working folder) up to this many.
const MAX_ENTRIES: usize = 200_000;

/// The stamps of a working folder's inputs, read when a run starts.
pub struct Stamps {
    path: PathBuf,
    check: u64,
    /// By path (UTF-8 paths only: others are always read).
    entries: crate::hash::Map<String, (Stamp, TextDigest)>,
}

impl Stamps {
    /// The stamps kept in `dir` under `name` (empty when there are none,
    /// or when they were written by another kvet: `check` differs).
    pub fn open(dir: &Path, name: u64, check: u64) -> Stamps {
        let path = dir.join(format!("stamps-{name:016x}.stamps"));
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|bytes| decode(&bytes, check))
            .unwrap_or_default();
        Stamps { path, check, entries }
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The digest of `path`'s text, when its stamp is still `stamp`.
    pub fn digest(&self, path: &Path, stamp: &Stamp) -> Option<TextDigest> {
        self.entries
            .get(path.to_str()?)
            .and_then(|(s, d)| (s == stamp).then_some(*d))
    }

    /// Keeps `fresh` (this run's inputs that have a stamp, with their
    /// texts' digests) and the other entries, and writes them when they
    /// changed. A file that cannot be written is left as it was: the
    /// stamps only save reading files.
    pub fn update(mut self, fresh: Vec<(PathBuf, Stamp, TextDigest)>) {
        // Paths are stored as UTF-8 (a path that is not is never replayed
        // without being read).
        let fresh: Vec<(String, Stamp, TextDigest)> = fresh
            .into_iter()
            .filter_map(|(p, s, d)| Some((p.into_os_string().into_string().ok()?, s, d)))
            .collect();
        let changed = fresh.iter().any(|(p, s, d)| self.entries.get(p) != Some(&(*s, *d)));
        if !changed {
            return;
        }
        let mut entries: Vec<(String, (Stamp, TextDigest))> = Vec::with_capacity(self.entries.len() + fresh.len());
        let ours: crate::hash::Set<&str> = fresh.iter().map(|(p, _, _)| p.as_str()).collect();
        let mut others: Vec<(String, (Stamp, TextDigest))> = self
            .entries
            .drain()
            .filter(|(p, _)| !ours.contains(p.as_str()))
            .collect();
        let room = MAX_ENTRIES.saturating_sub(fresh.len());
        if others.len() > room {
            // The same ones kept whatever the map's order.
            others.sort_unstable_by(|a, b| a.0.cmp(&b.0));
            others.truncate(room);
        }
        entries.extend(fresh.iter().map(|(p, s, d)| (p.clone(), (*s, *d))));
        entries.extend(others);
        let mut w = Writer::new();
        w.buf.extend_from_slice(MAGIC);
        w.fixed64(self.check);
        w.u64(entries.len() as u64);
        for (p, (s, d)) in &entries {
            w.str(p);
            for v in [s.device, s.inode, s.size] {
                w.u64(v);
            }
            for t in [s.modified, s.changed] {
                w.fixed64(t as u64);
                w.fixed64((t >> 64) as u64);
            }
            w.fixed64(d.0);
            w.fixed64(d.1);
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let tmp = dir.join(format!(".tmp-{}-stamps", std::process::id()));
        let written = super::prepare_folder(dir)
            .and_then(|()| std::fs::write(&tmp, &w.buf))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        super::prune_folder(dir, ".stamps", super::MAX_PACKS);
    }
}

fn decode(bytes: &[u8], check: u64) -> Option<crate::hash::Map<String, (Stamp, TextDigest)>> {
    let mut r = Reader::new(bytes.strip_prefix(MAGIC)?);
    if r.fixed64()? != check {
        return None;
    }
    let n = r.len()?;
    let mut entries = crate::hash::Map::default();
    entries.reserve(n.min(MAX_ENTRIES));
    for _ in 0..n {
        let path = r.string()?;
        let (device, inode, size) = (r.u64()?, r.u64()?, r.u64()?);
        let mut time = || Some(i128::from(r.fixed64()?) | (i128::from(r.fixed64()? as i64) << 64));
        let (modified, changed) = (time()?, time()?);
        let digest = TextDigest(r.fixed64()?, r.fixed64()?);
        let stamp = Stamp {
            device,
            inode,
            size,
            modified,
            changed,
        };
        entries.insert(path, (stamp, digest));
    }
    r.is_empty().then_some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(inode: u64) -> Stamp {
        Stamp {
            device: 1,
            inode,
            size: 10,
            modified: 1_700_000_000_123_456_789,
            changed: -5,
        }
    }

    #[test]
    fn stamps_are_written_and_read_back() {
        let dir = std::env::temp_dir().join(format!("kvet-stamps-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let (a, b) = (PathBuf::from("a.yaml"), PathBuf::from("dir/b.yaml"));
        Stamps::open(&dir, 7, 9).update(vec![
            (a.clone(), stamp(1), TextDigest(1, 2)),
            (b.clone(), stamp(2), TextDigest(3, 4)),
        ]);
        let s = Stamps::open(&dir, 7, 9);
        assert_eq!(s.digest(&a, &stamp(1)), Some(TextDigest(1, 2)));
        assert_eq!(s.digest(&b, &stamp(2)), Some(TextDigest(3, 4)));
        // Another stamp (a new inode, say) is not the same file.
        assert_eq!(s.digest(&a, &stamp(3)), None);
        assert_eq!(s.digest(Path::new("c.yaml"), &stamp(1)), None);
        // Another kvet's file (`check`) is empty.
        assert_eq!(Stamps::open(&dir, 7, 10).digest(&a, &stamp(1)), None);
        // A run with other inputs keeps these entries beside its own.
        s.update(vec![(PathBuf::from("c.yaml"), stamp(4), TextDigest(5, 6))]);
        let s = Stamps::open(&dir, 7, 9);
        assert_eq!(s.digest(&a, &stamp(1)), Some(TextDigest(1, 2)));
        assert_eq!(s.digest(Path::new("c.yaml"), &stamp(4)), Some(TextDigest(5, 6)));
        // A damaged file is empty, never wrong.
        let file = dir.join(format!("stamps-{:016x}.stamps", 7));
        let mut bytes = std::fs::read(&file).expect("stamps file");
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut], 9).is_none(), "cut at {cut}");
        }
        bytes.push(0);
        assert!(decode(&bytes, 9).is_none());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
