//! Schemas of custom resources the run does not define: kvet's embedded
//! catalog of published CRDs (`schemas/crd-catalog.bin`, written by
//! `cargo xtask schemas`) and a team's catalog folders in the layout
//! kubeconform users keep (`{group}/{kind}_{version}.json` JSON schemas).
//!
//! Both are read lazily: the embedded catalog's index (projects, kinds and
//! where each kind's compressed chunk lies) is read on first use, and a
//! kind's chunk is decompressed and decoded only when a resource of that
//! kind is checked; a catalog folder is listed when the run starts and a
//! kind's schema files are parsed when first needed.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use super::{CrdIndex, CrdSchema, KindDef, Origin, VersionDef, add_crd, codec, crd_is_v1, merge_kind};
use crate::config::Config;
use crate::model::{DocObjects, Object, doc_objects};
use crate::source::SourceFile;
use crate::yaml::{Limits, Node, parse_json, parse_yaml};

static BLOB: &[u8] = include_bytes!("../../../schemas/crd-catalog.bin");
const MAGIC: &[u8; 8] = b"KVETCRD1";

/// Gateway API's release channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Standard,
    Experimental,
}

impl Channel {
    fn tag(self) -> u8 {
        match self {
            Channel::Standard => 1,
            Channel::Experimental => 2,
        }
    }
}

fn channel_name(tag: u8) -> Option<&'static str> {
    match tag {
        1 => Some("standard"),
        2 => Some("experimental"),
        _ => None,
    }
}

/// One project of the embedded catalog.
#[derive(Debug)]
pub struct Project {
    /// Folder name, e.g. `cert-manager`.
    pub name: &'static str,
    /// Release the CRDs were taken from, e.g. `v1.21.1`.
    pub version: &'static str,
    pub license: &'static str,
    /// Upstream repository, `owner/name`.
    pub repository: &'static str,
    /// Custom resource kinds (both Gateway API channels counted once).
    pub kinds: usize,
}

#[derive(Debug)]
struct Entry {
    group: &'static str,
    kind: &'static str,
    project: usize,
    /// 0: any; 1: Gateway API standard channel; 2: experimental.
    channel: u8,
    chunk: &'static [u8],
}

#[derive(Debug)]
struct Embedded {
    projects: Vec<Project>,
    /// Sorted by (group, kind, channel).
    entries: Vec<Entry>,
    decoded: Vec<OnceLock<Option<KindDef>>>,
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or("unexpected end of the catalog")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<usize, String> {
        let v = crate::schema::decode::read_varint(self.buf, &mut self.pos, "unexpected end of the catalog")?;
        usize::try_from(v).map_err(|_| "number too large".to_string())
    }

    fn bytes(&mut self, n: usize) -> Result<&'b [u8], String> {
        crate::schema::decode::read_bytes(self.buf, &mut self.pos, n, "unexpected end of the catalog")
    }

    fn str(&mut self) -> Result<&'b str, String> {
        let n = self.varint()?;
        std::str::from_utf8(self.bytes(n)?).map_err(|e| format!("bad string: {e}"))
    }
}

fn read_index(blob: &'static [u8]) -> Result<Embedded, String> {
    let mut r = Reader { buf: blob, pos: 0 };
    if r.bytes(MAGIC.len())? != MAGIC {
        return Err("bad magic".into());
    }
    let n = r.varint()?;
    let mut projects = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        projects.push(Project {
            name: r.str()?,
            version: r.str()?,
            license: r.str()?,
            repository: r.str()?,
            kinds: 0,
        });
    }
    let n = r.varint()?;
    let mut spans = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let group = r.str()?;
        let kind = r.str()?;
        let project = r.varint()?;
        if project >= projects.len() {
            return Err(format!("project index {project} out of range"));
        }
        let channel = r.byte()?;
        let len = r.varint()?;
        spans.push((group, kind, project, channel, len));
    }
    let mut entries = Vec::with_capacity(spans.len());
    let mut counted: HashSet<(&str, &str)> = HashSet::new();
    for (group, kind, project, channel, len) in spans {
        let chunk = r.bytes(len)?;
        if counted.insert((group, kind)) {
            projects[project].kinds += 1;
        }
        entries.push(Entry {
            group,
            kind,
            project,
            channel,
            chunk,
        });
    }
    if r.pos != blob.len() {
        return Err(format!("{} trailing bytes", blob.len() - r.pos));
    }
    entries.sort_by(|a, b| (a.group, a.kind, a.channel).cmp(&(b.group, b.kind, b.channel)));
    let decoded = entries.iter().map(|_| OnceLock::new()).collect();
    Ok(Embedded {
        projects,
        entries,
        decoded,
    })
}

