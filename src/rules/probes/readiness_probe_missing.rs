//! `readiness-probe-missing`: a container of a long-running workload that
//! receives traffic but has no readiness probe (domain fact C4).
//!
//! A container is taken to receive traffic when a Service of the run sends
//! traffic to one of its ports; when no Service of the run selects its pods,
//! it declares ports and no container of its pod has a readiness probe; or
//! when it is the only container of pods that a Service of the run selects
//! and declares no ports.

use std::collections::HashMap;

use super::probed_containers;
use crate::diagnostic::Label;
use crate::model::{Catalog, Container, ContainerKind, LabelSelector, Object, Workload};
use crate::rules::selectors::matching::nearby;
use crate::rules::{Ctx, Registry, Rule};
use crate::yaml::{Node, Span, Value};

pub struct ReadinessProbeMissing;

/// Kinds whose pods serve continuously (Jobs and bare Pods are left out).
const KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "ReplicaSet",
    "ReplicationController",
    "DeploymentConfig",
    "Rollout",
];

/// A Service of the run with a non-empty selector.
struct Service<'c> {
    object: &'c Object<'c>,
    selector: LabelSelector<'c>,
}

/// The Services of a run, indexed by the first label of their selectors:
/// a workload meets only the Services one of its pod labels can satisfy
/// (not every Service of the run).
struct Services<'c> {
    all: Vec<Service<'c>>,
    by_first_label: HashMap<(&'c str, String), Vec<usize>>,
}

impl<'c> Services<'c> {
    fn new(all: Vec<Service<'c>>) -> Self {
        let mut by_first_label: HashMap<(&'c str, String), Vec<usize>> = HashMap::new();
        for (i, s) in all.iter().enumerate() {
            let key = match s.selector.match_labels.first() {
                Some((k, v, _)) => (*k, v.clone()),
                // No label to index by: met by every workload.
                None => ("", String::new()),
            };
            by_first_label.entry(key).or_default().push(i);
        }
        Services { all, by_first_label }
    }

    /// The Services whose first selector label the pod labels have (and
    /// those that could not be indexed), in the run's order.
    fn candidates<'s>(&'s self, labels: Option<&Node>) -> impl Iterator<Item = &'s Service<'c>> + 's {
        let mut idx: Vec<usize> = self
            .by_first_label
            .get(&("", String::new()))
            .cloned()
            .unwrap_or_default();
        for e in labels.map(Node::entries).unwrap_or(&[]) {
            if let Some(v) = e.value.scalar_text()
                && let Some(list) = self.by_first_label.get(&(&*e.key, v))
            {
                idx.extend(list);
            }
        }
        idx.sort_unstable();
        idx.dedup();
        idx.into_iter().map(|i| &self.all[i])
    }
}

fn services<'c>(catalog: &'c Catalog<'c>) -> Services<'c> {
    let all = catalog
        .of_kind("Service")
        .filter_map(|object| {
            let sel = object.get(&["spec", "selector"]).filter(|n| !n.entries().is_empty())?;
            // Such a Service lists pods whether they are ready or not.
            if object
                .get(&["spec", "publishNotReadyAddresses"])
                .and_then(Node::as_bool)
                == Some(true)
            {
                return None;
            }
            Some(Service {
                object,
                selector: LabelSelector::equality(sel),
            })
        })
        .collect();
    Services::new(all)
}

/// Whether the container declares a port matching a Service's target port
/// (a name, or a number; an omitted `targetPort` is the `port`).
fn declares(c: &Container, target: &Node) -> bool {
    let ports = c.get(&["ports"]).map(Node::items).unwrap_or(&[]);
    match &target.value {
        Value::Str(name) => ports.iter().any(|p| p.get("name").and_then(Node::as_str) == Some(name)),
        Value::Int(n) => ports
            .iter()
            .any(|p| p.get("containerPort").and_then(Node::as_i64) == Some(*n)),
        _ => false,
    }
}

/// The span of the first Service port that targets one of the container's ports.
fn targeted_port(svc: &Object, c: &Container) -> Option<Span> {
    svc.get(&["spec", "ports"])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| p.get("targetPort").or_else(|| p.get("port")))
        .find(|t| declares(c, t))
        .map(|t| t.span)
}

