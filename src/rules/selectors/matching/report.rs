//! Reporting: labels that point into other files, and the finding for a
//! selector that selects no pod template of the run.

use super::{PodIndex, operator_may_provide, pod_index};
use crate::diagnostic::{Diagnostic, Label};
use crate::model::{Catalog, LabelSelector, Object, Workload};
use crate::rules::Ctx;
use crate::yaml::{Entry, Span};

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
    let mut local = None;
    let pods = pod_index(catalog, ctx, &mut local);
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
///
/// [`nearby`]: super::nearby
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
