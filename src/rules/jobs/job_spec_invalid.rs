//! `job-spec-invalid`: Job fields the API server's validation accepts only
//! together or not at all: Indexed completion without `completions`,
//! `backoffLimitPerIndex` without Indexed completion, `maxFailedIndexes`
//! without `backoffLimitPerIndex`, a pod failure policy with a pod
//! `restartPolicy` other than `Never`, and a CronJob's job template with
//! its own `selector` or `manualSelector: true`.

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct JobSpecInvalid;

/// Checks one Job spec (`spec` of a Job, `spec.jobTemplate.spec` of a
/// CronJob); `at` prefixes the messages.
fn check_job_spec(object: &Object, ctx: &mut Ctx, spec: &Node, at: &str) {
    let indexed = spec.get("completionMode").and_then(Node::as_str) == Some("Indexed");
    if indexed
        && spec.get("completions").is_none_or(Node::is_null)
        && let Some(e) = spec.entry("completionMode")
    {
        ctx.report(
            object,
            e.value.span,
            format!("{at}`completionMode: Indexed` without `completions`"),
        )
        .help("the API server rejects it: every index from 0 to completions-1 gets a pod, so the count must be set; add `completions`");
    }
    if let Some(e) = spec.entry("backoffLimitPerIndex").filter(|e| !e.value.is_null())
        && !indexed
    {
        ctx.report(
            object,
            e.key_span,
            format!("{at}`backoffLimitPerIndex` needs `completionMode: Indexed`"),
        )
        .help("the API server rejects a per-index backoff limit on a Job without indexes; set `completionMode: Indexed` (with `completions`), or use `backoffLimit`");
    }
    if let Some(e) = spec.entry("maxFailedIndexes").filter(|e| !e.value.is_null())
        && spec.get("backoffLimitPerIndex").is_none_or(Node::is_null)
    {
        ctx.report(
            object,
            e.key_span,
            format!("{at}`maxFailedIndexes` needs `backoffLimitPerIndex`"),
        )
        .help("the API server rejects it: failed indexes are only counted with a per-index backoff limit; set `backoffLimitPerIndex` too, or remove it");
    }
    if spec.get("podFailurePolicy").is_some_and(|p| !p.is_null())
        && let Some(policy) = spec.path(&["template", "spec", "restartPolicy"])
        && let Some(value) = policy.as_str()
        // `Always` (or none) is `restart-policy-invalid`'s in any Job.
        && value == "OnFailure"
    {
        ctx.report(
            object,
            policy.span,
            format!("{at}restartPolicy `OnFailure` with a `podFailurePolicy`: only `Never` is accepted"),
        )
        .help("the API server rejects it: a pod failure policy acts on failed pods, which `OnFailure` restarts in place instead; use `restartPolicy: Never`");
    }
}

impl Rule for JobSpecInvalid {
    fn id(&self) -> &str {
        "job-spec-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.group() != "batch" {
            return;
        }
        match object.kind {
            "Job" => {
                if let Some(spec) = object.get(&["spec"]) {
                    check_job_spec(object, ctx, spec, "");
                }
            }
            "CronJob" => {
                let Some(spec) = object.get(&["spec", "jobTemplate", "spec"]) else {
                    return;
                };
                check_job_spec(object, ctx, spec, "jobTemplate: ");
                if let Some(e) = spec.entry("selector").filter(|e| !e.value.is_null()) {
                    ctx.report(
                        object,
                        e.key_span,
                        "jobTemplate: a CronJob's job template may not set `selector`",
                    )
                    .help(
                        "the API server rejects it: the selector of each Job is generated from its own uid; remove it",
                    );
                }
                if let Some(e) = spec.entry("manualSelector")
                    && e.value.as_bool() == Some(true)
                {
                    ctx.report(
                        object,
                        e.key_span,
                        "jobTemplate: `manualSelector: true` is not accepted in a CronJob's job template",
                    )
                    .help("the API server rejects it: each Job's selector is generated; remove it");
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "job-spec-invalid";

    fn job(spec: &str, policy: &str) -> String {
        format!(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {{name: j}}\nspec:\n{spec}  template:\n    spec:\n      restartPolicy: {policy}\n      containers: [{{name: j, image: j:1}}]\n"
        )
    }

    #[test]
    fn exclusive_fields() {
        let text = job("  completionMode: Indexed\n", "Never");
        assert_eq!(spanned(&text, &assert_fires(RULE, &text)[0]), "Indexed");
        let text = job("  backoffLimitPerIndex: 2\n", "Never");
        assert_eq!(spanned(&text, &assert_fires(RULE, &text)[0]), "backoffLimitPerIndex");
        let text = job(
            "  completionMode: Indexed\n  completions: 4\n  maxFailedIndexes: 1\n",
            "Never",
        );
        assert_eq!(spanned(&text, &assert_fires(RULE, &text)[0]), "maxFailedIndexes");
        let text = job(
            "  podFailurePolicy:\n    rules: [{action: FailJob, onExitCodes: {operator: In, values: [42]}}]\n",
            "OnFailure",
        );
        assert_eq!(spanned(&text, &assert_fires(RULE, &text)[0]), "OnFailure");
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      selector: {matchLabels: {a: b}}\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: j, image: j:1}]\n";
        assert_eq!(spanned(text, &assert_fires(RULE, text)[0]), "selector");
    }

    #[test]
    fn consistent_jobs_are_quiet() {
        assert_quiet(
            RULE,
            &job(
                "  completionMode: Indexed\n  completions: 4\n  backoffLimitPerIndex: 1\n  maxFailedIndexes: 2\n  podFailurePolicy:\n    rules: [{action: Ignore, onPodConditions: [{type: DisruptionTarget}]}]\n",
                "Never",
            ),
        );
        assert_quiet(RULE, &job("  completionMode: NonIndexed\n", "OnFailure"));
    }
}
