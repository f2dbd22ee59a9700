//! `configmap-missing`: a pod template uses a ConfigMap the run does not
//! define, while it defines others for the same namespace.

use super::refs::{RefKind, check_missing};
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};

pub struct ConfigmapMissing;

impl Rule for ConfigmapMissing {
    fn id(&self) -> &str {
        "configmap-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if !catalog.has_kind("ConfigMap") {
            return;
        }
        check_missing(
            catalog,
            ctx,
            RefKind::ConfigMap,
            "a pod that mounts or reads a missing ConfigMap does not start (ContainerCreating or CreateContainerConfigError); fix the name, add the ConfigMap, or mark the reference `optional: true` if the pod can do without it",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(volume_cm: &str, env_cm: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: app-config, namespace: shop}}\ndata: {{k: v}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      volumes:\n      - name: config\n        configMap: {volume_cm}\n      containers:\n      - name: web\n        image: nginx\n        env:\n        - name: K\n          valueFrom: {{configMapKeyRef: {env_cm}}}\n"
        )
    }

    #[test]
    fn missing_name_reported_once_with_a_suggestion() {
        let t = text("{name: app-confg}", "{name: app-confg, key: k}");
        let d = assert_fires("configmap-missing", &t);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&t, &d[0]), "app-confg");
        assert_eq!(d[0].labels.len(), 2, "{:?}", d[0].labels);
    }

    #[test]
    fn present_optional_or_automatic() {
        assert_quiet(
            "configmap-missing",
            &text("{name: app-config}", "{name: app-config, key: k}"),
        );
        assert_quiet(
            "configmap-missing",
            &text("{name: other, optional: true}", "{name: kube-root-ca.crt, key: ca.crt}"),
        );
        // The run's only ConfigMap lives in another namespace.
        assert_quiet(
            "configmap-missing",
            &text("{name: other}", "{name: other, key: k}").replacen("namespace: shop", "namespace: db", 1),
        );
    }
}
