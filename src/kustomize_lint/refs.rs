//! What a kustomization names on disk: the files and folders of each entry
//! (checked for existence), and its patches with their targets (for the
//! renderer, which validates each patch as a partial object of its target).

use std::path::{Path, PathBuf};

use crate::yaml::{Node, Value};

/// What a reference must be on disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A file, or a folder holding a kustomization (`resources`, `bases`).
    FileOrKustomization,
    /// A folder holding a kustomization (`components`).
    Kustomization,
    /// A file.
    File,
}

/// A local path named by a kustomization entry.
#[derive(Debug, Clone)]
pub struct FileRef<'a> {
    /// The scalar that names it (for a generator `files` entry `key=path`,
    /// the whole entry).
    pub node: &'a Node,
    /// The path as written, relative to the kustomization's folder.
    pub path: &'a str,
    /// The entry, as a dotted path (`configMapGenerator[0].files[1]`).
    pub field: String,
    pub kind: RefKind,
}

/// Whether a reference is remote (a URL or a Git repository), which
/// Kustomize fetches and kvet does not check.
pub fn is_remote(path: &str) -> bool {
    path.contains("://")
        || path.starts_with("git@")
        || path.contains("?ref=")
        || path.contains("?version=")
        || ["github.com/", "gitlab.com/", "bitbucket.org/"]
            .iter()
            .any(|h| path.starts_with(h))
}

/// Whether a `patchesStrategicMerge`, `generators`, `transformers` or
/// `validators` entry is YAML written inline rather than a path.
fn is_inline(text: &str) -> bool {
    text.contains('\n') || text.contains(": ")
}

fn strings(node: Option<&Node>) -> impl Iterator<Item = (usize, &Node, &str)> {
    node.map(Node::items)
        .unwrap_or(&[])
        .iter()
        .enumerate()
        .filter_map(|(i, n)| n.as_str().map(|s| (i, n, s)))
}

/// Every local path the kustomization names, in the order written.
/// Remote references and inline YAML are left out.
pub fn file_refs(root: &Node) -> Vec<FileRef<'_>> {
    let mut out = Vec::new();
    let lists: &[(&str, RefKind, bool)] = &[
        ("resources", RefKind::FileOrKustomization, false),
        ("bases", RefKind::FileOrKustomization, false),
        ("components", RefKind::Kustomization, false),
        ("crds", RefKind::File, false),
        ("patchesStrategicMerge", RefKind::File, true),
        ("configurations", RefKind::File, false),
        ("generators", RefKind::File, true),
        ("transformers", RefKind::File, true),
        ("validators", RefKind::File, true),
    ];
    for (key, kind, inline_ok) in lists {
        for (i, node, s) in strings(root.get(key)) {
            if is_remote(s) || (*inline_ok && is_inline(s)) || s.is_empty() {
                continue;
            }
            out.push(FileRef {
                node,
                path: s,
                field: format!("{key}[{i}]"),
                kind: *kind,
            });
        }
    }
    for key in ["patches", "patchesJson6902", "replacements"] {
        for (i, item) in root.get(key).map(Node::items).unwrap_or(&[]).iter().enumerate() {
            if let Some(node) = item.get("path")
                && let Some(s) = node.as_str()
                && !s.is_empty()
                && !is_remote(s)
            {
                out.push(FileRef {
                    node,
                    path: s,
                    field: format!("{key}[{i}].path"),
                    kind: RefKind::File,
                });
            }
        }
    }
    for key in ["configMapGenerator", "secretGenerator"] {
        for (i, item) in root.get(key).map(Node::items).unwrap_or(&[]).iter().enumerate() {
            for (j, node, s) in strings(item.get("files")) {
                // `key=path` names the data key; the path follows `=`.
                let path = s.split_once('=').map_or(s, |(_, p)| p);
                if !path.is_empty() && !is_remote(path) {
                    out.push(FileRef {
                        node,
                        path,
                        field: format!("{key}[{i}].files[{j}]"),
                        kind: RefKind::File,
                    });
                }
            }
            for (j, node, s) in strings(item.get("envs")) {
                out.push(FileRef {
                    node,
                    path: s,
                    field: format!("{key}[{i}].envs[{j}]"),
                    kind: RefKind::File,
                });
            }
            if let Some(node) = item.get("env")
                && let Some(s) = node.as_str()
                && !s.is_empty()
            {
                out.push(FileRef {
                    node,
                    path: s,
                    field: format!("{key}[{i}].env"),
                    kind: RefKind::File,
                });
            }
        }
    }
    if let Some(node) = root.path(&["openapi", "path"])
        && let Some(s) = node.as_str()
        && !s.is_empty()
        && !is_remote(s)
    {
        out.push(FileRef {
            node,
            path: s,
            field: "openapi.path".into(),
            kind: RefKind::File,
        });
    }
    out
}

