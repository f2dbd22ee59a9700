//! The configuration (`.kvet.yaml` with the client's settings on top)
//! and the manifests of the workspace folders, read from disk.

use std::path::PathBuf;

use lsp_types as lsp;
use rayon::prelude::*;

use super::Server;
use super::convert::uri_to_path;
use crate::compact::Early;
use crate::config::{Config, find_config, load_config, parse_config};
use crate::kustomize_lint::is_kustomization_file_name;
use crate::rules::Registry;
use crate::source::{DiscoverOptions, Input, SourceFile, discover};
use crate::yaml::Stream;

/// Workspace manifests kept for cross-object rules, at most.
const MAX_WORKSPACE_FILES: usize = 5000;

/// A workspace file kept for cross-object rules: readable, and with
/// `apiVersion` and `kind` in it; or a kustomization file (rendered, with
/// or without them).
fn workspace_manifest(f: SourceFile) -> Option<SourceFile> {
    let kustomization = f.path.as_deref().is_some_and(is_kustomization_file_name);
    (f.load_error.is_none() && (kustomization || f.text.contains("apiVersion") && f.text.contains("kind"))).then_some(f)
}

/// Parses workspace files, compiles their CRDs and cuts their schemas
/// (see [`crate::compact::context`]), each file as soon as it is parsed.
fn load_context(files: &[SourceFile]) -> (Vec<Stream>, Vec<Early>) {
    let cache = crate::schema::crd::SchemaCache::default();
    files
        .par_iter()
        .map(|f| {
            let mut stream = crate::lint::parse_file(f);
            let early = crate::compact::context(f, &mut stream, &cache);
            (stream, early)
        })
        .unzip()
}

impl Server {
    /// Reads `.kvet.yaml` from the first workspace folder and applies the
    /// client's settings on top.
    pub(super) fn reload_config(&mut self) {
        let mut config = match self.roots.first().and_then(|r| find_config(r)) {
            Some(path) => match load_config(&path) {
                Ok(c) => c,
                Err(errs) => {
                    let text: Vec<String> = errs.iter().map(ToString::to_string).collect();
                    self.notify::<lsp::notification::ShowMessage>(lsp::ShowMessageParams {
                        typ: lsp::MessageType::ERROR,
                        message: format!("kvet: invalid configuration: {}", text.join("; ")),
                    });
                    Config::default()
                }
            },
            None => Config::default(),
        };
        if let Some(settings) = &self.client_settings {
            // The client's settings use the same keys as `.kvet.yaml`.
            let text = settings.to_string();
            match parse_config(
                "client settings",
                &text,
                self.roots.first().map_or(std::path::Path::new("."), |p| p),
            ) {
                Ok(c) => merge(&mut config, c),
                Err(errs) => {
                    let msg: Vec<String> = errs.iter().map(|e| e.message.clone()).collect();
                    self.log(lsp::MessageType::ERROR, format!("invalid settings: {}", msg.join("; ")));
                }
            }
        }
        self.registry = (!config.custom_rules.is_empty()).then(|| Registry::with_custom(&config.custom_rules));
        self.config = config;
        self.memo = Default::default();
    }

    /// Reads the manifests of the workspace folders.
    pub(super) fn scan_workspace(&mut self) {
        self.workspace.clear();
        self.kustomization_reads = None;
        if self.roots.is_empty() {
            return;
        }
        let args: Vec<String> = self.roots.iter().map(|r| r.display().to_string()).collect();
        let found = discover(&args, &DiscoverOptions::default());
        let files: Vec<(PathBuf, String)> = found
            .inputs
            .into_iter()
            .take(MAX_WORKSPACE_FILES)
            .filter_map(|i| match i {
                Input::File { path, name } => Some((path, name)),
                Input::Stdin => None,
            })
            .collect();
        self.workspace = files
            .into_par_iter()
            .filter_map(|(path, name)| workspace_manifest(SourceFile::read(&path, name)))
            .collect();
        (self.ws_streams, self.ws_early) = load_context(&self.workspace);
    }

    /// Workspace files changed on disk: a changed or deleted manifest is
    /// re-read (or dropped) alone; anything else (a new file, a file that
    /// may have become a manifest) rescans the workspace.
    pub(super) fn workspace_changed(&mut self, changes: &[lsp::FileEvent]) {
        let mut rescan = false;
        for c in changes {
            let Some(path) = uri_to_path(&c.uri) else { continue };
            let at = self
                .workspace
                .iter()
                .position(|f| f.path.as_deref() == Some(path.as_path()));
            match (at, c.typ) {
                (Some(i), lsp::FileChangeType::DELETED) => {
                    self.workspace.remove(i);
                    self.ws_streams.remove(i);
                    self.ws_early.remove(i);
                }
                (Some(i), lsp::FileChangeType::CHANGED) => {
                    let name = self.workspace[i].name.clone();
                    match workspace_manifest(SourceFile::read(&path, name)) {
                        Some(f) => {
                            let (mut streams, mut early) = load_context(std::slice::from_ref(&f));
                            self.ws_streams[i] = streams.pop().unwrap_or_default();
                            self.ws_early[i] = early.pop().unwrap_or_default();
                            self.workspace[i] = f;
                        }
                        None => {
                            self.workspace.remove(i);
                            self.ws_streams.remove(i);
                            self.ws_early.remove(i);
                        }
                    }
                }
                (None, lsp::FileChangeType::DELETED) => {}
                _ => rescan = true,
            }
        }
        if rescan {
            self.scan_workspace();
        }
    }
}

/// Client settings override the file: lists replace, maps merge.
fn merge(base: &mut Config, over: Config) {
    if !over.select.is_empty() {
        base.select = over.select;
    }
    base.ignore.extend(over.ignore);
    base.severity.extend(over.severity);
    base.options.extend(over.options);
    base.kubernetes_version = over.kubernetes_version.or(base.kubernetes_version.take());
    base.target_version = over.target_version.or(base.target_version.take());
    base.ignore_paths.extend(over.ignore_paths);
    base.custom_rules.extend(over.custom_rules);
    base.crds.extend(over.crds);
}
