//! A patch validated as a *partial* object of its target's kind: every
//! field it writes must exist and have the right type and value, the
//! apiVersion must still be served, and nothing is required (the base
//! provides the rest). Strategic-merge directives (`$patch`, `$retainKeys`,
//! `$deleteFromPrimitiveList/…`, `$setElementOrder/…`) are not fields.
//!
//! The walk is the API validator of [`crate::schema::validate`]; "partial"
//! is that walk without its missing-field problems, which are the only ones
//! it derives from absent keys.

use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, ObjectMeta};
use crate::rules::Registry;
use crate::schema::check::{Versions, version_label};
use crate::schema::validate::{Problem, ProblemKind, validate};
use crate::schema::{VersionSchema, deprecation};
use crate::source::{FileId, SourceFile};
use crate::yaml::{Node, Span};

/// What is wrong with a patch.
#[derive(Debug, Clone, PartialEq)]
pub enum FragmentProblem {
    /// The apiVersion is no longer served by `version`.
    Removed {
        removed_in: String,
        /// `apiVersion` (and kind when it changed) to use instead.
        replacement: Option<String>,
    },
    /// A field problem (never `MissingRequired`).
    Field(Problem),
}

/// Validates `root` as a partial `api_version` `kind` in `version`.
/// A kind the embedded schemas do not know (a custom resource) yields
/// nothing. A removed apiVersion yields `Removed`, then the fields are
/// checked against the replacement when there is one.
pub fn validate_fragment(
    root: &Node,
    source: &str,
    api_version: &str,
    kind: &str,
    version: &VersionSchema,
) -> Vec<FragmentProblem> {
    let mut out = Vec::new();
    let mut ty = version.lookup(api_version, kind);
    if let Some(dep) = deprecation(api_version, kind)
        && dep.is_removed_in(version.name())
    {
        let replacement = dep.replacement.as_ref().map(|r| match dep.replacement_kind() {
            Some(k) if k != kind => format!("{} {k}", r.api_version),
            _ => r.api_version.clone(),
        });
        out.push(FragmentProblem::Removed {
            removed_in: dep.removed_in.clone().unwrap_or_default(),
            replacement,
        });
        ty = dep
            .replacement
            .as_ref()
            .and_then(|r| version.lookup(&r.api_version, dep.replacement_kind().unwrap_or(kind)));
    }
    let Some(ty) = ty else { return out };
    let anchor = root
        .get("kind")
        .map_or(Span::new(root.span.start, root.span.start), |n| n.span);
    out.extend(
        validate(version, ty, root, source, anchor)
            .into_iter()
            .filter(|p| !matches!(p.kind, ProblemKind::MissingRequired { .. }))
            .map(FragmentProblem::Field),
    );
    out
}

/// [`validate_fragment`] as findings of the `schema-*` and `api-removed`
/// rules (honouring the configuration's versions and rule selection), at
/// the patch's own lines in `file`. `api_version`/`kind` are the target's
/// (a strategic-merge patch names its own; a targeted patch's come from
/// the resource it matched).
pub fn check_fragment(
    file: &SourceFile,
    fid: FileId,
    root: &Node,
    api_version: &str,
    kind: &str,
    config: &Config,
    registry: &Registry,
) -> Vec<Diagnostic> {
    let Ok(versions) = Versions::from_config(config) else {
        return Vec::new();
    };
    let version = versions.target.unwrap_or(versions.current);
    let meta = Arc::new(ObjectMeta {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        name: root
            .path(&["metadata", "name"])
            .and_then(Node::as_str)
            .map(str::to_string),
        namespace: root
            .path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .map(str::to_string),
    });
    let mut out = Out {
        registry,
        config,
        fid,
        meta,
        diags: Vec::new(),
    };
    let av_span = root
        .get("apiVersion")
        .map_or(Span::new(root.span.start, root.span.start), |n| n.span);
    for p in validate_fragment(root, &file.text, api_version, kind, version) {
        match p {
            FragmentProblem::Removed {
                removed_in,
                replacement,
            } => {
                let instead = replacement.map(|r| format!("; use {r}")).unwrap_or_default();
                if let Some(d) = out.report(
                    "api-removed",
                    av_span,
                    format!("{api_version} {kind} was removed in Kubernetes {removed_in}{instead}"),
                ) {
                    d.help(format!(
                        "the patch targets an apiVersion that the API server of {} no longer serves",
                        version_label(version)
                    ));
                }
            }
            FragmentProblem::Field(p) => match p.kind {
                ProblemKind::UnknownField { name, suggestion } => {
                    let parent = p
                        .path
                        .rsplit_once('.')
                        .map_or(String::new(), |(parent, _)| format!(" in `{parent}`"));
                    if let Some(d) = out.report(
                        "schema-unknown-field",
                        p.span,
                        format!("unknown field `{name}`{parent}"),
                    ) {
                        d.help(match suggestion {
                            Some(s) => format!("did you mean `{s}`?"),
                            None => format!(
                                "{api_version} {kind} in Kubernetes {} has no such field: the patch would add it to the rendered object, which the API server rejects",
                                version_label(version)
                            ),
                        });
                    }
                }
                ProblemKind::InvalidType {
                    expected,
                    found,
                    hint,
                    replacement,
                } => {
                    let msg = format!("`{}` must be {expected}, found {found}", p.path);
                    if let Some(d) = out.report("schema-invalid-type", p.span, msg) {
                        d.help = hint;
                        if let Some(text) = replacement {
                            d.fix(rewrite(fid, p.span, text));
                        }
                    }
                }
                ProblemKind::InvalidValue { message, replacement } => {
                    if let Some(d) = out.report("schema-invalid-value", p.span, format!("`{}`: {message}", p.path))
                        && let Some(text) = replacement
                    {
                        d.fix(rewrite(fid, p.span, text));
                    }
                }
                ProblemKind::Deprecated { note } => {
                    out.report(
                        "field-deprecated",
                        p.span,
                        format!(
                            "`{}` is deprecated: {}",
                            p.path,
                            crate::schema::check::strip_deprecated(note)
                        ),
                    );
                }
                ProblemKind::MissingRequired { .. } => {}
            },
        }
    }
    out.diags
}

