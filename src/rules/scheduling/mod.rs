//! Spreading replicas over nodes (domain fact C6).

mod anti_affinity_ineffective;
mod anti_affinity_missing;
mod topology_spread_invalid;

pub use anti_affinity_ineffective::AntiAffinityIneffective;
pub use anti_affinity_missing::AntiAffinityMissing;
pub use topology_spread_invalid::TopologySpreadInvalid;

use crate::model::{Catalog, LabelSelector, Workload};
use crate::rules::availability::hpa::{Autoscalers, Hpa};
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// A rule that would spread pods: an anti-affinity term or a topology
/// spread constraint.
pub(crate) struct SpreadTerm {
    /// The term's `labelSelector` entry key span, or the term itself.
    pub span: Span,
    /// Whether the term selects the workload's own pods.
    pub selects_own_pods: bool,
    pub what: &'static str,
}

fn term<'a>(w: &Workload<'a>, node: &'a Node, what: &'static str) -> SpreadTerm {
    let sel_entry = node.entry("labelSelector");
    let span = sel_entry.map_or(node.span, |e| e.key_span);
    let has_key = node
        .get("topologyKey")
        .and_then(Node::as_str)
        .is_some_and(|k| !k.is_empty());
    let own_ns_ok = match (node.get("namespaces"), w.object.namespace) {
        (Some(list), Some(ns)) if !list.items().is_empty() => list.items().iter().any(|n| n.as_str() == Some(ns)),
        _ => true,
    };
    let selects = sel_entry.is_some_and(|e| {
        let sel = LabelSelector::from_node(&e.value);
        !sel.is_empty() && sel.matches(w.pod_labels())
    });
    SpreadTerm {
        span,
        selects_own_pods: has_key && own_ns_ok && selects,
        what,
    }
}

/// Every pod anti-affinity term (required and preferred) and every topology
/// spread constraint of the pod spec.
pub(crate) fn spread_terms<'a>(w: &Workload<'a>) -> Vec<SpreadTerm> {
    let mut out = Vec::new();
    let anti = w.pod_spec.path(&["affinity", "podAntiAffinity"]);
    for t in anti
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .map(Node::items)
        .unwrap_or(&[])
    {
        out.push(term(w, t, "pod anti-affinity"));
    }
    for t in anti
        .and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .map(Node::items)
        .unwrap_or(&[])
    {
        if let Some(inner) = t.get("podAffinityTerm") {
            out.push(term(w, inner, "preferred pod anti-affinity"));
        }
    }
    for t in w
        .pod_spec
        .get("topologySpreadConstraints")
        .map(Node::items)
        .unwrap_or(&[])
    {
        out.push(term(w, t, "topology spread constraint"));
    }
    out
}

/// Replicated workloads with more than one replica: (replicas node, count).
pub(crate) fn replicated<'a>(w: &Workload<'a>) -> Option<(&'a Node, i64)> {
    let node = w.replicas_node()?;
    let n = node.as_i64()?;
    (n > 1).then_some((node, n))
}

/// Workloads that the per-object checks see as single-replica (no
/// `spec.replicas`, or 1) but that an autoscaler of the run keeps at two or
/// more: (workload, autoscaler, its minReplicas). Only the workloads
/// reported on ([`Catalog::subject_workloads`]); the autoscalers are
/// indexed when there are some.
pub(crate) fn autoscaled<'s>(catalog: &'s Catalog<'_>, sources: &'s [SourceFile]) -> Vec<(Workload<'s>, Hpa<'s>, i64)> {
    let single: Vec<Workload<'s>> = catalog
        .subject_workloads()
        .filter(|w| w.replicas().is_some() && replicated(w).is_none())
        .collect();
    if single.is_empty() {
        return Vec::new();
    }
    let hpas = Autoscalers::new(catalog, sources);
    if hpas.is_empty() {
        return Vec::new();
    }
    single
        .into_iter()
        .filter_map(|w| {
            let h = *hpas.of(w.object)?;
            let n = h.min_replicas();
            (n > 1).then_some((w, h, n))
        })
        .collect()
}

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(AntiAffinityMissing),
        Box::new(AntiAffinityIneffective),
        Box::new(TopologySpreadInvalid),
    ]
}
