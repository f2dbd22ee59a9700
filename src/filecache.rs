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
//! own checks are skipped. Custom resources (their findings depend on the
//! run's CRDs) and custom pod templates are checked every run: the memo
//! never keeps them.
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

use std::collections::HashMap;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::codec::{Reader, Writer};
use crate::compact::Early;
use crate::diagnostic::ObjectMeta;
use crate::memo::{Pass, Record};
use crate::schema::crd::CompiledCrd;
use crate::source::SourceFile;
use crate::yaml::Stream;

/// The pack format; a change makes every older pack empty.
const MAGIC: &[u8] = b"kvet-file-cache 3\n";

/// Runs an entry survives in its pack without being used.
pub const MAX_AGE: u8 = 4;

/// Packs kept in a cache folder (one per working folder; the oldest beyond
/// it are removed).
pub const MAX_PACKS: usize = 8;

/// A file's text, digested: the identity of its content for the caches.
///
/// Two 64-bit lanes, each folding 16 bytes at a time through a 64x64-bit
/// multiplication (the high and low halves xored), with different
/// constants and the words in swapped roles; then each lane is folded with
/// the other. About 0.8 instructions per byte, a quarter of SipHash's (the
/// digest of every input is taken on every run). Each constant has a byte
/// 0xff, which valid UTF-8 never has, so no text can zero a factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TextDigest(pub u64, pub u64);

const P: [u64; 6] = [
    0xa076_1dff_78bd_642f,
    0xe703_7ed1_a0ff_28db,
    0x8ebc_ff0f_9c88_c6e3,
    0x58ff_65cc_7537_4cc3,
    0x1d8e_4e27_c47d_12ff,
    0xff23_9b96_1f7d_4a53,
];

#[inline]
fn fold(a: u64, b: u64) -> u64 {
    let r = u128::from(a) * u128::from(b);
    (r as u64) ^ ((r >> 64) as u64)
}

impl TextDigest {
    pub fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let n = bytes.len() as u64;
        let (mut h1, mut h2) = (P[0] ^ n, P[1] ^ n.rotate_left(29));
        let word = |c: &[u8]| c.try_into().map_or(0, u64::from_le_bytes);
        let mut chunks = bytes.chunks_exact(16);
        for c in &mut chunks {
            let (a, b) = (word(&c[..8]), word(&c[8..]));
            h1 = fold(a ^ h1 ^ P[2], b ^ P[3]);
            h2 = fold(b ^ h2 ^ P[4], a ^ P[5]);
        }
        let mut tail = [0u8; 16];
        let rest = chunks.remainder();
        tail[..rest.len()].copy_from_slice(rest);
        let (a, b) = (word(&tail[..8]), word(&tail[8..]));
        h1 = fold(a ^ h1 ^ P[2], b ^ P[3]);
        h2 = fold(b ^ h2 ^ P[4], a ^ P[5]);
        TextDigest(fold(h1 ^ P[0], h2 ^ P[3]), fold(h2 ^ P[1], h1 ^ P[5]))
    }
}

/// An entry's identity: its file's content, name and configuration
/// digested twice, and its place (the same without the content: another
/// version of the same input has the same place).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(u64, u64, u64);

impl Key {
    /// The entry of `source` (whose text digests to `text`) linted with the
    /// configuration digested as `config`.
    pub fn of(config: u64, source: &SourceFile, text: TextDigest) -> Self {
        let digest = |seed: u8, text: Option<TextDigest>| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            seed.hash(&mut h);
            config.hash(&mut h);
            source.name.hash(&mut h);
            source.path.hash(&mut h);
            source.looks_like_json().hash(&mut h);
            text.hash(&mut h);
            h.finish()
        };
        Key(digest(1, Some(text)), digest(2, Some(text)), digest(3, None))
    }
}

/// A configuration's digest, for [`Key::of`].
pub fn config_digest(config: &crate::config::Config) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    format!("{config:?}").hash(&mut h);
    h.finish()
}

