//! Kustomization roots in `kvet check`: every root among the inputs is
//! rendered in-process and its objects are linted as the cluster will see
//! them, each finding reported where its value was written (base, patch or
//! kustomization line) with the root as a related location. The raw
//! findings of the files a root used (its resources and patches) are
//! replaced by the rendered ones; kustomization files keep theirs.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Edit, Fix, Label, RENDERED_BY};
use crate::kustomize_lint::{PatchFormat, PatchSource, PatchTarget, check_fragment, patches};
use crate::lint::{LintOutput, Loaded, lint_loaded};
use crate::render::kustomize::{Finding, KUSTOMIZATION_FILES, Options, Problem, Rendered, render};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::{Document, Limits, Node, Span, Stream, Value, parse_source};

/// What rendering the roots of a run produced, in the run's file ids.
#[derive(Default)]
pub struct RenderedRoots {
    /// Files whose raw findings the rendered ones replace.
    pub used: HashSet<u32>,
    pub diagnostics: Vec<Diagnostic>,
    /// Objects linted in rendered form.
    pub objects: usize,
    pub roots: usize,
    /// Every kustomization rendered (root or not): its file id, its folder
    /// and the files its render read (canonical paths), to know which
    /// roots an edited file affects.
    pub reads: Vec<(u32, PathBuf, Vec<PathBuf>)>,
    /// Patch files already checked as partial objects.
    patches: HashSet<u32>,
    /// Render problems silenced by a `# kvet:` comment where they are.
    pub suppressed: Vec<Diagnostic>,
    /// Where the suppressions that silenced them are written (file, span of
    /// the rule named, or of the directive): not unused.
    pub used_suppressions: HashSet<(u32, Span)>,
}

/// How the roots of a run are rendered.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    /// Texts read instead of the files' (an editor's unsaved buffers), by
    /// canonical path.
    pub overlay: Option<Arc<HashMap<PathBuf, String>>>,
    /// Only the kustomizations in these folders (canonical paths) are
    /// rendered; `None`: every one. An editor re-renders only the roots
    /// that read an edited file: a kustomization that reads it is read
    /// only by others that read it too, so the roots among them are the
    /// same as in a full run.
    pub only: Option<Arc<HashSet<PathBuf>>>,
}

fn is_kustomization(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
}

