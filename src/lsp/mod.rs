//! `kvet lsp`: a language server on stdio (lsp-server + lsp-types,
//! synchronous), running the same `lint()` as the command line.
//!
//! Open documents that look like Kubernetes manifests (or are
//! kustomization files) are linted together with the manifests of the
//! workspace folders (for cross-object rules), and the kustomization roots
//! of the workspace are rendered as `kvet check` renders them, reading the
//! open documents' unsaved texts. Findings are published for the open
//! documents, and for every file where a root that reads an open document
//! puts a finding (editing a patch shows the rendered findings in the
//! base). After the first full render, an edit re-renders only the
//! kustomizations that read an open document. Edits are debounced.
//! A panic while handling one message is caught and logged; the server
//! goes on.

mod actions;
pub mod convert;
mod transport;

pub use transport::{
    Frame, MAX_MESSAGE_BYTES, SERIALIZED, SKIPPED_REQUEST, read_back, read_frame, request_id_prefix, run_stdio, serve,
    write_message,
};

use std::collections::{HashMap, HashSet};
use std::io::{self, BufRead, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use serde_json::Value;

use crate::compact::Early;
use crate::config::{Config, find_config, load_config, parse_config};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::RENDERED_BY;
use crate::kustomize_lint::is_kustomization_file_name;
use crate::lint::{Loaded, lint_focused};
use crate::render::roots::{RenderOptions, RenderedRoots, apply, render_roots};
use crate::rules::Registry;
use crate::source::FileId;
use crate::source::{DiscoverOptions, Input, SourceFile, discover};
use crate::yaml::{Limits, Stream, parse_source, reparse_source};
use convert::{Encoding, path_to_uri, uri_to_path};
use rayon::prelude::*;

/// Delay between the last edit and the re-lint.
const DEBOUNCE: Duration = Duration::from_millis(150);
/// Workspace manifests kept for cross-object rules, at most.
const MAX_WORKSPACE_FILES: usize = 5000;

struct Doc {
    uri: lsp::Uri,
    text: String,
    version: i32,
    language: String,
}

/// What the server knows between messages.
pub struct Server {
    enc: Encoding,
    /// Open documents by URI text (`lsp::Uri` caches internally, so it is
    /// not used as a key).
    docs: HashMap<String, Doc>,
    roots: Vec<PathBuf>,
    /// Manifests of the workspace folders (read from disk).
    workspace: Vec<SourceFile>,
    /// Their documents, parsed once when read (index by index): an edit
    /// re-parses only the open documents.
    ws_streams: Vec<Stream>,
    /// Their CRDs, compiled when read, whose schemas are cut from
    /// `ws_streams` ([`crate::compact::context`]).
    ws_early: Vec<Early>,
    config: Config,
    registry: Option<Registry>,
    /// Settings from the client (initializationOptions or didChangeConfiguration).
    client_settings: Option<Value>,
    /// Documents whose findings were published non-empty (to clear later).
    published: HashSet<String>,
    /// The latest findings per open document, with the sources they refer to.
    last: HashMap<String, (std::sync::Arc<SourceFile>, Vec<Diagnostic>)>,
    /// Each open document's text and stream when last linted: an edit
    /// re-parses only the YAML documents it touches ([`crate::yaml::reparse`]).
    parsed: HashMap<String, (std::sync::Arc<SourceFile>, Stream)>,
    /// The files each kustomization folder's last render read (`None` until
    /// a full render, and after the workspace changed on disk): an edit
    /// re-renders only the kustomizations that read an open document.
    kustomization_reads: Option<HashMap<PathBuf, Vec<PathBuf>>>,
    /// The open documents' objects' own findings, reused while an object's
    /// text stays the same (one memo per configuration).
    memo: std::sync::Arc<crate::memo::ObjectMemo>,
    deadline: Option<Instant>,
    outbox: Vec<Message>,
    next_id: i32,
}

/// A workspace file kept for cross-object rules: readable, and with
/// `apiVersion` and `kind` in it; or a kustomization file (rendered, with
/// or without them).
fn workspace_manifest(f: SourceFile) -> Option<SourceFile> {
    let kustomization = f.path.as_deref().is_some_and(is_kustomization_file_name);
    (f.load_error.is_none() && (kustomization || f.text.contains("apiVersion") && f.text.contains("kind"))).then_some(f)
}

fn looks_like_manifest(doc: &Doc) -> bool {
    let yamlish = matches!(doc.language.as_str(), "yaml" | "json" | "jsonc")
        || [".yaml", ".yml", ".json"].iter().any(|e| doc.uri.as_str().ends_with(e));
    let kustomization = uri_to_path(&doc.uri).is_some_and(|p| is_kustomization_file_name(&p));
    kustomization || yamlish && doc.text.contains("apiVersion") && doc.text.contains("kind")
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

/// A path as the renderer names it (symbolic links resolved).
fn canonical(p: &std::path::Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

impl Server {
    pub fn new(params: &lsp::InitializeParams) -> Server {
        let utf8 = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|e| e.contains(&lsp::PositionEncodingKind::UTF8));
        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| uri_to_path(&f.uri))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(p) = params.root_uri.as_ref().and_then(uri_to_path)
        {
            roots.push(p);
        }
        let mut s = Server {
            enc: if utf8 { Encoding::Utf8 } else { Encoding::Utf16 },
            docs: HashMap::new(),
            roots,
            workspace: Vec::new(),
            ws_streams: Vec::new(),
            ws_early: Vec::new(),
            config: Config::default(),
            registry: None,
            client_settings: params.initialization_options.clone().filter(|v| v.is_object()),
            published: HashSet::new(),
            last: HashMap::new(),
            parsed: HashMap::new(),
            kustomization_reads: None,
            memo: Default::default(),
            deadline: None,
            outbox: Vec::new(),
            next_id: 1,
        };
        s.reload_config();
        s.scan_workspace();
        s
    }

    pub fn capabilities(&self) -> lsp::ServerCapabilities {
        lsp::ServerCapabilities {
            position_encoding: Some(match self.enc {
                Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
                Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                ..Default::default()
            })),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            ..Default::default()
        }
    }

    fn log(&mut self, typ: lsp::MessageType, message: String) {
        eprintln!("kvet lsp: {message}");
        self.notify::<lsp::notification::LogMessage>(lsp::LogMessageParams { typ, message });
    }

    fn notify<N: lsp::notification::Notification>(&mut self, params: N::Params) {
        self.outbox
            .push(Message::Notification(Notification::new(N::METHOD.to_string(), params)));
    }

    /// Reads `.kvet.yaml` from the first workspace folder and applies the
    /// client's settings on top.
    fn reload_config(&mut self) {
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
    fn scan_workspace(&mut self) {
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
    fn workspace_changed(&mut self, changes: &[lsp::FileEvent]) {
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

    fn apply_change(&mut self, uri: &lsp::Uri, change: lsp::TextDocumentContentChangeEvent) {
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(uri.as_str()) else {
            return;
        };
        match change.range {
            None => doc.text = change.text,
            Some(r) => {
                let file = SourceFile::from_text("", None, std::mem::take(&mut doc.text));
                let start = convert::offset(&file, r.start, enc) as usize;
                let end = (convert::offset(&file, r.end, enc) as usize).max(start);
                let mut text = file.text;
                if end <= text.len() {
                    text.replace_range(start..end, &change.text);
                }
                doc.text = text;
            }
        }
    }

    /// Handles a notification. Returns true when findings should be
    /// published now (rather than after the debounce delay).
    pub fn notification(&mut self, n: Notification) {
        use lsp::notification as n_;
        match n.method.as_str() {
            n_::DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) {
                    let d = p.text_document;
                    self.docs.insert(
                        d.uri.as_str().to_string(),
                        Doc {
                            uri: d.uri,
                            text: d.text,
                            version: d.version,
                            language: d.language_id,
                        },
                    );
                    self.lint_and_publish();
                }
            }
            n_::DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    for c in p.content_changes {
                        self.apply_change(&uri, c);
                    }
                    if let Some(d) = self.docs.get_mut(uri.as_str()) {
                        d.version = p.text_document.version;
                    }
                    self.deadline = Some(Instant::now() + DEBOUNCE);
                }
            }
            n_::DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidSaveTextDocumentParams>(n.params) {
                    if let (Some(text), Some(d)) = (p.text, self.docs.get_mut(p.text_document.uri.as_str())) {
                        d.text = text;
                    }
                    self.lint_and_publish();
                }
            }
            n_::DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) {
                    let uri = p.text_document.uri;
                    self.docs.remove(uri.as_str());
                    self.last.remove(uri.as_str());
                    self.published.remove(uri.as_str());
                    self.notify::<n_::PublishDiagnostics>(lsp::PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                    self.deadline = Some(Instant::now() + DEBOUNCE);
                }
            }
            n_::DidChangeWatchedFiles::METHOD => {
                let changes = serde_json::from_value::<lsp::DidChangeWatchedFilesParams>(n.params)
                    .map(|p| p.changes)
                    .unwrap_or_default();
                let config_changed = changes
                    .iter()
                    .any(|c| c.uri.as_str().ends_with(".kvet.yaml") || c.uri.as_str().ends_with(".kvet.yml"));
                if config_changed {
                    self.reload_config();
                }
                self.workspace_changed(&changes);
                self.lint_and_publish();
            }
            n_::DidChangeConfiguration::METHOD => {
                if let Ok(p) = serde_json::from_value::<lsp::DidChangeConfigurationParams>(n.params) {
                    let settings = p.settings.get("kvet").cloned().unwrap_or(p.settings);
                    self.client_settings = settings.is_object().then_some(settings);
                    self.reload_config();
                    self.lint_and_publish();
                }
            }
            n_::Initialized::METHOD => self.register_watchers(),
            _ => {}
        }
    }

    fn register_watchers(&mut self) {
        let options = lsp::DidChangeWatchedFilesRegistrationOptions {
            watchers: ["**/*.yaml", "**/*.yml", "**/*.json", "**/.kvet.yaml"]
                .iter()
                .map(|g| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String((*g).to_string()),
                    kind: None,
                })
                .collect(),
        };
        let params = lsp::RegistrationParams {
            registrations: vec![lsp::Registration {
                id: "kvet-watch".into(),
                method: lsp::notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        let id = self.next_id;
        self.next_id += 1;
        self.outbox.push(Message::Request(Request::new(
            RequestId::from(format!("kvet-{id}")),
            lsp::request::RegisterCapability::METHOD.into(),
            params,
        )));
    }

    pub fn request(&mut self, req: Request) -> Response {
        use lsp::request as r_;
        let id = req.id.clone();
        let result = match req.method.as_str() {
            // Only the document and range matter: clients differ in what they
            // put in `context.diagnostics`, so it is not parsed.
            r_::CodeActionRequest::METHOD => serde_json::from_value::<CodeActionTarget>(req.params)
                .map(|p| serde_json::to_value(self.code_actions(&p.text_document.uri, p.range)).unwrap_or(Value::Null)),
            r_::HoverRequest::METHOD => serde_json::from_value::<lsp::HoverParams>(req.params)
                .map(|p| serde_json::to_value(self.hover(&p)).unwrap_or(Value::Null)),
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("unhandled method {}", req.method),
                );
            }
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e.to_string()),
        }
    }

    /// Messages waiting to be sent.
    pub fn take_outbox(&mut self) -> Vec<Message> {
        self.take_outbox_as_sent().into_iter().map(read_back).collect()
    }

    /// Messages waiting to be sent, as the writer gets them: findings are
    /// [`SERIALIZED`] notifications (their JSON text, to write unchanged).
    pub fn take_outbox_as_sent(&mut self) -> Vec<Message> {
        std::mem::take(&mut self.outbox)
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }
}