/// An entry read back.
pub struct Entry {
    /// The documents, after the CRDs' schemas were cut from them.
    pub stream: Stream,
    /// What the compact load found besides them (its CRDs compiled).
    pub early: Early,
    pub records: Vec<Record>,
}

/// Where a file's entry is in the previous pack.
#[derive(Debug, Default)]
struct Slot {
    age: u8,
    stream: Option<(usize, usize)>,
    early: Option<(usize, usize)>,
    records: Vec<(usize, usize)>,
}

/// What a pack holds: a file's documents, one of its memo records, or
/// what its compact load found besides the documents.
const STREAM: u8 = 0;
const RECORD: u8 = 1;
const EARLY: u8 = 2;

/// The pack of a working folder: read when a run starts, written as the
/// run goes (each entry as it is made or used, so that nothing is held
/// for it) and put in place when the run ends.
pub struct FileCache {
    path: PathBuf,
    /// The previous pack's bytes (released once every file is read), and
    /// where each file's entry is in them.
    data: std::sync::RwLock<Vec<u8>>,
    index: HashMap<Key, Slot>,
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
    written: Mutex<std::collections::HashSet<Key>>,
}

/// A handle that writes memo records to the pack being written (it can
/// outlive a borrow of the [`FileCache`]: a memo's sink holds it).
#[derive(Clone)]
pub struct Recorder(Arc<Out>);

impl Recorder {
    /// Writes a memo record of the file `key`.
    pub fn put(&self, key: Key, record: &Record) {
        let mut w = Writer::new();
        w.u8(record.pass as u8);
        w.u8(u8::from(record.item));
        w.u32(record.base);
        w.u32(record.len);
        w.seq(&record.diags, |w, d| w.diagnostic(d, &|_, _| {}));
        self.0.write(key, RECORD, 0, &w.buf);
    }
}

impl FileCache {
    /// The pack `name` in `dir`; `check` is a second digest of what named
    /// it (a pack whose `check` differs is empty).
    pub fn open(dir: &Path, name: u64, check: u64) -> FileCache {
        let path = dir.join(format!("files-{name:016x}.pack"));
        let data = std::fs::read(&path).unwrap_or_default();
        let index = read_index(&data, check).unwrap_or_default();
        let out = Arc::new(Out {
            dir: dir.to_path_buf(),
            check,
            file: Mutex::new(None),
            failed: Default::default(),
            written: Mutex::default(),
        });
        FileCache {
            path,
            data: std::sync::RwLock::new(data),
            index,
            out,
        }
    }

