//! The schema stage of a lint run: every object validated against the API
//! of the chosen Kubernetes version, and, with a target version, what
//! breaks or changes on the way there.
//!
//! One walk per object feeds several rules (`schema-*`, `unknown-kind`,
//! `api-*`, `field-*`), run in parallel over objects.

use std::collections::HashSet;
use std::sync::OnceLock;

use rayon::prelude::*;

use super::crd::{CrdDeprecation, CrdIndex, CrdLookup};
use super::migrate::{api_fix, field_fix, find};
use super::validate::{Problem, ProblemKind, suggest, validate};
use super::{Deprecation, FieldChangeKind, VersionSchema, deprecation, field_changes, schema, versions};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::{Catalog, Object};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::Span;

mod report;
use report::{Source, check_custom, report_problem, unknown_kind};

/// Rules reported by this stage.
pub const SCHEMA_RULES: &[&str] = &[
    "unknown-kind",
    "schema-unknown-field",
    "schema-invalid-type",
    "schema-missing-required",
    "schema-invalid-value",
    "api-deprecated",
    "api-removed",
    "field-deprecated",
    "field-removed",
    "field-type-changed",
];

/// The versions a run checks against.
#[derive(Clone, Copy)]
pub struct Versions {
    /// The cluster's version (`--kubernetes-version`, default the newest).
    pub current: &'static VersionSchema,
    /// Whether the user chose `current` (in upgrade mode, only differences
    /// from it are reported).
    pub explicit_current: bool,
    /// The version an upgrade goes to (`--target-version`).
    pub target: Option<&'static VersionSchema>,
}

impl Versions {
    pub fn from_config(config: &Config) -> Result<Versions, String> {
        Self::check_config(config)?;
        // Known versions: only an unreadable embedded blob fails here.
        let pick = |v: &str| {
            schema(v).ok_or_else(|| {
                super::load_error()
                    .unwrap_or("the embedded schemas cannot be read")
                    .to_string()
            })
        };
        let current = pick(config.kubernetes_version.as_deref().unwrap_or(super::newest()))?;
        let target = config.target_version.as_deref().map(pick).transpose()?;
        Ok(Versions {
            current,
            explicit_current: config.kubernetes_version.is_some(),
            target,
        })
    }

    /// Whether the configuration's versions are known and in order,
    /// without reading the embedded schemas (a run that the caches answer
    /// never needs them).
    pub fn check_config(config: &Config) -> Result<(), String> {
        let pick = |v: &str| {
            super::parse_version(v)
                .ok_or_else(|| format!("unknown Kubernetes version `{v}`; `kvet versions` lists them"))
        };
        let current = pick(config.kubernetes_version.as_deref().unwrap_or(super::newest()))?;
        let target = config.target_version.as_deref().map(pick).transpose()?;
        if let Some(t) = target
            && config.kubernetes_version.is_some()
            && t.minor < current.minor
        {
            return Err(format!(
                "--target-version {} is older than --kubernetes-version {}: an upgrade goes to a newer version",
                t.name, current.name
            ));
        }
        Ok(())
    }

    /// The version findings are about: the target when there is one.
    fn effective(&self) -> &'static VersionSchema {
        self.target.unwrap_or(self.current)
    }
}

/// `1.25` or `1.1 (approximate)`.
pub fn version_label(s: &VersionSchema) -> String {
    if s.info().approximate {
        format!("{} (approximate)", s.name())
    } else {
        s.name().to_string()
    }
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Every API group any embedded version serves: a group not among them is
/// a custom resource's (Gateway API and other `*.k8s.io` projects included:
/// they are installed as CRDs), or another tool's configuration.
fn builtin_groups() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        let mut set = HashSet::new();
        for v in versions() {
            if let Some(s) = schema(v.name) {
                set.extend(s.kinds().map(|(av, _, _)| group_of(av)));
            }
        }
        set
    })
}

/// Configuration files of Kubernetes components and tools, which share the
/// apiVersion/kind shape but are not API objects: no schema to check them
/// against (kubeadm's have their own rules).
fn component_config(api_version: &str, kind: &str) -> bool {
    const GROUPS: &[&str] = &[
        "kubeadm.k8s.io",
        "kubelet.config.k8s.io",
        "kubeproxy.config.k8s.io",
        "kubescheduler.config.k8s.io",
        "kubecontrollermanager.config.k8s.io",
        "apiserver.config.k8s.io",
        "apiserver.k8s.io",
        "audit.k8s.io",
        "client.authentication.k8s.io",
        "kustomize.config.k8s.io",
        "credentialprovider.kubelet.k8s.io",
        "pod-security.admission.config.k8s.io",
        "eventratelimit.admission.k8s.io",
    ];
    GROUPS.contains(&group_of(api_version))
        // A kubeconfig file.
        || (api_version == "v1" && kind == "Config")
}