/// The names Kustomize looks for in a folder, in its order.
pub const KUSTOMIZATION_FILE_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a folder, if it has one.
pub fn kustomization_in(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILE_NAMES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| crate::deps::is_file(p))
}

/// What is wrong with a reference on disk, relative to `dir` (the
/// kustomization's folder); `None` when it is there.
pub fn missing(dir: &Path, r: &FileRef) -> Option<String> {
    let full = dir.join(r.path);
    let meta = crate::deps::metadata(&full);
    match (r.kind, meta) {
        (_, Err(_)) => Some(format!("`{}` does not exist", r.path)),
        (RefKind::File, Ok(m)) if m.is_dir() => Some(format!("`{}` is a folder, not a file", r.path)),
        (RefKind::FileOrKustomization | RefKind::Kustomization, Ok(m)) if m.is_dir() => {
            kustomization_in(&full).is_none().then(|| {
                format!(
                    "the folder `{}` has no kustomization.yaml, kustomization.yml or Kustomization",
                    r.path
                )
            })
        }
        (RefKind::Kustomization, Ok(_)) => Some(format!(
            "`{}` is a file: a component is a folder with a kustomization",
            r.path
        )),
        _ => None,
    }
}

/// Which of Kustomize's patch formats a patch uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchFormat {
    /// A partial object merged into its target (strategic merge).
    StrategicMerge,
    /// A list of JSON 6902 operations (`op`, `path`, `value`).
    Json6902,
    /// Not known until the patch is read: `patches` entries hold either
    /// (a YAML sequence is JSON 6902, a mapping strategic merge).
    FromContent,
}

/// Where a patch's text is.
#[derive(Debug, Clone)]
pub enum PatchSource<'a> {
    /// A file, relative to the kustomization's folder; `node` names it.
    File { path: &'a str, node: &'a Node },
    /// YAML written in the kustomization: the scalar that holds it (its
    /// text is the patch; spans inside the scalar are not the patch's own).
    Inline(&'a Node),
}

/// A `target:` selector, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatchTarget {
    pub group: Option<String>,
    pub version: Option<String>,
    pub kind: Option<String>,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub label_selector: Option<String>,
    pub annotation_selector: Option<String>,
}

impl PatchTarget {
    fn of(node: &Node) -> PatchTarget {
        let s = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
        PatchTarget {
            group: s("group"),
            version: s("version"),
            kind: s("kind"),
            name: s("name"),
            namespace: s("namespace"),
            label_selector: s("labelSelector"),
            annotation_selector: s("annotationSelector"),
        }
    }

    /// The target a strategic-merge patch names itself: its apiVersion,
    /// kind, `metadata.name` and `metadata.namespace`. `None` when the
    /// document is not a mapping.
    pub fn of_patch_document(doc: &Node) -> Option<PatchTarget> {
        if !doc.is_map() {
            return None;
        }
        let s = |path: &[&str]| doc.path(path).and_then(Node::as_str).map(str::to_string);
        let (group, version) = match s(&["apiVersion"]) {
            Some(av) => match av.rsplit_once('/') {
                Some((g, v)) => (Some(g.to_string()), Some(v.to_string())),
                None => (Some(String::new()), Some(av)),
            },
            None => (None, None),
        };
        Some(PatchTarget {
            group,
            version,
            kind: s(&["kind"]),
            name: s(&["metadata", "name"]),
            namespace: s(&["metadata", "namespace"]),
            label_selector: None,
            annotation_selector: None,
        })
    }

    /// `apiVersion` of the target when its version is given (no group:
    /// the core group, `v1`).
    pub fn api_version(&self) -> Option<String> {
        match (self.group.as_deref(), self.version.as_deref()) {
            (Some(g), Some(v)) if !g.is_empty() => Some(format!("{g}/{v}")),
            (_, Some(v)) => Some(v.to_string()),
            _ => None,
        }
    }
}

/// One patch a kustomization applies.
#[derive(Debug, Clone)]
pub struct PatchRef<'a> {
    /// The kustomization entry (`patches[1]`, `patchesStrategicMerge[0]`).
    pub field: String,
    /// The entry's node (for locating findings about the patch as a whole).
    pub entry: &'a Node,
    pub format: PatchFormat,
    pub source: PatchSource<'a>,
    /// The entry's `target:`; `None` for a strategic-merge patch, whose
    /// target is its own apiVersion/kind/name (see
    /// [`PatchTarget::of_patch_document`]).
    pub target: Option<PatchTarget>,
}

