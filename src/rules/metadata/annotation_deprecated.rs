//! `annotation-deprecated`: an annotation that a field has replaced
//! (`kubernetes.io/ingress.class`, the beta storage-class annotation, the
//! seccomp and AppArmor annotations...), reported at the annotation's key
//! as deprecated, or as having no effect once Kubernetes stopped reading
//! it, for the version checked. Where moving the value to the field is
//! mechanical and means the same, a fix does it.

use crate::diagnostic::{Applicability, Edit, Fix};
use crate::fix::{insert_entry, remove_entry};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Entry, Node};

pub struct AnnotationDeprecated;

/// Which objects' annotations a row is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Ingress,
    /// PersistentVolumeClaims (also a StatefulSet's claim templates) and
    /// PersistentVolumes.
    Volume,
    /// A pod's own annotations, or a pod template's.
    Pod,
    Service,
    StorageClass,
}

/// How a finding's fix is made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Move {
    /// No mechanical fix.
    None,
    /// The value moves to a string field of `spec` (the key's value is
    /// the field's value).
    SpecString(&'static str),
    /// The value (`true`/`false`) moves to a boolean field of `spec`.
    SpecBool(&'static str),
    /// `seccompProfile` of the pod's (or the named container's)
    /// securityContext.
    Seccomp,
    /// `appArmorProfile` of the named container's securityContext.
    AppArmor,
    /// The annotation is renamed to its GA key.
    Rename(&'static str),
}

struct Row {
    /// The key, or its prefix when it ends in `/` (a container name follows).
    key: &'static str,
    scope: Scope,
    /// What replaces it, for messages.
    replacement: &'static str,
    /// The minor version whose API has the replacement: deprecated from there.
    deprecated: u32,
    /// The minor version from which Kubernetes no longer reads it.
    no_effect: Option<u32>,
    fix: Move,
    /// Whether the fix needs the user's review (applicability unsafe).
    review: bool,
}

/// The annotations, with the versions backed by the API data (the field's
/// first version) and the Kubernetes release notes (the release that
/// deprecated critical-pod, and those where each stopped working: 1.6 for
/// the affinity and tolerations annotations and the alpha storage class,
/// 1.8 for init containers, 1.16 for critical-pod, 1.27 for seccomp, when
/// the API server stopped copying the annotations into the field).
const ROWS: &[Row] = &[
    Row {
        key: "kubernetes.io/ingress.class",
        scope: Scope::Ingress,
        replacement: "spec.ingressClassName",
        deprecated: 18,
        no_effect: None,
        fix: Move::SpecString("ingressClassName"),
        // The field names an IngressClass object, which must exist.
        review: true,
    },
    Row {
        key: "volume.beta.kubernetes.io/storage-class",
        scope: Scope::Volume,
        replacement: "spec.storageClassName",
        deprecated: 6,
        no_effect: None,
        fix: Move::SpecString("storageClassName"),
        review: false,
    },
    Row {
        key: "volume.alpha.kubernetes.io/storage-class",
        scope: Scope::Volume,
        replacement: "spec.storageClassName",
        deprecated: 6,
        no_effect: Some(6),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "seccomp.security.alpha.kubernetes.io/pod",
        scope: Scope::Pod,
        replacement: "spec.securityContext.seccompProfile",
        deprecated: 19,
        no_effect: Some(27),
        fix: Move::Seccomp,
        review: false,
    },
    Row {
        key: "container.seccomp.security.alpha.kubernetes.io/",
        scope: Scope::Pod,
        replacement: "the container's securityContext.seccompProfile",
        deprecated: 19,
        no_effect: Some(27),
        fix: Move::Seccomp,
        review: false,
    },
    Row {
        key: "container.apparmor.security.beta.kubernetes.io/",
        scope: Scope::Pod,
        replacement: "the container's securityContext.appArmorProfile",
        deprecated: 30,
        no_effect: None,
        fix: Move::AppArmor,
        review: false,
    },
    Row {
        key: "scheduler.alpha.kubernetes.io/critical-pod",
        scope: Scope::Pod,
        replacement: "spec.priorityClassName (`system-cluster-critical` or `system-node-critical`)",
        deprecated: 13,
        no_effect: Some(16),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "pod.beta.kubernetes.io/init-containers",
        scope: Scope::Pod,
        replacement: "spec.initContainers",
        deprecated: 6,
        no_effect: Some(8),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "pod.alpha.kubernetes.io/init-containers",
        scope: Scope::Pod,
        replacement: "spec.initContainers",
        deprecated: 6,
        no_effect: Some(8),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "scheduler.alpha.kubernetes.io/affinity",
        scope: Scope::Pod,
        replacement: "spec.affinity",
        deprecated: 6,
        no_effect: Some(6),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "scheduler.alpha.kubernetes.io/tolerations",
        scope: Scope::Pod,
        replacement: "spec.tolerations",
        deprecated: 6,
        no_effect: Some(6),
        fix: Move::None,
        review: false,
    },
    Row {
        key: "service.alpha.kubernetes.io/tolerate-unready-endpoints",
        scope: Scope::Service,
        replacement: "spec.publishNotReadyAddresses",
        deprecated: 8,
        no_effect: None,
        fix: Move::SpecBool("publishNotReadyAddresses"),
        review: false,
    },
    Row {
        key: "storageclass.beta.kubernetes.io/is-default-class",
        scope: Scope::StorageClass,
        replacement: "the annotation `storageclass.kubernetes.io/is-default-class`",
        deprecated: 6,
        no_effect: None,
        fix: Move::Rename("storageclass.kubernetes.io/is-default-class"),
        review: false,
    },
];

impl Row {
    /// Whether `key` is this row's annotation.
    fn matches(&self, key: &str) -> bool {
        if self.key.ends_with('/') {
            key.starts_with(self.key) && key.len() > self.key.len()
        } else {
            key == self.key
        }
    }
}

/// What an annotation is at one version.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    /// The replacement does not exist yet: nothing to say.
    Current,
    Deprecated,
    NoEffect,
}

fn state(row: &Row, minor: u32) -> State {
    match row.no_effect {
        Some(n) if minor >= n => State::NoEffect,
        _ if minor >= row.deprecated => State::Deprecated,
        _ => State::Current,
    }
}

fn minor_of(v: Option<&str>) -> Option<u32> {
    v.and_then(crate::schema::parse_minor)
}

/// The version checked and, in an upgrade from a known version, the
/// version upgraded from.
fn versions(ctx: &Ctx) -> (u32, Option<u32>) {
    let current = minor_of(ctx.config.kubernetes_version.as_deref());
    let newest = crate::schema::parse_minor(crate::schema::newest()).unwrap_or(u32::MAX);
    match minor_of(ctx.config.target_version.as_deref()) {
        Some(t) => (t, current),
        None => (current.unwrap_or(newest), None),
    }
}

/// The minor version an object is checked against: the target in an
/// upgrade, else `--kubernetes-version`, else the newest known.
pub(crate) fn checked_minor(ctx: &Ctx) -> u32 {
    versions(ctx).0
}

/// When Kubernetes no longer reads the pod annotation `key` (a container's
/// annotation matches its row by prefix) at the version checked: the minor
/// version from which it has no effect. `None` while it is read (and for
/// annotations not in the table).
pub(crate) fn pod_annotation_unread_since(ctx: &Ctx, key: &str) -> Option<u32> {
    let minor = checked_minor(ctx);
    ROWS.iter()
        .filter(|row| row.scope == Scope::Pod && row.matches(key))
        .find(|row| state(row, minor) == State::NoEffect)
        .and_then(|row| row.no_effect)
}

/// Whether Kubernetes still reads the pod annotation `key` at the version
/// checked.
pub(crate) fn pod_annotation_read(ctx: &Ctx, key: &str) -> bool {
    pod_annotation_unread_since(ctx, key).is_none()
}

/// One object's annotations with what a fix may change: the metadata
/// holding them and the map their fields go into.
struct Site<'a> {
    metadata: &'a Node,
    annotations: &'a Node,
    /// `spec` (of the object, the claim template or the pod).
    spec: Option<&'a Node>,
    /// For pod annotations: the workload.
    workload: Option<Workload<'a>>,
}

