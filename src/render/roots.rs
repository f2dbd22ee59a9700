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
use crate::lint::{LintOutput, Loaded, lint_loaded};
use crate::render::kustomize::{KUSTOMIZATION_FILES, Options, Rendered, render};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::{Document, Limits, Span, Stream, parse_source};

mod origin;
mod patches;
mod problems;
#[cfg(test)]
mod tests;

use origin::origin_fix;
use patches::check_patches;
use problems::finding_diagnostic;
pub use problems::problem_rule;

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
