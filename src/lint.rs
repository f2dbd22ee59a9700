//! The one pipeline the CLI and the LSP share:
//! sources → documents → objects → catalog → checks → filtered findings.

use std::collections::HashSet;
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, ObjectMeta, Severity, Summary};
use crate::model::Catalog;
use crate::rules::{self, Registry};
use crate::source::{FileId, SourceFile};
use crate::suppress;
use crate::yaml::{Limits, Span, Stream, parse_source};

mod objects;
mod reuse;

pub use objects::collect_objects;
pub use reuse::{Reuse, lint_reusing};

/// An object of the run, for reports that list objects (JUnit).
#[derive(Debug, Clone)]
pub struct ObjectRef {
    pub file: FileId,
    pub span: Span,
    pub meta: Arc<ObjectMeta>,
}

/// What a lint run produced.
#[derive(Debug, Default)]
pub struct LintOutput {
    /// Every object linted.
    pub objects: Vec<ObjectRef>,
    /// Findings to report, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings silenced by suppression comments, annotations or
    /// `ignore-paths` (shown with `--show-suppressed`).
    pub suppressed: Vec<Diagnostic>,
    pub summary: Summary,
}

/// The documents of every file, loaded once.
pub struct Loaded {
    pub streams: Vec<Stream>,
    /// Per file, what [`load_compact`] kept besides the trees it cut
    /// down; empty for whole trees.
    pub early: Vec<crate::compact::Early>,
}

impl Loaded {
    /// Whole trees.
    pub fn new(streams: Vec<Stream>) -> Self {
        Loaded {
            streams,
            early: Vec::new(),
        }
    }
}

/// A source's documents (none when it could not be read).
pub fn parse_file(s: &SourceFile) -> Stream {
    if s.load_error.is_some() {
        Stream::default()
    } else {
        parse_source(&s.text, s.looks_like_json(), Limits::default())
    }
}

/// Loads every source in parallel, calling `on_file` after each.
pub fn load(sources: &[SourceFile], on_file: &(dyn Fn() + Sync)) -> Loaded {
    let streams = sources
        .par_iter()
        .map(|s| {
            let stream = parse_file(s);
            on_file();
            stream
        })
        .collect();
    Loaded::new(streams)
}

/// Like [`load`], for a run that keeps no trees after it (the command
/// line): each file's CRDs are checked as soon as it is parsed, and their
/// schemas cut from its trees ([`crate::compact`]).
pub fn load_compact(
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    on_file: &(dyn Fn() + Sync),
) -> Loaded {
    let active = rules::active(registry, config);
    let cache = crate::schema::crd::SchemaCache::default();
    let (streams, early) = sources
        .par_iter()
        .enumerate()
        .map(|(fid, s)| {
            let mut stream = parse_file(s);
            let early = crate::compact::file(fid as FileId, sources, &mut stream, config, registry, &active, &cache);
            on_file();
            (stream, early)
        })
        .unzip();
    Loaded { streams, early }
}

fn engine_diagnostic(
    registry: &Registry,
    config: &Config,
    rule: &'static str,
    file: FileId,
    span: Span,
    message: String,
) -> Option<Diagnostic> {
    let doc = registry.doc(rule)?;
    if !config.rule_enabled(doc) {
        return None;
    }
    Some(Diagnostic::new(rule, config.severity_of(doc), file, span, message))
}

/// Lints a set of sources with a registry and configuration.
pub fn lint_with(sources: &[SourceFile], config: &Config, registry: &Registry) -> LintOutput {
    lint_with_progress(sources, config, registry, &NoProgress, false)
}

/// What a progress bar hears of a lint run: files parsed, then objects
/// checked (each object twice: by the rules, then against its schema).
pub trait LintProgress: Sync {
    /// A file was parsed.
    fn parsed(&self) {}
    /// Parsing is done: `objects` objects are checked next, each reported
    /// twice through [`LintProgress::checked`].
    fn checking(&self, _objects: usize) {}
    /// An object went through one pass (rules, or schema).
    fn checked(&self) {}
}

/// No progress to report.
pub struct NoProgress;

impl LintProgress for NoProgress {}

/// [`lint_with`], reporting its progress (progress bars).
/// With `exiting`, the trees are not freed: a process that ends right
/// after the run skips millions of frees (measured: a third of a corpus
/// run's instructions went into dropping the trees).
pub fn lint_with_progress(
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    progress: &dyn LintProgress,
    exiting: bool,
) -> LintOutput {
    let loaded = load_compact(sources, config, registry, &|| progress.parsed());
    crate::timings::phase("parsed (and checked CRDs)");
    lint_loaded_with(sources, loaded, config, registry, exiting, progress)
}