fn canonical(p: &Path) -> PathBuf {
    crate::deps::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

/// The text of a render's virtual address space: every file at its base,
/// separated by a line break, so the rendered nodes' spans index it.
fn virtual_text(r: &Rendered) -> String {
    let mut text = String::new();
    for f in r.map.files() {
        while (text.len() as u32) < f.base {
            text.push('\n');
        }
        text.push_str(&f.text);
    }
    text
}

/// Renders every kustomization root among `sources` and lints its
/// objects. Files a render read that are not inputs are appended to
/// `sources` (for snippets). `config_of` picks the configuration of a
/// source (the one of the root's kustomization file applies).
pub fn render_roots<'p>(
    sources: &mut Vec<SourceFile>,
    config_of: &dyn Fn(usize) -> (&'p Config, Option<&'p Registry>),
    opts: &RenderOptions,
) -> RenderedRoots {
    let dirs: Vec<(usize, PathBuf)> = sources
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let p = s.path.as_deref()?;
            let parent = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (is_kustomization(p) && s.load_error.is_none()).then(|| (i, canonical(parent)))
        })
        .filter(|(_, dir)| opts.only.as_ref().is_none_or(|only| only.contains(dir)))
        .collect();
    if dirs.is_empty() {
        return RenderedRoots::default();
    }
    let cwd = std::env::current_dir().ok().map(|c| canonical(&c));
    let renders: Vec<(usize, PathBuf, Rendered)> = dirs
        .into_par_iter()
        .map(|(i, dir)| {
            let repository = cwd.clone().filter(|c| dir.starts_with(c));
            let r = render(
                &dir,
                &Options {
                    repository,
                    overlay: opts.overlay.clone(),
                },
            );
            (i, dir, r)
        })
        .collect();
    // A root is a kustomization no other rendered one reads.
    let read_by_others = |i: usize, dir: &Path| {
        renders.iter().any(|(j, other, r)| {
            *j != i && other != dir && r.used.iter().any(|u| u.parent() == Some(dir) && is_kustomization(u))
        })
    };
    let mut by_path: HashMap<PathBuf, u32> = sources
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((canonical(s.path.as_deref()?), i as u32)))
        .collect();
    let mut out = RenderedRoots::default();
    // Findings at the same origin from several roots: reported once.
    let mut seen: HashMap<(u32, Span, String, String), usize> = HashMap::new();
    // The roots' render problems (once each), filtered by suppression
    // comments at the end.
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut problems_seen: HashSet<(u32, Span, String, String)> = HashSet::new();
    // The patch files every kustomization names are checked as partial
    // objects of their target, rendered or not (a patch is not a whole
    // object): their raw findings are replaced.
    for (i, dir, _) in &renders {
        let (config, registry) = config_of(*i);
        let registry = registry.unwrap_or_else(|| Registry::builtin());
        let (diagnostics, checked) =
            check_patches(sources, *i as u32, dir, &by_path, &mut out.patches, config, registry);
        out.diagnostics.extend(diagnostics);
        out.used.extend(checked);
    }
    out.reads = renders
        .iter()
        .map(|(i, dir, r)| (*i as u32, dir.clone(), r.used.clone()))
        .collect();
    for (i, dir, r) in &renders {
        // A kustomization that cannot be rendered reports why even when
        // another reads it (in a cycle, each does).
        let root = !read_by_others(*i, dir);
        // A Component patches the resources of the kustomization that
        // includes it: built alone it fails (as with kustomize), so it is
        // never a root, and its problems are reported through the roots
        // that include it. One that no root includes has its files linted
        // as they are.
        if is_component(&sources[*i]) {
            continue;
        }
        if root || !r.ok() {
            let (config, registry) = config_of(*i);
            let registry = registry.unwrap_or_else(|| Registry::builtin());
            for f in &r.findings {
                let Some((file, span)) = place(r, f.span, sources, &mut by_path, cwd.as_deref()) else {
                    continue;
                };
                let Some(d) = finding_diagnostic(f, file, span, config, registry) else {
                    continue;
                };
                if problems_seen.insert((file, span, d.rule.to_string(), d.message.clone())) {
                    problems.push(d);
                }
            }
        }
        if !root || !r.ok() {
            continue;
        }
        let root_name = sources[*i].name.clone();
        out.roots += 1;
        for u in &r.used {
            if let Some(&id) = by_path.get(u)
                && !is_kustomization(u)
            {
                out.used.insert(id);
            }
        }
        let text = virtual_text(r);
        let virtual_file = SourceFile::from_text(format!("{root_name} (rendered)"), None, text);
        let stream = Stream {
            documents: r
                .objects
                .iter()
                .enumerate()
                .map(|(index, n)| Document {
                    root: Some(n.clone()),
                    index,
                    span: n.span,
                })
                .collect(),
            diagnostics: Vec::new(),
        };
        let (config, registry) = config_of(*i);
        let registry = registry.unwrap_or_else(|| Registry::builtin());
        let linted: LintOutput = lint_loaded(
            std::slice::from_ref(&virtual_file),
            Loaded::new(vec![stream]),
            config,
            registry,
            false,
        );
        out.objects += linted.summary.objects;
        let root_id = *i as u32;
        for mut d in linted.diagnostics {
            // A type error on a value that kept the base's quotes is caused
            // by those quotes: the base's value is named too.
            let kept = r
                .kept_quotes
                .get(&d.span)
                .copied()
                .filter(|_| d.rule == "schema-invalid-type");
            let Some((file, span)) = place(r, d.span, sources, &mut by_path, cwd.as_deref()) else {
                continue;
            };
            let labels = std::mem::take(&mut d.labels);
            for l in labels {
                if let Some((lf, ls)) = place(r, l.span, sources, &mut by_path, cwd.as_deref()) {
                    d.labels.push(Label {
                        file: lf,
                        span: ls,
                        message: l.message,
                    });
                }
            }
            if let Some((qf, qs)) = kept.and_then(|q| place(r, q, sources, &mut by_path, cwd.as_deref())) {
                d.labels.push(Label {
                    file: qf,
                    span: qs,
                    message: KEPT_QUOTES.into(),
                });
            }
            d.file = file;
            d.span = span;
            // A fix is kept only when it rewrites values written in their
            // origin file and rendering again gives exactly its change.
            let repository = cwd.clone().filter(|c| dir.starts_with(c));
            let origin_opts = Options {
                repository,
                overlay: opts.overlay.clone(),
            };
            d.fix = d.fix.take().and_then(|mut f| {
                let mapped = origin_fix(r, dir, &f, &origin_opts)?;
                if let (Some(_), [(_, _, unquoted)]) = (kept, mapped.as_slice()) {
                    f.title = format!("remove the quotes of the base value (write it as {unquoted})");
                }
                let mut edits = Vec::new();
                for (path, local, replacement) in mapped {
                    let id = *by_path.get(&canonical(&path))?;
                    edits.push(Edit {
                        file: id,
                        span: local,
                        replacement,
                    });
                }
                Some(Fix { edits, ..f })
            });
            let rendered_by = Label {
                file: root_id,
                span: Span::new(0, 0),
                message: RENDERED_BY.into(),
            };
            let key = (file, span, d.rule.to_string(), d.message.clone());
            match seen.get(&key) {
                Some(&k) => {
                    let other: &mut Diagnostic = &mut out.diagnostics[k];
                    // The fix must hold for every root that renders the value.
                    if d.fix.is_none() {
                        other.fix = None;
                    }
                    if !other
                        .labels
                        .iter()
                        .any(|l| l.file == root_id && l.message == rendered_by.message)
                    {
                        other.labels.push(rendered_by);
                    }
                }
                None => {
                    d.labels.push(rendered_by);
                    seen.insert(key, out.diagnostics.len());
                    out.diagnostics.push(d);
                }
            }
        }
    }
    // A render problem is at a kustomization entry (or a file it names),
    // which the lint of that file does not know: its `# kvet: ignore`
    // comments are applied here.
    let (kept, silenced, used) = crate::suppress::apply_comments(problems, sources);
    out.diagnostics.extend(kept);
    out.suppressed = silenced;
    out.used_suppressions = used;
    out
}

