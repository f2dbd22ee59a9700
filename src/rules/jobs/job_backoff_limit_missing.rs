//! `job-backoff-limit-missing`: a Job (or a CronJob's job template) that
//! leaves `backoffLimit` at its default of 6 retries.

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct JobBackoffLimitMissing;

impl Rule for JobBackoffLimitMissing {
    fn id(&self) -> &str {
        "job-backoff-limit-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let path: &[&str] = match object.kind {
            "Job" => &["spec"],
            "CronJob" => &["spec", "jobTemplate", "spec"],
            _ => return,
        };
        let Some(entry) = object.root.path_entry(path) else {
            return;
        };
        let spec: &Node = &entry.value;
        // Indexed Jobs with a per-index limit have no global default.
        if spec.get("backoffLimit").is_some() || spec.get("backoffLimitPerIndex").is_some() {
            return;
        }
        let what = if object.kind == "Job" {
            format!("Job `{}`", object.name.unwrap_or(""))
        } else {
            format!("the job template of CronJob `{}`", object.name.unwrap_or(""))
        };
        ctx.report(object, entry.key_span, format!("{what} has no backoffLimit (it defaults to 6 retries)"))
            .help("set `backoffLimit` to the number of retries the task deserves: 0 or 1 for work that must not run twice, more for flaky dependencies");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "job-backoff-limit-missing";

    #[test]
    fn missing() {
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@daily'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: c, image: c}]\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "spec");
        assert!(d[0].message.contains("job template of CronJob `c`"));
    }

    #[test]
    fn set() {
        assert_quiet(
            RULE,
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  backoffLimit: 2\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: c, image: c}]\n",
        );
    }
}