impl ReadinessProbeMissing {
    fn check_workload(
        &self,
        object: &Object,
        w: &Workload,
        services: &Services,
        covered_elsewhere: bool,
        ctx: &mut Ctx,
    ) {
        let selecting: Vec<&Service> = services
            .candidates(w.pod_labels())
            .filter(|s| {
                s.object.same_namespace(object)
                    && s.selector.matches(w.pod_labels())
                    && nearby(ctx.sources, object, s.object)
            })
            .collect();
        let containers: Vec<Container> = probed_containers(w).collect();
        let pod_has_readiness = containers.iter().any(|c| c.get(&["readinessProbe"]).is_some());
        let declares_ports = |c: &Container| c.get(&["ports"]).is_some_and(|p| !p.items().is_empty());
        let pod_declares_ports = containers.iter().any(declares_ports);
        for c in &containers {
            if c.get(&["readinessProbe"]).is_some() {
                continue;
            }
            if covered_elsewhere && c.kind == ContainerKind::Container && c.get(&["livenessProbe"]).is_some() {
                // `liveness-without-readiness` reports this container.
                continue;
            }
            let target = selecting
                .iter()
                .find_map(|s| targeted_port(s.object, c).map(|span| (s, span)));
            let (message, label) = if let Some((s, span)) = target {
                let name = s.object.name.unwrap_or("");
                (
                    format!(
                        "{} receives traffic from Service `{name}` but has no readiness probe",
                        c.display()
                    ),
                    Label {
                        file: s.object.file,
                        span,
                        message: format!("Service `{name}` sends traffic to this port"),
                    },
                )
            } else if declares_ports(c) && !pod_has_readiness && selecting.is_empty() {
                let span = c.entry(&["ports"]).map_or(c.name_span(), |e| e.key_span);
                (
                    format!("{} declares ports but has no readiness probe", c.display()),
                    Label {
                        file: object.file,
                        span,
                        message: "the ports it serves".to_string(),
                    },
                )
            } else if let (Some(s), [_], false) = (selecting.first(), containers.as_slice(), pod_declares_ports) {
                let name = s.object.name.unwrap_or("");
                let span = s
                    .object
                    .root
                    .path_entry(&["spec", "selector"])
                    .map_or(s.selector.node.span, |e| e.key_span);
                (
                    format!(
                        "{} is the only container of pods that Service `{name}` selects, but has no readiness probe",
                        c.display()
                    ),
                    Label {
                        file: s.object.file,
                        span,
                        message: format!("Service `{name}` selects these pods"),
                    },
                )
            } else {
                continue;
            };
            let d = ctx.report(object, c.name_span(), message);
            d.labels.push(label);
            d.help("add a readinessProbe that passes only when the container can serve (e.g. an httpGet on a readiness endpoint): until it passes the pod stays out of the Service's endpoints, and rolling updates wait for it instead of replacing working pods with broken ones");
        }
    }
}

