//! Findings of objects whose text did not change, kept between the
//! language server's lints (an edit re-checks the objects it touched, not
//! the whole document).
//!
//! An object's own checks (its rules, its schema) read the object and the
//! run's configuration. For an object of a built-in Kubernetes API group
//! that is not a custom pod template, nothing else: the same text in the
//! same file gives the same findings, moved by as many bytes as the object
//! moved. The key is the file's name and the object's whole lines, from
//! the start of its first line to the end of its last (a trailing comment
//! and the line break included), compared in full (a hash only finds the
//! entry); the findings are stored relative to that start. Custom resources
//! (their CRD may be in another file; but see the cache of unchanged files
//! below) and findings that reach outside those lines or into another file
//! are never kept.
//!
//! A memo holds what the last two lints used: entries that no lint asked
//! for since are dropped, so it stays the size of the open documents.
//! It belongs to one configuration: a new configuration needs a new memo.
//! `tests/lsp_focus.rs` checks that a lint with a memo, of the same text
//! and of shifted text, finds what a lint without one finds.
//!
//! `kvet check`'s cache of unchanged files ([`crate::filecache`]) uses a
//! persisting memo ([`ObjectMemo::persisting`]) for one lint: it takes in
//! the [`Record`]s of the files found unchanged (known by their place in
//! the file, since the whole file is the same), hands each new entry to a
//! sink that writes it to the next pack, and keeps nothing of its own. A
//! finding handed out names the object checked. That memo also keeps the
//! schema findings of custom resources (and custom pod templates), each
//! record marked with a digest of everything their CRDs come from
//! ([`ObjectMemo::set_crds`]): the names and texts of the run's files that
//! hold a CRD. A record is used only when that digest is the run's, so a
//! changed CRD file checks every custom resource again.

use crate::hash::Map;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::diagnostic::Diagnostic;
use crate::model::Object;
use crate::source::SourceFile;
use crate::yaml::Span;

/// Which of an object's checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Pass {
    Rules = 0,
    Schema = 1,
}

impl Pass {
    pub fn from_u8(v: u8) -> Option<Pass> {
        [Pass::Rules, Pass::Schema].into_iter().find(|p| *p as u8 == v)
    }
}

/// What an entry was computed from, compared in full on every hit (the
/// hash only finds the entry).
struct Stored {
    name: Box<str>,
    item: bool,
    pass: Pass,
    dep: u64,
    text: Box<str>,
    diags: Vec<Diagnostic>,
}

/// An entry of the memo as the cache of unchanged files keeps it
/// (`crate::filecache`): that cache compares the whole file, so an object
/// is known by where its lines are in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub pass: Pass,
    pub item: bool,
    /// The object's whole lines in the file: `base..base + len`.
    pub base: u32,
    pub len: u32,
    /// What the findings depend on besides those lines: for a custom
    /// resource, the digest of the run's CRDs ([`ObjectMemo::set_crds`]);
    /// 0 for an object of a built-in kind.
    pub dep: u64,
    /// Findings relative to `base`; their object (when they name one) is
    /// the object checked, whatever this says.
    pub diags: Vec<Diagnostic>,
}

/// An object's identity for the memo, borrowed from the lint.
struct Ident<'t> {
    name: &'t str,
    item: bool,
    pass: Pass,
    text: &'t str,
    /// The offset the stored findings are relative to: the start of the
    /// object's first line.
    base: u32,
    dep: u64,
}

impl Ident<'_> {
    fn is(&self, s: &Stored) -> bool {
        s.pass == self.pass
            && s.item == self.item
            && s.dep == self.dep
            && *s.name == *self.name
            && *s.text == *self.text
    }

    /// The key of its entry (which is then compared in full).
    fn hash(&self) -> u64 {
        use std::hash::BuildHasher;
        crate::hash::Seeded::default().hash_one((self.text, self.name, self.item, self.pass, self.dep))
    }

    fn record(&self, diags: Vec<Diagnostic>) -> Record {
        Record {
            pass: self.pass,
            item: self.item,
            base: self.base,
            len: self.text.len() as u32,
            dep: self.dep,
            diags,
        }
    }
}

/// Where an object's [`Record`] is: its file, where its lines start, the
/// pass, and whether it is a List item.
type Place = (crate::source::FileId, u32, Pass, bool);

