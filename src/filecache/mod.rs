//! The cache of unchanged files: what `kvet check` keeps of each file it
//! linted, so that the next run reads it back instead of doing the work
//! again (the result cache replays a whole run; this one serves a run in
//! which some files changed).
//!
//! Per file it keeps the loaded documents (spanned trees and load
//! problems, [`crate::codec`]; a CRD's schemas cut from them once
//! compiled), what their compact load found ([`crate::compact::Early`]:
//! the CRDs compiled, their findings, the placeholders) and the memo of its
//! objects' own findings ([`crate::memo::Record`]: rules and schema of
//! built-in kinds). A run still builds the catalog of every object and runs
//! the cross-object rules, custom resources' checks, suppressions and the
//! report over all of them: only parsing, compiling CRDs and the objects'
//! own checks are skipped. The schema findings of custom resources are
//! reused only while every file that holds a CRD is unchanged, and no CRD
//! files come from the configuration ([`crate::memo::ObjectMemo::set_crds`]);
//! their rules' findings are found again every run (a Kustomization's
//! depend on the files it names).
//!
//! An entry is found by a digest of the file's name, path and whole text
//! (two independent 64-bit hashes), and of its configuration; the pack
//! that holds the entries is named by what else the checks depend on (the
//! kvet binary, the `KVET_*` environment and the working folder). One pack
//! per working folder, rewritten by each run with the entries it used, plus
//! the previous pack's entries of files that are not its inputs (another
//! command's, in the same folder) until [`MAX_AGE`] runs left them unused.
//! A pack that cannot be read is empty; one that cannot be written is
//! skipped: the cache never makes a run fail.

mod format;
#[doc(hidden)]
pub mod fuzzing;
mod key;
mod stamps;

pub use key::{Key, TextDigest, config_digest, put_framed, put_source};
pub use stamps::Stamps;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::codec::{Reader, Writer};
use crate::compact::Early;
use crate::memo::Record;
use crate::schema::crd::{DecodedCrds, Encoded};
use crate::yaml::Stream;
use format::{read_at, read_early, read_index, read_record, write_early, write_record};

/// The pack format; a change makes every older pack empty.
const MAGIC: &[u8] = b"kvet-file-cache 4\n";

/// Runs an entry survives in its pack without being used.
pub const MAX_AGE: u8 = 4;

/// Packs kept in a cache folder (one per working folder; the oldest beyond
/// it are removed).
pub const MAX_PACKS: usize = 8;

/// An entry read back.
pub struct Entry {
    /// The documents, after the CRDs' schemas were cut from them.
    pub stream: Stream,
    /// What the compact load found besides them (its CRDs compiled).
    pub early: Early,
    pub records: Vec<Record>,
}

/// Where a file's entry is in the previous pack: its parts (kind, first
/// byte, end), in file order.
#[derive(Debug, Default)]
struct Slot {
    age: u8,
    parts: Vec<(u8, u64, u64)>,
}

impl Slot {
    fn has(&self, kind: u8) -> bool {
        self.parts.iter().any(|(k, _, _)| *k == kind)
    }
}

/// The most bytes an entry's header takes: its key, kind, age and length.
const MAX_HEADER: u64 = 3 * 8 + 2 + 10;

/// What a pack holds: a file's documents, one of its memo records, or
/// what its compact load found besides the documents.
const STREAM: u8 = 0;
const RECORD: u8 = 1;
const EARLY: u8 = 2;

/// The pack of a working folder: its entries read where they are when a
/// run starts (the pack is not held in memory), the new pack written as
/// the run goes (each entry as it is made or used, a file's parts
/// together) and put in place when the run ends.
pub struct FileCache {
    path: PathBuf,
    /// The previous pack, open (closed once every input has been read),
    /// and where each file's parts are in it.
    old: std::sync::RwLock<Option<File>>,
    index: crate::hash::Map<Key, Slot>,
    /// The CRDs decoded so far (they share their schemas).
    crds: DecodedCrds,
    /// The CRDs encoded so far (each distinct one once).
    encoded: Encoded,
    out: Arc<Out>,
}

