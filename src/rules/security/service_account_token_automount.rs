//! `service-account-token-automount`: pods get an API token mounted
//! although nothing says they need one.

use crate::model::{Catalog, Object};
use crate::rules::selectors::matching::{find_near, label_in};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct ServiceAccountTokenAutomount;

/// The key of the pod spec (`spec` of a Pod, `spec.template.spec` of a
/// Deployment...).
fn pod_spec_key(object: &Object) -> Span {
    let path: &[&str] = match object.kind {
        "Pod" => &["spec"],
        "PodTemplate" => &["template", "spec"],
        "CronJob" | "ScheduledJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    };
    object
        .root
        .path_entry(path)
        .map_or_else(|| object.kind_span(), |e| e.key_span)
}

impl Rule for ServiceAccountTokenAutomount {
    fn id(&self) -> &str {
        "service-account-token-automount"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for w in catalog.subject_workloads() {
            // Set either way, on the pod: a decision was made.
            if w.pod_spec
                .get("automountServiceAccountToken")
                .and_then(Node::as_bool)
                .is_some()
            {
                continue;
            }
            let sa_entry = w
                .pod_spec
                .entry("serviceAccountName")
                .or_else(|| w.pod_spec.entry("serviceAccount"));
            let sa_name = sa_entry.and_then(|e| e.value.as_str()).unwrap_or("default");
            let sa = find_near(catalog, ctx.sources, "ServiceAccount", sa_name, w.object);
            if sa.is_some_and(|sa| {
                sa.root
                    .get("automountServiceAccountToken")
                    .and_then(Node::as_bool)
                    .is_some()
            }) {
                continue;
            }
            let span = sa_entry.map_or_else(|| pod_spec_key(w.object), |e| e.key_span);
            let whose = match sa {
                Some(_) => format!("on its ServiceAccount `{sa_name}`"),
                None => format!("(as far as these manifests show) on its ServiceAccount `{sa_name}`"),
            };
            let d = ctx.report(
                w.object,
                span,
                format!("the pod gets an API token mounted: `automountServiceAccountToken` is set neither on the pod nor {whose}"),
            );
            d.help("if the containers never call the Kubernetes API, set `automountServiceAccountToken: false` in the pod spec (or on the ServiceAccount)");
            if let Some(sa) = sa {
                label_in(d, sa, sa.name_span(), format!("ServiceAccount `{sa_name}`"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "service-account-token-automount";

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\nPOD      containers: [{name: web, image: 'web:1.0'}]\n";

    #[test]
    fn unset_points_at_the_pod_spec_or_service_account_name() {
        let text = DEPLOY.replace("POD", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "spec");
        assert!(d[0].message.contains("`default`"));
        let text = DEPLOY.replace("POD", "      serviceAccountName: web\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "serviceAccountName");
    }

    #[test]
    fn pod_or_service_account_decides() {
        assert_quiet(
            RULE,
            &DEPLOY.replace("POD", "      automountServiceAccountToken: false\n"),
        );
        assert_quiet(
            RULE,
            &DEPLOY.replace("POD", "      automountServiceAccountToken: true\n"),
        );
        let with_sa = format!(
            "{}---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: web}}\nautomountServiceAccountToken: false\n",
            DEPLOY.replace("POD", "      serviceAccountName: web\n")
        );
        assert_quiet(RULE, &with_sa);
    }
}
