//! Catalog folders in the layout kubeconform users keep
//! (`{group}/{kind}_{version}.json` JSON schemas): listed when the run
//! starts, a kind's schema files compiled when first needed, and the
//! warnings gathered while reading them.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use crate::schema::crd::{CrdSchema, KindDef, Origin, VersionDef};
use crate::source::SourceFile;
use crate::yaml::{Limits, parse_json};

/// Problems met while reading catalog folders and their schemas, waiting
/// to be shown (`kvet check` prints them as warnings).
fn warnings() -> &'static Mutex<(Vec<String>, HashSet<String>)> {
    static W: OnceLock<Mutex<(Vec<String>, HashSet<String>)>> = OnceLock::new();
    W.get_or_init(Default::default)
}

pub(super) fn warn(message: String) {
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
pub(in crate::schema::crd) struct SchemaFolder {
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

    pub(in crate::schema::crd) fn kind(&self, group: &str, kind: &str) -> Option<&KindDef> {
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