/// The label on a base value whose quotes a patch's plain value kept.
pub const KEPT_QUOTES: &str = "quoted here; kustomize keeps these quotes";

/// A fix of a rendered object as edits of its origin files: (path as the
/// render read it, local span, replacement). `None` unless every edit
/// replaces exactly a scalar the rendered objects hold (its origin span),
/// and rendering `dir` again with the edits applied to the origin texts
/// changes those scalars, and nothing else, to the values written. A
/// scalar that kept the quotes of the base value it replaced is fixed by
/// removing those quotes in the base (the patch's text stays).
fn origin_fix(r: &Rendered, dir: &Path, fix: &Fix, opts: &Options) -> Option<Vec<(PathBuf, Span, String)>> {
    let mut expected: HashMap<Span, Value> = HashMap::new();
    let mut mapped = Vec::new();
    let mut texts: HashMap<PathBuf, String> = HashMap::new();
    let mut per_file: HashMap<PathBuf, Vec<(Span, String)>> = HashMap::new();
    for e in &fix.edits {
        if e.span.is_empty() || !r.objects.iter().any(|o| holds_scalar(o, e.span)) {
            return None;
        }
        let value = crate::render::kustomize::read_scalar(&e.replacement)?;
        let (at, replacement) = match r.kept_quotes.get(&e.span) {
            Some(&base) => (base, unquoted(r, base, &value)?),
            None => (e.span, e.replacement.clone()),
        };
        let (file, local) = r.map.locate(at)?;
        if local.end - local.start != at.end - at.start {
            return None;
        }
        expected.insert(e.span, value);
        texts.entry(file.path.clone()).or_insert_with(|| file.text.clone());
        per_file
            .entry(file.path.clone())
            .or_default()
            .push((local, replacement.clone()));
        mapped.push((file.path.clone(), local, replacement));
    }
    // The origin texts with the edits applied, read instead of the files.
    let mut overlay: HashMap<PathBuf, String> = opts.overlay.as_deref().cloned().unwrap_or_default();
    for (path, mut edits) in per_file {
        let mut text = texts.remove(&path)?;
        edits.sort_by_key(|(span, _)| std::cmp::Reverse(span.start));
        let mut last = u32::MAX;
        for (span, replacement) in edits {
            if span.end > last || span.end as usize > text.len() || !text.is_char_boundary(span.start as usize) {
                return None;
            }
            text.replace_range(span.start as usize..span.end as usize, &replacement);
            last = span.start;
        }
        overlay.insert(path, text);
    }
    let again = render(
        dir,
        &Options {
            repository: opts.repository.clone(),
            overlay: Some(Arc::new(overlay)),
        },
    );
    let same = again.ok()
        && again.objects.len() == r.objects.len()
        && r.objects
            .iter()
            .zip(&again.objects)
            .all(|(a, b)| same_but(a, b, &expected));
    same.then_some(mapped)
}