impl Rule for ReadinessProbeMissing {
    fn id(&self) -> &str {
        "readiness-probe-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let subjects: Vec<(&Object, Workload)> = catalog
            .objects
            .iter()
            .filter(|o| KINDS.contains(&o.kind) && catalog.in_focus(o))
            .filter_map(|o| Some((o, Workload::of(o)?)))
            .collect();
        if subjects.is_empty() {
            return;
        }
        let services = services(catalog);
        let covered_elsewhere = Registry::builtin()
            .doc("liveness-without-readiness")
            .is_some_and(|d| ctx.config.rule_enabled(d));
        for (object, w) in subjects {
            self.check_workload(object, &w, &services, covered_elsewhere, ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "readiness-probe-missing";

    fn deploy(containers: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec:\n  selector:\n    matchLabels: {{app: web}}\n  template:\n    metadata:\n      labels: {{app: web}}\n    spec:\n      containers:\n{containers}"
        )
    }

    const SERVICE: &str = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n    targetPort: http\n";

    #[test]
    fn container_with_ports() {
        let text = deploy("      - name: web\n        ports: [{name: http, containerPort: 8080}]\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "web");
        assert!(d[0].message.contains("declares ports"), "{}", d[0].message);
    }

    #[test]
    fn container_targeted_by_a_service() {
        let text = format!(
            "{}{SERVICE}",
            deploy(
                "      - name: web\n        ports: [{name: http, containerPort: 8080}]\n      - name: metrics\n        ports: [{name: metrics, containerPort: 9090}]\n        readinessProbe: {httpGet: {port: metrics}}\n"
            )
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("Service `web`"), "{}", d[0].message);
        assert_eq!(spanned(&text, &d[0]), "web");
    }

    #[test]
    fn only_container_selected_without_ports() {
        let text = format!("{}{SERVICE}", deploy("      - name: web\n        image: nginx\n"));
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("only container"), "{}", d[0].message);
    }

    #[test]
    fn quiet_cases() {
        // Has a probe.
        assert_quiet(
            RULE,
            &deploy(
                "      - name: web\n        ports: [{containerPort: 8080}]\n        readinessProbe: {tcpSocket: {port: 8080}}\n",
            ),
        );
        // No ports, no Service.
        assert_quiet(RULE, &deploy("      - name: worker\n        image: w\n"));
        // A sidecar's metrics port, while the main container has a probe and
        // no Service targets the sidecar.
        assert_quiet(
            RULE,
            &format!(
                "{}{SERVICE}",
                deploy(
                    "      - name: web\n        ports: [{name: http, containerPort: 8080}]\n        readinessProbe: {httpGet: {port: http}}\n      - name: exporter\n        ports: [{name: metrics, containerPort: 9090}]\n"
                )
            ),
        );
        // Jobs are not serving workloads.
        assert_quiet(
            RULE,
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: j\n        ports: [{containerPort: 80}]\n",
        );
        // Reported by liveness-without-readiness when that rule runs too;
        // alone, this rule reports it.
        let live = deploy(
            "      - name: web\n        ports: [{containerPort: 8080}]\n        livenessProbe: {tcpSocket: {port: 8080}}\n",
        );
        assert_fires(RULE, &live);
        let config = crate::config::Config {
            select: vec![RULE.into(), "liveness-without-readiness".into()],
            ..crate::config::Config::default()
        };
        let sources = vec![crate::source::SourceFile::from_text("t.yaml", None, live)];
        let d = crate::lint::lint(&sources, &config).diagnostics;
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "liveness-without-readiness");
        // A Service that publishes pods whether ready or not.
        assert_quiet(
            RULE,
            &format!(
                "{}{SERVICE}  publishNotReadyAddresses: true\n",
                deploy("      - name: web\n        image: nginx\n")
            ),
        );
        // A Service in another namespace.
        let text = deploy("      - name: web\n        image: nginx\n")
            .replace("{name: web}\nspec", "{name: web, namespace: a}\nspec");
        assert_quiet(
            RULE,
            &format!("{text}{}", SERVICE.replace("{name: web}", "{name: web, namespace: b}")),
        );
    }

    /// Lints several files together; returns the rule's findings.
    fn run_files(files: &[(&str, &str)]) -> Vec<crate::diagnostic::Diagnostic> {
        let config = crate::config::Config {
            select: vec![RULE.into()],
            ..Default::default()
        };
        let sources: Vec<crate::source::SourceFile> = files
            .iter()
            .map(|(name, text)| crate::source::SourceFile::from_text(*name, None, text.to_string()))
            .collect();
        crate::lint::lint(&sources, &config).diagnostics
    }

    #[test]
    fn a_service_of_an_unrelated_folder_is_not_this_workloads() {
        let deploy = deploy("      - name: web\n        image: nginx\n");
        let service = SERVICE.trim_start_matches("---\n");
        // Sibling example folders: the Service says nothing about the pods.
        assert!(run_files(&[("ex/a/deploy.yaml", &deploy), ("ex/b/svc.yaml", service)]).is_empty());
        // One folder tree: the finding names the Service's file as a label.
        let d = run_files(&[("app/web/deploy.yaml", &deploy), ("app/svc.yaml", service)]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("Service `web`"), "{}", d[0].message);
        assert_eq!(d[0].labels.len(), 1);
        assert_eq!(d[0].labels[0].file, 1);
    }
}
