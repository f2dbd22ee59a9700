//! The build: one kustomization folder accumulated as kustomize does
//! (resources and bases, components, generators, then the builtin
//! transformers in kustomize's fixed order), and the final steps done once
//! at the root (hash suffixes, name references, vars, output order).

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use super::res::Res;
use super::tree::{kustomize_scalars, shift};
use super::{Finding, Options, Problem, Rendered};
use super::{generators, names, no_match, output, patch, plugins, replace, transform};
use crate::render::SourceMap;
use crate::yaml::{Limits, Node, Span, parse_source};

/// Marker: a fatal finding was recorded; the root is not rendered.
#[derive(Debug)]
pub struct Fatal;

pub type Result<T> = std::result::Result<T, Fatal>;

pub struct Builder<'o> {
    opts: &'o Options,
    pub map: SourceMap,
    cache: HashMap<PathBuf, Vec<Node>>,
    stack: Vec<PathBuf>,
    pub findings: Vec<Finding>,
    used: BTreeSet<PathBuf>,
    pub vars: Vec<Node>,
    pub config: names::Config,
    /// See [`super::Rendered::kept_quotes`].
    pub kept_quotes: HashMap<Span, Span>,
}

impl<'o> Builder<'o> {
    pub fn new(opts: &'o Options) -> Self {
        Builder {
            opts,
            map: SourceMap::default(),
            cache: HashMap::new(),
            stack: Vec::new(),
            findings: Vec::new(),
            used: BTreeSet::new(),
            vars: Vec::new(),
            config: names::Config::builtin(),
            kept_quotes: HashMap::new(),
        }
    }

    pub fn render(mut self, dir: &Path) -> Rendered {
        let mut ra = Vec::new();
        let mut objects = Vec::new();
        if self.accumulate(dir, &mut ra, Span::default(), false).is_ok() && self.finish(&mut ra).is_ok() {
            objects = ra.into_iter().map(|r| r.node).collect();
        }
        Rendered {
            map: self.map,
            objects,
            findings: self.findings,
            used: self.used.into_iter().collect(),
            kept_quotes: self.kept_quotes,
        }
    }

    fn finish(&mut self, ra: &mut [Res]) -> Result<()> {
        generators::add_hashes(ra);
        if let Err(msg) = names::fix_references(ra, &self.config) {
            return self.fatal(Span::default(), msg);
        }
        let vars = std::mem::take(&mut self.vars);
        replace::resolve_vars(self, ra, &vars)?;
        transform::legacy_sort(ra);
        if let Err((span, msg)) = output::as_sent(ra, &self.map) {
            return self.fatal(span, msg);
        }
        Ok(())
    }

    /// Records a finding and stops the root.
    pub fn fatal<T>(&mut self, span: Span, message: impl Into<String>) -> Result<T> {
        self.fatal_as(Problem::BuildError, span, message)
    }

    /// Records a finding of a given kind and stops the root.
    pub fn fatal_as<T>(&mut self, problem: Problem, span: Span, message: impl Into<String>) -> Result<T> {
        self.findings.push(Finding {
            span,
            message: message.into(),
            fatal: true,
            problem,
        });
        Err(Fatal)
    }

    /// Records a finding that does not stop the root.
    pub fn note(&mut self, problem: Problem, span: Span, message: impl Into<String>) {
        self.findings.push(Finding {
            span,
            message: message.into(),
            fatal: false,
            problem,
        });
    }

    /// The text of a file: the overlay's (an editor buffer) or the disk's.
    fn read_file(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        if let Some(text) = self.opts.overlay.as_ref().and_then(|o| o.get(path)) {
            return Ok(text.clone().into_bytes());
        }
        crate::deps::read(path)
    }

    /// Whether `path` is a file (on disk or in the overlay).
    pub fn is_file(&self, path: &Path) -> bool {
        self.opts.overlay.as_ref().is_some_and(|o| o.contains_key(path)) || crate::deps::is_file(path)
    }

