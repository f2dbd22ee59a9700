//! One object checked: a custom resource against its CRD; an object of a
//! built-in kind for a removed or deprecated apiVersion and against the
//! schema, with curated field changes explaining problems and the migration
//! to a replacement apiVersion folded into the `api-removed` finding.

use super::apiserver::{pod_spec_required, server_filled};
use super::kinds::{builtin_group, component_config};
use super::report::{Source, check_custom, report_problem, unknown_kind};
use super::{LazyVersions, Out, bracketless, strip_deprecated, version_label};
use crate::diagnostic::Diagnostic;
use crate::model::Object;
use crate::schema::crd::CrdIndex;
use crate::schema::migrate::{api_fix, field_fix, find};
use crate::schema::validate::{Problem, ProblemKind, validate};
use crate::schema::{Deprecation, FieldChangeKind, VersionSchema, deprecation, field_changes, schema};
use crate::source::SourceFile;
use crate::yaml::Span;

/// What to use instead, as served by `target`: a replacement that is
/// itself removed there is followed to its own replacement; none left,
/// none named (PodSecurityPolicy points to Pod Security Admission).
fn replacement_text(dep: &Deprecation, target: &VersionSchema) -> String {
    let mut current = dep.replacement.as_ref().map(|r| {
        (
            r.api_version.clone(),
            dep.replacement_kind().unwrap_or(&dep.kind).to_string(),
        )
    });
    for _ in 0..8 {
        let Some((av, kind)) = &current else { break };
        match deprecation(av, kind) {
            Some(next) if next.is_removed_in(target.name()) => {
                current = next.replacement.as_ref().map(|r| {
                    (
                        r.api_version.clone(),
                        next.replacement_kind().unwrap_or(kind).to_string(),
                    )
                });
            }
            _ => break,
        }
    }
    match current {
        Some((av, kind)) if kind != dep.kind => format!("; use {av} {kind}"),
        Some((av, _)) => format!("; use {av}"),
        None if dep.kind == "PodSecurityPolicy" => "; enforce pod security with Pod Security Admission (the `pod-security.kubernetes.io/enforce` namespace label) or a policy engine instead".to_string(),
        None => String::new(),
    }
}