fn embedded() -> Result<&'static Embedded, &'static str> {
    static LOADED: OnceLock<Result<Embedded, String>> = OnceLock::new();
    LOADED.get_or_init(|| read_index(BLOB)).as_ref().map_err(String::as_str)
}

/// Why the embedded catalog cannot be read (a build problem), if it cannot.
pub fn load_error() -> Option<&'static str> {
    embedded().err()
}

/// The projects of the embedded catalog, in catalog order.
pub fn projects() -> &'static [Project] {
    embedded().map(|e| &e.projects[..]).unwrap_or(&[])
}

fn decompress(chunk: &[u8]) -> Result<Vec<u8>, String> {
    let mut raw = Vec::with_capacity(chunk.len() * 4);
    ruzstd::decoding::StreamingDecoder::new(chunk)
        .map_err(|e| format!("bad zstd frame: {e}"))?
        .read_to_end(&mut raw)
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(raw)
}

/// The embedded definition of `group` `kind`, decoded on first use. For a
/// Gateway API kind, the entry of `channel`; a kind only the experimental
/// channel has is used with the standard channel too (its resources need
/// the experimental CRDs installed anyway).
pub(super) fn embedded_kind(group: &str, kind: &str, channel: Channel) -> Option<&'static KindDef> {
    let e = embedded().ok()?;
    let start = e.entries.partition_point(|x| (x.group, x.kind) < (group, kind));
    let same = e.entries[start..]
        .iter()
        .take_while(|x| x.group == group && x.kind == kind)
        .count();
    if same == 0 {
        return None;
    }
    let candidates = start..start + same;
    let i = candidates
        .clone()
        .find(|&i| e.entries[i].channel == 0 || e.entries[i].channel == channel.tag())
        .unwrap_or(candidates.start);
    let entry = &e.entries[i];
    e.decoded[i]
        .get_or_init(|| {
            let project = &e.projects[entry.project];
            let origin = Origin::Embedded {
                project: project.name,
                version: project.version,
                channel: channel_name(entry.channel),
            };
            let raw = decompress(entry.chunk).ok()?;
            codec::decode_kind(&raw, entry.group, entry.kind, origin).ok()
        })
        .as_ref()
}

/// How many kinds of the embedded catalog this process has decoded so far
/// (kinds are decoded on first use only).
pub fn decoded_kinds() -> usize {
    embedded().map_or(0, |e| e.decoded.iter().filter(|c| c.get().is_some()).count())
}

/// Every kind of the embedded catalog: `(project, group, kind, channel)`.
pub fn embedded_kinds() -> impl Iterator<Item = (&'static str, &'static str, &'static str, Option<&'static str>)> {
    embedded().into_iter().flat_map(|e| {
        e.entries
            .iter()
            .map(|x| (e.projects[x.project].name, x.group, x.kind, channel_name(x.channel)))
    })
}

/// Decodes every kind of the embedded catalog (for tests and the
/// generator's check): the number decoded and the errors.
pub fn decode_all() -> (usize, Vec<String>) {
    let Ok(e) = embedded() else {
        return (0, vec!["the embedded catalog cannot be read".into()]);
    };
    let mut errors = Vec::new();
    for x in &e.entries {
        let decoded = decompress(x.chunk).and_then(|raw| {
            codec::decode_kind(
                &raw,
                x.group,
                x.kind,
                Origin::Run(String::new()), // not kept
            )
        });
        if let Err(err) = decoded {
            errors.push(format!("{} {}: {err}", x.group, x.kind));
        }
    }
    (e.entries.len(), errors)
}

// ---------------------------------------------------------------- writing

/// A compiled custom resource kind, ready to be stored (used by
/// `cargo xtask schemas`).
#[doc(hidden)]
pub struct CompiledKind {
    pub group: String,
    pub kind: String,
    /// Version names, in CRD order.
    pub versions: Vec<String>,
    /// The uncompressed chunk.
    pub chunk: Vec<u8>,
}