/// The pack being written: a temporary file renamed over the old one by
/// [`FileCache::finish`], and the files whose documents it holds.
struct Out {
    dir: PathBuf,
    check: u64,
    file: Mutex<Option<(BufWriter<File>, PathBuf)>>,
    /// A write failed: nothing more is written, and the old pack stays.
    failed: std::sync::atomic::AtomicBool,
    written: Mutex<crate::hash::Set<Key>>,
}

/// A handle that writes memo records to the pack being written (it can
/// outlive a borrow of the [`FileCache`]: a memo's sink holds it).
#[derive(Clone)]
pub struct Recorder(Arc<Out>);

impl Recorder {
    /// Writes a memo record of the file `key`.
    pub fn put(&self, key: Key, record: &Record) {
        self.0.write(key, 0, &[(RECORD, &write_record(record))]);
    }
}

impl FileCache {
    /// The pack `name` in `dir`; `check` is a second digest of what named
    /// it (a pack whose `check` differs is empty).
    pub fn open(dir: &Path, name: u64, check: u64) -> FileCache {
        let path = dir.join(format!("files-{name:016x}.pack"));
        let old = File::open(&path).ok();
        let index = old.as_ref().and_then(|f| read_index(f, check)).unwrap_or_default();
        let out = Arc::new(Out {
            dir: dir.to_path_buf(),
            check,
            file: Mutex::new(None),
            failed: Default::default(),
            written: Mutex::default(),
        });
        FileCache {
            path,
            old: std::sync::RwLock::new(old),
            index,
            crds: Mutex::default(),
            encoded: Encoded::default(),
            out,
        }
    }

    /// The bytes of each part of a slot, read from the previous pack (in
    /// one read when they lie together, as a run writes them).
    fn parts(&self, slot: &Slot) -> Option<Vec<(u8, Vec<u8>)>> {
        let old = self.old.read().unwrap_or_else(|e| e.into_inner());
        let file = old.as_ref()?;
        let start = slot.parts.iter().map(|p| p.1).min()?;
        let end = slot.parts.iter().map(|p| p.2).max()?;
        let payload: u64 = slot.parts.iter().map(|p| p.2 - p.1).sum();
        if end - start <= payload + MAX_HEADER * slot.parts.len() as u64 {
            let block = read_at(file, start, end - start)?;
            let at = |x: u64| usize::try_from(x - start).ok();
            slot.parts
                .iter()
                .map(|&(kind, s, e)| Some((kind, block.get(at(s)?..at(e)?)?.to_vec())))
                .collect()
        } else {
            slot.parts
                .iter()
                .map(|&(kind, s, e)| Some((kind, read_at(file, s, e - s)?)))
                .collect()
        }
    }

    /// The entry of `key`, if the previous pack has a readable one; `file`
    /// is the file's shown name (its compiled CRDs' origin). What is read
    /// is also written to the new pack, as it was.
    pub fn reuse(&self, key: Key, file: &str) -> Option<Entry> {
        let slot = self.index.get(&key)?;
        let parts = self.parts(slot)?;
        let (mut stream, mut early, mut records) = (None, None, Vec::new());
        for (kind, bytes) in &parts {
            match *kind {
                STREAM => {
                    let mut r = Reader::new(bytes);
                    stream = Some(r.stream().filter(|_| r.is_empty())?);
                }
                EARLY => early = Some(read_early(bytes, file, &self.crds)?),
                _ => records.push(read_record(bytes)?),
            }
        }
        let entry = Entry {
            stream: stream?,
            early: early?,
            records,
        };
        if self.out.first(key) {
            let parts: Vec<(u8, &[u8])> = parts.iter().map(|(k, b)| (*k, &b[..])).collect();
            self.out.write(key, 0, &parts);
        }
        Some(entry)
    }

    /// Writes the documents of `key` (after their CRDs' schemas were cut)
    /// and what their compact load found.
    pub fn put(&self, key: Key, stream: &Stream, early: &Early) {
        if self.out.first(key) {
            let mut w = Writer::new();
            w.stream(stream);
            self.out
                .write(key, 0, &[(STREAM, &w.buf), (EARLY, &write_early(early, &self.encoded))]);
        }
    }

    /// Where the memo's records go.
    pub fn recorder(&self) -> Recorder {
        Recorder(Arc::clone(&self.out))
    }

