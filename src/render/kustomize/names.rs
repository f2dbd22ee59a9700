//! Field specifications (kustomize's transformer configuration: which
//! fields hold labels, annotations, name references and vars, per kind) and
//! the name-reference fix that runs once at the root: every field that named
//! a ConfigMap, Secret, Service, ServiceAccount, role, claim, ... by its
//! original name gets the final name (prefix, suffix, hash).

use super::res::Res;
use super::tree::{split_path, str_node};
use crate::yaml::{Node, Value};

/// A field of some kinds (`kind`/`group` `None`: every resource).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSpec {
    pub kind: Option<String>,
    pub group: Option<String>,
    pub path: Vec<String>,
    pub create: bool,
}

impl FieldSpec {
    fn new(kind: Option<&str>, path: &str, create: bool) -> Self {
        FieldSpec {
            kind: kind.map(str::to_string),
            group: None,
            path: split_path(path),
            create,
        }
    }

    pub fn applies(&self, r: &Res) -> bool {
        self.kind.as_deref().is_none_or(|k| k == r.kind()) && self.group.as_deref().is_none_or(|g| g == r.group())
    }

    pub fn path(&self) -> Vec<&str> {
        self.path.iter().map(String::as_str).collect()
    }

    pub fn read(n: &Node) -> Option<Self> {
        let path = n.get("path")?.as_str()?;
        Some(FieldSpec {
            kind: n.get("kind").and_then(Node::as_str).map(str::to_string),
            group: n.get("group").and_then(Node::as_str).map(str::to_string),
            path: split_path(path),
            create: n.get("create").and_then(Node::as_bool).unwrap_or(false),
        })
    }
}

/// The fields that name resources of `kind`.
#[derive(Debug, Clone)]
pub struct NameRef {
    pub kind: String,
    pub group: Option<String>,
    pub referrers: Vec<FieldSpec>,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub name_refs: Vec<NameRef>,
    pub var_refs: Vec<FieldSpec>,
    /// Labels: (spec, is a selector, is a template).
    pub labels: Vec<(FieldSpec, bool, bool)>,
    pub annotations: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
}

/// Pod-spec paths per workload kind.
const POD_SPECS: [(&str, &str); 8] = [
    ("Pod", "spec"),
    ("Deployment", "spec/template/spec"),
    ("ReplicaSet", "spec/template/spec"),
    ("DaemonSet", "spec/template/spec"),
    ("StatefulSet", "spec/template/spec"),
    ("Job", "spec/template/spec"),
    ("ReplicationController", "spec/template/spec"),
    ("CronJob", "spec/jobTemplate/spec/template/spec"),
];

const TEMPLATE_KINDS: [&str; 6] = [
    "ReplicationController",
    "Deployment",
    "ReplicaSet",
    "DaemonSet",
    "StatefulSet",
    "Job",
];

fn pod_fields(fields: &[&str]) -> Vec<FieldSpec> {
    POD_SPECS
        .iter()
        .flat_map(|(kind, prefix)| {
            fields
                .iter()
                .map(move |f| FieldSpec::new(Some(kind), &format!("{prefix}/{f}"), false))
        })
        .collect()
}

fn specs(list: &[(&str, &str)]) -> Vec<FieldSpec> {
    list.iter().map(|(k, p)| FieldSpec::new(Some(k), p, false)).collect()
}