fn sites<'a>(object: &'a Object<'a>) -> Vec<(Scope, Site<'a>)> {
    let root = object.root;
    let site = |meta: Option<&'a Node>, spec: Option<&'a Node>| {
        let metadata = meta?;
        let annotations = metadata.get("annotations").filter(|a| a.is_map())?;
        Some(Site {
            metadata,
            annotations,
            spec,
            workload: None,
        })
    };
    let mut out = Vec::new();
    let own = || site(root.get("metadata"), root.get("spec"));
    let builtin = |group: &str| object.group() == group;
    match object.kind {
        "Ingress" if builtin("extensions") || builtin("networking.k8s.io") => {
            out.extend(own().map(|s| (Scope::Ingress, s)));
        }
        "PersistentVolumeClaim" | "PersistentVolume" if builtin("") => {
            out.extend(own().map(|s| (Scope::Volume, s)));
        }
        "Service" if builtin("") => out.extend(own().map(|s| (Scope::Service, s))),
        "StorageClass" if builtin("storage.k8s.io") => out.extend(own().map(|s| (Scope::StorageClass, s))),
        _ => {}
    }
    if object.kind == "StatefulSet" {
        for t in root
            .path(&["spec", "volumeClaimTemplates"])
            .map(Node::items)
            .unwrap_or(&[])
        {
            out.extend(site(t.get("metadata"), t.get("spec")).map(|s| (Scope::Volume, s)));
        }
    }
    if let Some(w) = Workload::of(object)
        && let Some(mut s) = site(w.pod_metadata, Some(w.pod_spec))
    {
        s.workload = Some(w);
        out.push((Scope::Pod, s));
    }
    out
}