struct Out<'r> {
    registry: &'r Registry,
    config: &'r Config,
    fid: FileId,
    meta: Arc<ObjectMeta>,
    diags: Vec<Diagnostic>,
}

impl Out<'_> {
    fn report(&mut self, rule: &'static str, span: Span, message: String) -> Option<&mut Diagnostic> {
        let doc = self.registry.doc(rule)?;
        if !self.config.rule_enabled(doc) {
            return None;
        }
        let mut d = Diagnostic::new(rule, self.config.severity_of(doc), self.fid, span, message);
        d.object = Some(Arc::clone(&self.meta));
        self.diags.push(d);
        self.diags.last_mut()
    }
}

fn rewrite(fid: FileId, span: Span, text: String) -> Fix {
    Fix {
        title: format!("write it as {text}"),
        applicability: Applicability::Safe,
        edits: vec![Edit {
            file: fid,
            span,
            replacement: text,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn fixture(name: &str) -> (SourceFile, crate::yaml::Stream) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/fragments")
            .join(name);
        let file = SourceFile::read(&path, name.to_string());
        let stream = parse_yaml(&file.text, Limits::default());
        (file, stream)
    }

    fn findings(name: &str, api_version: &str, kind: &str, config: &Config) -> Vec<(u32, String)> {
        let (file, stream) = fixture(name);
        let root = stream.documents[0].root.as_ref().expect("a document");
        check_fragment(&file, 0, root, api_version, kind, config, Registry::builtin())
            .iter()
            .map(|d| (file.line_col(d.span.start).line, d.rule.to_string()))
            .collect()
    }

    #[test]
    fn a_clean_strategic_merge_patch_with_directives_has_no_findings() {
        // No selector, no template labels, containers without images: all
        // required in a Deployment, none in a patch.
        let got = findings("smp-clean.yaml", "apps/v1", "Deployment", &Config::default());
        assert_eq!(got, vec![]);
    }

    #[test]
    fn field_problems_of_a_patch_at_their_lines() {
        let got = findings("smp-bad.yaml", "apps/v1", "Deployment", &Config::default());
        assert_eq!(
            got,
            vec![
                (6, "schema-unknown-field".to_string()),
                (12, "schema-invalid-type".to_string()),
                (13, "schema-invalid-value".to_string()),
            ]
        );
    }

    #[test]
    fn a_removed_api_version_is_reported_and_fields_checked_against_the_replacement() {
        let got = findings(
            "smp-removed.yaml",
            "extensions/v1beta1",
            "Deployment",
            &Config::default(),
        );
        assert_eq!(
            got,
            vec![(1, "api-removed".to_string()), (6, "schema-unknown-field".to_string())]
        );
    }

    #[test]
    fn custom_resources_and_missing_required_fields_are_not_reported() {
        let (file, stream) = fixture("smp-bad.yaml");
        let root = stream.documents[0].root.as_ref().expect("a document");
        let v = crate::schema::schema(crate::schema::newest()).expect("schema");
        assert_eq!(
            validate_fragment(root, &file.text, "example.com/v1", "Widget", v),
            vec![]
        );
        let problems = validate_fragment(root, &file.text, "apps/v1", "Deployment", v);
        assert!(problems.iter().all(|p| !matches!(
            p,
            FragmentProblem::Field(Problem {
                kind: ProblemKind::MissingRequired { .. },
                ..
            })
        )));
    }

    #[test]
    fn a_deprecated_field_s_message_says_deprecated_once() {
        // The API's note starts with its own "Deprecated." (`tcpSocket`
        // as a lifecycle handler).
        let (file, stream) = fixture("smp-deprecated.yaml");
        let root = stream.documents[0].root.as_ref().expect("a document");
        let diags = check_fragment(&file, 0, root, "v1", "Pod", &Config::default(), Registry::builtin());
        let d = diags
            .iter()
            .find(|d| d.rule == "field-deprecated")
            .unwrap_or_else(|| panic!("no field-deprecated in {diags:?}"));
        assert!(d.message.contains("is deprecated: TCPSocket"), "{}", d.message);
    }
}
