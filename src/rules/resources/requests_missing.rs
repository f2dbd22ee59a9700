//! `requests-missing`: containers without CPU or memory requests. A request
//! that a LimitRange of the run defaults, or a pod-level request, counts.

use super::LimitRanges;
use crate::model::{Catalog, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct RequestsMissing;

impl Rule for RequestsMissing {
    fn id(&self) -> &str {
        "requests-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let ranges = LimitRanges::of(catalog, ctx.sources);
        for object in catalog.objects.iter().filter(|o| catalog.in_focus(o)) {
            check(object, &ranges, ctx);
        }
    }
}

fn check(object: &Object, ranges: &LimitRanges, ctx: &mut Ctx) {
    let Some(w) = Workload::of(object) else { return };
    let pod_level = |r: &str| {
        w.pod_spec.path(&["resources", "requests", r]).is_some()
            || w.pod_spec.path(&["resources", "limits", r]).is_some()
    };
    for c in w.app_containers() {
        // A limit without a request defaults the request to the limit.
        let missing: Vec<&str> = ["cpu", "memory"]
            .into_iter()
            .filter(|r| {
                c.get(&["resources", "requests", r]).is_none()
                    && c.get(&["resources", "limits", r]).is_none()
                    && !pod_level(r)
                    && ranges.default_for(object, "requests", r).is_none()
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

    #[test]
    fn limit_range_defaults_count() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  containers:\n  - name: app\n";
        let lr = |ns: &str, section: &str| {
            format!(
                "---\napiVersion: v1\nkind: LimitRange\nmetadata: {{name: defaults, namespace: {ns}}}\nspec:\n  limits:\n  - type: Container\n    {section}: {{cpu: 100m, memory: 128Mi}}\n"
            )
        };
        assert_quiet("requests-missing", &format!("{pod}{}", lr("a", "defaultRequest")));
        // A default limit also defaults the request.
        assert_quiet("requests-missing", &format!("{pod}{}", lr("a", "default")));
        // Another namespace's LimitRange does not apply.
        assert_fires("requests-missing", &format!("{pod}{}", lr("b", "defaultRequest")));
        // Only container items give container defaults.
        assert_fires(
            "requests-missing",
            &format!(
                "{pod}{}",
                lr("a", "defaultRequest").replace("type: Container", "type: Pod")
            ),
        );
    }

    #[test]
    fn limit_range_without_namespace_applies_to_its_folder() {
        use crate::config::Config;
        use crate::lint::lint;
        use crate::source::SourceFile;
        let lr = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: d}\nspec:\n  limits:\n  - type: Container\n    defaultRequest: {cpu: 100m, memory: 64Mi}\n";
        let pod =
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n  - name: app\n";
        let run = |lr_path: &str| {
            let sources = vec![
                SourceFile::from_text(lr_path, None, lr.to_string()),
                SourceFile::from_text("app/pod.yaml", None, pod.to_string()),
            ];
            let config = Config {
                select: vec!["requests-missing".into()],
                ..Config::default()
            };
            lint(&sources, &config).diagnostics.len()
        };
        assert_eq!(run("app/limits.yaml"), 0);
        assert_eq!(run("examples/limits.yaml"), 1);
    }
}