impl Rule for AnnotationDeprecated {
    fn id(&self) -> &str {
        "annotation-deprecated"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let (minor, from) = versions(ctx);
        let Some(file) = ctx.source(object) else {
            return;
        };
        let mut found: Vec<(Entry, String, Option<String>, Option<Fix>)> = Vec::new();
        for (scope, site) in sites(object) {
            for entry in site.annotations.entries() {
                let Some(row) = ROWS.iter().find(|r| r.scope == scope && r.matches(&entry.key)) else {
                    continue;
                };
                let now = state(row, minor);
                if now == State::Current || from.is_some_and(|f| state(row, f) == now) {
                    continue;
                }
                let message = match (now, row.no_effect) {
                    (State::NoEffect, Some(n)) if n > row.deprecated => format!(
                        "annotation `{}` has no effect since Kubernetes 1.{n} (deprecated since 1.{}): use {}",
                        entry.key, row.deprecated, row.replacement
                    ),
                    (State::NoEffect, Some(n)) => format!(
                        "annotation `{}` has no effect since Kubernetes 1.{n}: use {}",
                        entry.key, row.replacement
                    ),
                    _ => format!(
                        "annotation `{}` is deprecated since Kubernetes 1.{}: use {}",
                        entry.key, row.deprecated, row.replacement
                    ),
                };
                let fix = make_fix(file, object, &site, entry, row);
                let help = match (&fix, row.fix) {
                    (_, Move::None) => Some(format!("use {} instead", row.replacement)),
                    (None, _) => Some(format!(
                        "move the value to {} (no automatic fix here: the field is set already, or the value has no direct equivalent)",
                        row.replacement
                    )),
                    (Some(_), _) if row.review => Some(format!(
                        "move the value to {}; `--unsafe-fixes` does it (review it: the field names an IngressClass object, which must exist)",
                        row.replacement
                    )),
                    (Some(_), _) => Some(format!(
                        "move the value to {}; `kvet check --fix` does it",
                        row.replacement
                    )),
                };
                found.push((entry.clone(), message, help, fix));
            }
        }
        for (entry, message, help, fix) in found {
            let d = ctx.report(object, entry.key_span, message);
            if let Some(h) = help {
                d.help(h);
            }
            d.fix = fix;
        }
    }
}

/// Removes an annotation: the whole `annotations` key when it is the only
/// one (and the metadata keeps other keys), else the one entry.
fn remove_annotation(file: &SourceFile, fid: FileId, site: &Site, key: &str) -> Option<Edit> {
    if site.annotations.entries().len() == 1 && site.metadata.entries().len() > 1 {
        remove_entry(file, fid, site.metadata, "annotations")
    } else {
        remove_entry(file, fid, site.annotations, key)
    }
}

/// Sets `path` (keys below `map`) to `value` (YAML text, one line),
/// creating the missing maps as flow mappings. `None` when a key on the
/// way is there but not a map, or the field is set already.
fn set_path(file: &SourceFile, fid: FileId, map: &Node, path: &[&str], value: &str) -> Option<Edit> {
    let (first, rest) = path.split_first()?;
    match map.get(first) {
        Some(_) if rest.is_empty() => None,
        Some(inner) if inner.is_map() => set_path(file, fid, inner, rest, value),
        Some(_) => None,
        None => {
            let mut v = value.to_string();
            for k in rest.iter().rev() {
                v = format!("{{{k}: {v}}}");
            }
            insert_entry(file, fid, map, first, &v)
        }
    }
}

/// The profile field's value for an annotation value (`runtime/default`,
/// `localhost/<path>`, `unconfined`), as a flow mapping.
fn profile_value(value: &str, seccomp: bool) -> Option<String> {
    let v = value.trim();
    let docker_default = seccomp && v == "docker/default";
    if v == "runtime/default" || docker_default {
        return Some("{type: RuntimeDefault}".into());
    }
    if v == "unconfined" {
        return Some("{type: Unconfined}".into());
    }
    let path = v.strip_prefix("localhost/")?;
    if path.is_empty() {
        return None;
    }
    Some(format!(
        "{{type: Localhost, localhostProfile: {}}}",
        crate::fix::yaml_string(path)
    ))
}

