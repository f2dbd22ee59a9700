//! Schema problems written as findings: built-in kinds (unknown fields,
//! types, required fields, deprecations, with their fixes), custom
//! resources from their CRDs, and kinds the target version does not serve.

use super::apiserver::deprecated_value_required;
use super::kinds::{BUILTIN_GROUPS, group_of};
use super::versions::known_before;
use super::*;
use crate::schema::VersionSchema;
use crate::schema::crd::{CrdDeprecation, CrdLookup};
use crate::schema::validate::{Problem, ProblemKind, suggest};

/// Where a schema came from: a Kubernetes version, or a custom
/// resource's CRD.
#[derive(Clone, Copy)]
pub(super) enum Source<'s> {
    Api(&'s VersionSchema),
    Crd,
}

/// The safe fix that writes a value the way the API expects it (`text` is
/// YAML for the value at `span`): the author's intent is not in doubt.
fn rewrite_value(object: &Object, span: Span, text: String) -> crate::diagnostic::Fix {
    crate::diagnostic::Fix {
        title: format!("write it as {text}"),
        applicability: crate::diagnostic::Applicability::Safe,
        edits: vec![crate::diagnostic::Edit {
            file: object.file,
            span,
            replacement: text,
        }],
    }
}

pub(super) fn report_problem(
    object: &Object,
    source: Source,
    upgrade: bool,
    as_replacement: Option<&str>,
    p: Problem,
    out: &mut Out,
) {
    let when = match (as_replacement, upgrade, source) {
        (Some(r), _, _) => r.to_string(),
        (None, true, Source::Api(target)) => format!(" in Kubernetes {}", version_label(target)),
        _ => String::new(),
    };
    match p.kind {
        ProblemKind::UnknownField { name, suggestion } => {
            let removed_after = match source {
                Source::Api(target) if upgrade => known_before(object, target, &p.path),
                _ => None,
            };
            let rule = if removed_after.is_some() {
                "field-removed"
            } else {
                "schema-unknown-field"
            };
            let parent = p
                .path
                .rsplit_once('.')
                .map_or(String::new(), |(parent, _)| format!(" in `{parent}`"));
            let msg = match removed_after {
                Some(last) => format!(
                    "`{}` was removed from {} {} after Kubernetes {last}",
                    p.path, object.api_version, object.kind
                ),
                None => format!("unknown field `{name}`{parent}{}", as_replacement.unwrap_or("")),
            };
            if let Some(d) = out.report(rule, object, p.span, msg) {
                match suggestion {
                    Some(s) => {
                        d.help(format!("did you mean `{s}`?"));
                    }
                    None => {
                        d.help(match source {
                            Source::Api(target) => format!(
                                "{} in Kubernetes {} has no such field: the API server rejects it (strict field validation) or drops it",
                                as_replacement.and_then(|r| r.strip_prefix(" in ")).map_or_else(
                                    || format!("{} {}", object.api_version, object.kind),
                                    str::to_string
                                ),
                                version_label(target)
                            ),
                            Source::Crd => format!(
                                "the CustomResourceDefinition of {} has no such field: the API server prunes it (or rejects it with strict field validation)",
                                object.kind
                            ),
                        });
                    }
                }
            }
        }
        ProblemKind::InvalidType {
            expected,
            found,
            hint,
            replacement,
        } => {
            let msg = format!("`{}` must be {expected}, found {found}{when}", p.path);
            if let Some(d) = out.report("schema-invalid-type", object, p.span, msg) {
                if let Some(h) = hint {
                    d.help(h);
                }
                // The API server rejects the value as it is: writing it in
                // the expected type keeps what the author meant.
                if let Some(text) = replacement {
                    d.fix(rewrite_value(object, p.span, text));
                }
            }
        }
        ProblemKind::MissingRequired { field } => {
            let msg = format!("`{}` is required{when}", p.path);
            if let Some(d) = out.report("schema-missing-required", object, p.span, msg) {
                if field == "containers" {
                    d.help("list at least one container: the API server rejects a pod without one");
                } else {
                    d.help(format!("add `{field}`"));
                }
            }
        }
        ProblemKind::InvalidValue { message, replacement } => {
            // Plain text belongs in `stringData` of a Secret; elsewhere
            // (a webhook's `caBundle`, a ConfigMap's `binaryData`) the
            // value must be encoded.
            let secret_data = object.kind == "Secret" && object.api_version == "v1" && p.path.starts_with("data.");
            let base64 = message.contains("base64");
            let msg = format!("`{}`: {message}", p.path);
            if let Some(d) = out.report("schema-invalid-value", object, p.span, msg) {
                if base64 && secret_data {
                    d.help("put plain text under `stringData` instead, or base64-encode it");
                } else if base64 {
                    d.help("base64-encode the value (e.g. `base64 -w0 < file`)");
                }
                if let Some(text) = replacement {
                    d.fix(rewrite_value(object, p.span, text));
                }
            }
        }
        ProblemKind::Deprecated { note } => {
            if deprecated_value_required(object, &p) {
                return;
            }
            let msg = format!("`{}` is deprecated{when}: {}", p.path, strip_deprecated(note));
            out.report("field-deprecated", object, p.span, msg);
        }
    }
}