    /// How many files the previous pack holds.
    pub fn len(&self) -> usize {
        self.index.values().filter(|s| s.stream.is_some()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The entry of `key`, if the previous pack has a readable one; `file`
    /// is the file's shown name (its compiled CRDs' origin).
    pub fn get(&self, key: Key, file: &str) -> Option<Entry> {
        let slot = self.index.get(&key)?;
        let (start, end) = slot.stream?;
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        let mut r = Reader::new(data.get(start..end)?);
        let stream = r.stream()?;
        if !r.is_empty() {
            return None;
        }
        let (start, end) = slot.early?;
        let early = read_early(data.get(start..end)?, file)?;
        let records = slot
            .records
            .iter()
            .map(|&(start, end)| read_record(data.get(start..end)?))
            .collect::<Option<Vec<Record>>>()?;
        Some(Entry { stream, early, records })
    }

    /// Keeps the previous pack's documents of `key` (and what their load
    /// found) as they were.
    pub fn keep(&self, key: Key) {
        let Some(slot) = self.index.get(&key) else { return };
        let (Some(stream), Some(early)) = (slot.stream, slot.early) else {
            return;
        };
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        if let (Some(s), Some(e)) = (data.get(stream.0..stream.1), data.get(early.0..early.1))
            && self.first(key)
        {
            self.write(key, STREAM, 0, s);
            self.write(key, EARLY, 0, e);
        }
    }

    /// Writes the documents of `key` (after their CRDs' schemas were cut)
    /// and what their compact load found.
    pub fn put(&self, key: Key, stream: &Stream, early: &Early) {
        if self.first(key) {
            let mut w = Writer::new();
            w.stream(stream);
            self.write(key, STREAM, 0, &w.buf);
            self.write(key, EARLY, 0, &write_early(early));
        }
    }

    /// Where the memo's records go.
    pub fn recorder(&self) -> Recorder {
        Recorder(Arc::clone(&self.out))
    }

    fn first(&self, key: Key) -> bool {
        self.out.first(key)
    }

    fn write(&self, key: Key, kind: u8, age: u8, bytes: &[u8]) {
        self.out.write(key, kind, age, bytes);
    }

    /// Carries over the previous pack's files that are not inputs of this
    /// run (`run`: the keys of every input), one run older, until they are
    /// [`MAX_AGE`] runs old: another command's inputs in the same folder.
    /// Earlier versions of this run's inputs are dropped.
    pub fn carry_over(&self, run: &[Key]) {
        let places: std::collections::HashSet<u64> = run.iter().map(|k| k.2).collect();
        let data = self.data.read().unwrap_or_else(|e| e.into_inner());
        let mut carried: Vec<(&Key, &Slot)> = self
            .index
            .iter()
            .filter(|(key, slot)| slot.stream.is_some() && slot.age + 1 < MAX_AGE && !places.contains(&key.2))
            .collect();
        carried.sort_by_key(|(_, slot)| slot.stream);
        for (key, slot) in carried {
            if !self.first(*key) {
                continue;
            }
            let ranges = slot
                .stream
                .iter()
                .map(|r| (STREAM, r))
                .chain(slot.early.iter().map(|r| (EARLY, r)))
                .chain(slot.records.iter().map(|r| (RECORD, r)));
            for (kind, &(start, end)) in ranges {
                if let Some(bytes) = data.get(start..end) {
                    self.write(*key, kind, slot.age + 1, bytes);
                }
            }
        }
    }

    /// Frees the previous pack's bytes (every input has been read).
    pub fn release(&self) {
        std::mem::take(&mut *self.data.write().unwrap_or_else(|e| e.into_inner()));
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

    fn write(&self, key: Key, kind: u8, age: u8, bytes: &[u8]) {
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
        let mut head = Writer::new();
        head.fixed64(key.0);
        head.fixed64(key.1);
        head.fixed64(key.2);
        head.u8(kind);
        head.u8(age);
        head.u64(bytes.len() as u64);
        if w.write_all(&head.buf).and_then(|()| w.write_all(bytes)).is_err() {
            // A full disk, say: the old pack stays as it is.
            let _ = std::fs::remove_file(tmp);
            *out = None;
            self.failed.store(true, Ordering::Relaxed);
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

/// A compact load's findings, CRDs and placeholders; the findings' object
/// is one of the CRDs' (by index) or written out.
fn write_early(early: &Early) -> Vec<u8> {
    let mut w = Writer::new();
    let metas: Vec<&Arc<ObjectMeta>> = early.objects.iter().map(|(_, _, m)| m).collect();
    w.seq(&early.objects, |w, (start, compiled, meta)| {
        w.u32(*start);
        w.opt(compiled.as_ref(), |w, c| {
            let (group, kind) = c.defines();
            w.str(group);
            w.str(kind);
            w.bytes(&c.encode());
        });
        w.meta(meta);
    });
    w.seq(&early.findings, |w, d| {
        w.diagnostic(d, &|w, m| match metas.iter().position(|x| Arc::ptr_eq(x, m)) {
            Some(i) => w.u32(i as u32),
            None => {
                w.u32(u32::MAX);
                w.meta(m);
            }
        })
    });
    w.seq(&early.placeholders, |w, (span, text)| {
        w.span(*span);
        w.str(text);
    });
    w.buf
}

fn read_early(bytes: &[u8], file: &str) -> Option<Early> {
    let mut r = Reader::new(bytes);
    let objects = r.seq(|r| {
        let start = r.u32()?;
        let compiled = r.opt(|r| {
            let (group, kind) = (r.str()?, r.str()?);
            CompiledCrd::decode(r.bytes()?, group, kind, file)
        })?;
        Some((start, compiled, Arc::new(r.meta()?)))
    })?;
    let findings = r.seq(|r| {
        r.diagnostic(&|r| match r.u32()? {
            u32::MAX => r.meta().map(Arc::new),
            i => objects.get(i as usize).map(|(_, _, m)| Arc::clone(m)),
        })
    })?;
    let placeholders = r.seq(|r| Some((r.span()?, r.string()?)))?;
    r.is_empty().then_some(Early {
        findings,
        objects,
        placeholders,
    })
}

fn read_record(bytes: &[u8]) -> Option<Record> {
    let mut r = Reader::new(bytes);
    let pass = Pass::from_u8(r.u8()?)?;
    let item = r.u8()? == 1;
    let base = r.u32()?;
    let len = r.u32()?;
    let diags = r.seq(|r| r.diagnostic(&|_| Some(placeholder_meta())))?;
    r.is_empty().then_some(Record {
        pass,
        item,
        base,
        len,
        diags,
    })
}

/// Where each file's entries are in a pack, up to its last whole entry (a
/// pack cut short keeps what it has).
fn read_index(data: &[u8], check: u64) -> Option<HashMap<Key, Slot>> {
    let mut r = Reader::new(data.strip_prefix(MAGIC)?);
    if r.fixed64()? != check {
        return None;
    }
    let mut index: HashMap<Key, Slot> = HashMap::new();
    while !r.is_empty() {
        let Some((key, kind, age, bytes)) = (|| {
            let key = Key(r.fixed64()?, r.fixed64()?, r.fixed64()?);
            let kind = r.u8()?;
            let age = r.u8()?;
            let bytes = r.bytes()?;
            Some((key, kind, age, bytes))
        })() else {
            break;
        };
        let start = bytes.as_ptr() as usize - data.as_ptr() as usize;
        let range = (start, start + bytes.len());
        let slot = index.entry(key).or_default();
        slot.age = age;
        match kind {
            STREAM => slot.stream = Some(range),
            EARLY => slot.early = Some(range),
            RECORD => slot.records.push(range),
            _ => {}
        }
    }
    Some(index)
}

/// The object a cached finding names: replaced by the object checked when
/// the memo hands the finding out.
fn placeholder_meta() -> std::sync::Arc<crate::diagnostic::ObjectMeta> {
    static META: std::sync::OnceLock<std::sync::Arc<crate::diagnostic::ObjectMeta>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(META.get_or_init(Default::default))
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
    use crate::yaml::{Limits, parse_source};

    fn source(name: &str, text: &str) -> (SourceFile, Key) {
        let s = SourceFile::from_text(name, None, text.to_string());
        let key = Key::of(7, &s, TextDigest::of(text));
        (s, key)
    }

    /// One run: the pack's files are read back or written, then the pack
    /// is put in place. Returns which inputs were found.
    fn run(dir: &Path, inputs: &[(&str, &str)]) -> Vec<bool> {
        let cache = FileCache::open(dir, 1, 2);
        let keys: Vec<Key> = inputs.iter().map(|(n, t)| source(n, t).1).collect();
        cache.carry_over(&keys);
        let mut found = Vec::new();
        for ((name, text), key) in inputs.iter().zip(&keys) {
            let stream = parse_source(text, false, Limits::default());
            match cache.get(*key, name) {
                Some(e) => {
                    assert_eq!(e.stream, stream);
                    cache.keep(*key);
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
        // Every one-byte change, every length around the 16-byte blocks.
        for i in 0..base.len() {
            let mut b = base.clone().into_bytes();
            b[i] = if b[i] == b'a' { b'b' } else { b'a' };
            texts.push(String::from_utf8(b).unwrap_or_default());
        }
        for n in 0..40 {
            texts.push("x".repeat(n));
            texts.push(format!("{}\0", "\0".repeat(n)));
        }
        texts.sort();
        texts.dedup();
        for t in &texts {
            let d = TextDigest::of(t);
            assert!(seen.insert(d.0) && d.0 != d.1, "{t:?}");
        }
        assert_eq!(TextDigest::of(&base), TextDigest::of(&base.clone()));
    }
}
