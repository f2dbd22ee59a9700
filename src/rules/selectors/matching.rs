//! Shared by the cross-object rules: which pod templates of the run a
//! selector reaches, which one comes closest when none does, and whether
//! the pods may come from somewhere the run cannot see.

use crate::hash::{Map, Set};
use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::model::{Catalog, LabelSelector, Object, Operator, Requirement, Workload};
use crate::rules::Ctx;
use crate::source::SourceFile;
use crate::yaml::{Entry, Node, Span};

fn folder<'a>(sources: &'a [SourceFile], o: &Object) -> &'a str {
    let name = sources.get(o.file as usize).map_or("", |s| s.name.as_str());
    name.rfind(['/', '\\']).map_or("", |i| &name[..i])
}

/// Whether folder `dir` is `other` or contains it.
fn within(dir: &str, other: &str) -> bool {
    dir.is_empty()
        || (other.starts_with(dir) && (other.len() == dir.len() || other[dir.len()..].starts_with(['/', '\\'])))
}

/// Whether `other` tells something about what surrounds `near`, as evidence
/// that the run holds the objects `near` could refer to. Both name the same
/// namespace; or neither names one (each may be applied anywhere) and their
/// files share a folder or one's folder contains the other's; or only one
/// names a namespace and they share a folder. A folder of unrelated
/// examples is thus not one application, and a namespace-less example is
/// no evidence about a system namespace elsewhere.
pub(crate) fn nearby(sources: &[SourceFile], near: &Object, other: &Object) -> bool {
    match (near.namespace, other.namespace) {
        (Some(a), Some(b)) => a == b,
        _ if near.file == other.file => true,
        (None, None) => {
            let (a, b) = (folder(sources, near), folder(sources, other));
            within(a, b) || within(b, a)
        }
        _ => folder(sources, near) == folder(sources, other),
    }
}

/// Folders holding some objects, and every folder above them.
#[derive(Default)]
struct Dirs<'s> {
    dirs: Set<&'s str>,
    above: Set<&'s str>,
}

impl<'s> Dirs<'s> {
    fn add(&mut self, dir: &'s str) {
        if !self.dirs.insert(dir) {
            return;
        }
        let mut d = dir;
        while let Some(i) = d.rfind(['/', '\\']) {
            d = &d[..i];
            if !self.above.insert(d) {
                break;
            }
        }
        if !dir.is_empty() {
            self.above.insert("");
        }
    }

    /// Whether some folder is `dir`, above it or below it.
    fn related(&self, dir: &str) -> bool {
        if self.above.contains(dir) {
            return true;
        }
        let mut d = dir;
        loop {
            if self.dirs.contains(d) {
                return true;
            }
            match d.rfind(['/', '\\']) {
                Some(i) => d = &d[..i],
                None => return self.dirs.contains(""),
            }
        }
    }
}

/// A set of objects (evidence, such as the run's Services), indexed to
/// answer "is one of them [`nearby`] this object?" without a scan.
pub(crate) struct NearbyIndex<'s> {
    sources: &'s [SourceFile],
    namespaces: Set<&'s str>,
    /// Folders of the objects without a namespace.
    open: Dirs<'s>,
    /// Folders of the objects with a namespace.
    named: Set<&'s str>,
}

impl<'s> NearbyIndex<'s> {
    pub fn new<'o>(sources: &'s [SourceFile], objects: impl IntoIterator<Item = &'o Object<'s>>) -> Self
    where
        's: 'o,
    {
        let mut idx = NearbyIndex {
            sources,
            namespaces: Set::default(),
            open: Dirs::default(),
            named: Set::default(),
        };
        for o in objects {
            let dir = folder(sources, o);
            match o.namespace {
                Some(ns) => {
                    idx.namespaces.insert(ns);
                    idx.named.insert(dir);
                }
                None => idx.open.add(dir),
            }
        }
        idx
    }

    /// Whether any of the objects is [`nearby`] `near`.
    pub fn any(&self, near: &Object) -> bool {
        let dir = folder(self.sources, near);
        match near.namespace {
            Some(ns) => self.namespaces.contains(ns) || self.open.dirs.contains(dir),
            None => self.open.related(dir) || self.named.contains(dir),
        }
    }
}

