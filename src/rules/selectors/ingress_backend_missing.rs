//! `ingress-backend-missing`: an Ingress backend naming a Service the run
//! does not define, or a port that Service does not have.

use super::matching::{
    NearbyIndex, find_near, label_in, nearby, operator_may_provide, operator_near, similar, similar_name,
};
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct IngressBackendMissing;

/// A Service backend: name value and port value (a number or a name).
struct Backend<'a> {
    name: &'a Node,
    port: Option<&'a Node>,
}

fn backend(node: &Node) -> Option<Backend<'_>> {
    // networking.k8s.io/v1: `service: {name, port: {name | number}}`.
    if let Some(svc) = node.get("service") {
        let port = svc.get("port").and_then(|p| p.get("number").or_else(|| p.get("name")));
        return Some(Backend {
            name: svc.get("name")?,
            port,
        });
    }
    // extensions/v1beta1 and networking.k8s.io/v1beta1: `serviceName`, `servicePort`.
    Some(Backend {
        name: node.get("serviceName")?,
        port: node.get("servicePort"),
    })
}

fn backends<'a>(ingress: &'a Object) -> Vec<Backend<'a>> {
    let mut out = Vec::new();
    for key in ["defaultBackend", "backend"] {
        if let Some(b) = ingress.get(&["spec", key]).and_then(backend) {
            out.push(b);
        }
    }
    for rule in ingress.get(&["spec", "rules"]).map(Node::items).unwrap_or(&[]) {
        for path in rule.path(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
            if let Some(b) = path.get("backend").and_then(backend) {
                out.push(b);
            }
        }
    }
    out
}

impl Rule for IngressBackendMissing {
    fn id(&self) -> &str {
        "ingress-backend-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if catalog.subjects_of_kind("Ingress").next().is_none() || !catalog.has_kind("Service") {
            return;
        }
        let sources = ctx.sources;
        let services = NearbyIndex::new(sources, catalog.of_kind("Service"));
        for ing in catalog.subjects_of_kind("Ingress") {
            if !services.any(ing) {
                continue;
            }
            let backends = backends(ing);
            // Whether some backend of this Ingress is a Service of the run:
            // then its Services are managed with it, not installed apart.
            let any_found = backends.iter().any(|b| {
                b.name
                    .as_str()
                    .is_some_and(|n| find_near(catalog, sources, "Service", n, ing).is_some())
            });
            for b in &backends {
                let Some(name) = b.name.as_str() else { continue };
                let Some(svc) = find_near(catalog, sources, "Service", name, ing) else {
                    let near_name = similar_name(catalog, sources, "Service", name, ing);
                    if near_name.is_none() && !any_found {
                        continue;
                    }
                    let d = ctx.report(
                        ing,
                        b.name.span,
                        format!("backend Service `{name}` is not defined in the run, which defines other Services in this namespace"),
                    );
                    d.help("an Ingress routes only to a Service of its own namespace; fix the name or add the Service");
                    if let Some(o) = near_name {
                        label_in(d, o, o.name_span(), format!("did you mean `{}`?", o.name.unwrap_or("")));
                    } else if let Some(cr) = operator_near(catalog, sources, ing) {
                        operator_may_provide(d, cr, "the Service");
                    }
                    continue;
                };
                // A same-named Service of an unrelated folder says nothing
                // about this one's ports.
                let Some(port) = b.port.filter(|_| nearby(sources, ing, svc)) else {
                    continue;
                };
                let Some(ports_entry) = svc.root.path_entry(&["spec", "ports"]) else {
                    continue;
                };
                let ports = ports_entry.value.items();
                if ports.is_empty() {
                    continue;
                }
                let (found, wanted) = match (port.as_i64(), port.as_str()) {
                    (Some(n), _) => (
                        ports.iter().any(|p| p.get("port").and_then(Node::as_i64) == Some(n)),
                        n.to_string(),
                    ),
                    (None, Some(s)) => match s.parse::<i64>() {
                        Ok(n) => (
                            ports.iter().any(|p| p.get("port").and_then(Node::as_i64) == Some(n)),
                            n.to_string(),
                        ),
                        Err(_) => (
                            ports.iter().any(|p| p.get("name").and_then(Node::as_str) == Some(s)),
                            format!("`{s}`"),
                        ),
                    },
                    _ => continue,
                };
                if found {
                    continue;
                }
                let d = ctx.report(
                    ing,
                    port.span,
                    format!("Service `{name}` has no port {wanted}: requests for this backend fail"),
                );
                d.help("the backend port must be one of the Service's `port` numbers or port names (not the container's targetPort)");
                let hint = match (port.as_i64(), port.as_str()) {
                    (_, Some(s)) => ports
                        .iter()
                        .filter_map(|p| p.get("name"))
                        .find(|n| n.as_str().is_some_and(|n| similar(n, s)))
                        .map(|n| (n.span, format!("did you mean `{}`?", n.as_str().unwrap_or("")))),
                    // The container's port instead of the Service's.
                    (Some(n), _) => ports
                        .iter()
                        .find(|p| p.get("targetPort").and_then(Node::as_i64) == Some(n))
                        .and_then(|p| p.get("port"))
                        .map(|p| {
                            (
                                p.span,
                                format!(
                                    "{n} is the targetPort of this Service port: use {}",
                                    p.scalar_text().unwrap_or_default()
                                ),
                            )
                        }),
                    _ => None,
                };
                let (span, msg) = hint.unwrap_or((ports_entry.key_span, format!("the ports of Service `{name}`")));
                label_in(d, svc, span, msg);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const SVC: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n---\n";

    fn v1(name: &str, port: &str) -> String {
        format!(
            "{SVC}apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {{name: web}}\nspec:\n  rules:\n  - http:\n      paths:\n      - path: /\n        pathType: Prefix\n        backend:\n          service: {{name: {name}, port: {port}}}\n"
        )
    }

    #[test]
    fn missing_service_and_port() {
        let t = v1("wbe", "{number: 80}");
        let d = assert_fires("ingress-backend-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "wbe");
        let t = v1("web", "{number: 8080}");
        let d = assert_fires("ingress-backend-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "8080");
        let t = v1("web", "{name: htp}");
        let d = assert_fires("ingress-backend-missing", &t);
        assert!(d[0].labels[0].message.contains("`http`"));
    }

    #[test]
    fn found() {
        assert_quiet("ingress-backend-missing", &v1("web", "{number: 80}"));
        assert_quiet("ingress-backend-missing", &v1("web", "{name: http}"));
    }

    #[test]
    fn legacy_backend() {
        let t = format!(
            "{SVC}apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {{name: web}}\nspec:\n  backend: {{serviceName: web, servicePort: 8080}}\n"
        );
        let d = assert_fires("ingress-backend-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "8080");
        assert_quiet(
            "ingress-backend-missing",
            &t.replace("servicePort: 8080", "servicePort: http"),
        );
    }
}
