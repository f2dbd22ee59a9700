//! `requests-missing`: containers without CPU or memory requests.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RequestsMissing;

impl Rule for RequestsMissing {
    fn id(&self) -> &str {
        "requests-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.app_containers() {
            // A limit without a request defaults the request to the limit.
            let missing: Vec<&str> = ["cpu", "memory"]
                .into_iter()
                .filter(|r| {
                    c.get(&["resources", "requests", r]).is_none() && c.get(&["resources", "limits", r]).is_none()
                })
                .collect();
            if missing.is_empty() {
                continue;
            }
            let what = match missing.as_slice() {
                [one] => format!("{} request", super::resource_noun(one)),
                _ => "CPU and memory requests".to_string(),
            };
            let span = c.anchor_span(&["resources", "requests"]);
            let span = if c.get(&["resources", "requests"]).is_some() {
                span
            } else {
                c.anchor_span(&["resources"])
            };
            ctx.report(object, span, format!("{} has no {what}", c.display()))
                .help(format!(
                    "set `resources.requests.{}`: the scheduler places pods by their requests, and a container without them can land on a full node and be the first evicted",
                    missing.join("` and `resources.requests.")
                ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet};

    #[test]
    fn fires_and_names_what_is_missing() {
        let d = assert_fires(
            "requests-missing",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests: {cpu: 100m}\n",
        );
        assert_eq!(d[0].message, "container `app` has no memory request");
    }

    #[test]
    fn limits_count_as_requests() {
        assert_quiet(
            "requests-missing",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    resources:\n      limits: {cpu: 100m, memory: 64Mi}\n",
        );
    }
}
