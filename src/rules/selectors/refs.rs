//! Names a pod template refers to: its ServiceAccount, ConfigMaps and
//! Secrets, and the shared check that they exist in the run.

use crate::hash::{Map, Set};

use super::matching::{NearbyIndex, label_in, operator_may_provide, operator_near, similar_name};
use crate::model::{Catalog, Container, Object, Workload};
use crate::rules::Ctx;
use crate::yaml::{Node, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefKind {
    ConfigMap,
    Secret,
    ServiceAccount,
}

impl RefKind {
    pub fn kind(self) -> &'static str {
        match self {
            RefKind::ConfigMap => "ConfigMap",
            RefKind::Secret => "Secret",
            RefKind::ServiceAccount => "ServiceAccount",
        }
    }
}

/// One reference: the name value and where it is used.
pub(crate) struct Ref<'a> {
    pub name: &'a str,
    pub span: Span,
    pub via: Via<'a>,
}

/// Where a reference is used, written out only for a finding.
#[derive(Clone, Copy)]
pub(crate) enum Via<'a> {
    ServiceAccount,
    Volume(&'a str),
    Projected(&'a str),
    EnvFrom(Container<'a>),
    Variable(&'a str, Container<'a>),
    PullSecrets,
}

impl std::fmt::Display for Via<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Via::ServiceAccount => f.write_str("the pod's service account"),
            Via::Volume(v) => write!(f, "volume `{v}`"),
            Via::Projected(v) => write!(f, "projected volume `{v}`"),
            Via::EnvFrom(c) => write!(f, "`envFrom` of {}", c.display()),
            Via::Variable(var, c) => write!(f, "variable `{var}` of {}", c.display()),
            Via::PullSecrets => f.write_str("`imagePullSecrets`"),
        }
    }
}

fn optional(node: &Node) -> bool {
    node.get("optional").and_then(Node::as_bool) == Some(true)
}

fn push<'a>(out: &mut Vec<Ref<'a>>, holder: &'a Node, key: &str, via: Via<'a>) {
    if optional(holder) {
        return;
    }
    if let Some(n) = holder.get(key)
        && let Some(name) = n.as_str().filter(|s| !s.is_empty())
    {
        out.push(Ref {
            name,
            span: n.span,
            via,
        });
    }
}

fn container_refs<'a>(c: &Container<'a>, kind: RefKind, out: &mut Vec<Ref<'a>>) {
    let (from_key, key_ref) = match kind {
        RefKind::ConfigMap => ("configMapRef", "configMapKeyRef"),
        RefKind::Secret => ("secretRef", "secretKeyRef"),
        RefKind::ServiceAccount => return,
    };
    for e in c.get(&["envFrom"]).map(Node::items).unwrap_or(&[]) {
        if let Some(r) = e.get(from_key) {
            push(out, r, "name", Via::EnvFrom(*c));
        }
    }
    for e in c.get(&["env"]).map(Node::items).unwrap_or(&[]) {
        if let Some(r) = e.path(&["valueFrom", key_ref]) {
            let var = e.get("name").and_then(Node::as_str).unwrap_or("?");
            push(out, r, "name", Via::Variable(var, *c));
        }
    }
}

/// Every non-optional reference of one kind in a pod template.
pub(crate) fn references<'a>(w: &Workload<'a>, kind: RefKind) -> Vec<Ref<'a>> {
    let mut out = Vec::new();
    let spec = w.pod_spec;
    if kind == RefKind::ServiceAccount {
        let node = spec
            .get("serviceAccountName")
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
            .or_else(|| spec.get("serviceAccount"));
        if let Some(n) = node
            && let Some(name) = n.as_str().filter(|s| !s.is_empty() && *s != "default")
        {
            out.push(Ref {
                name,
                span: n.span,
                via: Via::ServiceAccount,
            });
        }
        return out;
    }
    let (vol_key, vol_name_key, proj_key) = match kind {
        RefKind::ConfigMap => ("configMap", "name", "configMap"),
        _ => ("secret", "secretName", "secret"),
    };
    for v in spec.get("volumes").map(Node::items).unwrap_or(&[]) {
        let vname = v.get("name").and_then(Node::as_str).unwrap_or("?");
        if let Some(src) = v.get(vol_key) {
            push(&mut out, src, vol_name_key, Via::Volume(vname));
        }
        for s in v.path(&["projected", "sources"]).map(Node::items).unwrap_or(&[]) {
            if let Some(src) = s.get(proj_key) {
                push(&mut out, src, "name", Via::Projected(vname));
            }
        }
    }
    for c in w.all_containers() {
        container_refs(&c, kind, &mut out);
    }
    if kind == RefKind::Secret {
        for s in spec.get("imagePullSecrets").map(Node::items).unwrap_or(&[]) {
            push(&mut out, s, "name", Via::PullSecrets);
        }
    }
    out
}

