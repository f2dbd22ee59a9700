//! The result cache of `kvet check`: a run whose inputs, configuration,
//! command line and kvet binary are those of an earlier run, and whose
//! file-system dependencies (what kustomizations read or probed) still
//! answer the same, replays that run's findings instead of linting again.
//!
//! One entry per distinct run, named by a 64-bit digest of what the run
//! depends on; a second, independent digest inside the entry guards against
//! a collision of the first. Entries are written to a temporary file and
//! renamed into place (concurrent runs never see half an entry), and the
//! oldest are removed beyond [`MAX_ENTRIES`]. A cache that cannot be read or
//! written is not an error: the run lints as if there were none.

use std::hash::{Hash, Hasher};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kvet::codec::{Reader, Writer};
use kvet::config::Config;
use kvet::deps::{Dep, Probe};
use kvet::diagnostic::{ObjectMeta, Severity, Summary};
use kvet::filecache::{FileCache, TextDigest, put_framed, put_source};
use kvet::lint::{LintOutput, ObjectRef};
use kvet::source::SourceFile;

/// Entries kept in a cache folder (the oldest beyond it are removed).
pub const MAX_ENTRIES: usize = 32;

/// The entry format; a change makes every older entry a miss.
const MAGIC: &[u8] = b"kvet-result-cache 2\n";

/// The cache folder: `--cache-dir`, `KVET_CACHE_DIR`, `$XDG_CACHE_HOME/kvet`
/// or `~/.cache/kvet`; `None` with `--no-cache` or `KVET_NO_CACHE=1`.
pub fn folder(no_cache: bool, cache_dir: Option<&Path>) -> Option<PathBuf> {
    if no_cache || std::env::var_os("KVET_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0") {
        return None;
    }
    if let Some(d) = cache_dir {
        return Some(d.to_path_buf());
    }
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    env("KVET_CACHE_DIR")
        .or_else(|| env("XDG_CACHE_HOME").map(|d| d.join("kvet")))
        .or_else(|| env("HOME").map(|d| d.join(".cache").join("kvet")))
}

/// What a run depends on, digested twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    name: u64,
    check: u64,
}

/// The key of a run: the kvet binary, the command line and working folder,
/// the `KVET_*` environment, each configuration with the inputs it applies
/// to, every input's name and text, and the files under `--crd`/`crds`
/// paths. `configs` pairs each configuration with the range of `sources`
/// it lints.
pub fn key(sources: &[SourceFile], digests: &[TextDigest], configs: &[(&Config, std::ops::Range<usize>)]) -> Key {
    let mut parts: Vec<u64> = Vec::with_capacity(sources.len() + 16);
    let mut h = hasher();
    MAGIC.hash(&mut h);
    context(&mut h);
    for a in std::env::args_os() {
        a.hash(&mut h);
    }
    for (config, range) in configs {
        kvet::filecache::config_digest(config).hash(&mut h);
        (range.start, range.end).hash(&mut h);
        for crd in &config.crds {
            tree_digest(crd, 0, &mut h);
        }
    }
    parts.push(h.finish());
    // Each input's part: its name, path, load error and text digest,
    // written out (lengths before bytes) and digested with the inputs'
    // own digest, cheaper than SipHash over a path's components.
    let mut buf = Vec::new();
    for (i, s) in sources.iter().enumerate() {
        buf.clear();
        put_source(&mut buf, s);
        let mut put = |b: &[u8]| put_framed(&mut buf, b);
        match &s.load_error {
            Some(e) => {
                put(&[1]);
                put(e.rule.as_bytes());
                put(e.message.as_bytes());
                put(&e.offset.to_le_bytes());
            }
            None => put(&[0]),
        }
        let d = digests.get(i).copied().unwrap_or_default();
        put(&d.0.to_le_bytes());
        put(&d.1.to_le_bytes());
        parts.push(TextDigest::of_bytes(&buf).0);
    }
    let digest = |seed: u8| {
        let mut h = hasher();
        seed.hash(&mut h);
        parts.hash(&mut h);
        h.finish()
    };
    Key {
        name: digest(1),
        check: digest(2),
    }
}

