//! `service-account-missing`: a pod template runs as a ServiceAccount the
//! run does not define, while it defines others for the same namespace.

use super::refs::{RefKind, check_missing};
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};

pub struct ServiceAccountMissing;

impl Rule for ServiceAccountMissing {
    fn id(&self) -> &str {
        "service-account-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if !catalog.has_kind("ServiceAccount") {
            return;
        }
        check_missing(
            catalog,
            ctx,
            RefKind::ServiceAccount,
            "the API server refuses to create pods whose ServiceAccount does not exist, so the workload never gets pods; fix the name or add the ServiceAccount",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(sa: &str) -> String {
        format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {{name: web, namespace: shop}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: shop}}\nspec:\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec:\n      serviceAccountName: {sa}\n      containers: [{{name: web, image: nginx}}]\n"
        )
    }

    #[test]
    fn missing() {
        let t = text("wbe");
        let d = assert_fires("service-account-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "wbe");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn present_or_default() {
        assert_quiet("service-account-missing", &text("web"));
        assert_quiet("service-account-missing", &text("default"));
        assert_quiet(
            "service-account-missing",
            &text("other").replacen("namespace: shop", "namespace: kube-system", 1),
        );
    }
}