/// Labels a controller adds to the pods it creates, beyond the template's.
/// Their values cannot be known from the manifest (except a Job's name), so
/// a selector requirement on one of them is taken as satisfied.
const CONTROLLER_LABELS: &[(&str, &[&str])] = &[
    ("Deployment", &["pod-template-hash"]),
    ("ReplicaSet", &["pod-template-hash"]),
    (
        "StatefulSet",
        &[
            "statefulset.kubernetes.io/pod-name",
            "apps.kubernetes.io/pod-index",
            "controller-revision-hash",
        ],
    ),
    ("DaemonSet", &["controller-revision-hash", "pod-template-generation"]),
    ("Rollout", &["rollouts-pod-template-hash"]),
    ("DeploymentConfig", &["deployment", "deploymentconfig"]),
    (
        "Job",
        &[
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-completion-index",
        ],
    ),
    (
        "CronJob",
        &[
            "job-name",
            "batch.kubernetes.io/job-name",
            "controller-uid",
            "batch.kubernetes.io/controller-uid",
            "batch.kubernetes.io/job-completion-index",
        ],
    ),
];

fn controller_label(kind: &str, key: &str) -> bool {
    CONTROLLER_LABELS
        .iter()
        .any(|(k, keys)| *k == kind && keys.contains(&key))
}

fn is_any_controller_label(key: &str) -> bool {
    CONTROLLER_LABELS.iter().any(|(_, keys)| keys.contains(&key)) || key == "job-name"
}

/// What a pod created by this workload has for label `key`: `Err(())` when
/// the controller sets it to a value the manifest cannot tell.
fn pod_label<'a>(w: &Workload<'a>, key: &str) -> Result<Option<Cow<'a, str>>, ()> {
    if let Some(n) = w.pod_labels().and_then(|l| l.get(key)) {
        if let Some(s) = n.as_str() {
            return Ok(Some(Cow::Borrowed(s)));
        }
        if let Some(t) = n.scalar_text() {
            return Ok(Some(Cow::Owned(t)));
        }
    }
    if w.kind() == "Job" && (key == "job-name" || key == "batch.kubernetes.io/job-name") {
        return Ok(w.object.name.map(Cow::Borrowed));
    }
    if controller_label(w.kind(), key) {
        return Err(());
    }
    Ok(None)
}

fn expression_ok(r: &Requirement, actual: Option<&str>) -> bool {
    match r.op {
        Operator::In => actual.is_some_and(|a| r.values.iter().any(|v| v == a)),
        Operator::NotIn => actual.is_none_or(|a| !r.values.iter().any(|v| v == a)),
        Operator::Exists => actual.is_some(),
        Operator::DoesNotExist => actual.is_none(),
    }
}

/// How many requirements of the selector the workload's pods fail,
/// counting no further than `stop`.
fn failures(sel: &LabelSelector, w: &Workload, stop: usize) -> usize {
    let mut n = sel.problems.len();
    for (k, v, _) in &sel.match_labels {
        if n >= stop {
            return n;
        }
        match pod_label(w, k) {
            Err(()) => {}
            Ok(Some(actual)) if actual == v.as_str() => {}
            Ok(_) => n += 1,
        }
    }
    for r in &sel.expressions {
        if n >= stop {
            return n;
        }
        if let Ok(actual) = pod_label(w, r.key)
            && !expression_ok(r, actual.as_deref())
        {
            n += 1;
        }
    }
    n
}

/// The first requirement of a selector that the workload's pods fail, with
/// its span and why.
pub(crate) fn first_failure(sel: &LabelSelector, w: &Workload) -> Option<(Span, String)> {
    if let Some((span, why)) = sel.problems.first() {
        return Some((*span, why.clone()));
    }
    for (k, v, span) in &sel.match_labels {
        match pod_label(w, k) {
            Err(()) => {}
            Ok(Some(actual)) if actual == v.as_str() => {}
            Ok(Some(actual)) => {
                return Some((*span, format!("`{k}: {v}` does not match the label value `{actual}`")));
            }
            Ok(None) => return Some((*span, format!("the pods have no label `{k}`"))),
        }
    }
    for r in &sel.expressions {
        let Ok(actual) = pod_label(w, r.key) else { continue };
        if expression_ok(r, actual.as_deref()) {
            continue;
        }
        let why = match (r.op, &actual) {
            (Operator::In, Some(a)) => format!("label `{}` is `{a}`, not one of {:?}", r.key, r.values),
            (Operator::In | Operator::Exists, None) => format!("the pods have no label `{}`", r.key),
            (Operator::NotIn, Some(a)) => format!("label `{}` is `{a}`, which the selector excludes", r.key),
            _ => format!("the pods have a label `{}`, which the selector excludes", r.key),
        };
        return Some((r.span, why));
    }
    None
}