/// Where a memo made for the cache of unchanged files sends its entries.
pub type Sink = Box<dyn Fn(crate::source::FileId, &Record) + Send + Sync>;

#[derive(Default)]
struct Generations {
    current: Map<u64, Stored>,
    previous: Map<u64, Stored>,
    /// Taken in from the cache of unchanged files: (length, dep, findings).
    imported: Map<Place, (u32, u64, Vec<Diagnostic>)>,
}

/// Findings of unchanged objects, between lints.
#[derive(Default)]
pub struct ObjectMemo {
    entries: Mutex<Generations>,
    hits: AtomicUsize,
    /// For the cache of unchanged files: every entry the lint makes goes
    /// to the sink instead of staying in memory.
    sink: Option<Sink>,
    /// The digest of what the run's CRDs come from, when the lint's owner
    /// set it: custom resources' findings are kept only then.
    crds: std::sync::OnceLock<u64>,
}

impl ObjectMemo {
    /// A memo for one lint whose entries go to `sink` (the cache of
    /// unchanged files writes them out): it hands out the entries taken in
    /// with [`ObjectMemo::import`] and keeps none of its own.
    pub fn persisting(sink: Sink) -> Self {
        ObjectMemo {
            sink: Some(sink),
            ..ObjectMemo::default()
        }
    }

    /// Lets the memo keep the schema findings of custom resources and
    /// custom pod templates, marked with `digest`: a digest of everything
    /// the lint's CRDs come from (set before the lint's checks; a second
    /// call is ignored). Only the cache of unchanged files sets it.
    pub fn set_crds(&self, digest: u64) {
        let _ = self.crds.set(digest);
    }

    /// Starts a lint: entries the previous lint did not use are dropped.
    pub fn next_lint(&self) {
        let mut g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        g.previous = std::mem::take(&mut g.current);
    }

    /// How many times findings came from the memo.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }

    /// The object's findings of `pass`: from the memo when its text was
    /// seen, else from `check` (and kept when they can be).
    pub fn findings(
        &self,
        object: &Object,
        sources: &[SourceFile],
        pass: Pass,
        check: impl FnOnce() -> Vec<Diagnostic>,
    ) -> Vec<Diagnostic> {
        let Some(id) = ident(object, sources, pass, self.crds.get().copied()) else {
            return check();
        };
        let found = if self.sink.is_some() {
            // The file is unchanged since the record was made: the same
            // place and length is the same text. (Its records are already
            // in the next pack: the cache copied them with the file.)
            let place = (object.file, id.base, pass, id.item);
            let mut g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            let found = g.imported.remove(&place);
            drop(g);
            found
                .filter(|(len, dep, _)| *len as usize == id.text.len() && *dep == id.dep)
                .map(|(_, _, diags)| diags)
        } else {
            let hash = id.hash();
            let mut g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            match g.current.get(&hash).filter(|s| id.is(s)) {
                Some(s) => Some(s.diags.clone()),
                None => match g.previous.remove(&hash).filter(|s| id.is(s)) {
                    Some(s) => {
                        let diags = s.diags.clone();
                        g.current.insert(hash, s);
                        Some(diags)
                    }
                    None => None,
                },
            }
        };
        if let Some(relative) = found {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return relative
                .into_iter()
                .map(|mut d| {
                    moved(&mut d, object.file, i64::from(id.base));
                    if d.object.is_some() {
                        d.object = Some(Arc::clone(&object.meta));
                    }
                    d
                })
                .collect();
        }
        let diags = check();
        // Only findings inside the lines they are keyed by move with them.
        let base = id.base;
        let end = base + id.text.len() as u32;
        let own = |f: u32, span: Span| f == object.file && span.start >= base && span.end <= end;
        let keepable = diags.iter().all(|d| {
            own(d.file, d.span)
                && d.object.as_ref().is_none_or(|m| **m == *object.meta)
                && d.labels.iter().all(|l| own(l.file, l.span))
                && d.fix
                    .as_ref()
                    .is_none_or(|f| f.edits.iter().all(|e| own(e.file, e.span)))
        });
        if keepable {
            let relative: Vec<Diagnostic> = diags
                .iter()
                .cloned()
                .map(|mut d| {
                    moved(&mut d, object.file, -i64::from(base));
                    d
                })
                .collect();
            if let Some(sink) = &self.sink {
                sink(object.file, &id.record(relative));
                return diags;
            }
            let stored = Stored {
                name: id.name.into(),
                item: id.item,
                pass: id.pass,
                dep: id.dep,
                text: id.text.into(),
                diags: relative,
            };
            self.entries
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .current
                .insert(id.hash(), stored);
        }
        diags
    }

