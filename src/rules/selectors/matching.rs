//! Shared by the cross-object rules: which pod templates of the run a
//! selector reaches, which one comes closest when none does, and whether
//! the pods may come from somewhere the run cannot see.

mod names;
mod near;
mod operators;
mod report;

pub(crate) use names::{distance, find_near, similar, similar_name};
pub(crate) use near::{NearbyIndex, nearby};
pub(crate) use operators::{may_run_pods, operator_may_provide, operator_near};
pub(crate) use report::{label_in, report_unselected, report_unselected_of_kind};

use crate::hash::Map;
use std::borrow::Cow;

use crate::model::{Catalog, LabelSelector, Object, Operator, Requirement, Workload};
use crate::rules::Ctx;
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

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

/// The lint's pod templates by label: the index the lint's rules share,
/// else (a rule run on its own) one built into `local`.
pub(crate) fn pod_index<'l, 'r: 'l>(
    catalog: &'l Catalog<'l>,
    ctx: &Ctx<'r>,
    local: &'l mut Option<PodIndex<'l>>,
) -> &'l PodIndex<'l> {
    match ctx.shared_pods() {
        Some(pods) => pods,
        None => local.get_or_insert_with(|| PodIndex::new(catalog, ctx.sources)),
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

#[cfg(test)]
mod tests;