/// What every cached result depends on besides the inputs, configuration
/// and command line: the kvet binary, the working folder and the `KVET_*`
/// environment.
fn context(h: &mut impl Hasher) {
    env!("CARGO_PKG_VERSION").hash(h);
    if let Some(m) = std::env::current_exe().ok().and_then(|p| {
        let m = std::fs::metadata(&p).ok()?;
        Some((p, m.len(), m.modified().ok()))
    }) {
        m.hash(h);
    }
    std::env::current_dir().ok().hash(h);
    let mut env: Vec<_> = std::env::vars_os()
        .filter(|(k, _)| {
            k.to_str()
                .is_some_and(|k| k.starts_with("KVET_") && k != "KVET_CACHE_DIR")
        })
        .collect();
    env.sort();
    env.hash(h);
}

/// The pack of the cache of unchanged files for this working folder
/// ([`kvet::filecache`]).
pub fn files(dir: &Path) -> FileCache {
    let (name, check) = folder_digests(b"kvet-file-cache");
    FileCache::open(dir, name, check)
}

/// The stamps of this working folder's inputs ([`kvet::filecache::Stamps`]).
pub fn stamps(dir: &Path) -> kvet::filecache::Stamps {
    let (name, check) = folder_digests(b"kvet-stamps");
    kvet::filecache::Stamps::open(dir, name, check)
}

/// Two digests of what a working folder's files in the cache depend on
/// besides the inputs ([`context`]), for the store named `what`: one
/// names its file, the other checks it.
fn folder_digests(what: &[u8]) -> (u64, u64) {
    let digest = |seed: u8| {
        let mut h = hasher();
        seed.hash(&mut h);
        what.hash(&mut h);
        context(&mut h);
        h.finish()
    };
    (digest(1), digest(2))
}

fn hasher() -> std::collections::hash_map::DefaultHasher {
    std::collections::hash_map::DefaultHasher::new()
}

/// Names and bytes of every file under `path` (symlinks followed, at most
/// 16 folders deep), in name order.
fn tree_digest(path: &Path, depth: usize, h: &mut impl Hasher) {
    path.hash(h);
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() && depth < 16 => {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|rd| rd.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            entries.sort();
            entries.len().hash(h);
            for e in entries {
                tree_digest(&e, depth + 1, h);
            }
        }
        Ok(m) if m.is_file() => std::fs::read(path).ok().hash(h),
        Ok(_) => 2u8.hash(h),
        Err(_) => 0u8.hash(h),
    }
}

/// A replayed run: its findings, and the warnings it printed; or, when
/// the report asked for was kept ([`report_file`]), that report instead of
/// the findings (`output` is then empty).
pub struct Hit {
    pub output: LintOutput,
    pub warnings: Vec<String>,
    pub report: Option<StoredReport>,
}

/// The report a stored run printed, as it printed it: its file, open,
/// copied out as it is read (a report can be large).
pub struct StoredReport {
    file: std::fs::File,
    len: u64,
    /// The most severe of the run's findings (not suppressed ones): what
    /// the exit code depends on.
    pub max_severity: Option<Severity>,
}

impl StoredReport {
    /// [`StoredReport::write_to`] standard output, from the file straight
    /// to the descriptor: the kernel copies it where it can, with no line
    /// buffering (which cut a 7 MB report into 1,700 writes) and no copy
    /// through kvet's memory. `out` writes to standard output and holds
    /// nothing yet; it is used where there are no file descriptors.
    pub fn write_to_stdout(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        #[cfg(unix)]
        {
            use std::io::{Read, Seek, SeekFrom};
            use std::os::fd::AsFd;
            out.flush()?;
            let mut stdout = std::fs::File::from(std::io::stdout().as_fd().try_clone_to_owned()?);
            self.file.seek(SeekFrom::Start(REPORT_HEAD as u64))?;
            let copied = std::io::copy(&mut (&mut self.file).take(self.len), &mut stdout)?;
            if copied == self.len {
                Ok(())
            } else {
                Err(std::io::Error::other("the kept report was cut while it was read"))
            }
        }
        #[cfg(not(unix))]
        self.write_to(out)
    }