impl Config {
    /// Kustomize's builtin configuration.
    pub fn builtin() -> Self {
        let mut name_refs = Vec::new();
        let mut add = |kind: &str, group: Option<&str>, referrers: Vec<FieldSpec>| {
            name_refs.push(NameRef {
                kind: kind.to_string(),
                group: group.map(str::to_string),
                referrers,
            })
        };
        add(
            "ConfigMap",
            Some(""),
            pod_fields(&[
                "volumes/configMap/name",
                "containers/env/valueFrom/configMapKeyRef/name",
                "initContainers/env/valueFrom/configMapKeyRef/name",
                "containers/envFrom/configMapRef/name",
                "initContainers/envFrom/configMapRef/name",
                "volumes/projected/sources/configMap/name",
            ]),
        );
        let mut secret = pod_fields(&[
            "volumes/secret/secretName",
            "containers/env/valueFrom/secretKeyRef/name",
            "initContainers/env/valueFrom/secretKeyRef/name",
            "containers/envFrom/secretRef/name",
            "initContainers/envFrom/secretRef/name",
            "imagePullSecrets/name",
            "volumes/projected/sources/secret/name",
        ]);
        secret.extend(specs(&[
            ("ServiceAccount", "imagePullSecrets/name"),
            ("ServiceAccount", "secrets/name"),
            ("Ingress", "spec/tls/secretName"),
        ]));
        add("Secret", Some(""), secret);
        add(
            "Service",
            Some(""),
            specs(&[
                ("Ingress", "spec/rules/http/paths/backend/serviceName"),
                ("Ingress", "spec/backend/serviceName"),
                ("Ingress", "spec/rules/http/paths/backend/service/name"),
                ("Ingress", "spec/defaultBackend/service/name"),
                ("StatefulSet", "spec/serviceName"),
                ("APIService", "spec/service/name"),
                ("ValidatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
                ("MutatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
                (
                    "CustomResourceDefinition",
                    "spec/conversion/webhook/clientConfig/service/name",
                ),
            ]),
        );
        let mut sa = pod_fields(&["serviceAccountName", "serviceAccount"]);
        sa.extend(specs(&[
            ("RoleBinding", "subjects"),
            ("ClusterRoleBinding", "subjects"),
        ]));
        add("ServiceAccount", Some(""), sa);
        add("Role", None, specs(&[("RoleBinding", "roleRef/name")]));
        add(
            "ClusterRole",
            None,
            specs(&[("RoleBinding", "roleRef/name"), ("ClusterRoleBinding", "roleRef/name")]),
        );
        add(
            "PersistentVolumeClaim",
            Some(""),
            pod_fields(&["volumes/persistentVolumeClaim/claimName"]),
        );
        add(
            "PersistentVolume",
            Some(""),
            specs(&[("PersistentVolumeClaim", "spec/volumeName")]),
        );
        add("PriorityClass", None, pod_fields(&["priorityClassName"]));
        add(
            "StorageClass",
            None,
            specs(&[
                ("PersistentVolume", "spec/storageClassName"),
                ("PersistentVolumeClaim", "spec/storageClassName"),
                ("StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
            ]),
        );
        add("IngressClass", None, specs(&[("Ingress", "spec/ingressClassName")]));
        for kind in ["Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"] {
            add(
                kind,
                None,
                specs(&[("HorizontalPodAutoscaler", "spec/scaleTargetRef/name")]),
            );
        }

        let mut var_refs = pod_fields(&[
            "containers/args",
            "containers/command",
            "containers/env/value",
            "containers/volumeMounts/mountPath",
            "containers/workingDir",
            "initContainers/args",
            "initContainers/command",
            "initContainers/env/value",
            "initContainers/volumeMounts/mountPath",
            "initContainers/workingDir",
            "volumes/nfs/server",
        ]);
        var_refs.extend(specs(&[
            ("Ingress", "spec/rules/host"),
            ("Ingress", "spec/tls/hosts"),
            ("Ingress", "metadata/annotations"),
            ("Service", "metadata/annotations"),
            ("ConfigMap", "data"),
        ]));

        let mut labels = vec![(FieldSpec::new(None, "metadata/labels", true), false, false)];
        let sel = |k: &str, p: &str, create: bool| (FieldSpec::new(Some(k), p, create), true, false);
        let tpl = |k: &str, p: &str| (FieldSpec::new(Some(k), p, true), false, true);
        labels.push(sel("Service", "spec/selector", true));
        labels.push(sel("ReplicationController", "spec/selector", true));
        labels.push(tpl("ReplicationController", "spec/template/metadata/labels"));
        for kind in ["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"] {
            labels.push(sel(kind, "spec/selector/matchLabels", true));
            labels.push(tpl(kind, "spec/template/metadata/labels"));
            for aff in ["podAffinity", "podAntiAffinity"] {
                labels.push(sel(
                    kind,
                    &format!("spec/template/spec/affinity/{aff}/preferredDuringSchedulingIgnoredDuringExecution/podAffinityTerm/labelSelector/matchLabels"),
                    false,
                ));
                labels.push(sel(
                    kind,
                    &format!("spec/template/spec/affinity/{aff}/requiredDuringSchedulingIgnoredDuringExecution/labelSelector/matchLabels"),
                    false,
                ));
            }
            labels.push(sel(
                kind,
                "spec/template/spec/topologySpreadConstraints/labelSelector/matchLabels",
                false,
            ));
        }
        labels.push(tpl("StatefulSet", "spec/volumeClaimTemplates/metadata/labels"));
        labels.push(sel("Job", "spec/selector/matchLabels", false));
        labels.push(tpl("Job", "spec/template/metadata/labels"));
        labels.push(sel("CronJob", "spec/jobTemplate/spec/selector/matchLabels", false));
        labels.push(tpl("CronJob", "spec/jobTemplate/metadata/labels"));
        labels.push(tpl("CronJob", "spec/jobTemplate/spec/template/metadata/labels"));
        labels.push(sel("PodDisruptionBudget", "spec/selector/matchLabels", false));
        labels.push(sel("NetworkPolicy", "spec/podSelector/matchLabels", false));
        labels.push(sel("NetworkPolicy", "spec/ingress/from/podSelector/matchLabels", false));
        labels.push(sel("NetworkPolicy", "spec/egress/to/podSelector/matchLabels", false));

        let mut annotations = vec![FieldSpec::new(None, "metadata/annotations", true)];
        for kind in TEMPLATE_KINDS {
            annotations.push(FieldSpec::new(Some(kind), "spec/template/metadata/annotations", true));
        }
        annotations.push(FieldSpec::new(
            Some("CronJob"),
            "spec/jobTemplate/metadata/annotations",
            true,
        ));
        annotations.push(FieldSpec::new(
            Some("CronJob"),
            "spec/jobTemplate/spec/template/metadata/annotations",
            true,
        ));

        Config {
            name_refs,
            var_refs,
            labels,
            annotations,
            images: Vec::new(),
        }
    }

    /// Adds a `configurations:` file's field specs.
    pub fn merge(&mut self, doc: &Node) {
        for nr in doc.get("nameReference").map(Node::items).unwrap_or(&[]) {
            let Some(kind) = nr.get("kind").and_then(Node::as_str) else {
                continue;
            };
            let group = nr
                .get("group")
                .and_then(Node::as_str)
                .map(str::to_string)
                .or_else(|| {
                    nr.get("version")
                        .and_then(Node::as_str)
                        .filter(|v| !v.contains('/'))
                        .map(|_| String::new())
                })
                .filter(|g| !g.is_empty());
            let referrers: Vec<FieldSpec> = nr
                .get("fieldSpecs")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(FieldSpec::read)
                .collect();
            match self
                .name_refs
                .iter_mut()
                .find(|n| n.kind == kind && (n.group.is_none() || group.is_none() || n.group == group))
            {
                Some(existing) => {
                    for r in referrers {
                        if !existing.referrers.contains(&r) {
                            existing.referrers.push(r);
                        }
                    }
                }
                None => self.name_refs.push(NameRef {
                    kind: kind.to_string(),
                    group,
                    referrers,
                }),
            }
        }
        for v in doc
            .get("varReference")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(FieldSpec::read)
        {
            if !self.var_refs.contains(&v) {
                self.var_refs.push(v);
            }
        }
        for v in doc
            .get("commonLabels")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(FieldSpec::read)
        {
            let selector = v.path.iter().any(|p| p.to_ascii_lowercase().contains("selector"));
            if !self.labels.iter().any(|(s, _, _)| *s == v) {
                self.labels.push((v, selector, !selector));
            }
        }
        for v in doc
            .get("commonAnnotations")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(FieldSpec::read)
        {
            if !self.annotations.contains(&v) {
                self.annotations.push(v);
            }
        }
        for v in doc
            .get("images")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(FieldSpec::read)
        {
            if !self.images.contains(&v) {
                self.images.push(v);
            }
        }
    }
}

/// Rewrites every name reference to the referred resource's final name.
pub fn fix_references(ra: &mut [Res], config: &Config) -> Result<(), String> {
    // Collected first, applied after, so that lookups see a stable list.
    let mut edits: Vec<(usize, Vec<usize>, String, Option<String>)> = Vec::new();
    for nr in &config.name_refs {
        for (ri, referrer) in ra.iter().enumerate() {
            for spec in nr.referrers.iter().filter(|s| s.applies(referrer)) {
                let path = spec.path();
                let subjects = path.last() == Some(&"subjects");
                let mut found = Vec::new();
                collect(&referrer.node, &path, &mut Vec::new(), &mut found);
                for (loc, (old, sibling_kind, sibling_ns)) in found {
                    if sibling_kind.as_deref().is_some_and(|k| k != nr.kind) {
                        continue;
                    }
                    let Some(old) = old else { continue };
                    if let Some(c) = select(ra, nr, referrer, &old, subjects, sibling_ns.as_deref()) {
                        let ns = (subjects && !c.namespace().is_empty()).then(|| c.namespace().to_string());
                        edits.push((ri, loc, c.name().to_string(), ns));
                    }
                }
            }
        }
    }
    for (ri, mut loc, new, ns) in edits {
        if let Some(n) = node_at(&mut ra[ri].node, &loc) {
            n.value = Value::Str(new.into());
        }
        if let Some(ns) = ns {
            loc.pop();
            if let Some(subject) = node_at(&mut ra[ri].node, &loc) {
                let span = subject.span;
                super::tree::set(subject, "namespace", str_node(&ns, span));
            }
        }
    }
    Ok(())
}

/// (current value, sibling `kind`, sibling `namespace`) of a reference.
type RefValue = (Option<String>, Option<String>, Option<String>);

/// Finds the nodes at a field path; a `subjects` item yields its `name`.
fn collect(node: &Node, path: &[&str], loc: &mut Vec<usize>, out: &mut Vec<(Vec<usize>, RefValue)>) {
    collect_in(node, path, None, loc, out);
}

fn collect_in(
    node: &Node,
    path: &[&str],
    parent: Option<&Node>,
    loc: &mut Vec<usize>,
    out: &mut Vec<(Vec<usize>, RefValue)>,
) {
    match &node.value {
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                loc.push(i);
                collect_in(item, path, Some(node), loc, out);
                loc.pop();
            }
        }
        Value::Map(entries) if path.is_empty() => {
            // An object reference (`subjects` item): its name field.
            if let Some(i) = entries.iter().position(|e| &*e.key == "name") {
                loc.push(i);
                let kind = node.get("kind").and_then(Node::as_str).map(str::to_string);
                let ns = node.get("namespace").and_then(Node::as_str).map(str::to_string);
                out.push((loc.clone(), (entries[i].value.as_str().map(str::to_string), kind, ns)));
                loc.pop();
            }
        }
        Value::Map(entries) => {
            if let Some(i) = entries.iter().position(|e| &*e.key == path[0]) {
                loc.push(i);
                collect_in(&entries[i].value, &path[1..], Some(node), loc, out);
                loc.pop();
            }
        }
        Value::Str(s) if path.is_empty() => {
            let kind = parent
                .and_then(|p| p.get("kind"))
                .and_then(Node::as_str)
                .map(str::to_string);
            out.push((loc.clone(), (Some(s.to_string()), kind, None)));
        }
        _ => {}
    }
}

/// Follows indexes (sequence items, mapping entries) down a tree.
fn node_at<'a>(node: &'a mut Node, loc: &[usize]) -> Option<&'a mut Node> {
    let Some((&i, rest)) = loc.split_first() else {
        return Some(node);
    };
    match &mut node.value {
        Value::Seq(items) => node_at(items.get_mut(i)?, rest),
        Value::Map(entries) => node_at(&mut entries.get_mut(i)?.value, rest),
        _ => None,
    }
}