/// Whether an object is of a built-in Kubernetes API group (not a custom
/// resource, not a component's or tool's configuration): its checks need
/// no CRD.
pub fn is_builtin_object(api_version: &str, kind: &str) -> bool {
    !api_version.is_empty() && builtin_group(api_version) && !component_config(api_version, kind)
}

/// Whether an apiVersion's group belongs to Kubernetes itself.
fn builtin_group(api_version: &str) -> bool {
    builtin_groups().contains(group_of(api_version))
}

/// Marks the custom resources whose CRD (of the run, of `--crd`/`crds:`
/// or of the embedded catalog) declares `spec.template` as a pod template,
/// so that the pod rules see their pods ([`Object::mark_custom_pod_template`]).
/// The CRDs are indexed only when some custom resource has a
/// `spec.template`.
pub fn mark_custom_pod_templates(objects: &mut [Object], sources: &[SourceFile], config: &Config) {
    let candidate = |o: &Object| {
        !o.api_version.is_empty()
            && !builtin_group(o.api_version)
            && !component_config(o.api_version, o.kind)
            && o.root.path(&["spec", "template"]).is_some_and(|t| t.is_map())
    };
    let found: Vec<usize> = objects
        .iter()
        .enumerate()
        .filter(|(_, o)| candidate(o))
        .map(|(i, _)| i)
        .collect();
    if found.is_empty() {
        return;
    }
    let marked: Vec<usize> = {
        // Only the CRDs of the candidates' kinds are compiled (a workspace
        // may define hundreds of others).
        let wanted: HashSet<(&str, &str)> = found
            .iter()
            .filter_map(|&i| objects.get(i))
            .map(|o| (o.group(), o.kind))
            .collect();
        let crds = super::crd::catalog::index_for_kinds(objects.iter(), sources, config, Some(&wanted));
        found
            .into_iter()
            .filter(|&i| {
                objects.get(i).is_some_and(
                    |o| matches!(crds.lookup(o.api_version, o.kind), CrdLookup::Schema(s) if s.declares_pod_template()),
                )
            })
            .collect()
    };
    for i in marked {
        if let Some(o) = objects.get_mut(i) {
            o.mark_custom_pod_template();
        }
    }
}

struct Out<'r> {
    registry: &'r Registry,
    config: &'r Config,
    diags: Vec<Diagnostic>,
}

impl Out<'_> {
    fn report(&mut self, rule: &'static str, object: &Object, span: Span, message: String) -> Option<&mut Diagnostic> {
        let doc = self.registry.doc(rule)?;
        if !self.config.rule_enabled(doc) {
            return None;
        }
        let mut d = Diagnostic::new(rule, self.config.severity_of(doc), object.file, span, message);
        d.object = Some(std::sync::Arc::clone(&object.meta));
        self.diags.push(d);
        self.diags.last_mut()
    }
}

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

/// Runs the schema stage over the catalog.
/// Checks every object against its schema; `on_object` is called as each
/// object is done (progress bars; at once for all when there is nothing to check).
pub fn check(
    catalog: &Catalog,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    on_object: &(dyn Fn() + Sync),
) -> Vec<Diagnostic> {
    let Some(versions) = versions_to_check(config, registry) else {
        catalog.objects.iter().for_each(|_| on_object());
        return Vec::new();
    };
    // With a focus, only the focus objects are checked: only their kinds'
    // CRDs are compiled.
    let wanted: Option<HashSet<(&str, &str)>> = catalog.focus.as_ref().map(|_| {
        catalog
            .objects
            .iter()
            .filter(|o| catalog.in_focus(o))
            .map(|o| (o.group(), o.kind))
            .collect()
    });
    let crds = super::crd::catalog::index_for_kinds(catalog.objects.iter(), sources, config, wanted.as_ref());
    catalog
        .objects
        .par_iter()
        .filter(|o| catalog.in_focus(o))
        .flat_map_iter(|object| {
            let found = if object.checked_early {
                Vec::new()
            } else {
                catalog.own_findings(object, sources, crate::memo::Pass::Schema, || {
                    check_one(object, sources, config, registry, versions, &crds)
                })
            };
            on_object();
            found
        })
        .collect()
}