/// The text of the quoted scalar at `span` without its quotes, when that
/// reads (plain) as a value of the same type as `like` and needs no
/// escaping: `"3"` → `3` where a number is expected.
fn unquoted(r: &Rendered, span: Span, like: &Value) -> Option<String> {
    let (file, local) = r.map.locate(span)?;
    let raw = file.text.get(local.start as usize..local.end as usize)?;
    let quote = raw.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let inner = raw.strip_prefix(quote)?.strip_suffix(quote)?;
    if inner.is_empty() || inner.contains(['"', '\'', '\\', '\n', '#']) || inner.trim() != inner {
        return None;
    }
    let read = crate::render::kustomize::read_scalar(inner)?;
    let same = matches!(
        (&read, like),
        (Value::Int(_), Value::Int(_))
            | (Value::Int(_) | Value::Float(_), Value::Float(_))
            | (Value::Bool(_), Value::Bool(_))
    );
    same.then(|| inner.to_string())
}

/// Whether a scalar of `node` has exactly `span`.
fn holds_scalar(node: &Node, span: Span) -> bool {
    match &node.value {
        Value::Map(entries) => entries.iter().any(|e| holds_scalar(&e.value, span)),
        Value::Seq(items) => items.iter().any(|n| holds_scalar(n, span)),
        _ => node.span == span,
    }
}

/// Whether `new` reads as `old`, except for the scalars of `old` whose
/// span is in `changed`, which must read as the value given.
fn same_but(old: &Node, new: &Node, changed: &HashMap<Span, Value>) -> bool {
    let scalar = |v: &Value| !matches!(v, Value::Map(_) | Value::Seq(_));
    match (&old.value, &new.value) {
        (Value::Map(a), Value::Map(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x.key == y.key && same_but(&x.value, &y.value, changed))
        }
        (Value::Seq(a), Value::Seq(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_but(x, y, changed)),
        (a, b) if scalar(a) && scalar(b) => match changed.get(&old.span) {
            Some(want) => b == want && a != b,
            None => a == b,
        },
        _ => false,
    }
}

/// Whether a kustomization file is a `kind: Component`.
fn is_component(k: &SourceFile) -> bool {
    let stream = parse_source(&k.text, k.looks_like_json(), Limits::default());
    stream
        .documents
        .first()
        .and_then(|d| d.root.as_ref())
        .and_then(|r| r.get("kind"))
        .and_then(|n| n.as_str())
        == Some("Component")
}

/// Rules of kustomization files that a render's problems can repeat.
const FILE_RULES: &[&str] = &["kustomization-file-missing", "kustomization-cycle"];

/// A span of a render as (file id of the run, local span). A file the
/// render read that is not among `sources` is appended to them (for
/// snippets).
fn place(
    r: &Rendered,
    span: Span,
    sources: &mut Vec<SourceFile>,
    by_path: &mut HashMap<PathBuf, u32>,
    cwd: Option<&Path>,
) -> Option<(u32, Span)> {
    let (file, local) = r.map.locate(span)?;
    let path = canonical(&file.path);
    let id = match by_path.get(&path) {
        Some(&id) => id,
        None => {
            let name = cwd
                .and_then(|c| path.strip_prefix(c).ok())
                .unwrap_or(&path)
                .display()
                .to_string();
            sources.push(SourceFile::from_text(name, Some(path.clone()), file.text.clone()));
            let id = (sources.len() - 1) as u32;
            by_path.insert(path, id);
            id
        }
    };
    Some((id, local))
}

/// The rule that reports a problem of a render.
pub fn problem_rule(p: Problem) -> &'static str {
    match p {
        Problem::BuildError => "kustomization-build-error",
        Problem::Missing => "kustomization-file-missing",
        Problem::Cycle => "kustomization-cycle",
        Problem::NotRendered | Problem::Unsupported => "kustomization-not-rendered",
        Problem::PatchNoMatch => "kustomization-patch-no-match",
    }
}