/// `line:column` (1-based) of a byte offset.
fn line_col(text: &str, offset: u32) -> (usize, usize) {
    let at = (offset as usize).min(text.len());
    let before = text.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Compiles the CRDs of one file (`name` is used in warnings). Documents
/// that are not CustomResourceDefinitions, or that lack a group or kind,
/// are skipped with a located warning.
#[doc(hidden)]
pub fn compile_crd_file(name: &str, text: &str) -> (Vec<CompiledKind>, Vec<String>) {
    let stream = parse_yaml(text, Limits::default());
    let mut warnings: Vec<String> = stream
        .diagnostics
        .iter()
        .filter(|d| d.rule != "yaml-duplicate-key")
        .map(|d| {
            let (l, c) = line_col(text, d.span.start);
            format!(
                "{name}:{l}:{c}: {} ({}); a document that does not load is skipped",
                d.message, d.rule
            )
        })
        .collect();
    let mut by_name = HashMap::new();
    let mut kinds = Vec::new();
    for doc in &stream.documents {
        let Some(root) = &doc.root else { continue };
        let (l, c) = line_col(text, root.span.start);
        let at = format!("{name}:{l}:{c}");
        let s = |k: &str| root.get(k).and_then(Node::as_str);
        let v1 = match (s("apiVersion"), s("kind")) {
            (Some("apiextensions.k8s.io/v1"), Some("CustomResourceDefinition")) => true,
            (Some("apiextensions.k8s.io/v1beta1"), Some("CustomResourceDefinition")) => false,
            (av, k) => {
                warnings.push(format!(
                    "{at}: skipped: not a CustomResourceDefinition ({} {})",
                    av.unwrap_or("-"),
                    k.unwrap_or("-")
                ));
                continue;
            }
        };
        let spec = root.get("spec");
        let group = spec.and_then(|s| s.get("group")).and_then(Node::as_str);
        let kind = spec.and_then(|s| s.path(&["names", "kind"])).and_then(Node::as_str);
        if group.is_none() || kind.is_none() {
            warnings.push(format!("{at}: skipped: the CRD has no spec.group or spec.names.kind"));
            continue;
        }
        add_crd(root, v1, &Origin::Run(String::new()), &mut by_name, &mut kinds);
    }
    let compiled = kinds
        .iter()
        .map(|k| {
            if k.versions.iter().all(|v| v.schema.is_none()) {
                warnings.push(format!("{name}: {} {}: no version has a schema", k.group, k.kind));
            }
            CompiledKind {
                group: k.group.clone(),
                kind: k.kind.clone(),
                versions: k.versions.iter().map(|v| v.name.clone()).collect(),
                chunk: codec::encode_kind(k),
            }
        })
        .collect();
    (compiled, warnings)
}

/// A project as written into the catalog.
#[doc(hidden)]
pub struct ProjectMeta<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub license: &'a str,
    pub repository: &'a str,
}

/// A kind as written into the catalog: `chunk` is compressed (zstd).
#[doc(hidden)]
pub struct StoredKind<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub project: usize,
    /// `None`, or Gateway API's `"standard"` / `"experimental"`.
    pub channel: Option<&'a str>,
    pub chunk: &'a [u8],
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

/// Serialises the catalog (format: `schemas/README.md`).
#[doc(hidden)]
pub fn write_catalog(projects: &[ProjectMeta<'_>], kinds: &[StoredKind<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    put_varint(&mut out, projects.len() as u64);
    for p in projects {
        put_str(&mut out, p.name);
        put_str(&mut out, p.version);
        put_str(&mut out, p.license);
        put_str(&mut out, p.repository);
    }
    put_varint(&mut out, kinds.len() as u64);
    for k in kinds {
        put_str(&mut out, k.group);
        put_str(&mut out, k.kind);
        put_varint(&mut out, k.project as u64);
        out.push(match k.channel {
            Some("standard") => 1,
            Some("experimental") => 2,
            _ => 0,
        });
        put_varint(&mut out, k.chunk.len() as u64);
    }
    for k in kinds {
        out.extend_from_slice(k.chunk);
    }
    out
}

// ---------------------------------------------------------- catalog folders

/// Problems met while reading catalog folders and their schemas, waiting
/// to be shown (`kvet check` prints them as warnings).
fn warnings() -> &'static Mutex<(Vec<String>, HashSet<String>)> {
    static W: OnceLock<Mutex<(Vec<String>, HashSet<String>)>> = OnceLock::new();
    W.get_or_init(Default::default)
}

