//! `service-target-port-missing`: a Service's named `targetPort` that no
//! container of the selected pods declares, so the port cannot be routed.

use super::matching::{label_in, nearby, pod_index, similar};
use super::service_selector_no_match::service_selector;
use crate::model::{Catalog, ContainerKind, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct ServiceTargetPortMissing;

/// Containers that serve traffic: regular ones and sidecars.
fn serving_ports<'a>(w: &Workload<'a>) -> Vec<(&'a str, Span)> {
    let mut out = Vec::new();
    let containers = w
        .containers_of(ContainerKind::Container)
        .chain(w.containers_of(ContainerKind::Init).filter(|c| c.is_sidecar()));
    for c in containers {
        for p in c.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
            if let Some(n) = p.get("name")
                && let Some(name) = n.as_str()
            {
                out.push((name, n.span));
            }
        }
    }
    out
}

impl Rule for ServiceTargetPortMissing {
    fn id(&self) -> &str {
        "service-target-port-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if catalog.subjects_of_kind("Service").next().is_none() {
            return;
        }
        let mut local = None;
        let pods = pod_index(catalog, ctx, &mut local);
        for svc in catalog.subjects_of_kind("Service") {
            let Some((_, sel)) = service_selector(svc) else {
                continue;
            };
            // Pods of an unrelated folder are not this Service's.
            let selected: Vec<&Workload> = pods
                .selected(&sel, svc)
                .into_iter()
                .filter(|w| nearby(ctx.sources, svc, w.object))
                .collect();
            if selected.is_empty() {
                continue;
            }
            for port in svc.get(&["spec", "ports"]).map(Node::items).unwrap_or(&[]) {
                let Some(target) = port.get("targetPort") else { continue };
                // A number works whether or not a container declares it.
                let Some(name) = target.as_str().filter(|s| s.parse::<i64>().is_err()) else {
                    continue;
                };
                let declared: Vec<(&Workload, Vec<(&str, Span)>)> =
                    selected.iter().map(|w| (*w, serving_ports(w))).collect();
                if declared.iter().any(|(_, ports)| ports.iter().any(|(n, _)| *n == name)) {
                    continue;
                }
                let port_desc = match (
                    port.get("name").and_then(Node::as_str),
                    port.get("port").and_then(Node::as_i64),
                ) {
                    (Some(n), _) => format!("port `{n}`"),
                    (None, Some(p)) => format!("port {p}"),
                    _ => "a port".to_string(),
                };
                let (w0, ports0) = &declared[0];
                let who = if declared.len() == 1 {
                    format!("{} `{}`", w0.kind(), w0.object.name.unwrap_or(""))
                } else {
                    format!("{} selected workloads", declared.len())
                };
                let d = ctx.report(
                    svc,
                    target.span,
                    format!(
                        "targetPort `{name}` of {port_desc} names no container port of the selected pods ({who}): the port has no endpoints"
                    ),
                );
                d.help(format!(
                    "a named targetPort must equal the `name` of a container port; name a container port `{name}` or use the container port's number"
                ));
                match ports0.iter().find(|(n, _)| similar(n, name)) {
                    Some((n, span)) => label_in(d, w0.object, *span, format!("did you mean `{n}`?")),
                    None => {
                        let span = ports0.first().map_or_else(
                            || {
                                w0.containers_of(ContainerKind::Container)
                                    .next()
                                    .map_or(w0.pod_spec.span, |c| c.name_span())
                            },
                            |(_, s)| *s,
                        );
                        let msg = if ports0.is_empty() {
                            format!("{who}: no container declares a named port")
                        } else {
                            format!("the named ports of {} `{}`", w0.kind(), w0.object.name.unwrap_or(""))
                        };
                        label_in(d, w0.object, span, msg);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(target: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n        ports: [{{name: http, containerPort: 8080}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  selector: {{app: web}}\n  ports:\n  - {{name: web, port: 80, targetPort: {target}}}\n"
        )
    }

    #[test]
    fn unknown_name() {
        let t = text("htp");
        let d = assert_fires("service-target-port-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "htp");
        assert!(d[0].labels[0].message.contains("did you mean `http`"));
    }

    #[test]
    fn known_name_or_number() {
        assert_quiet("service-target-port-missing", &text("http"));
        assert_quiet("service-target-port-missing", &text("9090"));
    }

    #[test]
    fn unselected_services_are_left_to_the_selector_rule() {
        assert_quiet(
            "service-target-port-missing",
            &text("metrics").replace("selector: {app: web}", "selector: {app: api}"),
        );
    }

    #[test]
    fn pods_of_an_unrelated_folder_are_not_the_services() {
        let t = text("metrics");
        let (deploy, svc) = t.split_once("---\n").unwrap_or_default();
        let config = crate::config::Config {
            select: vec!["service-target-port-missing".into()],
            ..Default::default()
        };
        let run = |names: [&str; 2]| {
            let sources = vec![
                crate::source::SourceFile::from_text(names[0], None, deploy.to_string()),
                crate::source::SourceFile::from_text(names[1], None, svc.to_string()),
            ];
            crate::lint::lint(&sources, &config).diagnostics.len()
        };
        assert_eq!(run(["ex/a/deploy.yaml", "ex/b/svc.yaml"]), 0);
        assert_eq!(run(["app/deploy.yaml", "app/svc.yaml"]), 1);
    }
}