    /// Writes the report to `out`. An error of reading the file (it
    /// changed since it was checked) is an error of writing the report.
    pub fn write_to(&mut self, out: &mut dyn Write) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        self.file.seek(SeekFrom::Start(REPORT_HEAD as u64))?;
        let copied = std::io::copy(&mut (&mut self.file).take(self.len), out)?;
        if copied == self.len {
            Ok(())
        } else {
            Err(std::io::Error::other("the kept report was cut while it was read"))
        }
    }
}

/// A report file's header: magic, the run's check digest, the most
/// severe finding.
const REPORT_HEAD: usize = REPORT_MAGIC.len() + 9;

/// Reports kept in a cache folder: those of the newest runs only (a
/// report is about three times the size of its run's entry).
pub const MAX_REPORTS: usize = 4;

/// The report format; a change makes every older report a miss.
const REPORT_MAGIC: &[u8] = b"kvet-report 1\n";

/// Which report of a run: one with colours or one without (the rest of
/// what shapes it, the format and options, is on the command line).
pub fn report_variant(color: bool) -> u8 {
    u8::from(color)
}

fn report_path(dir: &Path, key: Key, variant: u8) -> PathBuf {
    dir.join(format!("{:016x}-{variant}.report", key.name))
}

fn severity_code(s: Option<Severity>) -> u8 {
    match s {
        None => 0,
        Some(Severity::Info) => 1,
        Some(Severity::Warning) => 2,
        Some(Severity::Error) => 3,
    }
}

/// The report `variant` of the run `key`, if kept whole (its header
/// names the run, and its length at the end is what lies between).
fn report_file(dir: &Path, key: Key, variant: u8) -> Option<StoredReport> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = std::fs::File::open(report_path(dir, key, variant)).ok()?;
    let mut head = [0u8; REPORT_HEAD];
    file.read_exact(&mut head).ok()?;
    let mut r = Reader::new(head.strip_prefix(REPORT_MAGIC)?);
    if r.fixed64()? != key.check {
        return None;
    }
    let max_severity = match r.u8()? {
        0 => None,
        1 => Some(Severity::Info),
        2 => Some(Severity::Warning),
        3 => Some(Severity::Error),
        _ => return None,
    };
    let size = file.metadata().ok()?.len();
    let len = size.checked_sub(REPORT_HEAD as u64 + 8)?;
    let mut tail = [0u8; 8];
    file.seek(SeekFrom::Start(size - 8)).ok()?;
    file.read_exact(&mut tail).ok()?;
    (u64::from_le_bytes(tail) == len).then_some(StoredReport {
        file,
        len,
        max_severity,
    })
}

/// Keeps the report of the run `key` while it is written: a temporary file
/// renamed into place by [`ReportSink::finish`] (never when the report
/// was not written whole). Best effort, as the rest of the cache.
pub struct ReportSink {
    file: std::io::BufWriter<std::fs::File>,
    tmp: PathBuf,
    path: PathBuf,
    dir: PathBuf,
    len: u64,
    failed: bool,
}

impl ReportSink {
    pub fn new(dir: &Path, key: Key, variant: u8, max_severity: Option<Severity>) -> Option<ReportSink> {
        kvet::filecache::prepare_folder(dir).ok()?;
        let tmp = dir.join(format!(".tmp-{}-{:016x}-{variant}", std::process::id(), key.name));
        let file = std::io::BufWriter::new(std::fs::File::create(&tmp).ok()?);
        let mut sink = ReportSink {
            file,
            tmp,
            path: report_path(dir, key, variant),
            dir: dir.to_path_buf(),
            len: 0,
            failed: false,
        };
        let mut head = REPORT_MAGIC.to_vec();
        head.extend_from_slice(&key.check.to_le_bytes());
        head.push(severity_code(max_severity));
        sink.failed = sink.file.write_all(&head).is_err();
        Some(sink)
    }

    /// Keeps `bytes`, the report's next part.
    pub fn keep(&mut self, bytes: &[u8]) {
        if !self.failed {
            self.failed = self.file.write_all(bytes).is_err();
            self.len += bytes.len() as u64;
        }
    }

