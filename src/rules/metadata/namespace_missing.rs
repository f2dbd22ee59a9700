//! `namespace-missing`: a namespaced object without `metadata.namespace`.
//! Built-in kinds are known; custom kinds count when a CRD of the same run
//! declares them namespaced.

use super::scope::Scopes;
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct NamespaceMissing;

impl Rule for NamespaceMissing {
    fn id(&self) -> &str {
        "namespace-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let scopes = Scopes::of(catalog);
        for object in catalog.objects.iter().filter(|o| catalog.in_focus(o)) {
            if scopes.namespaced(object) != Some(true) {
                continue;
            }
            let ns = object.get(&["metadata", "namespace"]);
            if ns.and_then(Node::as_str).is_some_and(|n| !n.is_empty()) {
                continue;
            }
            let span = match object.root.path_entry(&["metadata", "namespace"]) {
                Some(e) => e.key_span,
                None => object.root.entry("metadata").map_or(object.kind_span(), |e| e.key_span),
            };
            ctx.report(
                object,
                span,
                format!(
                    "{} `{}` has no metadata.namespace: it goes to whatever namespace is current when applied",
                    object.kind,
                    object.name.unwrap_or("")
                ),
            )
            .help("set `metadata.namespace`, or let the tool that deploys the manifests set it (kustomize `namespace:`, `helm --namespace`) and suppress this rule for those files");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "namespace-missing";

    #[test]
    fn namespaced_without_namespace() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "metadata");
        // A custom kind declared namespaced by a CRD of the run.
        assert_fires(
            RULE,
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        );
    }

    #[test]
    fn cluster_scoped_set_or_unknown() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: a}\n---\napiVersion: cert-manager.io/v1\nkind: ClusterIssuer\nmetadata: {name: i}\n",
        );
    }
}
