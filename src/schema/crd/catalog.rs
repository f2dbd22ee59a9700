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

mod embedded;
mod folders;
mod write;

pub(super) use embedded::embedded_kind;
pub use embedded::{Channel, Project, decode_all, decoded_kinds, embedded_kinds, load_error, projects};
pub(super) use folders::SchemaFolder;
use folders::warn;
pub use folders::{is_schema_folder, take_warnings};
pub use write::{CompiledKind, ProjectMeta, StoredKind, compile_crd_file, write_catalog};

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use super::{CrdIndex, KindDef, Origin, add_crd, crd_is_v1, merge_kind};
use crate::config::Config;
use crate::model::{DocObjects, Object, doc_objects};
use crate::source::SourceFile;
use crate::yaml::Node;

static BLOB: &[u8] = include_bytes!("../../../schemas/crd-catalog.bin");
const MAGIC: &[u8; 8] = b"KVETCRD1";

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