/// The versions to check against, or `None` when the schema stage has
/// nothing to do (its rules are off; or the versions are invalid: the
/// command line says so before linting, the language server falls back to
/// the newest).
fn versions_to_check(config: &Config, registry: &Registry) -> Option<Versions> {
    let enabled = SCHEMA_RULES
        .iter()
        .any(|r| registry.doc(r).is_some_and(|d| config.rule_enabled(d)));
    if !enabled {
        return None;
    }
    Versions::from_config(config).ok()
}

fn check_one(
    object: &Object,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    versions: Versions,
    crds: &CrdIndex,
) -> Vec<Diagnostic> {
    let mut out = Out {
        registry,
        config,
        diags: Vec::new(),
    };
    if let Some(source) = sources.get(object.file as usize) {
        check_object(object, source, versions, crds, &mut out);
    }
    out.diags
}

/// The schema findings of an object of one of Kubernetes' own kinds
/// (`None` for a custom resource, whose schema comes from the run's CRDs).
pub fn check_builtin(
    object: &Object,
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
) -> Option<Vec<Diagnostic>> {
    if !object.api_version.is_empty() && !builtin_group(object.api_version) {
        return None;
    }
    let Some(versions) = versions_to_check(config, registry) else {
        return Some(Vec::new());
    };
    Some(check_one(
        object,
        sources,
        config,
        registry,
        versions,
        &CrdIndex::default(),
    ))
}

