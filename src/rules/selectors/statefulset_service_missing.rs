//! `statefulset-service-missing`: a StatefulSet's `serviceName` names no
//! Service of the run, or one that is not headless, so its pods get no
//! stable DNS names.

use super::matching::{NearbyIndex, find_near, label_in, nearby, similar_name};
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct StatefulsetServiceMissing;

impl Rule for StatefulsetServiceMissing {
    fn id(&self) -> &str {
        "statefulset-service-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if !catalog.has_kind("StatefulSet") || !catalog.has_kind("Service") {
            return;
        }
        let sources = ctx.sources;
        let services = NearbyIndex::new(sources, catalog.of_kind("Service"));
        for sts in catalog.of_kind("StatefulSet") {
            let Some(node) = sts.get(&["spec", "serviceName"]) else {
                continue;
            };
            let Some(name) = node.as_str().filter(|s| !s.is_empty()) else {
                continue;
            };
            if !services.any(sts) {
                continue;
            }
            match find_near(catalog, sources, "Service", name, sts) {
                None => {
                    let d = ctx.report(
                        sts,
                        node.span,
                        format!("serviceName `{name}` names no Service of the run (it defines other Services here): the pods get no `<pod>.{name}` DNS names"),
                    );
                    d.help(format!("add a headless Service `{name}` (`clusterIP: None`) selecting the StatefulSet's pods, or remove `serviceName` if the pods need no stable network identity"));
                    if let Some(o) = similar_name(catalog, sources, "Service", name, sts) {
                        label_in(d, o, o.name_span(), format!("did you mean `{}`?", o.name.unwrap_or("")));
                    }
                }
                Some(svc) if nearby(sources, sts, svc) => {
                    let cluster_ip = svc.root.path_entry(&["spec", "clusterIP"]);
                    if cluster_ip.and_then(|e| e.value.as_str()) == Some("None") {
                        continue;
                    }
                    if svc.get(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName") {
                        continue;
                    }
                    let d = ctx.report(
                        sts,
                        node.span,
                        format!("serviceName `{name}` names a Service that is not headless: the pods get no `<pod>.{name}` DNS names"),
                    );
                    d.help("per-pod DNS records exist only for a headless governing Service: set `clusterIP: None` on it (a separate Service can keep the virtual IP for clients)");
                    let (span, msg) = match cluster_ip {
                        Some(e) => (e.value.span, "not `None`"),
                        None => (svc.name_span(), "this Service has no `clusterIP: None`"),
                    };
                    label_in(d, svc, span, msg);
                }
                Some(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(service_name: &str, cluster_ip: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: db}}\nspec:\n  clusterIP: {cluster_ip}\n  selector: {{app: db}}\n  ports: [{{port: 5432}}]\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: db}}\nspec:\n  serviceName: {service_name}\n  selector: {{matchLabels: {{app: db}}}}\n  template:\n    metadata: {{labels: {{app: db}}}}\n    spec: {{containers: [{{name: db, image: postgres}}]}}\n"
        )
    }

    #[test]
    fn missing_or_not_headless() {
        let t = text("dbs", "None");
        let d = assert_fires("statefulset-service-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "dbs");
        let t = text("db", "10.0.0.10");
        let d = assert_fires("statefulset-service-missing", &t);
        assert!(d[0].message.contains("not headless"));
    }

    #[test]
    fn headless() {
        assert_quiet("statefulset-service-missing", &text("db", "None"));
    }
}
