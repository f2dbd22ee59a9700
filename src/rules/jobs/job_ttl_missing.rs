//! `job-ttl-missing`: a standalone Job without `ttlSecondsAfterFinished`.
//! Jobs created by CronJobs are cleaned up by the CronJob's history limits
//! and are not Job documents, so they are not concerned.

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct JobTtlMissing;

/// Annotations of deployment tools that delete the Job themselves.
const CLEANED_BY: &[&str] = &["helm.sh/hook-delete-policy", "argocd.argoproj.io/hook-delete-policy"];

impl Rule for JobTtlMissing {
    fn id(&self) -> &str {
        "job-ttl-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "Job" || object.get(&["spec", "ttlSecondsAfterFinished"]).is_some() {
            return;
        }
        let annotations = object.annotations().map(Node::entries).unwrap_or(&[]);
        if annotations.iter().any(|e| CLEANED_BY.contains(&&*e.key)) {
            return;
        }
        let span = object.root.entry("spec").map_or(object.kind_span(), |e| e.key_span);
        ctx.report(
            object,
            span,
            format!("Job `{}` has no ttlSecondsAfterFinished", object.name.unwrap_or("")),
        )
        .help("set `spec.ttlSecondsAfterFinished` (e.g. 86400 for a day) so Kubernetes deletes the finished Job and its pods; otherwise they stay until someone deletes them");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "job-ttl-missing";
    const JOB: &str = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: m, image: m}]\n";

    #[test]
    fn standalone_job() {
        let d = assert_fires(RULE, JOB);
        assert_eq!(spanned(JOB, &d[0]), "spec");
    }

    #[test]
    fn ttl_hooks_and_cronjobs() {
        assert_quiet(
            RULE,
            &JOB.replace("spec:\n  template", "spec:\n  ttlSecondsAfterFinished: 600\n  template"),
        );
        assert_quiet(
            RULE,
            &JOB.replace(
                "  name: migrate\n",
                "  name: migrate\n  annotations:\n    helm.sh/hook-delete-policy: hook-succeeded\n",
            ),
        );
        assert_quiet(
            RULE,
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: m, image: m}]\n",
        );
    }
}