/// Whether the selector selects the pods this workload creates. An empty
/// selector selects nothing here: callers decide what empty means.
pub(crate) fn selects(sel: &LabelSelector, w: &Workload) -> bool {
    !sel.is_empty() && failures(sel, w, 1) == 0
}

/// Calls `f` with the lint's pod templates by label: the index the lint's
/// rules share, else (a rule run on its own) one built for this call.
pub(crate) fn with_pods<R>(catalog: &Catalog, ctx: &mut Ctx, f: impl FnOnce(&PodIndex, &mut Ctx) -> R) -> R {
    match ctx.shared_pods() {
        Some(pods) => f(pods, ctx),
        None => {
            let pods = PodIndex::new(catalog, ctx.sources);
            f(&pods, ctx)
        }
    }
}

/// The pod templates of a run, indexed by label for selector lookups.
pub(crate) struct PodIndex<'s> {
    pub workloads: Vec<Workload<'s>>,
    by_label: Map<(&'s str, String), Vec<usize>>,
    around: NearbyIndex<'s>,
    /// Custom resources that may create pods.
    custom: Vec<&'s Object<'s>>,
    sources: &'s [SourceFile],
}

impl<'s> PodIndex<'s> {
    pub fn new(catalog: &'s Catalog<'_>, sources: &'s [SourceFile]) -> Self {
        let workloads: Vec<Workload<'s>> = catalog.pod_templates().collect();
        let mut by_label: Map<(&'s str, String), Vec<usize>> = Map::default();
        for (i, w) in workloads.iter().enumerate() {
            for e in w.pod_labels().map(Node::entries).unwrap_or(&[]) {
                if let Some(v) = e.value.scalar_text() {
                    by_label.entry((&*e.key, v)).or_default().push(i);
                }
            }
        }
        // A custom resource with a known pod template is among the workloads.
        let custom = catalog
            .objects
            .iter()
            .filter(|o| may_run_pods(o) && Workload::template_of(o).is_none())
            .collect();
        let around = NearbyIndex::new(sources, workloads.iter().map(|w| w.object));
        PodIndex {
            workloads,
            by_label,
            around,
            custom,
            sources,
        }
    }

    /// Whether the run has pod templates around `near` (see [`nearby`]).
    pub fn any_near(&self, near: &Object) -> bool {
        self.around.any(near)
    }

    /// The workloads whose pods `sel` selects, in a namespace compatible
    /// with `near`.
    pub fn selected(&self, sel: &LabelSelector, near: &Object) -> Vec<&Workload<'s>> {
        if sel.is_empty() {
            return Vec::new();
        }
        let indexed = sel
            .match_labels
            .iter()
            .find(|(k, _, _)| !is_any_controller_label(k))
            .map(|(k, v, _)| self.by_label.get(&(*k, v.clone())).map(Vec::as_slice).unwrap_or(&[]));
        let check = |w: &&Workload<'s>| w.object.same_namespace(near) && selects(sel, w);
        match indexed {
            Some(ids) => ids.iter().map(|&i| &self.workloads[i]).filter(check).collect(),
            None => self.workloads.iter().filter(check).collect(),
        }
    }

    /// The workload near `near` that the selector misses by one requirement
    /// (a value that differs or a label that is missing), with that
    /// requirement's span and why it fails. For a one-requirement selector
    /// the label must exist with a similar value.
    pub fn closest(&self, sel: &LabelSelector, near: &Object) -> Option<(&Workload<'s>, Span, String)> {
        if !sel.problems.is_empty() {
            return None;
        }
        let total = sel.match_labels.len() + sel.expressions.len();
        // How far the failed label value is from the wanted one (missing
        // labels and expressions rank after near values).
        let gap = |w: &Workload| {
            sel.match_labels
                .iter()
                .find_map(|(k, v, _)| match pod_label(w, k) {
                    Ok(Some(a)) if a != v.as_str() => Some(distance(&a, v)),
                    _ => None,
                })
                .unwrap_or(usize::MAX)
        };
        let w = self
            .workloads
            .iter()
            .filter(|w| failures(sel, w, 2) == 1 && nearby(self.sources, near, w.object))
            .filter(|w| {
                // One requirement: only a label with a similar value is close.
                total > 1
                    || sel
                        .match_labels
                        .first()
                        .is_some_and(|(k, v, _)| pod_label(w, k).ok().flatten().is_some_and(|a| similar(&a, v)))
            })
            .min_by_key(|w| gap(w))?;
        let (span, why) = first_failure(sel, w)?;
        Some((w, span, why))
    }