    /// Takes in the records the cache of unchanged files kept of the file
    /// `file` (whose text is the one they were made from).
    pub fn import(&self, file: crate::source::FileId, records: Vec<Record>) {
        let mut g = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        for r in records {
            g.imported
                .insert((file, r.base, r.pass, r.item), (r.len, r.dep, r.diags));
        }
    }
}

/// The identity of an object's findings; `None` for an object whose
/// findings may depend on other files: an object of another group than
/// Kubernetes' own or a custom pod template, except for its schema
/// findings when the digest of the run's CRDs is known (`crds`): those
/// depend on the object, the CRDs and the configuration only. (Its rules'
/// findings may read more: a Kustomization's, the files it names.)
fn ident<'t>(object: &Object, sources: &'t [SourceFile], pass: Pass, crds: Option<u64>) -> Option<Ident<'t>> {
    let dep =
        if object.custom_pod_template() || !crate::schema::check::is_builtin_object(object.api_version, object.kind) {
            match pass {
                Pass::Schema => crds?,
                Pass::Rules => return None,
            }
        } else {
            0
        };
    let source = sources.get(object.file as usize)?;
    // Whole lines: a fix that removes the object's last entry takes the
    // comment after it and the line break with it.
    let (root_start, root_end) = (object.root.span.start as usize, object.root.span.end as usize);
    let start = source.text.get(..root_start)?.rfind('\n').map_or(0, |i| i + 1);
    let end = source
        .text
        .get(root_end..)?
        .find('\n')
        .map_or(source.text.len(), |i| root_end + i + 1);
    let text = source.text.get(start..end)?;
    Some(Ident {
        name: &source.name,
        item: object.item.is_some(),
        pass,
        text,
        base: start as u32,
        dep,
    })
}

/// Moves a finding (its spans, labels and edits in `file`) by `delta` bytes.
fn moved(d: &mut Diagnostic, file: u32, delta: i64) {
    let shift = |s: &mut Span| {
        let at = |x: u32| u32::try_from((i64::from(x) + delta).max(0)).unwrap_or(u32::MAX);
        *s = Span::new(at(s.start), at(s.end));
    };
    d.file = file;
    shift(&mut d.span);
    for l in &mut d.labels {
        l.file = file;
        shift(&mut l.span);
    }
    if let Some(f) = &mut d.fix {
        for e in &mut f.edits {
            e.file = file;
            shift(&mut e.span);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::lint::{lint_focused, load};
    use crate::rules::Registry;

    fn findings(text: &str, memo: Option<&Arc<ObjectMemo>>) -> Vec<String> {
        let sources = vec![SourceFile::from_text("a.yaml", None, text.to_string())];
        let loaded = load(&sources, &|| {});
        let config = Config {
            select: vec!["all".into()],
            ..Config::default()
        };
        let focus: HashSet<u32> = [0].into();
        let out = lint_focused(&sources, &loaded, &focus, &config, Registry::builtin(), memo);
        out.diagnostics.iter().map(|d| format!("{d:?}")).collect()
    }

    #[test]
    fn a_fix_that_takes_a_trailing_comment_is_not_reused_for_another_comment() {
        // Removing `status` removes its line, the comment after it
        // included: the comment is part of the key.
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\nstatus:\n  note: copied  # c\n";
        let longer = text.replace("# c", "# a longer comment");
        let memo = Arc::new(ObjectMemo::default());
        assert_eq!(findings(text, Some(&memo)), findings(text, None));
        assert_eq!(findings(&longer, Some(&memo)), findings(&longer, None));
        let fix_of = |t: &str| {
            findings(t, None)
                .into_iter()
                .find(|d| d.contains("server-fields-present"))
        };
        assert!(
            fix_of(text).is_some_and(|d| d.contains("fix: Some")),
            "the finding has a fix"
        );
        assert!(memo.hits() == 0, "nothing reused across different comments");
        assert_eq!(findings(&longer, Some(&memo)), findings(&longer, None));
        assert!(memo.hits() > 0, "the same text is reused");
    }
}