    /// Carries over the previous pack's files that are not inputs of this
    /// run (`run`: the keys of every input), one run older, until they are
    /// [`MAX_AGE`] runs old: another command's inputs in the same folder.
    /// Earlier versions of this run's inputs are dropped.
    pub fn carry_over(&self, run: &[Key]) {
        let places: std::collections::HashSet<u64> = run.iter().map(|k| k.2).collect();
        let mut carried: Vec<(&Key, &Slot)> = self
            .index
            .iter()
            .filter(|(key, slot)| slot.has(STREAM) && slot.age + 1 < MAX_AGE && !places.contains(&key.2))
            .collect();
        carried.sort_by_key(|(_, slot)| slot.parts.first().map(|p| p.1));
        for (key, slot) in carried {
            if let Some(parts) = self.parts(slot)
                && self.out.first(*key)
            {
                let parts: Vec<(u8, &[u8])> = parts.iter().map(|(k, b)| (*k, &b[..])).collect();
                self.out.write(*key, slot.age + 1, &parts);
            }
        }
    }

    /// Closes the previous pack (every input has been read).
    pub fn release(&self) {
        *self.old.write().unwrap_or_else(|e| e.into_inner()) = None;
        std::mem::take(&mut *self.crds.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Ends the run: the new pack replaces the old one (when anything was
    /// written to it).
    pub fn finish(self) {
        let Some((w, tmp)) = self.out.file.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return;
        };
        let done = w
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|_| std::fs::rename(&tmp, &self.path));
        if done.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return;
        }
        prune_folder(self.path.parent().unwrap_or(Path::new(".")), ".pack", MAX_PACKS);
    }
}

impl Out {
    /// Whether the documents of `key` are not written yet (and now will be).
    fn first(&self, key: Key) -> bool {
        self.written.lock().unwrap_or_else(|e| e.into_inner()).insert(key)
    }

    /// Writes parts of the entry of `key` one after the other (no other
    /// entry between them).
    fn write(&self, key: Key, age: u8, parts: &[(u8, &[u8])]) {
        use std::sync::atomic::Ordering;
        let mut out = self.file.lock().unwrap_or_else(|e| e.into_inner());
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        if out.is_none() {
            *out = self.create().ok();
        }
        let Some((w, tmp)) = out.as_mut() else {
            self.failed.store(true, Ordering::Relaxed);
            return;
        };
        // One header buffer of the largest size: growing a fresh one part
        // by part took 5.6 M instructions of a run after one change.
        let mut head = Writer::new();
        head.buf.reserve(MAX_HEADER as usize);
        for (kind, bytes) in parts {
            head.buf.clear();
            head.fixed64(key.0);
            head.fixed64(key.1);
            head.fixed64(key.2);
            head.u8(*kind);
            head.u8(age);
            head.u64(bytes.len() as u64);
            if w.write_all(&head.buf).and_then(|()| w.write_all(bytes)).is_err() {
                // A full disk, say: the old pack stays as it is.
                let _ = std::fs::remove_file(tmp);
                *out = None;
                self.failed.store(true, Ordering::Relaxed);
                return;
            }
        }
    }

    fn create(&self) -> std::io::Result<(BufWriter<File>, PathBuf)> {
        prepare_folder(&self.dir)?;
        let tmp = self.dir.join(format!(".tmp-{}-files", std::process::id()));
        let mut w = BufWriter::with_capacity(1 << 16, File::create(&tmp)?);
        w.write_all(MAGIC)?;
        w.write_all(&self.check.to_le_bytes())?;
        Ok((w, tmp))
    }
}

/// Makes the cache folder when it is missing, marked as a cache for
/// backup tools (`CACHEDIR.TAG`) and git (a `.gitignore` of `*`).
pub fn prepare_folder(dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        let _ = std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# kvet's caches (see `kvet check --help`, --no-cache)\n",
        );
        let _ = std::fs::write(dir.join(".gitignore"), "*\n");
    }
    Ok(())
}