    /// A custom resource in the namespace of `near` and [`nearby`] it whose
    /// operator may create pods (see [`operator_near`]).
    pub fn operator_near(&self, near: &Object) -> Option<&'s Object<'s>> {
        self.custom
            .iter()
            .copied()
            .find(|o| o.id != near.id && o.same_namespace(near) && nearby(self.sources, near, o))
    }

    /// A custom resource near `near` that may create the pods `sel`
    /// selects: one that may run pods and mentions every label value the
    /// selector requires (one of each `In` list). Operators label their
    /// pods with the resource's name, its kind in lower case (`prometheus:
    /// k8s`) and labels copied from the resource, so their resources
    /// mention the values; a label typo does not appear anywhere.
    pub fn custom_source(&self, sel: &LabelSelector, near: &Object) -> Option<&'s Object<'s>> {
        self.custom
            .iter()
            .copied()
            .filter(|o| o.same_namespace(near))
            .find(|o| {
                let kind = o.kind.to_ascii_lowercase();
                let said = |v: &str| v == kind || mentions(o.root, &[v], 0);
                sel.match_labels.iter().all(|(_, v, _)| said(v))
                    && sel
                        .expressions
                        .iter()
                        .filter(|r| r.op == Operator::In)
                        .all(|r| r.values.iter().any(|v| said(v)))
            })
    }
}

/// API groups served by Kubernetes itself; other groups are custom resources.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "extensions",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "apiextensions.k8s.io",
    "admissionregistration.k8s.io",
    "apiregistration.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "certificates.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "resource.k8s.io",
    "settings.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "internal.apiserver.k8s.io",
    "storagemigration.k8s.io",
];

/// Custom resource groups and kinds known to configure things rather than
/// run pods (routing, certificates, monitoring targets, policies).
const NON_POD_GROUPS: &[&str] = &[
    "networking.istio.io",
    "security.istio.io",
    "telemetry.istio.io",
    "extensions.istio.io",
    "cert-manager.io",
    "acme.cert-manager.io",
    "certmanager.k8s.io",
    "constraints.gatekeeper.sh",
    "templates.gatekeeper.sh",
    "networking.gke.io",
    "cloud.google.com",
];
const NON_POD_KINDS: &[(&str, &str)] = &[
    ("monitoring.coreos.com", "ServiceMonitor"),
    ("monitoring.coreos.com", "PodMonitor"),
    ("monitoring.coreos.com", "Probe"),
    ("monitoring.coreos.com", "PrometheusRule"),
    ("monitoring.coreos.com", "AlertmanagerConfig"),
    ("monitoring.coreos.com", "ScrapeConfig"),
    ("gateway.networking.k8s.io", "HTTPRoute"),
    ("gateway.networking.k8s.io", "GRPCRoute"),
    ("gateway.networking.k8s.io", "TCPRoute"),
    ("gateway.networking.k8s.io", "TLSRoute"),
    ("gateway.networking.k8s.io", "UDPRoute"),
    ("gateway.networking.k8s.io", "ReferenceGrant"),
    ("gateway.networking.k8s.io", "GatewayClass"),
    ("opentelemetry.io", "Instrumentation"),
];

/// Whether an object is a custom resource that may create pods (an
/// operator's resource: Prometheus, Rollout, a database cluster...).
pub(crate) fn may_run_pods(o: &Object) -> bool {
    let group = o.group();
    !BUILTIN_GROUPS.contains(&group)
        && !NON_POD_GROUPS.contains(&group)
        && !NON_POD_KINDS.iter().any(|(g, k)| *g == group && *k == o.kind)
}