/// Lints sources whose documents are already loaded (rendered ones: a
/// kustomization root's objects, whose spans point into the source's text).
pub fn lint_loaded(
    sources: &[SourceFile],
    loaded: Loaded,
    config: &Config,
    registry: &Registry,
    exiting: bool,
) -> LintOutput {
    lint_loaded_with(sources, loaded, config, registry, exiting, &NoProgress)
}

fn lint_loaded_with(
    sources: &[SourceFile],
    loaded: Loaded,
    config: &Config,
    registry: &Registry,
    exiting: bool,
    progress: &dyn LintProgress,
) -> LintOutput {
    let mut loaded = loaded;
    crate::compact::release_unused(&loaded.streams, &mut loaded.early);
    crate::timings::phase("dropped unused CRD schemas");
    let out = lint_inner(sources, &loaded, None, None, config, registry, exiting, progress);
    if exiting {
        std::mem::forget(loaded);
    }
    out
}

/// Lints only the objects of the `focus` files (the language server's open
/// documents) against all of `loaded`: their own checks run for them alone,
/// cross-object rules relate them to every object, and only findings in
/// the focus files are returned. The documents stay with the caller, to be
/// linted again after the next edit without parsing them again.
///
/// With a `memo`, objects whose text an earlier lint with the same memo
/// checked reuse its findings ([`crate::memo`]).
pub fn lint_focused(
    sources: &[SourceFile],
    loaded: &Loaded,
    focus: &HashSet<FileId>,
    config: &Config,
    registry: &Registry,
    memo: Option<&Arc<crate::memo::ObjectMemo>>,
) -> LintOutput {
    if let Some(m) = memo {
        m.next_lint();
    }
    lint_inner(sources, loaded, Some(focus), memo, config, registry, false, &NoProgress)
}

#[allow(clippy::too_many_arguments)]
fn lint_inner(
    sources: &[SourceFile],
    loaded: &Loaded,
    focus: Option<&HashSet<FileId>>,
    memo: Option<&Arc<crate::memo::ObjectMemo>>,
    config: &Config,
    registry: &Registry,
    exiting: bool,
    progress: &dyn LintProgress,
) -> LintOutput {
    let mut diagnostics = Vec::new();
    let mut objects = collect_objects(sources, loaded, registry, config, &mut diagnostics);
    crate::schema::check::mark_custom_pod_templates(&mut objects, sources, config);
    let mut catalog = Catalog::new(objects);
    crate::timings::phase("made the catalog of objects");
    catalog.focus = focus.cloned();
    catalog.memo = memo.cloned();
    progress.checking(catalog.len());
    let checked = || progress.checked();
    diagnostics.extend(rules::run(registry, &catalog, sources, config, &checked));
    crate::timings::phase("ran the rules");
    diagnostics.extend(crate::schema::check::check(
        &catalog, sources, config, registry, &checked,
    ));
    crate::timings::phase("ran the schema checks");
    diagnostics.extend(loaded.early.iter().flat_map(|e| e.findings.iter().cloned()));
    if let Some(f) = focus {
        diagnostics.retain(|d| f.contains(&d.file));
    }
    let placeholders = if loaded.early.is_empty() {
        crate::placeholder::find(sources, &loaded.streams, &|f| focus.is_none_or(|set| set.contains(&f)))
    } else {
        // Found before the compact load cut any tree.
        (0..)
            .zip(&loaded.early)
            .filter(|(f, e)| !e.placeholders.is_empty() && focus.is_none_or(|set| set.contains(f)))
            .map(|(f, e)| (f, e.placeholders.clone()))
            .collect()
    };
    crate::placeholder::apply(&mut diagnostics, sources, &placeholders, &|file, span, message| {
        engine_diagnostic(registry, config, "placeholder-unrendered", file, span, message)
    });

    // `ignore-paths` from the configuration.
    let (mut diagnostics, mut suppressed) = filter_paths(diagnostics, sources, config, registry);

    // Comments and annotations.
    let (mut sups, malformed) = suppress::collect(sources, &catalog);
    let (kept, silenced) = suppress::apply(diagnostics, &mut sups, sources);
    crate::timings::phase("applied suppressions");
    diagnostics = kept;
    suppressed.extend(silenced);
    let enabled: HashSet<String> = registry
        .entries()
        .filter(|e| config.rule_enabled(&e.doc))
        .map(|e| e.doc.id.clone())
        .collect();
    for (file, span, message) in suppress::unused(&sups, registry, &enabled)
        .into_iter()
        .chain(malformed.into_iter().map(|m| (m.file, m.span, m.message)))
    {
        if let Some(mut d) = engine_diagnostic(registry, config, "unused-suppression", file, span, message) {
            d.help("remove the suppression, or fix the rule id in it");
            diagnostics.push(d);
        }
    }

    if let Some(f) = focus {
        diagnostics.retain(|d| f.contains(&d.file));
        suppressed.retain(|d| f.contains(&d.file));
    }
    let mut out = finish(diagnostics, sources.len(), catalog.len());
    crate::timings::phase("sorted the findings");
    out.objects = catalog
        .objects
        .iter()
        .map(|o| ObjectRef {
            file: o.file,
            span: o.root.span,
            meta: Arc::clone(&o.meta),
        })
        .collect();
    crate::diagnostic::sort_findings(&mut suppressed);
    out.summary.suppressed = suppressed.len();
    out.suppressed = suppressed;
    if exiting {
        std::mem::forget(catalog);
    }
    out
}

