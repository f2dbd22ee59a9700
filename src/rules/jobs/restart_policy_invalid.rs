//! `restart-policy-invalid`: a pod template `restartPolicy` that the
//! workload's kind does not accept: Jobs and CronJobs need `OnFailure` or
//! `Never` (an omitted policy defaults to `Always` and is rejected);
//! Deployments, ReplicaSets, ReplicationControllers, StatefulSets and
//! DaemonSets only accept `Always`.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RestartPolicyInvalid;

/// The path of the pod template's `spec` for kinds with a fixed policy.
fn template_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "Job"
        | "Deployment"
        | "ReplicaSet"
        | "ReplicationController"
        | "StatefulSet"
        | "DaemonSet"
        | "DeploymentConfig"
        | "Rollout" => Some(&["spec", "template", "spec"]),
        "CronJob" => Some(&["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

impl Rule for RestartPolicyInvalid {
    fn id(&self) -> &str {
        "restart-policy-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(path) = template_spec_path(object.kind) else {
            return;
        };
        let Some(w) = Workload::of(object) else { return };
        let batch = matches!(object.kind, "Job" | "CronJob");
        let allowed: &[&str] = if batch { &["OnFailure", "Never"] } else { &["Always"] };
        match w.pod_spec.get("restartPolicy") {
            Some(node) => {
                let value = node.scalar_text().unwrap_or_default();
                if allowed.contains(&value.as_str()) {
                    return;
                }
                let (message, help) = if batch {
                    (
                        format!("a {} cannot use restartPolicy `{value}`", object.kind),
                        "use `OnFailure` (the kubelet restarts a failed container in place) or `Never` (the Job controller starts a new pod, which keeps the failed pod's logs); a Job's pods must be able to finish".to_string(),
                    )
                } else {
                    (
                        format!("a {} only accepts restartPolicy `Always`, not `{value}`", object.kind),
                        "remove `restartPolicy` (it defaults to `Always`): this controller keeps its pods running and replaces them; for run-to-completion work use a Job".to_string(),
                    )
                };
                let d = ctx.report(object, node.span, message);
                d.help(help);
                // A controller accepts exactly one value: writing it is safe.
                // A Job's choice between OnFailure and Never is the author's.
                if crate::fix::is_inline_scalar(node) {
                    let (value, applicability) = if batch {
                        ("OnFailure", crate::diagnostic::Applicability::Unsafe)
                    } else {
                        ("Always", crate::diagnostic::Applicability::Safe)
                    };
                    d.fix(crate::diagnostic::Fix {
                        title: format!("set restartPolicy to {value}"),
                        applicability,
                        edits: vec![crate::fix::replace_scalar(object.file, node, value)],
                    });
                }
            }
            None if batch => {
                let span = object.root.path_entry(path).map_or(object.kind_span(), |e| e.key_span);
                ctx.report(
                    object,
                    span,
                    format!(
                        "the {}'s pod template has no restartPolicy; it defaults to `Always`, which a {} rejects",
                        object.kind, object.kind
                    ),
                )
                .help("set `restartPolicy: OnFailure` or `restartPolicy: Never` in the pod template's spec");
            }
            None => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "restart-policy-invalid";

    fn job(policy: &str) -> String {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n  template:\n    spec:\n{policy}      containers: [{{name: j, image: j}}]\n"
        )
    }

    fn deploy(policy: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n  template:\n    spec:\n{policy}      containers: [{{name: d, image: d}}]\n"
        )
    }

    #[test]
    fn job_policies() {
        let text = job("      restartPolicy: Always\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "Always");
        let text = job("");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "spec");
        assert!(
            text[..d[0].span.start as usize].ends_with("    "),
            "points at the template's spec"
        );
        assert_quiet(RULE, &job("      restartPolicy: Never\n"));
        assert_quiet(RULE, &job("      restartPolicy: OnFailure\n"));
    }

    #[test]
    fn controller_policies() {
        let text = deploy("      restartPolicy: OnFailure\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "OnFailure");
        assert_quiet(RULE, &deploy(""));
        assert_quiet(RULE, &deploy("      restartPolicy: Always\n"));
    }

    #[test]
    fn cronjob_and_pod() {
        assert_fires(
            RULE,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: c, image: c}]\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  restartPolicy: Never\n  containers: [{name: c, image: c}]\n",
        );
    }
}
