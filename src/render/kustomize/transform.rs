//! The builtin transformers driven by plain kustomization fields:
//! `namespace`, `namePrefix`/`nameSuffix`, `commonLabels`/`labels`,
//! `commonAnnotations`, `replicas`, `images`; and the legacy output order.

use super::names::{Config, FieldSpec};
use super::res::Res;
use super::tree::{entry_or, get_mut, map_node, set, str_node, visit};
use crate::render::SourceMap;
use crate::yaml::{Node, Span, Value};

/// A kustomization scalar as written (kustomize reads these fields as
/// strings: `newTag: 1.10` is "1.10", not a number).
pub fn raw(map: &SourceMap, n: &Node) -> Option<String> {
    match &n.value {
        Value::Str(s) => Some(s.to_string()),
        Value::Null | Value::Seq(_) | Value::Map(_) => None,
        _ => map
            .locate(n.span)
            .and_then(|(f, s)| f.text.get(s.start as usize..s.end as usize))
            .map(str::to_string)
            .or_else(|| n.scalar_text()),
    }
}

pub fn namespace(map: &SourceMap, k: &Node, ra: &mut [Res]) {
    let Some(ns_node) = k.get("namespace") else { return };
    let Some(ns) = raw(map, ns_node).filter(|s| !s.is_empty()) else {
        return;
    };
    let span = ns_node.span;
    let value = str_node(&ns, span);
    for r in ra.iter_mut() {
        let kind = r.kind().to_string();
        if !r.is_cluster_scoped()
            && let Some(meta) = entry_or(&mut r.node, "metadata", span, || map_node(span))
        {
            set(meta, "namespace", value.clone());
        }
        match kind.as_str() {
            "RoleBinding" | "ClusterRoleBinding" => {
                if let Some(Value::Seq(subjects)) = get_mut(&mut r.node, "subjects").map(|n| &mut n.value) {
                    for s in subjects {
                        // Only subjects naming the `default` account; the
                        // others follow their ServiceAccount (name references).
                        let is_sa = s.get("kind").and_then(Node::as_str) == Some("ServiceAccount");
                        if is_sa && s.get("name").and_then(Node::as_str) == Some("default") {
                            set(s, "namespace", value.clone());
                        }
                    }
                }
            }
            "ValidatingWebhookConfiguration" | "MutatingWebhookConfiguration" => {
                visit(
                    &mut r.node,
                    &["webhooks", "clientConfig", "service"],
                    false,
                    span,
                    &mut |svc| {
                        if svc.is_map() {
                            set(svc, "namespace", value.clone());
                        }
                    },
                );
            }
            "CustomResourceDefinition" => {
                visit(
                    &mut r.node,
                    &["spec", "conversion", "webhook", "clientConfig", "service"],
                    false,
                    span,
                    &mut |svc| {
                        if svc.is_map() {
                            set(svc, "namespace", value.clone());
                        }
                    },
                );
            }
            "APIService" => {
                visit(&mut r.node, &["spec", "service"], false, span, &mut |svc| {
                    if svc.is_map() {
                        set(svc, "namespace", value.clone());
                    }
                });
            }
            _ => {}
        }
    }
}

pub fn prefix_suffix(map: &SourceMap, k: &Node, ra: &mut [Res]) {
    let prefix = k.get("namePrefix").and_then(|n| raw(map, n).map(|s| (s, n.span)));
    let suffix = k.get("nameSuffix").and_then(|n| raw(map, n).map(|s| (s, n.span)));
    if prefix.as_ref().is_none_or(|p| p.0.is_empty()) && suffix.as_ref().is_none_or(|s| s.0.is_empty()) {
        return;
    }
    for r in ra.iter_mut() {
        if r.kind() == "CustomResourceDefinition" || (r.kind() == "APIService" && r.group() == "apiregistration.k8s.io")
        {
            continue;
        }
        let mut name = r.name().to_string();
        let mut span = r.node.path(&["metadata", "name"]).map_or(r.node.span, |n| n.span);
        if let Some((p, s)) = prefix.as_ref().filter(|p| !p.0.is_empty()) {
            name = format!("{p}{name}");
            span = *s;
            r.prefixes.push(p.clone());
        }
        if let Some((x, s)) = suffix.as_ref().filter(|x| !x.0.is_empty()) {
            name = format!("{name}{x}");
            span = *s;
            r.suffixes.push(x.clone());
        }
        r.set_name(name, span);
    }
}