fn warn(message: String) {
    let mut w = warnings().lock().unwrap_or_else(|e| e.into_inner());
    if w.1.insert(message.clone()) {
        w.0.push(message);
    }
}

/// Takes the warnings about catalog folders (unreadable or malformed
/// schemas) gathered so far; each is given once per process.
pub fn take_warnings() -> Vec<String> {
    std::mem::take(&mut warnings().lock().unwrap_or_else(|e| e.into_inner()).0)
}

/// `kind_version.json` → (`kind`, `version`).
fn schema_file_name(name: &str) -> Option<(&str, &str)> {
    let stem = name.strip_suffix(".json")?;
    let (kind, version) = stem.rsplit_once('_')?;
    (!kind.is_empty() && version.starts_with('v') && version.len() > 1).then_some((kind, version))
}

/// Whether `path` is a folder in the kubeconform catalog layout: a
/// subfolder named like an API group (`cert-manager.io`) holding
/// `{kind}_{version}.json` files.
pub fn is_schema_folder(path: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(path) else {
        return false;
    };
    rd.flatten().any(|e| {
        let p = e.path();
        let group_like = e.file_name().to_str().is_some_and(|n| n.contains('.'));
        group_like
            && p.is_dir()
            && std::fs::read_dir(&p).is_ok_and(|files| {
                files
                    .flatten()
                    .any(|f| f.file_name().to_str().and_then(schema_file_name).is_some())
            })
    })
}

#[derive(Debug)]
struct FolderKind {
    /// `(version, file)`, sorted by version.
    files: Vec<(String, PathBuf)>,
    def: OnceLock<Option<KindDef>>,
}

/// A catalog folder of JSON schemas, listed when the run starts; a kind's
/// files are read and compiled on first use.
#[derive(Debug)]
pub(super) struct SchemaFolder {
    /// Keyed by (group, lower-case kind): the catalogs name files by the
    /// lower-cased kind.
    kinds: BTreeMap<(String, String), FolderKind>,
}

impl SchemaFolder {
    pub(super) fn open(path: &Path) -> SchemaFolder {
        let mut kinds: BTreeMap<(String, String), FolderKind> = BTreeMap::new();
        let groups = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                warn(format!(
                    "{}: cannot read the catalog folder: {}",
                    path.display(),
                    crate::source::io_message(&e)
                ));
                return SchemaFolder { kinds };
            }
        };
        let mut groups: Vec<_> = groups.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
        groups.sort();
        for dir in groups {
            let Some(group) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string) else {
                continue;
            };
            let files = match std::fs::read_dir(&dir) {
                Ok(rd) => rd,
                Err(e) => {
                    warn(format!(
                        "{}: cannot read the folder: {}",
                        dir.display(),
                        crate::source::io_message(&e)
                    ));
                    continue;
                }
            };
            for f in files.flatten() {
                let name = f.file_name();
                let Some((kind, version)) = name.to_str().and_then(schema_file_name) else {
                    continue;
                };
                kinds
                    .entry((group.clone(), kind.to_ascii_lowercase()))
                    .or_insert_with(|| FolderKind {
                        files: Vec::new(),
                        def: OnceLock::new(),
                    })
                    .files
                    .push((version.to_string(), f.path()));
            }
        }
        for k in kinds.values_mut() {
            k.files.sort();
        }
        SchemaFolder { kinds }
    }

    pub(super) fn kind(&self, group: &str, kind: &str) -> Option<&KindDef> {
        let k = self.kinds.get(&(group.to_string(), kind.to_ascii_lowercase()))?;
        k.def.get_or_init(|| load_folder_kind(group, kind, &k.files)).as_ref()
    }
}