fn check_object(object: &Object, source: &SourceFile, v: Versions, crds: &CrdIndex, out: &mut Out) {
    if object.api_version.is_empty() || object.kind.is_empty() {
        return;
    }
    if component_config(object.api_version, object.kind) {
        return;
    }
    if !builtin_group(object.api_version) {
        // A CRD's deprecations do not depend on the Kubernetes version:
        // an upgrade from a known version has seen them already.
        let upgrade_only = v.target.is_some() && v.explicit_current;
        return check_custom(object, source, crds, v.effective(), !upgrade_only, out);
    }
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

/// Fields the API data marks required that the API server fills in or
/// accepts absent, by apiVersion group, kind and path (`[]` for any list
/// item). Curated: the OpenAPI `default` of a required field is the Go
/// zero value (`""`, `0`, `{}`), not the server's defaulting, so it cannot
/// be derived. The later versions' data confirm the last three: they no
/// longer mark those fields required (NetworkPolicy from 1.34, StatefulSet
/// from 1.33, the pod-condition pattern from 1.35).
const SERVER_FILLED: &[(&str, &[&str], &str)] = &[
    // SetDefaults_RoleBinding/ClusterRoleBinding: rbac.authorization.k8s.io.
    (
        "rbac.authorization.k8s.io",
        &["RoleBinding", "ClusterRoleBinding"],
        "roleRef.apiGroup",
    ),
    // An absent selector decodes as the empty one: every pod of the namespace.
    ("networking.k8s.io", &["NetworkPolicy"], "spec.podSelector"),
    // Never validated as required: the API server accepts it empty.
    ("apps", &["StatefulSet"], "spec.serviceName"),
    // Defaulted to `True`.
    (
        "batch",
        &["Job", "CronJob"],
        "podFailurePolicy.rules[].onPodConditions[].status",
    ),
];

/// A pod spec the schema leaves optional but the API server's validation
/// requires: a Pod's `spec` (its containers are required), the `spec` of a
/// workload's pod template, and at least one container in either (an
/// empty `containers` list is as missing as none).
fn pod_spec_required(object: &Object) -> Vec<Problem> {
    let missing = |n: Option<&crate::yaml::Node>| n.is_none_or(|n| n.is_null());
    let problem = |path: &str, span: Span| Problem {
        kind: ProblemKind::MissingRequired { field: "spec" },
        span,
        path: path.to_string(),
    };
    // `containers: []`: the schema sees a list, validation an empty one.
    let no_containers = |spec: &crate::yaml::Node, path: &str| {
        spec.entry("containers")
            .filter(|e| matches!(&e.value.value, crate::yaml::Value::Seq(items) if items.is_empty()))
            .map(|e| Problem {
                kind: ProblemKind::MissingRequired { field: "containers" },
                span: e.key_span,
                path: format!("{path}.containers"),
            })
    };
    let template_path: &[&str] = match object.kind {
        "Pod" if object.api_version == "v1" => {
            return match object.root.get("spec") {
                s if missing(s) => vec![problem("spec", object.kind_span())],
                Some(spec) => no_containers(spec, "spec").into_iter().collect(),
                None => Vec::new(),
            };
        }
        "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet" | "Job" => {
            &["spec", "template"]
        }
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        _ => return Vec::new(),
    };
    let Some(parent) = object.root.path(&template_path[..template_path.len() - 1]) else {
        return Vec::new();
    };
    let Some(entry) = parent.entry("template").filter(|e| e.value.is_map()) else {
        return Vec::new();
    };
    let spec_path = format!("{}.spec", template_path.join("."));
    match entry.value.get("spec") {
        s if missing(s) => vec![problem(&spec_path, entry.key_span)],
        Some(spec) => no_containers(spec, &spec_path).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Whether a problem is a "missing" field the API server fills in.
fn server_filled(object: &Object, p: &Problem) -> bool {
    if !matches!(p.kind, ProblemKind::MissingRequired { .. }) {
        return false;
    }
    let path = bracketless(&p.path);
    let group = group_of(object.api_version);
    SERVER_FILLED.iter().any(|(g, kinds, field)| {
        *g == group && kinds.contains(&object.kind) && (path == *field || path.ends_with(&format!(".{field}")))
    })
}

/// The problems of an object against the schema of the last version that
/// served its apiVersion.
fn last_served_problems(object: &Object, source: &SourceFile) -> Vec<Problem> {
    let last = super::versions_serving(object.api_version, object.kind).pop();
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

/// A field the API marks deprecated whose value is the only one the
/// version accepts: apiextensions.k8s.io/v1 requires
/// `preserveUnknownFields` to be false (pruning is always on), so writing
/// it out is not deprecated usage.
fn deprecated_value_required(object: &Object, p: &Problem) -> bool {
    object.api_version == "apiextensions.k8s.io/v1"
        && object.kind == "CustomResourceDefinition"
        && p.path == "spec.preserveUnknownFields"
        && object
            .root
            .path(&["spec", "preserveUnknownFields"])
            .and_then(crate::yaml::Node::as_bool)
            == Some(false)
}

/// A deprecation note without the API documentation's own leading
/// "Deprecated:" or "Deprecated." (the message already says it).
pub(crate) fn strip_deprecated(note: &str) -> &str {
    let t = note.trim();
    ["Deprecated:", "DEPRECATED:", "Deprecated.", "Deprecated -"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .map_or(t, str::trim_start)
}

/// The newest version before `target` whose schema for this kind has the
/// field at `path` (so its absence now is a removal, not a typo).
fn known_before(object: &Object, target: &VersionSchema, path: &str) -> Option<&'static str> {
    let path = bracketless(path);
    versions()
        .iter()
        .rev()
        .filter(|info| info.minor < target.info().minor)
        .find(|info| {
            schema(info.name)
                .and_then(|s| {
                    s.lookup(object.api_version, object.kind)
                        .and_then(|t| s.resolve(t, &path))
                })
                .is_some()
        })
        .map(|info| info.name)
}

/// `spec.containers[0].image` → `spec.containers[].image`.
pub fn bracketless(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skip = false;
    for c in path.chars() {
        match c {
            '[' => {
                skip = true;
                out.push_str("[]");
            }
            ']' => skip = false,
            _ if skip => {}
            c => out.push(c),
        }
    }
    out
}

fn same_problem(a: &Problem, b: &Problem) -> bool {
    a.path == b.path && std::mem::discriminant(&a.kind) == std::mem::discriminant(&b.kind)
}

#[cfg(test)]
mod tests {
    use super::Versions;
    use crate::config::Config;

    fn versions(current: Option<&str>, target: Option<&str>) -> Result<Versions, String> {
        Versions::from_config(&Config {
            kubernetes_version: current.map(str::to_string),
            target_version: target.map(str::to_string),
            ..Config::default()
        })
    }

    #[test]
    fn a_target_older_than_the_cluster_is_a_usage_error() {
        let err = versions(Some("1.25"), Some("1.24")).err().unwrap_or_default();
        assert!(err.contains("older than --kubernetes-version 1.25"), "{err}");
        assert!(versions(Some("1.24"), Some("1.25")).is_ok());
        assert!(versions(Some("1.25"), Some("1.25")).is_ok());
        assert!(versions(None, Some("1.20")).is_ok());
    }
}