/// Removes the oldest files named `*{suffix}` in a cache folder beyond
/// `keep`, and the temporary files a run left there more than an hour ago
/// (it was killed before renaming them into place).
pub fn prune_folder(dir: &Path, suffix: &str, keep: usize) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let mut kept: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for e in rd.flatten() {
        let Some(modified) = e.metadata().ok().and_then(|m| m.modified().ok()) else {
            continue;
        };
        let name = e.file_name();
        let name = name.to_string_lossy();
        if name.ends_with(suffix) {
            kept.push((modified, e.path()));
        } else if name.starts_with(".tmp-") && modified < hour_ago {
            let _ = std::fs::remove_file(e.path());
        }
    }
    if kept.len() > keep {
        kept.sort();
        for (_, p) in &kept[..kept.len() - keep] {
            let _ = std::fs::remove_file(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use crate::yaml::{Limits, parse_source};

    fn source(name: &str, text: &str) -> (SourceFile, Key) {
        let s = SourceFile::from_text(name, None, text.to_string());
        let key = Key::of(7, &s, TextDigest::of(text));
        (s, key)
    }

    /// A key is the same in every process (packs are read by later
    /// runs), and tells apart what it digests: the configuration, the
    /// name, the path and the text (the place leaves the text out).
    #[test]
    fn keys_are_stable_and_tell_inputs_apart() {
        let (_, key) = source("a.yaml", "a: 1\n");
        assert_eq!(key, Key(KEY_A.0, KEY_A.1, KEY_A.2), "{key:?}");
        let with = |config: u64, name: &str, path: Option<&str>, text: &str| {
            let s = SourceFile::from_text(name, path.map(PathBuf::from), text.to_string());
            Key::of(config, &s, TextDigest::of(text))
        };
        let base = with(7, "a.yaml", None, "a: 1\n");
        assert_eq!(base, key);
        for other in [
            with(8, "a.yaml", None, "a: 1\n"),
            with(7, "b.yaml", None, "a: 1\n"),
            with(7, "a.yaml", Some("a.yaml"), "a: 1\n"),
        ] {
            assert_ne!((other.0, other.1, other.2), (base.0, base.1, base.2));
        }
        let edited = with(7, "a.yaml", None, "a: 2\n");
        assert_ne!((edited.0, edited.1), (base.0, base.1));
        assert_eq!(edited.2, base.2, "the same place");
    }

    /// [`Key::of`] of `a.yaml` (no path), text `a: 1\n`, configuration 7.
    const KEY_A: (u64, u64, u64) = (5561570580783725533, 3509196145213298449, 13149598970302734123);

    /// One run: the pack's files are read back or written, then the pack
    /// is put in place. Returns which inputs were found.
    fn run(dir: &Path, inputs: &[(&str, &str)]) -> Vec<bool> {
        let cache = FileCache::open(dir, 1, 2);
        let keys: Vec<Key> = inputs.iter().map(|(n, t)| source(n, t).1).collect();
        cache.carry_over(&keys);
        let mut found = Vec::new();
        for ((name, text), key) in inputs.iter().zip(&keys) {
            let stream = parse_source(text, false, Limits::default());
            match cache.reuse(*key, name) {
                Some(e) => {
                    assert_eq!(e.stream, stream);
                    found.push(true);
                }
                None => {
                    cache.put(*key, &stream, &Early::default());
                    found.push(false);
                }
            }
        }
        cache.release();
        cache.finish();
        found
    }

    #[test]
    fn a_pack_keeps_this_runs_files_and_other_commands_files_for_a_while() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dir = &tmp.path().join("cache");
        let (a, b) = (("a.yaml", "a: 1\n"), ("b.yaml", "b: 1\n"));
        assert_eq!(run(dir, &[a, b]), [false, false]);
        assert_eq!(run(dir, &[a, b]), [true, true]);
        // An edited a.yaml is linted again; its earlier version is gone.
        assert_eq!(run(dir, &[("a.yaml", "a: 2\n"), b]), [false, true]);
        assert_eq!(run(dir, &[a]), [false]);
        // Another command (b.yaml only) leaves a.yaml for MAX_AGE runs.
        for _ in 1..MAX_AGE {
            assert_eq!(run(dir, &[b]), [true]);
        }
        assert_eq!(run(dir, &[a]), [true], "kept while younger than MAX_AGE runs");
        for _ in 0..MAX_AGE {
            run(dir, &[b]);
        }
        assert_eq!(run(dir, &[a]), [false], "dropped after MAX_AGE runs unused");
        assert_eq!(
            std::fs::read_dir(dir).map(|rd| rd.count()).unwrap_or(0),
            3,
            "one pack, CACHEDIR.TAG and .gitignore, no temporary file left"
        );
    }

    #[test]
    fn digests_tell_texts_apart() {
        let mut seen = std::collections::HashSet::new();
        let base = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n".repeat(3);
        let mut texts = vec![String::new(), "\0".into(), "\0\0".into(), base.clone()];
        // Every one-byte change, every length around the 32-byte blocks.
        for i in 0..base.len() {
            let mut b = base.clone().into_bytes();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            texts.push(String::from_utf8(b).unwrap_or_default());
        }
        for n in 0..72 {
            texts.push("x".repeat(n));
            texts.push(format!("{}\0", "\0".repeat(n)));
        }
        // Blocks of the two lanes swapped, and a lane's two words swapped.
        let (x, y) = ("0123456789abcdef", "ghijklmnopqrstuv");
        texts.extend([format!("{x}{y}"), format!("{y}{x}"), format!("{y}{x}{x}{y}")]);
        texts.extend([format!("{}{}", &x[8..], &x[..8]), x.to_string()]);
        texts.sort();
        texts.dedup();
        for t in &texts {
            let d = TextDigest::of(t);
            assert!(seen.insert(d.0) && d.0 != d.1, "{t:?}");
        }
        assert_eq!(TextDigest::of(&base), TextDigest::of(&base.clone()));
    }

    /// The same CRD in two files is encoded once (its compiled schemas
    /// are shared), as [`CompiledCrd::encode`] would encode it; another CRD
    /// gets its own bytes.
    #[test]
    fn a_crd_held_in_several_files_is_encoded_once() {
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema-unknown-field/bad-crd.yaml"),
        )
        .unwrap_or_default();
        let cache = crate::schema::crd::SchemaCache::default();
        let compiled = |name: &str, text: &str| {
            let mut stream = parse_source(text, false, Limits::default());
            let source = SourceFile::from_text(name, None, text.to_string());
            let early = crate::compact::context(&source, &mut stream, &cache);
            early
                .objects
                .into_iter()
                .find_map(|o| o.1)
                .unwrap_or_else(|| panic!("{name}: no CRD compiled"))
        };
        let (a, b) = (compiled("a.yaml", &text), compiled("b/a.yaml", &text));
        let other = compiled("c.yaml", &text.replacen("type: string", "type: integer", 1));
        let encoded = Encoded::default();
        let (ea, eb, eo) = (
            a.encode_once(&encoded),
            b.encode_once(&encoded),
            other.encode_once(&encoded),
        );
        assert!(Arc::ptr_eq(&ea, &eb), "encoded once");
        assert_eq!(&ea[..], &a.encode()[..]);
        assert_ne!(&eo[..], &ea[..], "another schema, other bytes");
        assert_eq!(&eo[..], &other.encode()[..]);
    }

    /// The `pack` fuzz target's properties on every fixture (CRDs among
    /// them): a compact load reads back as written, and every cut and
    /// flipped byte of one reads as something or nothing, never a panic.
    #[test]
    fn compact_loads_read_back_and_damaged_parts_never_panic() {
        let fixtures = crate::rules::testing::fixture_texts();
        for (text, json) in &fixtures {
            fuzzing::round_trip(text, *json);
        }
        assert!(fixtures.len() > 200, "the fixtures were read ({})", fixtures.len());
        let text = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schema-unknown-field/bad-crd.yaml"),
        )
        .unwrap_or_default();
        let mut stream = parse_source(&text, false, Limits::default());
        let source = SourceFile::from_text("crd.yaml", None, text.clone());
        let early = crate::compact::context(&source, &mut stream, &crate::schema::crd::SchemaCache::default());
        assert!(
            early.objects.iter().any(|o| o.1.is_some()),
            "the fixture's CRD compiles"
        );
        let bytes = write_early(&early, &Encoded::default());
        let mut scratch = tempfile::tempfile().unwrap_or_else(|e| panic!("{e}"));
        for i in 0..bytes.len() {
            fuzzing::read_parts(&bytes[..i], &mut scratch);
            for flip in [0x01u8, 0x80, 0xff] {
                let mut b = bytes.clone();
                b[i] ^= flip;
                fuzzing::read_parts(&b, &mut scratch);
            }
        }
    }
}
