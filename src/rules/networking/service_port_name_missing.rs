//! `service-port-name-missing`: a Service with several ports where one has
//! no name; the API server requires names as soon as there are two ports.

use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct ServicePortNameMissing;

impl Rule for ServicePortNameMissing {
    fn id(&self) -> &str {
        "service-port-name-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "Service" {
            return;
        }
        let ports = object.get(&["spec", "ports"]).map(Node::items).unwrap_or(&[]);
        if ports.len() < 2 {
            return;
        }
        for p in ports.iter().filter(|p| p.is_map()) {
            let named = p.get("name").and_then(Node::scalar_text).is_some_and(|n| !n.is_empty());
            if named {
                continue;
            }
            let (span, shown) = match p.entry("port") {
                Some(e) => (e.key_span, e.value.scalar_text().unwrap_or_default()),
                None => (p.entries().first().map_or(p.span, |e| e.key_span), String::new()),
            };
            let (span, what) = match p.entry("name") {
                Some(e) => (e.value.span, "an empty name".to_string()),
                None => (span, "no name".to_string()),
            };
            let port = if shown.is_empty() {
                String::new()
            } else {
                format!(" {shown}")
            };
            ctx.report(
                object,
                span,
                format!(
                    "port{port} of Service `{}` has {what}, but the Service has {} ports",
                    object.name.unwrap_or(""),
                    ports.len()
                ),
            )
            .help("give every port a unique `name` (e.g. `http`, `https`, `grpc`): with more than one port Kubernetes requires names, which Endpoints, Ingresses and named targetPorts refer to");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "service-port-name-missing";

    #[test]
    fn unnamed_port_among_several() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - name: http\n    port: 80\n  - port: 443\n  - name: ''\n    port: 8443\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(text, &d[0]), "port");
        assert!(
            d[0].message.starts_with("port 443 of Service `s` has no name"),
            "{}",
            d[0].message
        );
        assert_eq!(spanned(text, &d[1]), "''");
    }

    #[test]
    fn single_or_all_named() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - port: 80\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {name: a, port: 80}\n  - {name: b, port: 81}\n",
        );
    }
}