/// Reads and compiles the schema files of one kind; a file that cannot be
/// read or parsed is left out with a located warning.
fn load_folder_kind(group: &str, kind: &str, files: &[(String, PathBuf)]) -> Option<KindDef> {
    let mut versions = Vec::new();
    let mut first = None;
    for (version, path) in files {
        let shown = path.display().to_string();
        let source = SourceFile::read(path, shown.clone());
        if let Some(e) = &source.load_error {
            warn(format!("{shown}: cannot read the schema: {}", e.message));
            continue;
        }
        let stream = parse_json(&source.text, Limits::default());
        if let Some(d) = stream.diagnostics.iter().find(|d| d.rule == "yaml-syntax") {
            let lc = source.line_col(d.span.start);
            warn(format!(
                "{shown}:{}:{}: malformed JSON schema, skipped: {}",
                lc.line, lc.column, d.message
            ));
            continue;
        }
        let Some(root) = stream
            .documents
            .first()
            .and_then(|d| d.root.as_ref())
            .filter(|r| r.is_map())
        else {
            warn(format!("{shown}:1:1: not a JSON schema object, skipped"));
            continue;
        };
        first.get_or_insert_with(|| shown.clone());
        versions.push(VersionDef {
            name: version.clone(),
            served: true,
            storage: false,
            deprecated: None,
            schema: Some(std::sync::Arc::new(CrdSchema::compile(root, true))),
        });
    }
    let first = first?;
    Some(KindDef {
        group: group.to_string(),
        kind: kind.to_string(),
        versions,
        origin: Origin::Folder(first),
    })
}

// ------------------------------------------------------------ a run's index

/// The CRD index of a run: the CRDs among `objects` (their files named
/// from `sources`), then those of `--crd`/`crds:` files, then the catalog
/// folders among them, then the embedded catalog.
pub fn index_for_run<'a>(
    objects: impl Iterator<Item = &'a Object<'a>>,
    sources: &[SourceFile],
    config: &Config,
) -> CrdIndex {
    index_for_kinds(objects, sources, config, None)
}

/// [`index_for_run`] for the objects of some kinds only (group, kind): the
/// run's CRDs of other kinds are not compiled (the language server checks
/// the open documents' objects against a whole workspace of CRDs).
pub fn index_for_kinds<'a>(
    objects: impl Iterator<Item = &'a Object<'a>>,
    sources: &[SourceFile],
    config: &Config,
    wanted: Option<&HashSet<(&str, &str)>>,
) -> CrdIndex {
    let defines_wanted = |o: &Object| {
        wanted.is_none_or(|w| {
            let spec = o.root.get("spec");
            let group = spec.and_then(|s| s.get("group")).and_then(Node::as_str);
            let kind = spec.and_then(|s| s.path(&["names", "kind"])).and_then(Node::as_str);
            matches!((group, kind), (Some(g), Some(k)) if w.contains(&(g, k)))
        })
    };
    let is_crd = |o: &Object| o.kind == "CustomResourceDefinition" && o.group() == "apiextensions.k8s.io";
    let mut by_name = HashMap::new();
    let mut kinds = Vec::new();
    let add = |o: &Object, origin: Origin, by_name: &mut HashMap<_, _>, kinds: &mut Vec<KindDef>| {
        let Some(v1) = crd_is_v1(o) else { return };
        match (&o.compiled_crd, o.checked_early) {
            // Compiled when its file was read; its schemas are gone from the tree.
            (Some(c), _) => merge_kind(c.def().clone(), by_name, kinds),
            // Cut then, and defines no kind of the run.
            (None, true) => {}
            (None, false) => add_crd(o.root, v1, &origin, by_name, kinds),
        }
    };
    for o in objects.filter(|o| is_crd(o) && defines_wanted(o)) {
        let file = sources.get(o.file as usize).map(|s| s.name.clone()).unwrap_or_default();
        add(o, Origin::Run(file), &mut by_name, &mut kinds);
    }

    let (folders, files): (Vec<&PathBuf>, Vec<&PathBuf>) = config.crds.iter().partition(|p| is_schema_folder(p));
    if !files.is_empty() {
        let found = crate::source::discover(
            &files.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            &crate::source::DiscoverOptions::default(),
        );
        let extra: Vec<SourceFile> = found
            .inputs
            .iter()
            .filter_map(|i| match i {
                crate::source::Input::File { path, name } => Some(SourceFile::read(path, name.clone())),
                crate::source::Input::Stdin => None,
            })
            .collect();
        let loaded = crate::lint::load(&extra, &|| {});
        for (fid, stream) in loaded.streams.iter().enumerate() {
            let file = &extra[fid];
            if let Some(e) = &file.load_error {
                warn(format!("{}: cannot read the CRD file: {}", file.name, e.message));
            }
            // What a CRD file does not load is not used (it is not linted).
            for d in stream.diagnostics.iter().filter(|d| d.rule != "yaml-duplicate-key") {
                let lc = file.line_col(d.span.start);
                warn(format!(
                    "{}:{}:{}: {}; the document is not used as a CRD",
                    file.name, lc.line, lc.column, d.message
                ));
            }
            for doc in &stream.documents {
                if let DocObjects::Objects(items) = doc_objects(doc) {
                    for (item, node) in items {
                        let o = Object::new(0, fid as u32, doc.index, item, node);
                        if is_crd(&o) {
                            add(&o, Origin::CrdFile(extra[fid].name.clone()), &mut by_name, &mut kinds);
                        }
                    }
                }
            }
        }
    }
    kinds.sort_by(|a, b| (&a.group, &a.kind).cmp(&(&b.group, &b.kind)));
    CrdIndex {
        kinds,
        folders: folders.into_iter().map(|p| SchemaFolder::open(p)).collect(),
        embedded: Some(if config.gateway_api_experimental {
            Channel::Experimental
        } else {
            Channel::Standard
        }),
    }
}