/// A render's finding as a diagnostic of its rule (`None` when the rule is
/// off).
fn finding_diagnostic(f: &Finding, file: u32, span: Span, config: &Config, registry: &Registry) -> Option<Diagnostic> {
    let rule = problem_rule(f.problem);
    let doc = registry.doc(rule)?;
    if !config.rule_enabled(doc) {
        return None;
    }
    let mut d = Diagnostic::new(rule, config.severity_of(doc), file, span, f.message.clone());
    d.help = Some(String::from(match f.problem {
        Problem::BuildError => {
            "`kustomize build` fails here; kvet lints this root's files as they are until it renders"
        }
        Problem::Missing => "`kustomize build` fails on it; paths are relative to the kustomization's folder",
        Problem::Cycle => {
            "`kustomize build` fails on a cycle: remove the entry that leads back, or move what both need into a shared base or component"
        }
        Problem::NotRendered => {
            "kvet never fetches URLs or runs Helm or plugins: lint what they produce with `kustomize build --enable-helm DIR | kvet check -`"
        }
        Problem::Unsupported => "the rest of the root is rendered and linted",
        Problem::PatchNoMatch => {
            "correct the target (kind, name and namespace as they are before this kustomization's `namePrefix` or `namespace` apply), or remove the patch"
        }
    }));
    Some(d)
}

/// Validates the strategic-merge patch files a kustomization names as
/// partial objects of their target's kind: unknown fields, wrong types and
/// values, removed apiVersions; never missing required fields.
fn check_patches(
    sources: &[SourceFile],
    kid: u32,
    dir: &Path,
    by_path: &HashMap<PathBuf, u32>,
    done: &mut HashSet<u32>,
    config: &Config,
    registry: &Registry,
) -> (Vec<Diagnostic>, Vec<u32>) {
    let k = &sources[kid as usize];
    let stream = parse_source(&k.text, k.looks_like_json(), Limits::default());
    let Some(root) = stream.documents.first().and_then(|d| d.root.as_ref()) else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut checked = Vec::new();
    for p in patches(root) {
        if p.format == PatchFormat::Json6902 {
            continue;
        }
        let PatchSource::File { path, .. } = p.source else {
            continue;
        };
        let Some(&pid) = by_path.get(&canonical(&dir.join(path))) else {
            continue;
        };
        if !done.insert(pid) {
            continue;
        }
        let f = &sources[pid as usize];
        let patch = parse_source(&f.text, f.looks_like_json(), Limits::default());
        // A patch that does not parse keeps its raw findings (the syntax
        // error); one that does is checked here instead.
        if !patch.diagnostics.iter().any(|d| d.rule != "yaml-duplicate-key") {
            checked.push(pid);
        }
        for doc in patch
            .documents
            .iter()
            .filter_map(|d| d.root.as_ref())
            .filter(|n| n.is_map())
        {
            let own = PatchTarget::of_patch_document(doc);
            let av = own
                .as_ref()
                .and_then(PatchTarget::api_version)
                .or_else(|| p.target.as_ref().and_then(PatchTarget::api_version));
            let kind = own
                .and_then(|t| t.kind)
                .or_else(|| p.target.as_ref().and_then(|t| t.kind.clone()));
            if let (Some(av), Some(kind)) = (av, kind) {
                out.extend(check_fragment(f, pid, doc, &av, &kind, config, registry));
            }
        }
    }
    (out, checked)
}

/// Lints sources as `kvet check` does with one configuration: file by
/// file, then every kustomization root among them rendered (see
/// [`RenderOptions`]). Files a render read that are not among `sources` are
/// appended to them.
pub fn lint_rendered(
    sources: &mut Vec<SourceFile>,
    config: &Config,
    registry: &Registry,
    opts: &RenderOptions,
) -> (LintOutput, RenderedRoots) {
    let mut output = crate::lint::lint_with(sources, config, registry);
    let mut rendered = RenderedRoots::default();
    if config.render != Some(false) {
        rendered = render_roots(sources, &|_| (config, Some(registry)), opts);
        apply(&mut output, &rendered);
    }
    (output, rendered)
}