/// Objects Kubernetes or common add-ons create in every namespace at run
/// time: referring to them is fine even though no manifest defines them.
const AUTOMATIC: &[(RefKind, &str)] = &[
    (RefKind::ConfigMap, "kube-root-ca.crt"),
    (RefKind::ConfigMap, "istio-ca-root-cert"),
];

/// Kinds whose objects produce a Secret of the same or a given name.
fn secret_source_name<'a>(o: &'a Object) -> Option<&'a str> {
    match (o.group(), o.kind) {
        ("cert-manager.io" | "certmanager.k8s.io", "Certificate") => {
            o.get(&["spec", "secretName"]).and_then(Node::as_str)
        }
        ("bitnami.com", "SealedSecret") => o
            .get(&["spec", "template", "metadata", "name"])
            .and_then(Node::as_str)
            .or(o.name),
        (g, "ExternalSecret") if g.starts_with("external-secrets.io") || g == "kubernetes-client.io" => {
            o.get(&["spec", "target", "name"]).and_then(Node::as_str).or(o.name)
        }
        _ => None,
    }
}

/// Every name the run provides for one kind, with the objects that provide
/// it: objects of the kind; Secrets made by other objects (cert-manager
/// Certificates, SealedSecrets, ExternalSecrets); and names the run shows
/// are made or looked up at run time: an RBAC rule names them in
/// `resourceNames`, or a container's command, arguments or environment
/// mentions them (a Job generating a certificate into
/// `--secret-name=...`, an init container writing a password Secret).
struct Provided<'s> {
    by_name: Map<&'s str, Vec<&'s Object<'s>>>,
}

impl<'s> Provided<'s> {
    /// The providers of the `needed` names only (the names the reporting
    /// workloads refer to: in the language server, those of the open
    /// documents).
    fn new(catalog: &'s Catalog<'_>, kind: RefKind, needed: &Set<&str>) -> Self {
        let mut by_name: Map<&'s str, Vec<&'s Object<'s>>> = Map::default();
        let mut add = |name: &'s str, o: &'s Object<'s>| {
            if needed.contains(name) {
                by_name.entry(name).or_default().push(o);
            }
        };
        for o in catalog.of_kind(kind.kind()) {
            if let Some(n) = o.name {
                add(n, o);
            }
        }
        if kind == RefKind::ServiceAccount {
            return Provided { by_name };
        }
        if kind == RefKind::Secret {
            for o in &catalog.objects {
                if let Some(n) = secret_source_name(o) {
                    add(n, o);
                }
            }
        }
        let resource = if kind == RefKind::Secret {
            "secrets"
        } else {
            "configmaps"
        };
        for role in catalog.of_kind("Role").chain(catalog.of_kind("ClusterRole")) {
            for rule in role.get(&["rules"]).map(Node::items).unwrap_or(&[]) {
                let resources = rule.get("resources").map(Node::items).unwrap_or(&[]);
                if !resources.iter().any(|r| r.as_str() == Some(resource)) {
                    continue;
                }
                for n in rule.get("resourceNames").map(Node::items).unwrap_or(&[]) {
                    if let Some(n) = n.as_str() {
                        add(n, role);
                    }
                }
            }
        }
        for w in catalog.workloads() {
            for c in w.all_containers() {
                let values = ["command", "args"]
                    .iter()
                    .flat_map(|k| c.get(&[k]).map(Node::items).unwrap_or(&[]))
                    .chain(
                        c.get(&["env"])
                            .map(Node::items)
                            .unwrap_or(&[])
                            .iter()
                            .filter_map(|e| e.get("value")),
                    );
                for v in values {
                    let Some(text) = v.as_str() else { continue };
                    for token in text.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))) {
                        if !token.is_empty() {
                            add(token, w.object);
                        }
                    }
                }
            }
        }
        Provided { by_name }
    }

    /// Whether `near` may use `name`: provided in a compatible namespace by
    /// another object than `near` itself (a workload mentioning its own
    /// mount path is no evidence).
    fn has(&self, kind: RefKind, name: &str, near: &Object) -> bool {
        AUTOMATIC.contains(&(kind, name))
            || self
                .by_name
                .get(name)
                .is_some_and(|os| os.iter().any(|o| o.id != near.id && o.same_namespace(near)))
    }
}