/// The resource `old` refers to, as kustomize picks it (`None` when there
/// is none, or several with different names).
fn select<'a>(
    ra: &'a [Res],
    nr: &NameRef,
    referrer: &Res,
    old: &str,
    subject: bool,
    ref_ns: Option<&str>,
) -> Option<&'a Res> {
    let mut cands: Vec<&Res> = ra
        .iter()
        .filter(|r| r.kind() == nr.kind || r.orig_kind == nr.kind)
        .filter(|r| nr.group.as_deref().is_none_or(|g| g == r.group()))
        .filter(|r| r.had_name(old))
        .collect();
    if subject {
        // A subject names its account's namespace (original or current).
        if let Some(ns) = ref_ns {
            cands.retain(|c| c.namespace() == ns || c.orig_ns == ns || (ns == "default" && c.orig_ns.is_empty()));
        }
    } else if !referrer.is_cluster_scoped() {
        let ns = referrer.namespace();
        cands.retain(|c| c.is_cluster_scoped() || c.namespace() == ns);
    }
    if cands.len() > 1 {
        let same: Vec<&Res> = cands
            .iter()
            .copied()
            .filter(|c| c.prefixes == referrer.prefixes && c.suffixes == referrer.suffixes)
            .collect();
        if !same.is_empty() {
            cands = same;
        }
    }
    let first = *cands.first()?;
    cands.iter().all(|c| c.name() == first.name()).then_some(first)
}