/// Replaces the raw findings of the files the roots used by the rendered
/// findings, and recounts the summary.
pub fn apply(output: &mut LintOutput, rendered: &RenderedRoots) {
    if rendered.roots == 0
        && rendered.diagnostics.is_empty()
        && rendered.used.is_empty()
        && rendered.suppressed.is_empty()
    {
        return;
    }
    output.diagnostics.retain(|d| !rendered.used.contains(&d.file));
    // A suppression that silenced a render problem is used.
    output
        .diagnostics
        .retain(|d| !(d.rule == "unused-suppression" && rendered.used_suppressions.contains(&(d.file, d.span))));
    // A missing file or a cycle that the kustomization file's own rules
    // already report at the same entry: once.
    let raw: HashSet<(u32, u32, &str)> = output
        .diagnostics
        .iter()
        .filter(|d| FILE_RULES.contains(&&*d.rule))
        .map(|d| (d.file, d.span.start, &*d.rule))
        .collect();
    let new: Vec<Diagnostic> = rendered
        .diagnostics
        .iter()
        .filter(|d| !raw.contains(&(d.file, d.span.start, &*d.rule)))
        .cloned()
        .collect();
    output.diagnostics.extend(
        new.into_iter()
            .filter(|d| !(d.rule == "unused-suppression" && rendered.used_suppressions.contains(&(d.file, d.span)))),
    );
    if !rendered.suppressed.is_empty() {
        output.suppressed.extend(rendered.suppressed.iter().cloned());
        crate::diagnostic::sort_findings(&mut output.suppressed);
        output.summary.suppressed = output.suppressed.len();
    }
    crate::diagnostic::sort_findings(&mut output.diagnostics);
    // A patch's own check and the rendered object can report the same
    // value: once, with the labels of both.
    output.diagnostics.dedup_by(|later, kept| {
        let same = later.sort_key() == kept.sort_key() && later.message == kept.message;
        if same {
            for l in later.labels.drain(..) {
                if !kept.labels.contains(&l) {
                    kept.labels.push(l);
                }
            }
        }
        same
    });
    let s = &mut output.summary;
    (s.errors, s.warnings, s.infos) = (0, 0, 0);
    s.count(&output.diagnostics);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap_or_else(|e| panic!("write: {e}"));
        }
        dir
    }

    /// The origin fix of one edit replacing the scalar at `keys` of the
    /// first rendered object (or an empty span at its start).
    fn fix_at(k: &str, keys: &[&str], replacement: &str, empty: bool) -> Option<Vec<(String, String)>> {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\n";
        let dir = tree(&[("kustomization.yaml", k), ("cm.yaml", cm)]);
        let r = render(dir.path(), &Options::default());
        assert!(r.ok(), "{:?}", r.findings);
        let node = r.objects[0].path(keys).unwrap_or_else(|| panic!("{keys:?}"));
        let span = if empty {
            Span::new(node.span.start, node.span.start)
        } else {
            node.span
        };
        let fix = Fix {
            title: "t".into(),
            applicability: crate::diagnostic::Applicability::Safe,
            edits: vec![Edit {
                file: 0,
                span,
                replacement: replacement.into(),
            }],
        };
        let mapped = origin_fix(&r, dir.path(), &fix, &Options::default())?;
        Some(
            mapped
                .into_iter()
                .map(|(p, span, rep)| {
                    let name = p
                        .file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default();
                    (format!("{name}@{}", span.start), rep)
                })
                .collect(),
        )
    }

    #[test]
    fn a_fix_maps_to_the_scalar_written_in_its_origin() {
        let k = "resources: [cm.yaml]\n";
        assert_eq!(
            fix_at(k, &["data", "a"], "y", false),
            Some(vec![("cm.yaml@62".to_string(), "y".to_string())])
        );
    }

    #[test]
    fn no_origin_fix_for_insertions_structures_or_transformed_values() {
        let k = "resources: [cm.yaml]\n";
        assert_eq!(fix_at(k, &["data", "a"], "y", true), None);
        assert_eq!(fix_at(k, &["data", "a"], "{b: c}", false), None);
        // The name is written `c` in cm.yaml but rendered `p-c`: writing
        // `d` there renders `p-d`, not the `d` the fix meant.
        let prefixed = "resources: [cm.yaml]\nnamePrefix: p-\n";
        assert_eq!(fix_at(prefixed, &["metadata", "name"], "d", false), None);
    }
}