/// A custom resource that an operator may act on (see [`may_run_pods`])
/// next to `near`: in its namespace and [`nearby`]. Operators create pods,
/// Services, Secrets and ConfigMaps for their resources at run time, so
/// what such a run lacks may well exist in the cluster.
pub(crate) fn operator_near<'s>(catalog: &'s Catalog, sources: &[SourceFile], near: &Object) -> Option<&'s Object<'s>> {
    catalog
        .objects
        .iter()
        .find(|o| o.id != near.id && may_run_pods(o) && o.same_namespace(near) && nearby(sources, near, o))
}

/// Turns a finding about something the run lacks into an `info` that says
/// why it may be fine: custom resource `cr` may have its operator create
/// `what`. The resource is shown as a related location.
pub(crate) fn operator_may_provide(d: &mut Diagnostic, cr: &Object, what: &str) {
    d.severity = Severity::Info;
    let resource = match cr.name.filter(|n| !n.is_empty()) {
        Some(name) => format!("{} `{name}`", cr.kind),
        None => format!("a {}", cr.kind),
    };
    d.message.push_str(&format!(
        "; but {resource} here is a custom resource whose operator may create {what}"
    ));
    label_in(
        d,
        cr,
        cr.name_span(),
        format!("{resource}: its operator may create {what}"),
    );
}

fn mentions(node: &Node, values: &[&str], depth: usize) -> bool {
    if depth > 24 {
        return false;
    }
    if let Some(s) = node.as_str() {
        return values.contains(&s);
    }
    node.items().iter().any(|n| mentions(n, values, depth + 1))
        || node.entries().iter().any(|e| mentions(&e.value, values, depth + 1))
}

/// Edit distance between two short strings: insertions, deletions,
/// substitutions and swaps of adjacent characters each count 1.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    distance_within(a, b, usize::MAX).unwrap_or(usize::MAX)
}

/// [`distance`] when it is at most `max` (see
/// [`crate::config::distance_within`]).
pub(crate) fn distance_within(a: &str, b: &str, max: usize) -> Option<usize> {
    crate::config::distance_within(a, b, max, true)
}

/// Whether two names look like one is a typo or variant of the other: a
/// few edits apart, or one a dash-separated part of the other
/// (`web` / `web-svc`).
pub(crate) fn similar(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // One extra dash-separated word: `web` / `web-svc`, `api` / `my-api`.
    let extra = long
        .strip_prefix(short)
        .and_then(|rest| rest.strip_prefix('-'))
        .or_else(|| long.strip_suffix(short).and_then(|rest| rest.strip_suffix('-')));
    if short.len() >= 3 && extra.is_some_and(|w| !w.contains('-')) {
        return true;
    }
    let limit = if long.len() <= 8 { 1 } else { 2 };
    distance_within(a, b, limit).is_some()
}

/// The object of a kind with this name that `near` refers to: one in a
/// compatible namespace, preferring one [`nearby`] (the same name may
/// recur in unrelated folders of one run).
pub(crate) fn find_near<'s>(
    catalog: &'s Catalog,
    sources: &[SourceFile],
    kind: &str,
    name: &str,
    near: &Object,
) -> Option<&'s Object<'s>> {
    let mut found = catalog
        .of_kind(kind)
        .filter(|o| o.name == Some(name) && o.same_namespace(near));
    let first = found.next()?;
    if nearby(sources, near, first) {
        return Some(first);
    }
    Some(found.find(|o| nearby(sources, near, o)).unwrap_or(first))
}

/// Among objects of `kind` near `near`, the one whose name is most like
/// `name` (a probable typo), if any is close.
pub(crate) fn similar_name<'s>(
    catalog: &'s Catalog,
    sources: &[SourceFile],
    kind: &str,
    name: &str,
    near: &Object,
) -> Option<&'s Object<'s>> {
    catalog
        .of_kind(kind)
        .filter(|o| nearby(sources, near, o))
        .filter_map(|o| o.name.filter(|n| similar(n, name)).map(|n| (distance(n, name), o)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, o)| o)
}

/// Adds a label that may point into another file than the finding's.
pub(crate) fn label_in(d: &mut Diagnostic, object: &Object, span: Span, message: impl Into<String>) {
    d.labels.push(Label {
        file: object.file,
        span,
        message: message.into(),
    });
}