// ------------------------------------------------------------- explaining

/// Where the schema of one kind of a run came from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SchemaSource {
    pub api_version: String,
    pub kind: String,
    /// `built-in API, Kubernetes 1.37 (json schema, v1.37.0)`, `embedded
    /// catalog: cert-manager v1.21.1`, `CustomResourceDefinition in
    /// crds.yaml`, `JSON schema catalog/x.io/widget_v1.json (catalog
    /// folder)`, or `none (...)`.
    pub source: String,
    /// Objects of the run with this apiVersion and kind.
    pub objects: usize,
}

/// For every apiVersion and kind among `sources`' objects, where its schema
/// comes from under `config` (as `kvet check` resolves it).
pub fn explain_schemas(sources: &[SourceFile], config: &Config) -> Vec<SchemaSource> {
    let loaded = crate::lint::load(sources, &|| {});
    let mut objects = Vec::new();
    for (fid, stream) in loaded.streams.iter().enumerate() {
        for doc in &stream.documents {
            if let DocObjects::Objects(items) = doc_objects(doc) {
                for (item, node) in items {
                    objects.push(Object::new(objects.len(), fid as u32, doc.index, item, node));
                }
            }
        }
    }
    let index = index_for_run(objects.iter(), sources, config);
    let version = config
        .target_version
        .as_deref()
        .or(config.kubernetes_version.as_deref())
        .and_then(crate::schema::schema)
        .or_else(|| crate::schema::schema(crate::schema::newest()));
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for o in objects
        .iter()
        .filter(|o| !o.api_version.is_empty() && !o.kind.is_empty())
    {
        *counts.entry((o.api_version, o.kind)).or_default() += 1;
    }
    counts
        .into_iter()
        .map(|((av, kind), n)| {
            let builtin = version.filter(|v| v.lookup(av, kind).is_some());
            let source = match builtin {
                Some(v) => format!("built-in API, Kubernetes {} ({})", v.name(), v.info().source),
                None => match (index.origin(av, kind), index.lookup(av, kind)) {
                    (Some(origin), super::CrdLookup::VersionNotServed { served }) => {
                        format!("{origin} (this version is not served; served: {})", served.join(", "))
                    }
                    (Some(origin), super::CrdLookup::NoSchema) => format!("{origin} (no schema: not checked)"),
                    (Some(origin), _) => origin.to_string(),
                    (None, _) => {
                        let served = crate::schema::versions_serving(av, kind);
                        match (served.first(), served.last(), version) {
                            (Some(first), Some(last), Some(v)) => format!(
                                "built-in API served by Kubernetes {} to {}, not by {} (checked as its replacement where there is one)",
                                first.name,
                                last.name,
                                v.name()
                            ),
                            _ => "none: no built-in API or CustomResourceDefinition (not checked)".to_string(),
                        }
                    }
                },
            };
            SchemaSource {
                api_version: av.to_string(),
                kind: kind.to_string(),
                source,
                objects: n,
            }
        })
        .collect()
}