pub fn set_pairs(r: &mut Res, spec: &FieldSpec, pairs: &[(String, Node)], span: Span) {
    if !spec.applies(r) {
        return;
    }
    let path = spec.path();
    visit(&mut r.node, &path, spec.create, span, &mut |m| {
        if m.is_null() {
            *m = map_node(span);
        }
        if m.is_map() {
            for (k, v) in pairs {
                set(m, k, v.clone());
            }
        }
    });
}

pub fn pairs_of(map: &SourceMap, n: Option<&Node>) -> Vec<(String, Node)> {
    n.map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .map(|e| {
            let v = raw(map, &e.value).unwrap_or_default();
            (e.key.to_string(), str_node(&v, e.value.span))
        })
        .collect()
}

pub fn labels(map: &SourceMap, k: &Node, ra: &mut [Res], config: &Config) {
    let common = pairs_of(map, k.get("commonLabels"));
    if !common.is_empty() {
        let span = k.entry("commonLabels").map_or(k.span, |e| e.key_span);
        for r in ra.iter_mut() {
            for (spec, _, _) in &config.labels {
                set_pairs(r, spec, &common, span);
            }
        }
    }
    for l in k.get("labels").map(Node::items).unwrap_or(&[]) {
        let pairs = pairs_of(map, l.get("pairs"));
        if pairs.is_empty() {
            continue;
        }
        let selectors = l.get("includeSelectors").and_then(Node::as_bool).unwrap_or(false);
        let templates = l.get("includeTemplates").and_then(Node::as_bool).unwrap_or(false);
        let extra: Vec<FieldSpec> = l
            .get("fields")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|f| {
                let path = f.get("path")?.as_str()?;
                Some(FieldSpec {
                    kind: f.get("kind").and_then(Node::as_str).map(str::to_string),
                    group: f.get("group").and_then(Node::as_str).map(str::to_string),
                    path: super::tree::split_path(path),
                    create: f.get("create").and_then(Node::as_bool).unwrap_or(false),
                })
            })
            .collect();
        for r in ra.iter_mut() {
            for (spec, is_sel, is_tpl) in &config.labels {
                let wanted = selectors || (!is_sel && (!is_tpl || templates));
                if wanted {
                    set_pairs(r, spec, &pairs, l.span);
                }
            }
            for spec in &extra {
                set_pairs(r, spec, &pairs, l.span);
            }
        }
    }
}

pub fn annotations(map: &SourceMap, k: &Node, ra: &mut [Res], config: &Config) {
    let common = pairs_of(map, k.get("commonAnnotations"));
    if common.is_empty() {
        return;
    }
    let span = k.entry("commonAnnotations").map_or(k.span, |e| e.key_span);
    for r in ra.iter_mut() {
        for spec in &config.annotations {
            set_pairs(r, spec, &common, span);
        }
    }
}

pub fn replicas(map: &SourceMap, k: &Node, ra: &mut [Res]) {
    for rep in k.get("replicas").map(Node::items).unwrap_or(&[]) {
        let Some(name) = rep.get("name").and_then(Node::as_str) else {
            continue;
        };
        let Some(count) = rep.get("count") else { continue };
        let count = match raw(map, count).and_then(|s| s.parse::<i64>().ok()) {
            Some(c) => Node::new(count.span, Value::Int(c)),
            None => count.clone(),
        };
        for r in ra.iter_mut() {
            if r.had_name(name)
                && matches!(
                    r.kind(),
                    "Deployment" | "ReplicationController" | "ReplicaSet" | "StatefulSet"
                )
                && let Some(spec) = entry_or(&mut r.node, "spec", count.span, || map_node(count.span))
            {
                set(spec, "replicas", count.clone());
            }
        }
    }
}