    /// A file's bytes (generator `files`), recording a finding when it
    /// cannot be read.
    pub fn read_bytes(&mut self, path: &Path, at: Span) -> Result<Vec<u8>> {
        match self.read_file(path) {
            Ok(bytes) => Ok(bytes),
            Err(e) => self.io_failure(path, at, &e),
        }
    }

    fn io_failure<T>(&mut self, path: &Path, at: Span, e: &std::io::Error) -> Result<T> {
        let problem = if e.kind() == std::io::ErrorKind::NotFound {
            Problem::Missing
        } else {
            Problem::BuildError
        };
        self.fatal_as(
            problem,
            at,
            format!(
                "cannot read `{}`: {}",
                shown(path).display(),
                crate::source::io_message(e)
            ),
        )
    }

    /// The kustomization file of a folder (on disk or in the overlay).
    fn kustomization_file(&self, dir: &Path) -> Option<PathBuf> {
        super::KUSTOMIZATION_FILES
            .iter()
            .map(|n| dir.join(n))
            .find(|p| self.is_file(p))
    }

    /// Resolves `rel` against `dir`, refusing absolute paths outside the
    /// repository (relative paths, `../` included, are followed as kustomize
    /// does with load restrictions off).
    pub fn resolve(&mut self, dir: &Path, rel: &str, at: Span) -> Result<PathBuf> {
        if is_remote(rel) {
            return self.fatal_as(
                Problem::NotRendered,
                at,
                format!("remote resource `{rel}` is not fetched: this root is not rendered (its files are linted as they are)"),
            );
        }
        let joined = normalize(&dir.join(rel));
        if Path::new(rel).is_absolute()
            && let Some(repo) = &self.opts.repository
            && !joined.starts_with(normalize(repo))
        {
            return self.fatal(at, format!("`{rel}` is outside the repository and is not read"));
        }
        Ok(joined)
    }

    /// Reads a file's text (it joins the source map).
    pub fn read_text(&mut self, path: &Path, at: Span) -> Result<(u32, String)> {
        let read = self.read_file(path).and_then(|bytes| {
            String::from_utf8(bytes).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        });
        match read {
            Ok(text) => {
                self.used.insert(path.to_path_buf());
                match self.map.add(path, text.clone()) {
                    Some(base) => Ok((base, text)),
                    None => self.fatal(at, "the files of this root are too large to render"),
                }
            }
            Err(e) => self.io_failure(path, at, &e),
        }
    }

    /// The YAML documents of a file, spans in the render's address space.
    pub fn load_docs(&mut self, path: &Path, at: Span) -> Result<Vec<Node>> {
        if let Some(docs) = self.cache.get(path) {
            return Ok(docs.clone());
        }
        let (base, text) = self.read_text(path, at)?;
        let docs = self.parse_docs(&text, base, path, at)?;
        self.cache.insert(path.to_path_buf(), docs.clone());
        Ok(docs)
    }

