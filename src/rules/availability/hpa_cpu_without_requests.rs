//! `hpa-cpu-without-requests`: an autoscaler scaling on CPU (or memory)
//! utilization of pods whose containers request none, so the utilization
//! cannot be computed and the autoscaler does nothing (domain fact C8).

use super::hpa::Hpa;
use crate::model::{Catalog, Container, ContainerKind, Workload};
use crate::rules::selectors::matching::{find_near, label_in, nearby};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct HpaCpuWithoutRequests;

/// A utilization target: the resource, where it is named, and the
/// container it is limited to (`ContainerResource` metrics).
struct Utilization<'a> {
    resource: &'a str,
    span: Span,
    container: Option<&'a str>,
}

fn utilization_targets<'a>(hpa: &Hpa<'a>) -> Vec<Utilization<'a>> {
    let mut out = Vec::new();
    if let Some(e) = hpa.object.root.path_entry(&["spec", "targetCPUUtilizationPercentage"]) {
        out.push(Utilization {
            resource: "cpu",
            span: e.key_span,
            container: None,
        });
    }
    for m in hpa.object.get(&["spec", "metrics"]).map(Node::items).unwrap_or(&[]) {
        let (key, container) = match m.get("type").and_then(Node::as_str) {
            Some("Resource") => ("resource", None),
            Some("ContainerResource") => (
                "containerResource",
                m.path(&["containerResource", "container"]).and_then(Node::as_str),
            ),
            _ => continue,
        };
        let Some(src) = m.get(key) else { continue };
        let utilization = src.path(&["target", "type"]).and_then(Node::as_str) == Some("Utilization")
            || src.get("targetAverageUtilization").is_some();
        let Some(name) = src.get("name") else { continue };
        let Some(resource) = name.as_str().filter(|r| *r == "cpu" || *r == "memory") else {
            continue;
        };
        if utilization {
            out.push(Utilization {
                resource,
                span: name.span,
                container,
            });
        }
    }
    out
}

fn requests(c: &Container, resource: &str) -> bool {
    ["requests", "limits"]
        .iter()
        .any(|s| c.get(&["resources", s, resource]).is_some_and(|n| !n.is_null()))
}

fn noun(resource: &str) -> &str {
    if resource == "cpu" { "CPU" } else { resource }
}

impl Rule for HpaCpuWithoutRequests {
    fn id(&self) -> &str {
        "hpa-cpu-without-requests"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for hpa in catalog.subjects_of_kind("HorizontalPodAutoscaler").filter_map(Hpa::of) {
            let targets = utilization_targets(&hpa);
            if targets.is_empty() {
                continue;
            }
            let Some(target) = find_near(catalog, ctx.sources, hpa.target_kind, hpa.target_name, hpa.object) else {
                continue;
            };
            if !nearby(ctx.sources, hpa.object, target) {
                continue;
            }
            let Some(w) = Workload::of(target) else { continue };
            for u in targets {
                if w.pod_spec.path(&["resources", "requests", u.resource]).is_some() {
                    continue;
                }
                let lacking: Vec<Container> = w
                    .containers_of(ContainerKind::Container)
                    .filter(|c| u.container.is_none_or(|name| c.name() == Some(name)))
                    .filter(|c| !requests(c, u.resource))
                    .collect();
                if lacking.is_empty() {
                    continue;
                }
                let names: Vec<String> = lacking
                    .iter()
                    .map(|c| {
                        c.name()
                            .map_or_else(|| format!("#{}", c.index + 1), |n| format!("`{n}`"))
                    })
                    .collect();
                let who = if lacking.len() == 1 {
                    format!("container {}", names[0])
                } else {
                    format!("containers {}", names.join(", "))
                };
                let d = ctx.report(
                    hpa.object,
                    u.span,
                    format!(
                        "scales on {} utilization, but {} of {} `{}` request{} no {}: the utilization cannot be computed and the autoscaler does not scale",
                        noun(u.resource),
                        who,
                        target.kind,
                        target.name.unwrap_or(""),
                        if lacking.len() == 1 { "s" } else { "" },
                        noun(u.resource)
                    ),
                );
                d.help(format!(
                    "utilization is usage divided by the request: set `resources.requests.{}` on every container of the target's pod template, or scale on an absolute `AverageValue` instead",
                    u.resource
                ));
                for c in &lacking {
                    label_in(
                        d,
                        target,
                        c.anchor_span(&["resources"]),
                        format!("no {} request", noun(u.resource)),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(resources: &str, hpa_spec: &str, api: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n{resources}---\napiVersion: {api}\nkind: HorizontalPodAutoscaler\nmetadata: {{name: web}}\nspec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}\n  maxReplicas: 5\n{hpa_spec}"
        )
    }

    const V2_CPU: &str = "  metrics:\n  - type: Resource\n    resource:\n      name: cpu\n      target: {type: Utilization, averageUtilization: 70}\n";

    #[test]
    fn v1_and_v2_without_requests() {
        let t = text("", "  targetCPUUtilizationPercentage: 70\n", "autoscaling/v1");
        let d = assert_fires("hpa-cpu-without-requests", &t);
        assert_eq!(spanned(&t, &d[0]), "targetCPUUtilizationPercentage");
        assert_eq!(d[0].labels.len(), 1);
        let t = text(
            "        resources: {requests: {memory: 1Gi}}\n",
            V2_CPU,
            "autoscaling/v2",
        );
        let d = assert_fires("hpa-cpu-without-requests", &t);
        assert_eq!(spanned(&t, &d[0]), "cpu");
        assert!(d[0].message.contains("container `web`"));
    }

    #[test]
    fn requests_limits_or_absolute_targets() {
        assert_quiet(
            "hpa-cpu-without-requests",
            &text("        resources: {requests: {cpu: 100m}}\n", V2_CPU, "autoscaling/v2"),
        );
        assert_quiet(
            "hpa-cpu-without-requests",
            &text("        resources: {limits: {cpu: 100m}}\n", V2_CPU, "autoscaling/v2"),
        );
        assert_quiet(
            "hpa-cpu-without-requests",
            &text(
                "",
                &V2_CPU.replace(
                    "{type: Utilization, averageUtilization: 70}",
                    "{type: AverageValue, averageValue: 500m}",
                ),
                "autoscaling/v2",
            ),
        );
    }
}