/// A custom resource: validated from its CRD when the run has one.
pub(super) fn check_custom(
    object: &Object,
    source: &SourceFile,
    crds: &CrdIndex,
    target: &dyn Fn() -> Option<&'static VersionSchema>,
    deprecations: bool,
    out: &mut Out,
) {
    let (av, kind) = (object.api_version, object.kind);
    if deprecations && let Some(dep) = crds.deprecation(av, kind) {
        crd_deprecated(object, source, &dep, out);
    }
    match crds.lookup(av, kind) {
        CrdLookup::Schema(schema) => {
            for p in schema.validate(object.root, &source.text, object.kind_span()) {
                report_problem(object, Source::Crd, false, None, p, out);
            }
        }
        CrdLookup::NoSchema => {}
        CrdLookup::VersionNotServed { served } => {
            let msg = format!(
                "{av} {kind} is not served: its CustomResourceDefinition serves {}",
                served.join(", ")
            );
            if let Some(d) = out.report("unknown-kind", object, object.kind_span(), msg) {
                d.help("use a served version of the custom resource, or serve this version in the CRD");
            }
        }
        CrdLookup::Undefined => {
            if let Some(target) = target() {
                unknown_kind(object, target, out);
            }
        }
    }
}

/// `api-deprecated` for a custom resource whose CRD marks its version
/// deprecated; the apiVersion change is a safe fix when the object
/// validates unchanged against the alternative version's schema.
fn crd_deprecated(object: &Object, source: &SourceFile, dep: &CrdDeprecation, out: &mut Out) {
    let (av, kind) = (object.api_version, object.kind);
    let group = av.rsplit_once('/').map_or("", |(g, _)| g);
    let av_node = object.root.get("apiVersion");
    let span = av_node.map_or(object.kind_span(), |n| n.span);
    let mut msg = format!("{av} {kind} is deprecated by its CustomResourceDefinition");
    match (dep.warning, dep.alternative) {
        (Some(w), _) => msg.push_str(&format!(": {w}")),
        (None, Some((alt, _))) => msg.push_str(&format!("; use {group}/{alt}")),
        (None, None) => {}
    }
    let fix = match (dep.alternative, av_node) {
        (Some((alt, Some(schema))), Some(node))
            if schema
                .validate(object.root, &source.text, object.kind_span())
                .is_empty() =>
        {
            let new_av = format!("{group}/{alt}");
            Some(crate::diagnostic::Fix {
                title: format!("change the apiVersion to {new_av}"),
                applicability: crate::diagnostic::Applicability::Safe,
                edits: vec![crate::fix::replace_scalar(object.file, node, &new_av)],
            })
        }
        _ => None,
    };
    if let Some(d) = out.report("api-deprecated", object, span, msg) {
        d.help(match dep.alternative {
            Some((alt, _)) => format!(
                "the API server warns on every request that uses this version, and a later release of the CRD can stop serving it; \
                 {group}/{alt} is served and not deprecated (`kvet check --fix` moves to it when the object fits its schema)"
            ),
            None => "the API server warns on every request that uses this version, and a later release of the CRD can stop serving it".into(),
        });
        d.fix = fix;
    }
}

pub(super) fn unknown_kind(object: &Object, target: &VersionSchema, out: &mut Out) {
    let av = object.api_version;
    let kind = object.kind;
    let span = object.kind_span();
    // A custom resource's group is a domain name: a group without a dot
    // that Kubernetes does not serve, close to one it does, is a typo
    // (`app/v1`).
    let group = group_of(av);
    if !builtin_group(av) && !group.contains('.') && !group.is_empty() {
        let served: Vec<&str> = target
            .kinds()
            .filter(|(_, k, _)| *k == kind)
            .map(|(a, _, _)| a)
            .collect();
        let groups: Vec<&str> = BUILTIN_GROUPS.iter().copied().filter(|g| !g.is_empty()).collect();
        let close =
            suggest(group, served.iter().map(|a| group_of(a))).or_else(|| suggest(group, groups.iter().copied()));
        let version = av.rsplit_once('/').map_or(av, |(_, v)| v);
        let guess = close.map(|g| {
            served
                .iter()
                .find(|a| group_of(a) == g)
                .map_or_else(|| format!("{g}/{version}"), |a| a.to_string())
        });
        // Without a close built-in group it may be another tool's file
        // (`skaffold/v2beta29`): left to the info below.
        if let Some(g) = guess {
            let msg =
                format!("{av} {kind}: Kubernetes has no API group `{group}` (a custom resource's group has a dot)");
            if let Some(d) = out.report("unknown-kind", object, span, msg) {
                d.help(format!("did you mean `{g}`?"));
            }
            return;
        }
    }
    if !builtin_group(av) {
        let msg = format!("{av} {kind} is not a Kubernetes API: no CustomResourceDefinition for it in this run");
        if let Some(d) = out.report("unknown-kind", object, span, msg) {
            d.severity = crate::diagnostic::Severity::Info;
            d.help("its schema is not checked; pass the CRD with `--crd FILE` (or lint it together with the manifests) to validate it");
        }
        return;
    }
    let label = version_label(target);
    let elsewhere: Vec<&str> = target.kinds_named(kind).map(|(a, _)| a).collect();
    let (msg, help) = if !elsewhere.is_empty() {
        (
            format!("{av} {kind} is not served by Kubernetes {label}"),
            format!("{kind} is served as {}", elsewhere.join(", ")),
        )
    } else if let Some(close) = suggest(kind, target.kind_names().collect::<Vec<_>>().into_iter()) {
        (
            format!("Kubernetes {label} has no kind `{kind}` in {av}"),
            format!("did you mean `{close}`?"),
        )
    } else {
        let served = crate::schema::versions_serving(av, kind);
        match (served.first(), served.last()) {
            (Some(first), Some(last)) => (
                format!("{av} {kind} is not served by Kubernetes {label}"),
                format!("it was served from {} to {}", first.name, last.name),
            ),
            _ => (
                format!("Kubernetes {label} has no {av} {kind}"),
                "check the apiVersion and kind; `kvet versions` lists the embedded versions".to_string(),
            ),
        }
    };
    if let Some(d) = out.report("unknown-kind", object, span, msg) {
        d.help(help);
    }
}