    /// Parses YAML text placed at `base` (a file, or an inline string of a
    /// kustomization when `base` is the string's own offset).
    pub fn parse_docs(&mut self, text: &str, base: u32, path: &Path, at: Span) -> Result<Vec<Node>> {
        let json = path.extension().is_some_and(|e| e == "json");
        let stream = parse_source(text, json, Limits::default());
        if let Some(d) = stream.diagnostics.iter().find(|d| d.rule != "yaml-duplicate-key") {
            // At the entry that names the file (the file's own syntax
            // error is reported in it when it is linted); inline YAML and
            // the root's kustomization have no such entry: at the error.
            let span = if at.is_empty() {
                Span::new(d.span.start + base, d.span.end + base)
            } else {
                at
            };
            let line = text[..(d.span.start as usize).min(text.len())].matches('\n').count() + 1;
            let name = path
                .file_name()
                .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().to_string());
            return self.fatal(span, format!("`{name}` cannot be read (line {line}): {}", d.message));
        }
        let mut docs = Vec::new();
        for d in stream.documents {
            if let Some(mut root) = d.root {
                kustomize_scalars(&mut root, text);
                shift(&mut root, base);
                docs.push(root);
            }
        }
        Ok(docs)
    }

    fn load_kustomization(&mut self, dir: &Path, at: Span) -> Result<Node> {
        let Some(file) = self.kustomization_file(dir) else {
            return self.fatal_as(
                Problem::Missing,
                at,
                format!(
                    "`{}` has no kustomization.yaml, kustomization.yml or Kustomization",
                    dir.display()
                ),
            );
        };
        let docs = self.load_docs(&file, at)?;
        match docs.into_iter().next() {
            Some(k) if k.is_map() => Ok(k),
            Some(k) => self.fatal(k.span, "a kustomization must be a mapping"),
            None => Ok(Node::new(Span::default(), crate::yaml::Value::Map(Vec::new()))),
        }
    }

    /// Builds `dir` into `ra`: a kustomization starts from an empty `ra`, a
    /// component (`component`) works on its parent's resources.
    pub fn accumulate(&mut self, dir: &Path, ra: &mut Vec<Res>, at: Span, component: bool) -> Result<()> {
        let dir = normalize(dir);
        if self.stack.contains(&dir) {
            return self.fatal_as(
                Problem::Cycle,
                at,
                format!(
                    "cycle: this entry leads back to `{}`, which includes it",
                    shown(&dir).display()
                ),
            );
        }
        if self.stack.len() > 64 {
            return self.fatal(at, "kustomizations nested more than 64 deep");
        }
        self.stack.push(dir.clone());
        let r = self.accumulate_inner(&dir, ra, at, component);
        self.stack.pop();
        r
    }

    fn accumulate_inner(&mut self, dir: &Path, ra: &mut Vec<Res>, at: Span, component: bool) -> Result<()> {
        let k = self.load_kustomization(dir, at)?;
        let kind = k.get("kind").and_then(Node::as_str).unwrap_or("Kustomization");
        if kind == "Component" && !component && !self.stack.len().eq(&1) {
            return self.fatal(at, "a Component can only be used under `components`");
        }
        if kind != "Component" && component {
            return self.fatal(at, "only a kind: Component can be used under `components`");
        }
        for field in ["helmCharts", "helmChartInflationGenerator", "validators"] {
            if let Some(e) = k.entry(field)
                && !e.value.items().is_empty()
            {
                return self.fatal_as(
                    Problem::NotRendered,
                    e.key_span,
                    format!(
                        "`{field}` is not run by kvet (no plugins or Helm): this root is not rendered (its files are linted as they are)"
                    ),
                );
            }
        }
        if let Some(e) = k.entry("openapi")
            && !e.value.is_null()
        {
            return self.fatal_as(
                Problem::NotRendered,
                e.key_span,
                "`openapi` schemas are not read by kvet: this root is not rendered (its files are linted as they are)",
            );
        }
        if let Some(e) = k.entry("crds")
            && !e.value.items().is_empty()
        {
            self.note(
                Problem::Unsupported,
                e.key_span,
                "`crds` is not applied by kvet: name references that these CRDs declare are not updated (the rest of this root is rendered)",
            );
        }
        for c in k.get("configurations").map(Node::items).unwrap_or(&[]) {
            let Some(rel) = c.as_str() else { continue };
            let path = self.resolve(dir, rel, c.span)?;
            let docs = self.load_docs(&path, c.span)?;
            for d in &docs {
                self.config.merge(d);
            }
        }
        // bases come after resources (kustomize's own fix moves them there).
        let entries: Vec<Node> = ["resources", "bases"]
            .iter()
            .flat_map(|f| k.get(f).map(Node::items).unwrap_or(&[]).to_vec())
            .collect();
        let mut own = Vec::new();
        for item in &entries {
            let Some(rel) = item.as_str() else {
                return self.fatal(item.span, "a resource must be a path");
            };
            let path = self.resolve(dir, rel, item.span)?;
            if crate::deps::is_dir(&path) {
                let mut sub = Vec::new();
                self.accumulate(&path, &mut sub, item.span, false)?;
                own.extend(sub);
            } else if self.is_file(&path) {
                for doc in self.load_docs(&path, item.span)? {
                    self.add_resource_doc(doc, &mut own)?;
                }
            } else {
                return self.fatal_as(Problem::Missing, item.span, format!("`{rel}` does not exist"));
            }
        }
        if component {
            ra.extend(own);
        } else {
            *ra = own;
        }
        for item in k.get("components").map(Node::items).unwrap_or(&[]) {
            let Some(rel) = item.as_str() else {
                return self.fatal(item.span, "a component must be a path");
            };
            let path = self.resolve(dir, rel, item.span)?;
            if !crate::deps::is_dir(&path) {
                return self.fatal_as(
                    Problem::Missing,
                    item.span,
                    format!("component `{rel}` is not a folder"),
                );
            }
            self.accumulate(&path, ra, item.span, true)?;
        }
        generators::run(self, &k, dir, ra)?;
        plugins::run(self, &k, "generators", dir, ra)?;
        patch::strategic_merge_field(self, &k, dir, ra)?;
        let unmatched = no_match::unmatched(&k, "patches", ra);
        patch::patches_field(self, &k, dir, ra)?;
        self.still_unmatched(unmatched, &k, "patches", ra);
        transform::namespace(&self.map, &k, ra);
        transform::prefix_suffix(&self.map, &k, ra);
        transform::labels(&self.map, &k, ra, &self.config);
        transform::annotations(&self.map, &k, ra, &self.config);
        let unmatched = no_match::unmatched(&k, "patchesJson6902", ra);
        patch::json6902_field(self, &k, dir, ra)?;
        self.still_unmatched(unmatched, &k, "patchesJson6902", ra);
        transform::replicas(&self.map, &k, ra);
        transform::images(&self.map, &k, ra, &self.config);
        replace::replacements(self, &k, dir, ra)?;
        plugins::run(self, &k, "transformers", dir, ra)?;
        for v in k.get("vars").map(Node::items).unwrap_or(&[]) {
            self.vars.push(v.clone());
        }
        Ok(())
    }

    /// Reports the targets of `field` that selected nothing before its
    /// patches applied and still select nothing after (an earlier patch of
    /// the field can rename or relabel what a later one selects).
    fn still_unmatched(&mut self, before: Vec<(Span, String)>, k: &Node, field: &str, ra: &[Res]) {
        if before.is_empty() {
            return;
        }
        let after = no_match::unmatched(k, field, ra);
        for (span, message) in before {
            if after.iter().any(|(s, _)| *s == span) {
                self.note(Problem::PatchNoMatch, span, message);
            }
        }
    }

    fn add_resource_doc(&mut self, doc: Node, out: &mut Vec<Res>) -> Result<()> {
        if !doc.is_map() {
            return self.fatal(doc.span, "a resource must be a mapping");
        }
        let kind = doc.get("kind").and_then(Node::as_str).unwrap_or("");
        if kind.ends_with("List") && doc.get("items").is_some() {
            for item in doc.get("items").map(Node::items).unwrap_or(&[]) {
                self.add_resource_doc(item.clone(), out)?;
            }
            return Ok(());
        }
        if kind.is_empty() {
            return self.fatal(doc.span, "a resource has no `kind`");
        }
        out.push(Res::new(doc));
        Ok(())
    }
}

/// A path as shown in a message: relative to the current folder when
/// under it.
fn shown(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// A URL or a go-getter address kustomize would fetch.
pub fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.starts_with("git@")
        || s.contains("?ref=")
        || s.contains(".git//")
}

/// `a/b/../c` → `a/c`, lexically.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}
