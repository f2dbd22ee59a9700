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
mod publish;
mod transport;
mod workspace;

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
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::Stream;
use convert::{Encoding, uri_to_path};

/// Delay between the last edit and the re-lint.
const DEBOUNCE: Duration = Duration::from_millis(150);

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

    /// Handles a notification: an opened or saved document is linted and
    /// its findings published at once, an edited one's after the debounce
    /// delay; a closed document's findings are cleared.
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

#[cfg(test)]
mod tests;