/// The part of `textDocument/codeAction` parameters the server uses.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CodeActionTarget {
    text_document: lsp::TextDocumentIdentifier,
    range: lsp::Range,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Server {
        let params: lsp::InitializeParams =
            serde_json::from_value(serde_json::json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}"));
        Server::new(&params)
    }

    fn open(s: &mut Server, text: &str) {
        s.notification(Notification::new(
            lsp::notification::DidOpenTextDocument::METHOD.into(),
            serde_json::json!({ "textDocument": { "uri": "file:///w/a.yaml", "languageId": "yaml", "version": 1, "text": text } }),
        ));
    }

    #[test]
    fn findings_written_as_text_read_back_as_the_message() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"é\\\"x\"}\nspec:\n  replicas: 1\n";
        let mut typed = server();
        open(&mut typed, text);
        let want = typed.take_outbox();
        let mut raw = server();
        open(&mut raw, text);
        let sent = raw.take_outbox_as_sent();
        assert!(
            sent.iter()
                .any(|m| matches!(m, Message::Notification(n) if n.method == SERIALIZED))
        );
        let mut bytes = Vec::new();
        for m in sent {
            write_message(&mut bytes, m).unwrap_or_else(|e| panic!("{e}"));
        }
        let mut read = std::io::Cursor::new(bytes);
        let mut got = Vec::new();
        while let Some(frame) = read_frame(&mut read).unwrap_or_else(|e| panic!("{e}")) {
            match frame {
                Frame::Message(m) => got.push(m),
                Frame::Skipped(why, _) => panic!("{why}"),
            }
        }
        let json = |ms: &[Message]| serde_json::to_value(ms).unwrap_or_default();
        assert_eq!(json(&got), json(&want));
        assert!(
            json(&got).to_string().contains("publishDiagnostics"),
            "a publish was written"
        );
    }
}
