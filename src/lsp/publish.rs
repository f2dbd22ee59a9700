//! Linting the open documents with the workspace's manifests, rendering
//! the kustomization roots, and publishing the findings.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use lsp_server::{Message, Notification};
use lsp_types as lsp;
use serde_json::Value;

use super::convert::{self, path_to_uri, uri_to_path};
use super::{Doc, SERIALIZED, Server};
use crate::compact::Early;
use crate::diagnostic::Diagnostic;
use crate::diagnostic::RENDERED_BY;
use crate::kustomize_lint::is_kustomization_file_name;
use crate::lint::{Loaded, lint_focused};
use crate::render::roots::{RenderOptions, RenderedRoots, apply, render_roots};
use crate::rules::Registry;
use crate::source::FileId;
use crate::source::SourceFile;
use crate::yaml::{Limits, Stream, parse_source, reparse_source};

fn looks_like_manifest(doc: &Doc) -> bool {
    let yamlish = matches!(doc.language.as_str(), "yaml" | "json" | "jsonc")
        || [".yaml", ".yml", ".json"].iter().any(|e| doc.uri.as_str().ends_with(e));
    let kustomization = uri_to_path(&doc.uri).is_some_and(|p| is_kustomization_file_name(&p));
    kustomization || yamlish && doc.text.contains("apiVersion") && doc.text.contains("kind")
}