fn make_fix(file: &SourceFile, object: &Object, site: &Site, entry: &Entry, row: &Row) -> Option<Fix> {
    let fid = object.file;
    if file.looks_like_json() {
        return None;
    }
    let value = entry.value.as_str()?;
    let spec = site.spec.filter(|s| s.is_map());
    let set = match row.fix {
        Move::None => return None,
        Move::SpecString(field) => {
            if object.kind == "Ingress" && object.api_version == "extensions/v1beta1" {
                // extensions/v1beta1 has no ingressClassName.
                return None;
            }
            set_path(file, fid, spec?, &[field], &crate::fix::yaml_string(value))?
        }
        Move::SpecBool(field) => {
            let b = match value.trim() {
                "true" => "true",
                "false" => "false",
                _ => return None,
            };
            set_path(file, fid, spec?, &[field], b)?
        }
        Move::Seccomp | Move::AppArmor => {
            let seccomp = row.fix == Move::Seccomp;
            let field = if seccomp { "seccompProfile" } else { "appArmorProfile" };
            let profile = profile_value(value, seccomp)?;
            match entry.key.strip_prefix(row.key).filter(|_| row.key.ends_with('/')) {
                // A container's annotation: its container by name.
                Some(name) => {
                    let w = site.workload.as_ref()?;
                    let c = w.all_containers().find(|c| c.name() == Some(name))?;
                    set_path(file, fid, c.node, &["securityContext", field], &profile)?
                }
                None => set_path(file, fid, spec?, &["securityContext", field], &profile)?,
            }
        }
        Move::Rename(to) => {
            if site.annotations.get(to).is_some() {
                return None;
            }
            let edit = crate::fix::rename_key(fid, entry, &crate::fix::yaml_string(to));
            return Some(Fix {
                title: format!("rename the annotation to `{to}`"),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
    };
    let remove = remove_annotation(file, fid, site, &entry.key)?;
    Some(Fix {
        title: format!("move `{}` to {}", entry.key, row.replacement),
        applicability: if row.review {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![remove, set],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, spanned};

    const RULE: &str = "annotation-deprecated";

    #[test]
    fn storage_class_moves_to_the_field() {
        let text = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\n  annotations:\n    volume.beta.kubernetes.io/storage-class: fast\nspec:\n  accessModes: [ReadWriteOnce]\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "volume.beta.kubernetes.io/storage-class");
        assert_eq!(
            fixed(text, &d[0]),
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: d\nspec:\n  accessModes: [ReadWriteOnce]\n  storageClassName: fast\n"
        );
        // The field set already: reported, no fix (the annotation wins).
        let both = text.replace("spec:\n", "spec:\n  storageClassName: slow\n");
        let d = assert_fires(RULE, &both);
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn a_container_s_profile_annotations_move_to_its_security_context() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\n  annotations:\n    container.seccomp.security.alpha.kubernetes.io/app: docker/default\n    other: x\nspec:\n  containers:\n  - name: app\n    image: a\n    securityContext:\n      runAsNonRoot: true\n";
        let d = assert_fires(RULE, text);
        assert!(
            d[0].message.contains("no effect since Kubernetes 1.27"),
            "{}",
            d[0].message
        );
        assert_eq!(
            fixed(text, &d[0]),
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {app: p}\n  annotations:\n    other: x\nspec:\n  containers:\n  - name: app\n    image: a\n    securityContext:\n      runAsNonRoot: true\n      seccompProfile: {type: RuntimeDefault}\n"
        );
        // A container of another name, or a value with no field
        // equivalent: no fix.
        let d = assert_fires(
            RULE,
            &text.replace("alpha.kubernetes.io/app", "alpha.kubernetes.io/gone"),
        );
        assert!(d[0].fix.is_none());
        let d = assert_fires(RULE, &text.replace("docker/default", "weird"));
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn the_ingress_class_fix_needs_review_and_a_v1_ingress() {
        let text = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\n  annotations: {kubernetes.io/ingress.class: nginx}\nspec:\n  defaultBackend: {service: {name: w, port: {number: 80}}}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d[0].fix.as_ref().map(|f| f.applicability), Some(Applicability::Unsafe));
        let old = text.replace("networking.k8s.io/v1", "extensions/v1beta1");
        let d = assert_fires(RULE, &old);
        assert!(d[0].fix.is_none());
    }

    #[test]
    fn states_follow_the_version() {
        let row = ROWS
            .iter()
            .find(|r| r.key == "seccomp.security.alpha.kubernetes.io/pod")
            .unwrap_or_else(|| panic!("row"));
        assert_eq!(state(row, 18), State::Current);
        assert_eq!(state(row, 19), State::Deprecated);
        assert_eq!(state(row, 27), State::NoEffect);
    }

    #[test]
    fn other_kinds_and_unrelated_annotations_are_quiet() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations: {kubernetes.io/ingress.class: nginx}\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations: {prometheus.io/scrape: 'true'}\nspec:\n  containers: [{name: a, image: a}]\n",
        );
    }
}