/// Where a pod template's labels are (or its metadata, or its spec).
pub(crate) fn pod_labels_span(w: &Workload) -> Span {
    w.pod_labels()
        .map(|l| l.span)
        .or_else(|| w.pod_metadata.map(|m| m.span))
        .unwrap_or(w.pod_spec.span)
}

/// [`report_unselected`] for every `kind` object whose set-based label
/// selector sits at `path` (PodDisruptionBudget `spec.selector`,
/// NetworkPolicy `spec.podSelector`).
pub(crate) fn report_unselected_of_kind(catalog: &Catalog, ctx: &mut Ctx, kind: &str, path: &[&str], help: &str) {
    if catalog.subjects_of_kind(kind).next().is_none() {
        return;
    }
    with_pods(catalog, ctx, |pods, ctx| {
        for object in catalog.subjects_of_kind(kind) {
            let Some(entry) = object.root.path_entry(path) else {
                continue;
            };
            if !entry.value.is_map() {
                continue;
            }
            let sel = LabelSelector::from_node(&entry.value);
            report_unselected(ctx, pods, object, entry, &sel, help);
        }
    });
}

/// Reports a selector (`entry` of `object`) that selects no pod template
/// of the run. Quiet when the run has no pod template [`nearby`] the
/// object (the pods are defined elsewhere), when a custom resource that
/// mentions the selector's values may create the pods, and when the
/// selector selects some pod template in a compatible namespace. Another
/// custom resource around the object makes the finding an `info` naming
/// it, unless a pod template of the run misses the selector by one label.
/// The finding points at the requirement the closest workload fails, or at
/// the selector's key.
pub(crate) fn report_unselected(
    ctx: &mut Ctx,
    pods: &PodIndex,
    object: &Object,
    entry: &Entry,
    sel: &LabelSelector,
    help: &str,
) {
    if sel.is_empty() || !pods.any_near(object) || !pods.selected(sel, object).is_empty() {
        return;
    }
    if pods.custom_source(sel, object).is_some() {
        return;
    }
    let what = format!("{} `{}`", object.kind, object.name.unwrap_or(""));
    // A pod template of the run that misses by one label points at a typo
    // in these files, whatever an operator may create.
    let closest = pods.closest(sel, object);
    let operator = if closest.is_none() {
        pods.operator_near(object)
    } else {
        None
    };
    let d = match closest {
        Some((w, span, why)) => {
            let d = ctx.report(
                object,
                span,
                format!(
                    "{what} selects no pods of the run: the closest pod template, {} `{}`, fails it because {why}",
                    w.kind(),
                    w.object.name.unwrap_or("")
                ),
            );
            d.help(help);
            label_in(
                d,
                w.object,
                pod_labels_span(w),
                format!("the pod labels of {} `{}`", w.kind(), w.object.name.unwrap_or("")),
            );
            d
        }
        None => {
            let d = ctx.report(
                object,
                entry.key_span,
                format!(
                    "{what} selects `{}`, which matches no pod template of the run",
                    sel.describe()
                ),
            );
            d.help(help);
            d
        }
    };
    if let Some(cr) = operator {
        operator_may_provide(d, cr, "the pods");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_contain_each_other() {
        assert!(within("", "a/b"));
        assert!(within("a", "a/b"));
        assert!(within("a/b", "a/b"));
        assert!(!within("a/b", "a/bc"));
        assert!(!within("a/b", "a/c"));
    }

    #[test]
    fn folder_index() {
        let mut d = Dirs::default();
        d.add("a/b/c");
        d.add("x");
        assert!(d.related("a/b/c") && d.related("a/b/c/d") && d.related("a") && d.related(""));
        assert!(!d.related("a/b/x") && !d.related("y"));
        let mut root = Dirs::default();
        root.add("");
        assert!(root.related("anything/below"));
    }

    #[test]
    fn distances() {
        assert_eq!(distance("web", "webb"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("wbe", "web"), 1);
        assert!(similar("frontend", "fronted"));
        assert!(!similar("web", "api"));
        assert!(similar("redis-config", "redis-conf"));
        assert!(similar("myapp", "myapp-service"));
        assert!(!similar("app", "application"));
        assert!(!similar("istio", "istio-cni-config"));
        assert!(!similar(
            "argocd-application-controller",
            "argocd-applicationset-controller"
        ));
    }
}