struct ImageRule {
    name: String,
    new_name: Option<String>,
    new_tag: Option<String>,
    digest: Option<String>,
    span: Span,
}

/// `name[:tag][@digest]` split as kustomize does.
pub fn split_image(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[slash..].rfind(':') {
        Some(i) => (&rest[..slash + i], Some(&rest[slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

fn apply_image(rule: &ImageRule, node: &mut Node) {
    let Some(value) = node.as_str() else { return };
    let (name, tag, digest) = split_image(value);
    if name != rule.name {
        return;
    }
    let name = rule.new_name.as_deref().unwrap_or(name);
    let (tag, digest) = match (&rule.new_tag, &rule.digest) {
        (Some(t), Some(d)) => (Some(t.as_str()), Some(d.as_str())),
        (Some(t), None) => (Some(t.as_str()), None),
        (None, Some(d)) => (None, Some(d.as_str())),
        (None, None) => (tag, digest),
    };
    let mut out = name.to_string();
    if let Some(t) = tag.filter(|t| !t.is_empty()) {
        out.push(':');
        out.push_str(t);
    }
    if let Some(d) = digest.filter(|d| !d.is_empty()) {
        out.push('@');
        out.push_str(d);
    }
    *node = str_node(&out, rule.span);
}

/// Every `containers`/`initContainers` list at any depth (kustomize's legacy
/// image filter), plus configured image fields.
fn walk_images(node: &mut Node, rules: &[ImageRule]) {
    match &mut node.value {
        Value::Map(entries) => {
            for e in entries.iter_mut() {
                if matches!(&*e.key, "containers" | "initContainers")
                    && let Value::Seq(items) = &mut e.value.value
                {
                    for c in items.iter_mut() {
                        if let Some(img) = get_mut(c, "image") {
                            for rule in rules {
                                apply_image(rule, img);
                            }
                        }
                    }
                }
                walk_images(&mut e.value, rules);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| walk_images(n, rules)),
        _ => {}
    }
}

pub fn images(map: &SourceMap, k: &Node, ra: &mut [Res], config: &Config) {
    let rules: Vec<ImageRule> = k
        .get("images")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|i| {
            let get = |f: &str| i.get(f).and_then(|n| raw(map, n)).filter(|s| !s.is_empty());
            Some(ImageRule {
                name: get("name")?,
                new_name: get("newName"),
                new_tag: get("newTag"),
                digest: get("digest"),
                span: i.span,
            })
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    for r in ra.iter_mut() {
        walk_images(&mut r.node, &rules);
        for spec in &config.images {
            if spec.applies(r) {
                visit(&mut r.node, &spec.path(), false, k.span, &mut |n| {
                    for rule in &rules {
                        apply_image(rule, n);
                    }
                });
            }
        }
    }
}

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: [&str; 2] = ["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn kind_rank(kind: &str) -> i64 {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i64 - ORDER_FIRST.len() as i64;
    }
    ORDER_LAST.iter().position(|k| *k == kind).map_or(0, |i| i as i64 + 1)
}

fn gvk_string(r: &Res) -> String {
    let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
    format!(
        "{}_{}_{}",
        or(r.group(), "~G"),
        or(r.version(), "~V"),
        or(r.kind(), "~K")
    )
}

/// Kustomize's default ("legacy") order: by kind (namespaces first,
/// webhooks last), then by group/version/kind, namespace and name.
pub fn legacy_sort(ra: &mut [Res]) {
    ra.sort_by_cached_key(|r| {
        let ns = if r.namespace().is_empty() { "~X" } else { r.namespace() };
        let name = if r.name().is_empty() { "~N" } else { r.name() };
        (
            kind_rank(r.kind()),
            gvk_string(r),
            format!("{}|{}|{}", gvk_string(r), ns, name),
        )
    });
}