/// A path as the renderer names it (symbolic links resolved).
fn canonical(p: &std::path::Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

impl Server {
    /// Lints the open manifests with the workspace and publishes findings.
    /// Workspace files come first, so a finding about "the second of two"
    /// lands in the document being edited.
    pub fn lint_and_publish(&mut self) {
        self.deadline = None;
        let mut keys: Vec<String> = self
            .docs
            .iter()
            .filter(|(_, d)| looks_like_manifest(d))
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort();
        // Streams of documents no longer linted are not kept.
        self.parsed.retain(|k, _| keys.binary_search(k).is_ok());
        let mut uris: Vec<lsp::Uri> = Vec::new();
        let mut open: Vec<SourceFile> = Vec::new();
        let mut open_paths: HashSet<PathBuf> = HashSet::new();
        for key in &keys {
            let doc = &self.docs[key];
            let path = uri_to_path(&doc.uri);
            let name = path.as_ref().map_or_else(|| key.clone(), |p| p.display().to_string());
            if let Some(p) = &path {
                open_paths.insert(p.clone());
            }
            uris.push(doc.uri.clone());
            open.push(SourceFile::from_text(name, path, doc.text.clone()));
        }
        // The workspace's documents, parsed when read; an open document
        // stands in for its file (whose entry is emptied for this lint),
        // and only the open documents are parsed and checked again.
        let mut sources = std::mem::take(&mut self.workspace);
        let mut streams = std::mem::take(&mut self.ws_streams);
        let mut early = std::mem::take(&mut self.ws_early);
        early.resize_with(streams.len(), Early::default);
        let mut hidden: Vec<(usize, SourceFile, Stream)> = Vec::new();
        for (i, f) in sources.iter_mut().enumerate() {
            if f.path.as_ref().is_some_and(|p| open_paths.contains(p)) {
                let empty = SourceFile::from_text(f.name.clone(), None, String::new());
                let stream = streams.get_mut(i).map(std::mem::take).unwrap_or_default();
                hidden.push((i, std::mem::replace(f, empty), stream));
            }
        }
        let first_open = sources.len();
        let open_count = open.len();
        for (key, src) in keys.iter().zip(&open) {
            let stream = match self.parsed.remove(key.as_str()) {
                _ if src.load_error.is_some() => Stream::default(),
                Some((old_src, old)) => {
                    reparse_source(&old_src.text, old, &src.text, src.looks_like_json(), Limits::default())
                }
                None => parse_source(&src.text, src.looks_like_json(), Limits::default()),
            };
            // The open documents are checked whole; their placeholders are
            // found here as a run without compact entries finds them.
            early.push(Early {
                placeholders: crate::placeholder::find_in(src, &stream),
                ..Early::default()
            });
            streams.push(stream);
        }
        sources.extend(open);
        let focus: HashSet<FileId> = (first_open..sources.len()).map(|i| i as FileId).collect();
        let loaded = Loaded { streams, early };
        let registry = self.registry.as_ref().unwrap_or_else(|| Registry::builtin());
        let mut output = lint_focused(&sources, &loaded, &focus, &self.config, registry, Some(&self.memo));
        // Kustomization roots are rendered with the open documents' texts
        // (unsaved edits included) instead of the files'.
        let overlay: HashMap<PathBuf, String> = self
            .docs
            .values()
            .filter_map(|d| Some((canonical(&uri_to_path(&d.uri)?), d.text.clone())))
            .collect();
        let open_canonical: HashSet<PathBuf> = open_paths.iter().map(|p| canonical(p)).collect();
        // After a full render, only the kustomizations that read an open
        // document (and new ones) are rendered again.
        let only = self.kustomization_reads.as_ref().map(|reads| {
            let mut dirs: HashSet<PathBuf> = reads
                .iter()
                .filter(|(_, used)| used.iter().any(|u| open_canonical.contains(u)))
                .map(|(dir, _)| dir.clone())
                .collect();
            for p in sources.iter().filter_map(|s| s.path.as_deref()) {
                if is_kustomization_file_name(p)
                    && let Some(dir) = p.parent().map(canonical)
                    && !reads.contains_key(&dir)
                {
                    dirs.insert(dir);
                }
            }
            std::sync::Arc::new(dirs)
        });
        let opts = RenderOptions {
            overlay: Some(std::sync::Arc::new(overlay)),
            only,
        };
        let rendered = if self.config.render == Some(false) {
            RenderedRoots::default()
        } else {
            let r = render_roots(&mut sources, &|_| (&self.config, Some(registry)), &opts);
            apply(&mut output, &r);
            r
        };
        let reads = self.kustomization_reads.get_or_insert_with(HashMap::new);
        for (_, dir, used) in &rendered.reads {
            reads.insert(dir.clone(), used.clone());
        }
        // Roots whose render read an open document: their findings are
        // published in every file they land in, open or not.
        let affected: HashSet<u32> = rendered
            .reads
            .iter()
            .filter(|(_, _, used)| used.iter().any(|u| open_canonical.contains(u)))
            .map(|(root, _, _)| *root)
            .collect();
        let mut extra: Vec<(usize, lsp::Uri)> = Vec::new();
        for d in &output.diagnostics {
            let i = d.file as usize;
            let is_open = i >= first_open && i < first_open + open_count;
            if is_open || extra.iter().any(|(k, _)| *k == i) {
                continue;
            }
            let from_affected = d
                .labels
                .iter()
                .any(|l| l.message == RENDERED_BY && affected.contains(&l.file));
            if from_affected && let Some(uri) = sources[i].path.as_deref().and_then(path_to_uri) {
                extra.push((i, uri));
            }
        }
        let uri_of = |i: usize| -> Option<lsp::Uri> {
            match i.checked_sub(first_open).filter(|k| *k < open_count) {
                Some(k) => uris.get(k).cloned(),
                None => sources.get(i).and_then(|s| s.path.as_deref()).and_then(path_to_uri),
            }
        };
        // The files published: the open documents, then the affected ones.
        let targets: Vec<(usize, lsp::Uri)> = (0..open_count)
            .map(|k| (first_open + k, uris[k].clone()))
            .chain(extra)
            .collect();
        let mut per_doc: Vec<Vec<Diagnostic>> = vec![Vec::new(); targets.len()];
        for d in output.diagnostics {
            if let Some(k) = targets.iter().position(|(i, _)| *i == d.file as usize) {
                per_doc[k].push(d);
            }
        }
        let mut now_published = HashSet::new();
        let mut rebased_of: Vec<Option<Vec<Diagnostic>>> = vec![None; open_count];
        for (k, diags) in per_doc.into_iter().enumerate() {
            let (i, uri) = targets[k].clone();
            let key = uri.as_str().to_string();
            let version = self.docs.get(&key).map(|d| d.version);
            // Written as JSON text straight from the findings (see
            // `convert::publish_json`); the writer sends it unchanged.
            let (text, published) = convert::publish_json(&uri, version, &diags, &sources, uri_of, self.enc);
            if published > 0 {
                now_published.insert(key.clone());
            }
            self.outbox.push(Message::Notification(Notification {
                method: SERIALIZED.into(),
                params: Value::String(text),
            }));
            if k >= open_count {
                continue;
            }
            // Findings keep file ids of the whole run: rebase them on the
            // document for code actions and hovers.
            let rebased = diags
                .into_iter()
                .map(|mut d| {
                    d.file = 0;
                    d.labels.retain(|l| l.file as usize == i);
                    d.labels.iter_mut().for_each(|l| l.file = 0);
                    // A quick fix edits this document only (a rendered
                    // finding's fix may edit another origin file).
                    if d.fix
                        .as_ref()
                        .is_some_and(|f| f.edits.iter().any(|e| e.file as usize != i))
                    {
                        d.fix = None;
                    }
                    if let Some(f) = &mut d.fix {
                        f.edits.iter_mut().for_each(|e| e.file = 0);
                    }
                    d
                })
                .collect();
            rebased_of[k] = Some(rebased);
        }
        // The workspace as it was; the open documents' texts and streams
        // kept for the next edit, and with their findings.
        let mut streams = loaded.streams;
        let mut early = loaded.early;
        early.truncate(first_open);
        for (k, ((key, src), stream)) in keys
            .iter()
            .zip(sources.drain(first_open..))
            .zip(streams.drain(first_open..))
            .enumerate()
        {
            let src = std::sync::Arc::new(src);
            if let Some(rebased) = rebased_of.get_mut(k).and_then(Option::take) {
                self.last.insert(key.clone(), (std::sync::Arc::clone(&src), rebased));
            }
            self.parsed.insert(key.clone(), (src, stream));
        }
        for (i, f, stream) in hidden {
            sources[i] = f;
            streams[i] = stream;
        }
        self.workspace = sources;
        self.ws_streams = streams;
        self.ws_early = early;
        // Documents that stopped looking like manifests, and files no
        // affected root reports in any more: clear them.
        for key in self.published.difference(&now_published).cloned().collect::<Vec<_>>() {
            if targets.iter().any(|(_, u)| u.as_str() == key) {
                continue;
            }
            self.last.remove(&key);
            if let Some(uri) = self.docs.get(&key).map(|d| d.uri.clone()).or_else(|| key.parse().ok()) {
                self.notify::<lsp::notification::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
        self.published = now_published;
    }
}
