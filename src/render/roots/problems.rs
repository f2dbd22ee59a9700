//! The problems of a render (build errors, missing files, cycles, patches
//! that match nothing) as diagnostics of their rules.

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::render::kustomize::{Finding, Problem};
use crate::rules::Registry;
use crate::yaml::Span;

/// The rule that reports a problem of a render.
pub fn problem_rule(p: Problem) -> &'static str {
    match p {
        Problem::BuildError => "kustomization-build-error",
        Problem::Missing => "kustomization-file-missing",
        Problem::Cycle => "kustomization-cycle",
        Problem::NotRendered | Problem::Unsupported => "kustomization-not-rendered",
        Problem::PatchNoMatch => "kustomization-patch-no-match",
    }
}

/// A render's finding as a diagnostic of its rule (`None` when the rule is
/// off).
pub(super) fn finding_diagnostic(
    f: &Finding,
    file: u32,
    span: Span,
    config: &Config,
    registry: &Registry,
) -> Option<Diagnostic> {
    let rule = problem_rule(f.problem);
    let doc = registry.doc(rule)?;
    if !config.rule_enabled(doc) {
        return None;
    }
    let mut d = Diagnostic::new(rule, config.severity_of(doc), file, span, f.message.clone());
    d.help = Some(String::from(match f.problem {
        Problem::BuildError => {
            "`kustomize build` fails here; kvet lints this root's files as they are until it renders"
        }
        Problem::Missing => "`kustomize build` fails on it; paths are relative to the kustomization's folder",
        Problem::Cycle => {
            "`kustomize build` fails on a cycle: remove the entry that leads back, or move what both need into a shared base or component"
        }
        Problem::NotRendered => {
            "kvet never fetches URLs or runs Helm or plugins: lint what they produce with `kustomize build --enable-helm DIR | kvet check -`"
        }
        Problem::Unsupported => "the rest of the root is rendered and linted",
        Problem::PatchNoMatch => {
            "correct the target (kind, name and namespace as they are before this kustomization's `namePrefix` or `namespace` apply), or remove the patch"
        }
    }));
    Some(d)
}