pub(super) fn check_object(object: &Object, source: &SourceFile, v: &LazyVersions, crds: &CrdIndex, out: &mut Out) {
    if object.api_version.is_empty() || object.kind.is_empty() {
        return;
    }
    if component_config(object.api_version, object.kind) {
        return;
    }
    if !builtin_group(object.api_version) {
        // A CRD's deprecations do not depend on the Kubernetes version:
        // an upgrade from a known version has seen them already.
        let upgrade_only = v.upgrade_from_chosen();
        let target = || v.get().map(|v| v.effective());
        return check_custom(object, source, crds, &target, !upgrade_only, out);
    }
    let Some(v) = v.get() else { return };
    let target = v.effective();
    let upgrade = v.target.is_some();
    let dep = deprecation(object.api_version, object.kind);
    let av_span = object.root.get("apiVersion").map_or(object.kind_span(), |n| n.span);

    // Kind-level: removed or deprecated apiVersions.
    // Once `api-removed` is reported, the field problems that only
    // restate the migration to the replacement are folded into it.
    let mut removed_reported = false;
    let mut validate_as = target.lookup(object.api_version, object.kind);
    if let Some(dep) = dep {
        let removed = dep.is_removed_in(target.name());
        let was_removed_before = upgrade && v.explicit_current && dep.is_removed_in(v.current.name());
        let deprecated = dep.is_deprecated_in(target.name());
        let was_deprecated_before = upgrade && v.explicit_current && dep.is_deprecated_in(v.current.name());
        // Removed already in the cluster's version: broken now, and said so
        // (an upgrade target never hides it).
        if removed {
            let rejected_by = if was_removed_before { v.current } else { target };
            let msg = format!(
                "{} {} was removed in Kubernetes {}{}",
                object.api_version,
                object.kind,
                dep.removed_in.as_deref().unwrap_or("?"),
                replacement_text(dep, target)
            );
            let fix = api_fix(source, object.file, object, dep, target, &[]);
            if let Some(d) = out.report("api-removed", object, av_span, msg) {
                removed_reported = true;
                d.help(format!(
                    "the API server of {} rejects this apiVersion{}",
                    version_label(rejected_by),
                    dep.note.as_deref().map(|n| format!("; {n}")).unwrap_or_default()
                ));
                d.fix = fix;
            }
            // Field-level analysis against the replacement, when known.
            validate_as = dep
                .replacement
                .as_ref()
                .and_then(|r| target.lookup(&r.api_version, dep.replacement_kind().unwrap_or(object.kind)));
            if validate_as.is_none() {
                return;
            }
        } else if deprecated && !was_deprecated_before {
            let removal = match &dep.removed_in {
                Some(r) => format!(" and removed in {r}"),
                None => String::new(),
            };
            let msg = format!(
                "{} {} is deprecated since Kubernetes {}{removal}{}",
                object.api_version,
                object.kind,
                dep.deprecated_in.as_deref().unwrap_or("?"),
                replacement_text(dep, target)
            );
            let fix = api_fix(source, object.file, object, dep, target, &[]);
            if let Some(d) = out.report("api-deprecated", object, av_span, msg) {
                d.help("move to the replacement before the version that removes this one; `kvet check --fix` does it when the object fits the new schema");
                d.fix = fix;
            }
        }
    }

    let Some(ty) = validate_as else {
        unknown_kind(object, target, out);
        return;
    };
    // Checked as the replacement of a removed apiVersion: say so.
    let as_replacement = (target.lookup(object.api_version, object.kind) != Some(ty))
        .then(|| {
            dep.and_then(|d| {
                d.replacement
                    .as_ref()
                    .map(|r| format!(" in {} {}", r.api_version, d.replacement_kind().unwrap_or(object.kind)))
            })
        })
        .flatten();
    let mut problems = validate(target, ty, object.root, &source.text, object.kind_span());
    problems.retain(|p| !server_filled(object, p));
    for p in pod_spec_required(object) {
        if !problems.iter().any(|q| q.path == p.path) {
            problems.push(p);
        }
    }

    // Upgrade mode with a known current version: what is already broken
    // in the cluster's version is reported as such (an error of that
    // version), the rest as what the upgrade changes.
    let current_ty = v.current.lookup(object.api_version, object.kind);
    let mut broken_now: Vec<Problem> = Vec::new();
    if upgrade
        && v.explicit_current
        && let Some(cty) = current_ty
    {
        let mut before = validate(v.current, cty, object.root, &source.text, object.kind_span());
        before.retain(|p| !server_filled(object, p));
        before.extend(pod_spec_required(object));
        let (now, changed): (Vec<Problem>, Vec<Problem>) = problems
            .into_iter()
            .partition(|p| before.iter().any(|b| same_problem(b, p)));
        problems = changed;
        // Deprecations of the cluster's version are not breakage: only
        // those the upgrade brings are reported.
        broken_now = now
            .into_iter()
            .filter(|p| !matches!(p.kind, ProblemKind::Deprecated { .. }))
            .collect();
    }
    for p in broken_now {
        report_problem(object, Source::Api(v.current), true, None, p, out);
    }

    // The object was checked as the replacement of its removed apiVersion:
    // what the old apiVersion also rejected (in the last version serving
    // it) is an error of its own; the rest is what the migration involves,
    // listed on the `api-removed` finding instead of reported again.
    let mut migration: Option<Vec<(Span, String)>> = None;
    let mut migration_edits: Vec<crate::diagnostic::Edit> = Vec::new();
    let mut before: Vec<Problem> = Vec::new();
    if removed_reported && as_replacement.is_some() {
        before = last_served_problems(object, source);
        migration = Some(Vec::new());
    }
    let restated = |p: &Problem| !before.iter().any(|b| same_problem(b, p));

    // Curated field changes explain some problems: report them as such.
    {
        for change in field_changes() {
            if !change.applies_to(object.api_version, object.kind) {
                continue;
            }
            let Some(minor) = change.minor() else { continue };
            let in_range =
                minor <= target.info().minor && (!upgrade || !v.explicit_current || minor > v.current.info().minor);
            if !in_range {
                continue;
            }
            // Only a change the target's schema confirms (the field is
            // really gone or retyped) is reported.
            let hits = find(object.root, &change.path);
            if hits.is_empty() {
                continue;
            }
            let explained: Vec<usize> = problems
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.path == change.path
                        || p.path.starts_with(&format!("{}.", change.path))
                        || bracketless(&p.path) == change.path
                })
                .map(|(i, _)| i)
                .collect();
            if explained.is_empty() {
                continue;
            }
            let fix = field_fix(source, object.file, object.root, change);
            // A change the old apiVersion did not reject yet is part of
            // the migration.
            let folded = explained.iter().any(|&i| problems.get(i).is_some_and(restated));
            for (_, entry) in hits {
                if let Some(m) = migration.as_mut().filter(|_| folded) {
                    if let Some(f) = &fix {
                        migration_edits.extend(f.edits.iter().cloned());
                    }
                    let what = match &change.replacement {
                        Some(r) => format!("`{}` becomes `{r}`", change.path),
                        None => format!("`{}` is gone", change.path),
                    };
                    m.push((entry.key_span, what));
                    continue;
                }
                let (rule, msg) = match change.change {
                    FieldChangeKind::TypeChanged => (
                        "field-type-changed",
                        format!(
                            "`{}` changed type in Kubernetes {}: {}",
                            change.path, change.version, change.note
                        ),
                    ),
                    _ => (
                        "field-removed",
                        format!(
                            "`{}` is gone from {} {} in Kubernetes {}: {}",
                            change.path, object.api_version, object.kind, change.version, change.note
                        ),
                    ),
                };
                if let Some(d) = out.report(rule, object, entry.key_span, msg) {
                    if let Some(r) = &change.replacement {
                        d.help(format!("use `{r}` instead"));
                    } else {
                        d.help("remove it: the API server of the target version rejects or drops it");
                    }
                    d.fix = fix.clone();
                }
            }
            let mut k = 0;
            problems.retain(|_| {
                let keep = !explained.contains(&k);
                k += 1;
                keep
            });
        }
    }

    if let Some(mut m) = migration {
        let (moved, independent): (Vec<Problem>, Vec<Problem>) = problems
            .into_iter()
            .partition(|p| !matches!(p.kind, ProblemKind::Deprecated { .. }) && restated(p));
        m.extend(moved.iter().map(migration_step));
        m.sort_by_key(|(span, _)| span.start);
        migration_edits.sort_by_key(|e| (e.span.start, e.span.end));
        migration_edits.dedup_by(|a, b| a.span == b.span);
        let fix = match dep {
            Some(dep) if !migration_edits.is_empty() => {
                api_fix(source, object.file, object, dep, target, &migration_edits)
            }
            _ => None,
        };
        if let Some(d) = out.diags.iter_mut().rev().find(|d| d.rule == "api-removed") {
            fold_migration(d, &m);
            if fix.is_some() {
                d.fix = fix;
            }
        }
        problems = independent;
    }
    for p in problems {
        report_problem(object, Source::Api(target), upgrade, as_replacement.as_deref(), p, out);
    }
}

