//! `rolling-update-invalid`: rolling update parameters the API server
//! rejects: both `maxSurge` and `maxUnavailable` zero, values that are
//! neither a number nor a percentage, negative values, more than 100%
//! unavailable, or `rollingUpdate` under the Recreate strategy.

use super::budget::IntOrPercent;
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct RollingUpdateInvalid;

impl Rule for RollingUpdateInvalid {
    fn id(&self) -> &str {
        "rolling-update-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let strategy_key = match object.kind {
            "Deployment" => "strategy",
            "DaemonSet" => "updateStrategy",
            _ => return,
        };
        let Some(strategy) = object.get(&["spec", strategy_key]) else {
            return;
        };
        let Some(ru) = strategy.entry("rollingUpdate").filter(|e| e.value.is_map()) else {
            return;
        };
        let strategy_type = strategy.get("type").and_then(Node::as_str);
        if object.kind == "Deployment" && strategy_type == Some("Recreate") {
            let d = ctx.report(
                object,
                ru.key_span,
                "`rollingUpdate` is set while the strategy type is Recreate: the API server rejects it",
            );
            if let Some(t) = strategy.get("type") {
                d.label(t.span, "the strategy type");
            }
            d.help("remove `rollingUpdate`, or set `type: RollingUpdate` if a rolling update was meant");
            return;
        }
        let surge = ru.value.get("maxSurge").filter(|n| !n.is_null());
        let unavailable = ru.value.get("maxUnavailable").filter(|n| !n.is_null());
        let mut bad = false;
        for (field, node) in [("maxSurge", surge), ("maxUnavailable", unavailable)] {
            let Some(node) = node else { continue };
            let problem = match IntOrPercent::of(node) {
                IntOrPercent::Invalid => Some(match node.as_str() {
                    Some(s) => format!(
                        "`{field}` is the string \"{s}\": it must be a whole number or a percentage such as \"25%\""
                    ),
                    None => format!(
                        "`{field}` is `{}`: it must be a whole number or a percentage such as \"25%\"",
                        node.scalar_text().unwrap_or_default()
                    ),
                }),
                IntOrPercent::Int(n) | IntOrPercent::Percent(n) if n < 0 => Some(format!("`{field}` is negative")),
                IntOrPercent::Percent(p) if field == "maxUnavailable" && p > 100 => {
                    Some(format!("`maxUnavailable` is {p}%: it cannot exceed 100%"))
                }
                _ => None,
            };
            if let Some(msg) = problem {
                bad = true;
                ctx.report(object, node.span, msg)
                    .help("use a non-negative integer (`1`) or a quoted percentage (`\"25%\"`)");
            }
        }
        if bad {
            return;
        }
        // Unset values take their defaults: 25%/25% for a Deployment;
        // maxUnavailable 1 and maxSurge 0 for a DaemonSet.
        let zero = |n: Option<&Node>, default_zero: bool| n.map_or(default_zero, |n| IntOrPercent::of(n).is_zero());
        let ds = object.kind == "DaemonSet";
        if zero(unavailable, false) && zero(surge, ds) {
            let Some(u) = unavailable else { return };
            let d = ctx.report(
                object,
                u.span,
                if surge.is_some() {
                    "`maxUnavailable` and `maxSurge` are both 0: a rollout could make no progress, and the API server rejects it".to_string()
                } else {
                    "`maxUnavailable` is 0 while `maxSurge` defaults to 0 for a DaemonSet: the API server rejects it".to_string()
                },
            );
            if let Some(s) = surge {
                d.label(s.span, "maxSurge");
            }
            d.help("allow at least one extra pod (`maxSurge: 1`) or one unavailable pod (`maxUnavailable: 1`)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn deploy(strategy: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  replicas: 3\n  strategy: {strategy}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx}}]}}\n"
        )
    }

    #[test]
    fn both_zero() {
        let t = deploy("{rollingUpdate: {maxSurge: 0, maxUnavailable: '0%'}}");
        let d = assert_fires("rolling-update-invalid", &t);
        assert_eq!(spanned(&t, &d[0]), "'0%'");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn malformed_values_and_recreate() {
        let t = deploy("{rollingUpdate: {maxSurge: '1', maxUnavailable: 150%}}");
        let d = assert_fires("rolling-update-invalid", &t);
        assert_eq!(d.len(), 2);
        let t = deploy("{type: Recreate, rollingUpdate: {maxSurge: 1}}");
        let d = assert_fires("rolling-update-invalid", &t);
        assert_eq!(spanned(&t, &d[0]), "rollingUpdate");
    }

    #[test]
    fn daemonset_default_surge() {
        let ds = "apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n  updateStrategy:\n    rollingUpdate: {maxUnavailable: 0}\n  selector: {matchLabels: {app: a}}\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: a, image: busybox}]}\n";
        assert_fires("rolling-update-invalid", ds);
        assert_quiet(
            "rolling-update-invalid",
            &ds.replace("{maxUnavailable: 0}", "{maxUnavailable: 0, maxSurge: 1}"),
        );
    }

    #[test]
    fn valid() {
        assert_quiet(
            "rolling-update-invalid",
            &deploy("{rollingUpdate: {maxSurge: 0, maxUnavailable: 1}}"),
        );
        assert_quiet(
            "rolling-update-invalid",
            &deploy("{rollingUpdate: {maxUnavailable: 0}}"),
        );
        assert_quiet("rolling-update-invalid", &deploy("{type: Recreate}"));
    }
}