/// Drops findings in files whose path matches an `ignore-paths` glob for
/// their rule (or category, or `all`).
fn filter_paths(
    diagnostics: Vec<Diagnostic>,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
) -> (Vec<Diagnostic>, Vec<Diagnostic>) {
    if config.ignore_paths.is_empty() {
        return (diagnostics, Vec::new());
    }
    let per_file: Vec<Vec<&str>> = sources
        .iter()
        .map(|s| {
            let p = s.path.clone().unwrap_or_else(|| std::path::PathBuf::from(&s.name));
            config.ignored_for(&p)
        })
        .collect();
    diagnostics.into_iter().partition(|d| {
        let ignored = per_file.get(d.file as usize).map(Vec::as_slice).unwrap_or(&[]);
        let category = registry.doc(&d.rule).map_or("", |doc| doc.category.as_str());
        !ignored.iter().any(|r| *r == "all" || *r == d.rule || *r == category)
    })
}

/// Lints with the built-in rules.
pub fn lint(sources: &[SourceFile], config: &Config) -> LintOutput {
    lint_with(sources, config, Registry::builtin())
}

fn finish(mut diagnostics: Vec<Diagnostic>, files: usize, objects: usize) -> LintOutput {
    // A file whose YAML does not parse is read by the parser's recovery, a
    // guess: kvet offers no fixes in it until its syntax is mended (a fix
    // there may also create the next finding, pass after pass).
    let broken: HashSet<FileId> = diagnostics
        .iter()
        .filter(|d| d.rule == "yaml-syntax")
        .map(|d| d.file)
        .collect();
    if !broken.is_empty() {
        for d in diagnostics.iter_mut().filter(|d| broken.contains(&d.file)) {
            d.fix = None;
        }
    }
    crate::diagnostic::sort_findings(&mut diagnostics);
    diagnostics.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.message == b.message);
    let mut summary = Summary {
        files,
        objects,
        ..Summary::default()
    };
    summary.count(&diagnostics);
    LintOutput {
        objects: Vec::new(),
        diagnostics,
        suppressed: Vec::new(),
        summary,
    }
}

/// The highest severity among the findings.
pub fn max_severity(diags: &[Diagnostic]) -> Option<Severity> {
    diags.iter().map(|d| d.severity).max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Default)]
    struct Count {
        parsed: AtomicUsize,
        objects: AtomicUsize,
        checked: AtomicUsize,
    }

    impl LintProgress for Count {
        fn parsed(&self) {
            self.parsed.fetch_add(1, Ordering::Relaxed);
        }
        fn checking(&self, objects: usize) {
            // Every file is parsed before checking starts.
            assert_eq!(self.parsed.load(Ordering::Relaxed), 2);
            self.objects.store(objects, Ordering::Relaxed);
        }
        fn checked(&self) {
            self.checked.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn progress_counts_every_phase() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n";
        let sources = vec![
            SourceFile::from_text("a.yaml", None, cm.to_string()),
            SourceFile::from_text(
                "b.yaml",
                None,
                "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n".into(),
            ),
        ];
        let count = Count::default();
        let out = lint_with_progress(&sources, &Config::default(), Registry::builtin(), &count, false);
        assert_eq!(out.summary.objects, 3);
        assert_eq!(count.parsed.load(Ordering::Relaxed), 2);
        assert_eq!(count.objects.load(Ordering::Relaxed), 3);
        assert_eq!(
            count.checked.load(Ordering::Relaxed),
            6,
            "rules and schema, each object"
        );

        // With the schema rules off, the schema pass still moves the bar.
        let config = Config {
            ignore: vec!["schema".into()],
            ..Config::default()
        };
        let count = Count::default();
        lint_with_progress(&sources, &config, Registry::builtin(), &count, false);
        assert_eq!(count.checked.load(Ordering::Relaxed), 6);
    }
}