/// Reports each name a pod template refers to that the run lacks, while
/// the run defines other objects of that kind around it. One finding per
/// missing name and workload; further uses become labels.
pub(crate) fn check_missing(catalog: &Catalog, ctx: &mut Ctx, kind: RefKind, help: &str) {
    let k = kind.kind();
    let sources = ctx.sources;
    // The names the reporting workloads use first (their references are
    // found again below, one workload at a time: kept all at once they
    // cost the corpus run half a megabyte): the run's providers are
    // indexed for those names only.
    let needed: Set<&str> = catalog
        .subject_workloads()
        .flat_map(|w| references(&w, kind).into_iter().map(|r| r.name))
        .collect();
    if needed.is_empty() {
        return;
    }
    let provided = Provided::new(catalog, kind, &needed);
    // Objects of the kind around a workload: the sign that such objects
    // are managed in these files (indexed when first needed).
    let evidence_kinds: &[&str] = match kind {
        RefKind::Secret => &["Secret", "SealedSecret", "ExternalSecret"],
        _ => &[k],
    };
    let mut evidence: Option<NearbyIndex> = None;
    for w in catalog.subject_workloads() {
        let refs = references(&w, kind);
        if refs.iter().all(|r| provided.has(kind, r.name, w.object)) {
            continue;
        }
        let evidence = evidence
            .get_or_insert_with(|| NearbyIndex::new(sources, evidence_kinds.iter().flat_map(|ek| catalog.of_kind(ek))));
        if !evidence.any(w.object) {
            continue;
        }
        let mut done: Vec<&str> = Vec::new();
        for r in &refs {
            if done.contains(&r.name) || provided.has(kind, r.name, w.object) {
                continue;
            }
            done.push(r.name);
            let d = ctx.report(
                w.object,
                r.span,
                format!(
                    "{k} `{}` ({}) is not defined in the run, which defines other {k}s for this namespace",
                    r.name, r.via
                ),
            );
            d.help(help);
            for again in refs.iter().filter(|o| o.name == r.name && o.span != r.span) {
                d.label(again.span, format!("also used by {}", again.via));
            }
            if let Some(o) = similar_name(catalog, sources, k, r.name, w.object) {
                label_in(d, o, o.name_span(), format!("did you mean `{}`?", o.name.unwrap_or("")));
            } else if let Some(cr) = operator_near(catalog, sources, w.object) {
                operator_may_provide(d, cr, &format!("the {k}"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    #[test]
    fn collects_every_place() {
        let st = parse_yaml(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  serviceAccountName: app\n  imagePullSecrets: [{name: regcred}]\n  volumes:\n  - {name: a, configMap: {name: cm-a}}\n  - {name: b, secret: {secretName: s-b}}\n  - {name: c, configMap: {name: cm-opt, optional: true}}\n  - name: d\n    projected:\n      sources:\n      - configMap: {name: cm-d}\n      - secret: {name: s-d}\n  containers:\n  - name: app\n    envFrom: [{configMapRef: {name: cm-e}}, {secretRef: {name: s-e}}]\n    env:\n    - {name: X, valueFrom: {configMapKeyRef: {name: cm-x, key: k}}}\n    - {name: Y, valueFrom: {secretKeyRef: {name: s-y, key: k, optional: true}}}\n",
            Limits::default(),
        );
        let root = st.documents[0].root.as_ref().unwrap_or_else(|| panic!("root"));
        let o = Object::new(0, 0, 0, None, root);
        let w = Workload::of(&o).unwrap_or_else(|| panic!("workload"));
        let names = |k| references(&w, k).iter().map(|r| r.name).collect::<Vec<_>>();
        assert_eq!(names(RefKind::ConfigMap), vec!["cm-a", "cm-d", "cm-e", "cm-x"]);
        assert_eq!(names(RefKind::Secret), vec!["s-b", "s-d", "s-e", "regcred"]);
        assert_eq!(names(RefKind::ServiceAccount), vec!["app"]);
    }
}