    /// Puts the report in place (the whole report was written).
    pub fn finish(mut self) {
        let ok = !self.failed
            && self.file.write_all(&self.len.to_le_bytes()).is_ok()
            && self.file.flush().is_ok()
            && std::fs::rename(&self.tmp, &self.path).is_ok();
        if ok {
            kvet::filecache::prune_folder(&self.dir, ".report", MAX_REPORTS);
        } else {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

impl Drop for ReportSink {
    fn drop(&mut self) {
        // Not finished (or finished): a temporary file left is removed.
        let _ = std::fs::remove_file(&self.tmp);
    }
}

fn entry_path(dir: &Path, key: Key) -> PathBuf {
    dir.join(format!("{:016x}.bin", key.name))
}

/// The run stored under `key`, if its dependencies still hold: its
/// report `variant` when that was kept, else its findings.
pub fn load(dir: &Path, key: Key, variant: Option<u8>) -> Option<Hit> {
    use std::io::Read;
    // A replay with a kept report needs only the entry's head (its
    // dependencies and warnings): that is read first, the rest (2.4 MB
    // for the corpus) only when the findings are needed.
    const HEAD: u64 = 64 * 1024;
    let mut file = std::fs::File::open(entry_path(dir, key)).ok()?;
    let mut bytes = Vec::new();
    (&mut file).take(HEAD).read_to_end(&mut bytes).ok()?;
    let whole = (bytes.len() as u64) < HEAD;
    let (deps, warnings, at) = match entry_head(&bytes, key) {
        Some(head) => head,
        None if !whole => {
            file.read_to_end(&mut bytes).ok()?;
            entry_head(&bytes, key)?
        }
        None => return None,
    };
    if !deps.iter().all(Dep::still_holds) {
        return None;
    }
    if let Some(report) = variant.and_then(|v| report_file(dir, key, v)) {
        return Some(Hit {
            output: LintOutput::default(),
            warnings,
            report: Some(report),
        });
    }
    if !whole {
        file.read_to_end(&mut bytes).ok()?;
    }
    let mut r = Reader::new(bytes.get(at..)?);
    let metas = r.seq(|r| r.meta().map(Arc::new))?;
    let meta = |r: &mut Reader| metas.get(r.u32()? as usize).cloned();
    let summary = Summary {
        files: r.u64()? as usize,
        objects: r.u64()? as usize,
        errors: r.u64()? as usize,
        warnings: r.u64()? as usize,
        infos: r.u64()? as usize,
        suppressed: r.u64()? as usize,
    };
    let objects = r.seq(|r| {
        Some(ObjectRef {
            file: r.u32()?,
            span: r.span()?,
            meta: meta(r)?,
        })
    })?;
    let diagnostics = r.seq(|r| r.diagnostic(&meta))?;
    let suppressed = r.seq(|r| r.diagnostic(&meta))?;
    r.is_empty().then_some(Hit {
        output: LintOutput {
            objects,
            diagnostics,
            suppressed,
            summary,
        },
        warnings,
        report: None,
    })
}

/// An entry's head: the run's dependencies and warnings, and where the
/// rest starts; `None` when `bytes` do not hold all of it (or are not an
/// entry of `key`).
fn entry_head(bytes: &[u8], key: Key) -> Option<(Vec<Dep>, Vec<String>, usize)> {
    let mut r = Reader::new(bytes.strip_prefix(MAGIC)?);
    if r.fixed64()? != key.check {
        return None;
    }
    let deps = r.seq(|r| {
        let path = PathBuf::from(r.str()?);
        let probe = match r.u8()? {
            0 => Probe::Kind,
            1 => Probe::Content,
            2 => Probe::Canonical,
            _ => return None,
        };
        Some(Dep {
            path,
            probe,
            digest: r.fixed64()?,
        })
    })?;
    let warnings = r.seq(Reader::string)?;
    Some((deps, warnings, bytes.len() - r.data.len()))
}

/// Stores a run (best effort: a cache that cannot be written is skipped).
pub fn store(dir: &Path, key: Key, output: &LintOutput, warnings: &[String], deps: &[Dep]) {
    let mut w = Writer::new();
    w.buf.extend_from_slice(MAGIC);
    w.fixed64(key.check);
    w.seq(deps, |w, d| {
        w.str(&d.path.to_string_lossy());
        w.u8(d.probe as u8);
        w.fixed64(d.digest);
    });
    w.seq(warnings, |w, s| w.str(s));
    // Object identities are shared between findings: stored once each.
    let mut index: kvet::hash::Map<*const ObjectMeta, u32> = Default::default();
    let mut metas: Vec<&Arc<ObjectMeta>> = Vec::new();
    let all = output.objects.iter().map(|o| &o.meta).chain(
        output
            .diagnostics
            .iter()
            .chain(&output.suppressed)
            .filter_map(|d| d.object.as_ref()),
    );
    for m in all {
        index.entry(Arc::as_ptr(m)).or_insert_with(|| {
            metas.push(m);
            metas.len() as u32 - 1
        });
    }
    w.seq(&metas, |w, m| w.meta(m));
    let s = &output.summary;
    for n in [s.files, s.objects, s.errors, s.warnings, s.infos, s.suppressed] {
        w.u64(n as u64);
    }
    let meta_index = |m: &Arc<ObjectMeta>| index.get(&Arc::as_ptr(m)).copied().unwrap_or(0);
    w.seq(&output.objects, |w, o| {
        w.u32(o.file);
        w.span(o.span);
        w.u32(meta_index(&o.meta));
    });
    let meta = |w: &mut Writer, m: &Arc<ObjectMeta>| w.u32(meta_index(m));
    w.seq(&output.diagnostics, |w, d| w.diagnostic(d, &meta));
    w.seq(&output.suppressed, |w, d| w.diagnostic(d, &meta));
    if write_entry(dir, key, &w.buf).is_ok() {
        kvet::filecache::prune_folder(dir, ".bin", MAX_ENTRIES);
    }
}

fn write_entry(dir: &Path, key: Key, bytes: &[u8]) -> std::io::Result<()> {
    kvet::filecache::prepare_folder(dir)?;
    let tmp = dir.join(format!(".tmp-{}-{:016x}", std::process::id(), key.name));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, entry_path(dir, key)).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use kvet::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
    use kvet::yaml::Span;

    fn sample() -> LintOutput {
        let meta = Arc::new(ObjectMeta {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: Some("web".into()),
            namespace: None,
        });
        let mut d = Diagnostic::new(
            "requests-missing",
            Severity::Warning,
            1,
            Span::new(3, 9),
            "no requests".to_string(),
        )
        .with_help("set them")
        .with_label(Span::new(0, 2), "here");
        d.object = Some(meta.clone());
        d.fix = Some(Fix {
            title: "t".into(),
            applicability: Applicability::Unsafe,
            edits: vec![Edit {
                file: 1,
                span: Span::new(3, 4),
                replacement: "é".into(),
            }],
        });
        let mut summary = Summary::default();
        summary.count(std::slice::from_ref(&d));
        summary.files = 2;
        LintOutput {
            objects: vec![ObjectRef {
                file: 1,
                span: Span::new(0, 20),
                meta,
            }],
            diagnostics: vec![d.clone()],
            suppressed: vec![Diagnostic::new("x", Severity::Error, 0, Span::new(1, 1), String::new())],
            summary,
        }
    }

    #[test]
    fn an_entry_replays_what_was_stored_until_a_dependency_changes() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let dep_file = dir.path().join("base.yaml");
        std::fs::write(&dep_file, "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        let key = Key { name: 7, check: 9 };
        let out = sample();
        let deps = [Dep::now(dep_file.clone(), Probe::Content)];
        store(dir.path(), key, &out, &["w".to_string()], &deps);
        let hit = load(dir.path(), key, None).unwrap_or_else(|| panic!("a miss"));
        assert_eq!(hit.warnings, ["w"]);
        assert_eq!(hit.output.diagnostics, out.diagnostics);
        assert_eq!(hit.output.suppressed, out.suppressed);
        assert_eq!(hit.output.summary, out.summary);
        assert_eq!(hit.output.objects.len(), 1);
        assert_eq!(hit.output.objects[0].meta, out.objects[0].meta);
        assert!(
            load(dir.path(), Key { name: 7, check: 8 }, None).is_none(),
            "the second digest differs"
        );
        std::fs::write(&dep_file, "a: 2\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), key, None).is_none(), "a dependency changed");
    }

    #[test]
    fn an_entry_whose_head_is_longer_than_the_first_read_is_read_whole() {
        // Warnings and dependencies past the 64 KB read first.
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let key = Key { name: 3, check: 4 };
        let out = sample();
        let warnings: Vec<String> = (0..3000).map(|i| format!("warning {i}: {}", "x".repeat(40))).collect();
        let deps: Vec<Dep> = (0..500)
            .map(|i| Dep::now(dir.path().join(format!("missing-{i}.yaml")), Probe::Kind))
            .collect();
        store(dir.path(), key, &out, &warnings, &deps);
        assert!(std::fs::metadata(entry_path(dir.path(), key)).map_or(0, |m| m.len()) > 128 * 1024);
        let hit = load(dir.path(), key, None).unwrap_or_else(|| panic!("a miss"));
        assert_eq!(hit.warnings, warnings);
        assert_eq!(hit.output.diagnostics, out.diagnostics);
        // A dependency past the first read still counts.
        std::fs::write(dir.path().join("missing-499.yaml"), "a: 1\n").unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), key, None).is_none(), "a dependency changed");
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let key = Key { name: 1, check: 2 };
        store(dir.path(), key, &sample(), &[], &[]);
        let path = entry_path(dir.path(), key);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        for cut in [0, MAGIC.len() + 3, bytes.len() / 2, bytes.len() - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap_or_else(|e| panic!("{e}"));
            assert!(load(dir.path(), key, None).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        std::fs::write(&path, &longer).unwrap_or_else(|e| panic!("{e}"));
        assert!(load(dir.path(), key, None).is_none(), "trailing bytes");
    }

    #[test]
    fn a_report_is_kept_whole_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let key = Key { name: 3, check: 4 };
        let sink = |severity| ReportSink::new(dir.path(), key, 1, severity).unwrap_or_else(|| panic!("no sink"));
        // Dropped before `finish` (the report was not written whole):
        // nothing is kept, no temporary file is left.
        let mut s = sink(None);
        s.keep(b"half");
        drop(s);
        assert!(report_file(dir.path(), key, 1).is_none());
        let leftover = std::fs::read_dir(dir.path())
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(leftover, 0);
        let mut s = sink(Some(Severity::Warning));
        s.keep(b"{\n  \"a\": ");
        s.keep(b"1\n}\n");
        s.finish();
        let mut kept = report_file(dir.path(), key, 1).unwrap_or_else(|| panic!("not kept"));
        let mut printed = Vec::new();
        kept.write_to(&mut printed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(printed, b"{\n  \"a\": 1\n}\n");
        assert_eq!(kept.max_severity, Some(Severity::Warning));
        assert!(report_file(dir.path(), key, 0).is_none(), "the other variant");
        assert!(
            report_file(dir.path(), Key { name: 3, check: 5 }, 1).is_none(),
            "another check"
        );
        let path = report_path(dir.path(), key, 1);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
        for cut in 0..bytes.len() {
            std::fs::write(&path, &bytes[..cut]).unwrap_or_else(|e| panic!("{e}"));
            assert!(report_file(dir.path(), key, 1).is_none(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.insert(REPORT_HEAD, b' ');
        std::fs::write(&path, &longer).unwrap_or_else(|e| panic!("{e}"));
        assert!(report_file(dir.path(), key, 1).is_none(), "a byte more");
        let mut bad = bytes;
        bad[REPORT_MAGIC.len() + 8] = 9;
        std::fs::write(&path, &bad).unwrap_or_else(|e| panic!("{e}"));
        assert!(report_file(dir.path(), key, 1).is_none(), "no such severity");
    }

    #[test]
    fn old_entries_are_pruned() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        for i in 0..(MAX_ENTRIES as u64 + 5) {
            store(dir.path(), Key { name: i, check: i }, &LintOutput::default(), &[], &[]);
        }
        let bins = std::fs::read_dir(dir.path())
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().extension().is_some_and(|x| x == "bin"))
                    .count()
            })
            .unwrap_or(0);
        assert_eq!(bins, MAX_ENTRIES);
    }
}