/// Every patch of a kustomization (`patches`, `patchesStrategicMerge`,
/// `patchesJson6902`), in the order written. Remote paths are left out.
pub fn patches(root: &Node) -> Vec<PatchRef<'_>> {
    let mut out = Vec::new();
    for (i, node, s) in strings(root.get("patchesStrategicMerge")) {
        let source = if is_inline(s) {
            PatchSource::Inline(node)
        } else if is_remote(s) {
            continue;
        } else {
            PatchSource::File { path: s, node }
        };
        out.push(PatchRef {
            field: format!("patchesStrategicMerge[{i}]"),
            entry: node,
            format: PatchFormat::StrategicMerge,
            source,
            target: None,
        });
    }
    for (key, format) in [
        ("patches", PatchFormat::FromContent),
        ("patchesJson6902", PatchFormat::Json6902),
    ] {
        for (i, item) in root.get(key).map(Node::items).unwrap_or(&[]).iter().enumerate() {
            let source = match (item.get("path"), item.get("patch")) {
                (Some(node), _) if matches!(node.value, Value::Str(_)) => match node.as_str() {
                    Some(path) if !is_remote(path) => PatchSource::File { path, node },
                    _ => continue,
                },
                (_, Some(node)) if matches!(node.value, Value::Str(_)) => PatchSource::Inline(node),
                _ => continue,
            };
            out.push(PatchRef {
                field: format!("{key}[{i}]"),
                entry: item,
                format,
                source,
                target: item.get("target").filter(|t| t.is_map()).map(PatchTarget::of),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn root(text: &str) -> crate::yaml::Stream {
        parse_yaml(text, Limits::default())
    }

    #[test]
    fn references_of_every_kind_skipping_urls_and_inline_yaml() {
        let st = root(
            "resources: [a.yaml, ../base, https://github.com/x/y, github.com/x/y//z?ref=v1]\ncomponents: [c]\npatchesStrategicMerge:\n- p.yaml\n- |\n  apiVersion: v1\n  kind: X\npatches:\n- {path: q.yaml, target: {kind: Deployment}}\n- {patch: '[]'}\n- {path: 'https://example.com/p.yaml'}\nconfigMapGenerator:\n- {name: c, files: [k=f.txt, g.txt], envs: [e.env], env: old.env}\nreplacements: [{path: r.yaml}]\nopenapi: {path: s.json}\n",
        );
        let r = st.documents[0].root.as_ref().expect("doc");
        let got: Vec<(&str, String)> = file_refs(r).iter().map(|f| (f.path, f.field.clone())).collect();
        let want = [
            ("a.yaml", "resources[0]"),
            ("../base", "resources[1]"),
            ("c", "components[0]"),
            ("p.yaml", "patchesStrategicMerge[0]"),
            ("q.yaml", "patches[0].path"),
            ("r.yaml", "replacements[0].path"),
            ("f.txt", "configMapGenerator[0].files[0]"),
            ("g.txt", "configMapGenerator[0].files[1]"),
            ("e.env", "configMapGenerator[0].envs[0]"),
            ("old.env", "configMapGenerator[0].env"),
            ("s.json", "openapi.path"),
        ];
        assert_eq!(got, want.iter().map(|(p, f)| (*p, f.to_string())).collect::<Vec<_>>());
    }

    #[test]
    fn patches_with_their_formats_and_targets() {
        let st = root(
            "patchesStrategicMerge: [p.yaml]\npatches:\n- path: q.yaml\n  target: {group: apps, version: v1, kind: Deployment, name: web}\n- patch: |-\n    - op: remove\n      path: /spec/x\n  target: {kind: Service}\npatchesJson6902:\n- path: j.yaml\n  target: {version: v1, kind: Service, name: s}\n",
        );
        let r = st.documents[0].root.as_ref().expect("doc");
        let p = patches(r);
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].format, PatchFormat::StrategicMerge);
        assert!(matches!(p[0].source, PatchSource::File { path: "p.yaml", .. }));
        assert_eq!(p[1].format, PatchFormat::FromContent);
        let t = p[1].target.as_ref().expect("target");
        assert_eq!(t.api_version().as_deref(), Some("apps/v1"));
        assert_eq!(t.name.as_deref(), Some("web"));
        assert!(matches!(p[2].source, PatchSource::Inline(_)));
        assert_eq!(p[3].format, PatchFormat::Json6902);
        assert_eq!(
            p[3].target.as_ref().and_then(PatchTarget::api_version).as_deref(),
            Some("v1")
        );
    }

    #[test]
    fn a_patch_document_names_its_target() {
        let st = root("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: prod}\n");
        let t = PatchTarget::of_patch_document(st.documents[0].root.as_ref().expect("doc")).expect("target");
        assert_eq!(t.api_version().as_deref(), Some("apps/v1"));
        assert_eq!(
            (t.kind.as_deref(), t.namespace.as_deref()),
            (Some("Deployment"), Some("prod"))
        );
        let core = root("apiVersion: v1\nkind: Service\n");
        let t = PatchTarget::of_patch_document(core.documents[0].root.as_ref().expect("doc")).expect("target");
        assert_eq!(t.api_version().as_deref(), Some("v1"));
    }
}
