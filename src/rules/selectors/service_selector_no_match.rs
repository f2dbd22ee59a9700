//! `service-selector-no-match`: a Service whose selector matches no pod
//! template of the run, so it has no endpoints (domain fact D4).

use super::matching::{pod_index, report_unselected};
use crate::model::{Catalog, LabelSelector, Object};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Entry, Node};

pub struct ServiceSelectorNoMatch;

/// The selector entry of a Service that routes to pods: not ExternalName,
/// and a non-empty selector (an empty one means endpoints are managed by
/// hand).
pub(crate) fn service_selector<'a>(svc: &'a Object<'a>) -> Option<(&'a Entry, LabelSelector<'a>)> {
    if svc.kind != "Service" {
        return None;
    }
    if svc.get(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName") {
        return None;
    }
    let entry = svc.root.path_entry(&["spec", "selector"])?;
    if !entry.value.is_map() {
        return None;
    }
    let sel = LabelSelector::equality(&entry.value);
    (!sel.is_empty() && sel.problems.is_empty()).then_some((entry, sel))
}

impl Rule for ServiceSelectorNoMatch {
    fn id(&self) -> &str {
        "service-selector-no-match"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if catalog.subjects_of_kind("Service").next().is_none() {
            return;
        }
        let mut local = None;
        let pods = pod_index(catalog, ctx, &mut local);
        for svc in catalog.subjects_of_kind("Service") {
            let Some((entry, sel)) = service_selector(svc) else {
                continue;
            };
            report_unselected(
                ctx,
                pods,
                svc,
                entry,
                &sel,
                "a Service sends traffic only to pods carrying every label of its selector; fix the selector or the pod template labels so they agree",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web, tier: front}}\n    spec: {containers: [{name: web, image: nginx}]}\n";

    fn svc(selector: &str, ns: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web, namespace: {ns}}}\nspec:\n  selector: {selector}\n  ports: [{{port: 80}}]\n"
        )
    }

    #[test]
    fn typo_points_at_the_label_and_the_closest_workload() {
        let text = format!("{DEPLOY}---\n{}", svc("{app: web, tier: frontend}", "shop"));
        let d = assert_fires("service-selector-no-match", &text);
        assert_eq!(spanned(&text, &d[0]), "tier");
        assert_eq!(d[0].labels.len(), 1);
        assert!(d[0].message.contains("Deployment `web`"), "{}", d[0].message);
    }

    #[test]
    fn no_candidate_points_at_the_selector() {
        let text = format!("{DEPLOY}---\n{}", svc("{app: api}", "shop"));
        let d = assert_fires("service-selector-no-match", &text);
        assert_eq!(spanned(&text, &d[0]), "selector");
        assert!(d[0].labels.is_empty());
    }

    #[test]
    fn matches_and_unknowable_cases_are_quiet() {
        assert_quiet(
            "service-selector-no-match",
            &format!("{DEPLOY}---\n{}", svc("{app: web}", "shop")),
        );
        // No workload in the run, or none in the Service's namespace.
        assert_quiet("service-selector-no-match", &svc("{app: api}", "shop"));
        assert_quiet(
            "service-selector-no-match",
            &format!("{DEPLOY}---\n{}", svc("{app: api}", "other")),
        );
        // No selector: endpoints are managed by hand.
        assert_quiet(
            "service-selector-no-match",
            &format!(
                "{DEPLOY}---\napiVersion: v1\nkind: Service\nmetadata: {{name: db}}\nspec:\n  ports: [{{port: 5432}}]\n"
            ),
        );
        // A StatefulSet's per-pod label is set by the controller.
        assert_quiet(
            "service-selector-no-match",
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db}\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template:\n    metadata: {labels: {app: db}}\n    spec: {containers: [{name: db, image: postgres}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: db-0}\nspec:\n  selector: {app: db, statefulset.kubernetes.io/pod-name: db-0}\n  ports: [{port: 5432}]\n",
        );
    }

    /// Lints several files together; returns the rule's findings.
    fn run_files(files: &[(&str, &str)]) -> usize {
        let config = crate::config::Config {
            select: vec!["service-selector-no-match".into()],
            ..Default::default()
        };
        let sources: Vec<crate::source::SourceFile> = files
            .iter()
            .map(|(name, text)| crate::source::SourceFile::from_text(*name, None, text.to_string()))
            .collect();
        crate::lint::lint(&sources, &config)
            .diagnostics
            .iter()
            .filter(|d| d.rule == "service-selector-no-match")
            .count()
    }

    #[test]
    fn unrelated_folders_are_not_one_application() {
        let deploy = DEPLOY.replace(", namespace: shop", "");
        let service = svc("{app: api}", "shop").replace(", namespace: shop", "");
        // Sibling example folders: the Deployment says nothing about the Service.
        assert_eq!(
            run_files(&[("ex/a/svc.yaml", &service), ("ex/b/deploy.yaml", &deploy)]),
            0
        );
        // One folder tree: it does.
        assert_eq!(
            run_files(&[("app/svc.yaml", &service), ("app/web/deploy.yaml", &deploy)]),
            1
        );
        // A namespaced Service and a namespace-less workload elsewhere: no.
        let namespaced = svc("{app: api}", "kube-system");
        assert_eq!(
            run_files(&[("app/svc.yaml", &namespaced), ("app/web/deploy.yaml", &deploy)]),
            0
        );
        assert_eq!(
            run_files(&[("app/svc.yaml", &namespaced), ("app/deploy.yaml", &deploy)]),
            1
        );
    }

    #[test]
    fn operator_made_pods_are_not_reported() {
        let text = format!(
            "{DEPLOY}---\napiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata: {{name: k8s, namespace: shop}}\nspec: {{replicas: 2}}\n---\n{}",
            svc("{prometheus: k8s}", "shop")
        );
        assert_quiet("service-selector-no-match", &text);
    }

    #[test]
    fn another_operator_resource_makes_it_info() {
        let cr = "apiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata: {name: acid-db, namespace: NS}\nspec: {numberOfInstances: 2}\n---\n";
        let text = format!(
            "{DEPLOY}---\n{}{}",
            cr.replace("NS", "shop"),
            svc("{application: spilo, spilo-role: master}", "shop")
        );
        let d = assert_fires("service-selector-no-match", &text);
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Info);
        assert!(d[0].message.contains("postgresql `acid-db`"), "{}", d[0].message);
        assert_eq!(d[0].labels.len(), 1);
        // A resource of another namespace says nothing about this one.
        let text = format!(
            "{DEPLOY}---\n{}{}",
            cr.replace("NS", "other"),
            svc("{application: spilo, spilo-role: master}", "shop")
        );
        let d = assert_fires("service-selector-no-match", &text);
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Warning);
        // A workload of the run missing by one label: a typo, not an operator.
        let text = format!(
            "{DEPLOY}---\n{}{}",
            cr.replace("NS", "shop"),
            svc("{app: web, tier: frontend}", "shop")
        );
        let d = assert_fires("service-selector-no-match", &text);
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Warning);
    }
}
