//! `statefulset-service-missing`: a StatefulSet's `serviceName` names no
//! Service of the run, or one that is not headless or does not select the
//! StatefulSet's pods, so its pods get no stable DNS names.

use super::matching::{
    NearbyIndex, find_near, first_failure, label_in, nearby, operator_may_provide, operator_near, selects, similar_name,
};
use super::service_selector_no_match::service_selector;
use crate::model::{Catalog, Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct StatefulsetServiceMissing;

/// Whether the run holds endpoints written by hand next to `near` (for a
/// Service without a selector).
fn manual_endpoints(catalog: &Catalog, sources: &[crate::source::SourceFile], near: &Object) -> bool {
    catalog
        .of_kind("Endpoints")
        .chain(catalog.of_kind("EndpointSlice"))
        .any(|o| o.same_namespace(near) && nearby(sources, near, o))
}

impl Rule for StatefulsetServiceMissing {
    fn id(&self) -> &str {
        "statefulset-service-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if catalog.subjects_of_kind("StatefulSet").next().is_none() || !catalog.has_kind("Service") {
            return;
        }
        let sources = ctx.sources;
        let services = NearbyIndex::new(sources, catalog.of_kind("Service"));
        for sts in catalog.subjects_of_kind("StatefulSet") {
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
                    } else if let Some(cr) = operator_near(catalog, sources, sts) {
                        operator_may_provide(d, cr, "the Service");
                    }
                }
                // A same-named Service of an unrelated folder says nothing
                // about this one.
                Some(svc) if nearby(sources, sts, svc) => {
                    if svc.get(&["spec", "type"]).and_then(Node::as_str) == Some("ExternalName") {
                        continue;
                    }
                    let cluster_ip = svc.root.path_entry(&["spec", "clusterIP"]);
                    if cluster_ip.and_then(|e| e.value.as_str()) != Some("None") {
                        let d = ctx.report(
                            sts,
                            node.span,
                            format!("serviceName `{name}` names a Service that is not headless: the pods get no `<pod>.{name}` DNS names"),
                        );
                        d.help("per-pod DNS records exist only for a headless governing Service: set `clusterIP: None` on it (a separate Service can keep the virtual IP for clients)");
                        let (span, msg) = match cluster_ip {
                            Some(e) => (e.value.span, "not `None`".to_string()),
                            None => (svc.name_span(), format!("Service `{name}` has no `clusterIP: None`")),
                        };
                        label_in(d, svc, span, msg);
                        continue;
                    }
                    check_selects(catalog, sources, sts, svc, name, node, ctx);
                }
                Some(_) => {}
            }
        }
    }
}

/// Reports a headless governing Service that does not select the
/// StatefulSet's pods: DNS publishes a pod's name only for the endpoints
/// of its Service, and only selected pods become endpoints.
fn check_selects(
    catalog: &Catalog,
    sources: &[crate::source::SourceFile],
    sts: &Object,
    svc: &Object,
    name: &str,
    node: &Node,
    ctx: &mut Ctx,
) {
    let Some(w) = Workload::of(sts) else { return };
    let (span, msg) = match service_selector(svc) {
        Some((_, sel)) if selects(&sel, &w) => return,
        Some((entry, sel)) => {
            if !sel.problems.is_empty() {
                return;
            }
            let (span, why) = first_failure(&sel, &w).unwrap_or((entry.key_span, String::new()));
            let why = if why.is_empty() { why } else { format!(" ({why})") };
            (
                span,
                format!(
                    "serviceName `{name}` names a headless Service whose selector does not select the StatefulSet's pods{why}: the pods get no `<pod>.{name}` DNS names"
                ),
            )
        }
        None => {
            // An empty or absent selector: endpoints only by hand.
            if manual_endpoints(catalog, sources, sts) {
                return;
            }
            let span = svc
                .root
                .path_entry(&["spec", "selector"])
                .map_or(svc.name_span(), |e| e.key_span);
            (
                span,
                format!(
                    "serviceName `{name}` names a headless Service without a selector: no endpoints are made for the pods, so they get no `<pod>.{name}` DNS names"
                ),
            )
        }
    };
    let d = ctx.report(sts, node.span, msg);
    d.help("give the governing Service a selector that the pod template's labels satisfy (usually the StatefulSet's own `selector.matchLabels`)");
    label_in(d, svc, span, format!("the selector of Service `{name}`"));
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

    #[test]
    fn headless_but_selecting_other_pods() {
        let t = text("db", "None").replacen("selector: {app: db}", "selector: {app: dbs}", 1);
        let d = assert_fires("statefulset-service-missing", &t);
        assert!(d[0].message.contains("does not select"), "{}", d[0].message);
        assert_eq!(d[0].labels.len(), 1);
        let t = text("db", "None").replacen("  selector: {app: db}\n", "", 1);
        let d = assert_fires("statefulset-service-missing", &t);
        assert!(d[0].message.contains("without a selector"), "{}", d[0].message);
        // Endpoints written by hand.
        assert_quiet(
            "statefulset-service-missing",
            &format!("{t}---\napiVersion: v1\nkind: Endpoints\nmetadata: {{name: db}}\nsubsets: []\n"),
        );
        // A per-pod label the controller sets counts as present.
        assert_quiet(
            "statefulset-service-missing",
            &text("db", "None").replacen(
                "selector: {app: db}",
                "selector: {app: db, controller-revision-hash: x}",
                1,
            ),
        );
    }

    #[test]
    fn operator_resource_makes_a_missing_service_info() {
        let t = format!(
            "{}---\napiVersion: acid.zalan.do/v1\nkind: postgresql\nmetadata: {{name: acid}}\nspec: {{numberOfInstances: 2}}\n",
            text("dbs-headless", "None")
        );
        let d = assert_fires("statefulset-service-missing", &t);
        assert_eq!(d[0].severity, crate::diagnostic::Severity::Info);
        assert!(d[0].message.contains("operator"), "{}", d[0].message);
    }
}
