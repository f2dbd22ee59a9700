//! `probe-port-undeclared`: a probe that names a port the container does not
//! declare. The kubelet resolves a named probe port in the container's own
//! `ports`; when the name is not there the probe fails every time.
//!
//! Numeric ports are not reported: `ports` is informational, and probing a
//! port that is not listed (an admin or health listener) works.

use super::{probed_containers, probes_of};
use crate::model::{Container, Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct ProbePortUndeclared;

/// Handlers whose port may be a name (`grpc.port` is a number only).
const HANDLERS: [&str; 2] = ["httpGet", "tcpSocket"];

fn port_names<'a>(c: &Container<'a>) -> Vec<&'a str> {
    c.get(&["ports"])
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(|p| p.get("name").and_then(Node::as_str))
        .collect()
}

impl Rule for ProbePortUndeclared {
    fn id(&self) -> &str {
        "probe-port-undeclared"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in probed_containers(&w) {
            let names = port_names(&c);
            for (probe, noun) in probes_of(&c) {
                for handler in HANDLERS {
                    let Some(port) = probe.value.path(&[handler, "port"]) else {
                        continue;
                    };
                    let Some(name) = port.as_str() else { continue };
                    if names.contains(&name) {
                        continue;
                    }
                    if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
                        ctx.report(
                            object,
                            port.span,
                            format!(
                                "the {noun} probe of {} uses the quoted port \"{name}\", which Kubernetes reads as a port name, not a number",
                                c.display()
                            ),
                        )
                        .help(format!(
                            "write the number without quotes (`port: {name}`); a port name must contain a letter"
                        ));
                        continue;
                    }
                    let d = ctx.report(
                        object,
                        port.span,
                        format!(
                            "the {noun} probe of {} uses port `{name}`, which the container does not declare",
                            c.display()
                        ),
                    );
                    match c.entry(&["ports"]) {
                        Some(e) if !names.is_empty() => {
                            d.label(e.key_span, format!("declared port names: {}", names.join(", ")));
                            d.help(format!(
                                "the kubelet looks a named port up in the container's own `ports` and the probe fails when it is not there; use one of the declared names or the port number, or add `name: {name}` to the right port"
                            ));
                        }
                        _ => {
                            d.help(format!(
                                "the kubelet looks a named port up in the container's own `ports`, and this container declares no named port: the probe fails every time; use the port number, or declare the port with `name: {name}`"
                            ));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "probe-port-undeclared";

    fn pod(container: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n{container}")
    }

    #[test]
    fn unknown_name() {
        let text = pod(
            "    ports: [{name: http, containerPort: 8080}]\n    readinessProbe: {httpGet: {path: /, port: htp}}\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "htp");
        assert!(d[0].message.contains("readiness probe"));
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn name_without_ports_and_quoted_number() {
        let text = pod("    livenessProbe: {tcpSocket: {port: admin}}\n    startupProbe: {httpGet: {port: '8080'}}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert!(d.iter().any(|d| d.message.contains("quoted port")));
    }

    #[test]
    fn sidecar_is_checked_plain_init_is_not() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: proxy\n    restartPolicy: Always\n    readinessProbe: {httpGet: {port: admin}}\n  containers:\n  - name: app\n";
        assert_fires(RULE, text);
    }

    #[test]
    fn declared_names_and_numbers() {
        assert_quiet(
            RULE,
            &pod(
                "    ports: [{name: http, containerPort: 8080}]\n    readinessProbe: {httpGet: {port: http}}\n    livenessProbe: {tcpSocket: {port: 9000}}\n    startupProbe: {grpc: {port: 9090}}\n",
            ),
        );
    }
}