/// The problems of an object against the schema of the last version that
/// served its apiVersion.
fn last_served_problems(object: &Object, source: &SourceFile) -> Vec<Problem> {
    let last = super::super::versions_serving(object.api_version, object.kind).pop();
    let Some(s) = last.and_then(|info| schema(info.name)) else {
        return Vec::new();
    };
    let mut problems = match s.lookup(object.api_version, object.kind) {
        Some(ty) => validate(s, ty, object.root, &source.text, object.kind_span()),
        None => Vec::new(),
    };
    problems.extend(pod_spec_required(object));
    problems
}

/// One change the move to the replacement apiVersion involves.
fn migration_step(p: &Problem) -> (Span, String) {
    let what = match &p.kind {
        ProblemKind::UnknownField {
            suggestion: Some(s), ..
        } => format!("`{}` is spelled `{s}`", p.path),
        ProblemKind::UnknownField { .. } => format!("`{}` has no place in it", p.path),
        ProblemKind::MissingRequired { .. } => format!("`{}` is required", p.path),
        ProblemKind::InvalidType { expected, .. } => format!("`{}` must be {expected}", p.path),
        ProblemKind::InvalidValue { message, .. } => format!("`{}`: {message}", p.path),
        ProblemKind::Deprecated { note } => format!("`{}` is deprecated: {}", p.path, strip_deprecated(note)),
    };
    (p.span, what)
}

/// Appends the migration's changes to an `api-removed` finding: the first
/// few in the message, every one as a label at its place.
fn fold_migration(d: &mut Diagnostic, steps: &[(Span, String)]) {
    if steps.is_empty() {
        return;
    }
    const SHOWN: usize = 3;
    let listed: Vec<&str> = steps.iter().take(SHOWN).map(|(_, w)| w.as_str()).collect();
    let more = match steps.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more (marked)"),
    };
    let changes = if steps.len() == 1 { "change" } else { "changes" };
    d.message.push_str(&format!(
        "; moving it involves {} field {changes}: {}{more}",
        steps.len(),
        listed.join("; ")
    ));
    for (span, what) in steps {
        d.label(*span, what.clone());
    }
}

fn same_problem(a: &Problem, b: &Problem) -> bool {
    a.path == b.path && std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind)
}
