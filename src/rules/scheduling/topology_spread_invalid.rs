//! `topology-spread-invalid`: a `topologySpreadConstraints` entry the API
//! server's validation rejects.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct TopologySpreadInvalid;

const POLICIES: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];

impl Rule for TopologySpreadInvalid {
    fn id(&self) -> &str {
        "topology-spread-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let items = w
            .pod_spec
            .get("topologySpreadConstraints")
            .map(Node::items)
            .unwrap_or(&[]);
        let mut seen: Vec<(String, String)> = Vec::new();
        for (i, c) in items.iter().enumerate() {
            let at = format!("topologySpreadConstraints[{i}]");
            if let Some(n) = c.get("maxSkew")
                && n.as_i64().is_some_and(|v| v < 1)
            {
                ctx.report(object, n.span, format!("{at}: `maxSkew` must be at least 1"))
                    .help("`maxSkew` is the largest allowed difference in matching pods between two domains; 1 spreads evenly");
            }
            let when = c.get("whenUnsatisfiable");
            let when_str = when.and_then(Node::as_str);
            if let (Some(n), Some(s)) = (when, when_str)
                && !POLICIES.contains(&s)
            {
                ctx.report(
                    object,
                    n.span,
                    format!("{at}: `whenUnsatisfiable` is `{s}`, not `DoNotSchedule` or `ScheduleAnyway`"),
                )
                .help("use `DoNotSchedule` (a hard constraint) or `ScheduleAnyway` (a preference)");
            }
            if let Some(e) = c.entry("minDomains") {
                if e.value.as_i64().is_some_and(|v| v < 1) {
                    ctx.report(object, e.value.span, format!("{at}: `minDomains` must be at least 1"))
                        .help("set it to the number of domains the pods must spread over, or remove it");
                } else if when_str.is_some_and(|s| s != "DoNotSchedule") {
                    let d = ctx.report(
                        object,
                        e.key_span,
                        format!("{at}: `minDomains` is only allowed with `whenUnsatisfiable: DoNotSchedule`"),
                    );
                    d.help("use `whenUnsatisfiable: DoNotSchedule`, or remove `minDomains`");
                    if let Some(n) = when {
                        d.label(n.span, "not DoNotSchedule");
                    }
                }
            }
            // Two constraints with the same key and policy are rejected.
            if let (Some(key), Some(s)) = (c.get("topologyKey").and_then(Node::as_str), when_str) {
                let pair = (key.to_string(), s.to_string());
                if seen.contains(&pair) {
                    let span = c.get("topologyKey").map_or(c.span, |n| n.span);
                    ctx.report(
                        object,
                        span,
                        format!("{at}: another constraint already has topologyKey `{key}` with `{s}`"),
                    )
                    .help("merge the two constraints: each (topologyKey, whenUnsatisfiable) pair may appear once");
                } else {
                    seen.push(pair);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "topology-spread-invalid";

    fn pod(tsc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p, labels: {{app: p}}}}\nspec:\n  topologySpreadConstraints:\n{tsc}  containers:\n  - name: app\n    image: app:1.0\n"
        )
    }

    #[test]
    fn ranges_and_exclusive_fields() {
        let text = pod("  - {maxSkew: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "0");
        let text = pod("  - {maxSkew: 1, minDomains: 2, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "minDomains");
        let text = pod("  - {maxSkew: 1, minDomains: 0, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n");
        assert_fires(RULE, &text);
        let text = pod("  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: Never}\n");
        assert_fires(RULE, &text);
        let text = pod(
            "  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n  - {maxSkew: 2, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n",
        );
        assert_eq!(assert_fires(RULE, &text).len(), 1);
    }

    #[test]
    fn valid_constraints_are_quiet() {
        assert_quiet(
            RULE,
            &pod(
                "  - {maxSkew: 1, minDomains: 3, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}\n  - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway}\n",
            ),
        );
    }
}
