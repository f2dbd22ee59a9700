//! Liveness, readiness and startup probes (domain fact C4).

mod identical;
mod liveness_without_readiness;
mod probe_exec_shell;
mod probe_invalid;
mod probe_port_undeclared;
mod probe_success_threshold_invalid;
mod probe_timeout_exceeds_period;
mod readiness_probe_missing;

pub use identical::ProbesIdentical;
pub use liveness_without_readiness::LivenessWithoutReadiness;
pub use probe_exec_shell::ProbeExecShell;
pub use probe_invalid::ProbeInvalid;
pub use probe_port_undeclared::ProbePortUndeclared;
pub use probe_success_threshold_invalid::ProbeSuccessThresholdInvalid;
pub use probe_timeout_exceeds_period::ProbeTimeoutExceedsPeriod;
pub use readiness_probe_missing::ReadinessProbeMissing;

use crate::model::{Container, ContainerKind, Workload};
use crate::yaml::{Entry, Node};

/// The three probe fields of a container, with a noun for messages.
pub(crate) const PROBES: [(&str, &str); 3] = [
    ("livenessProbe", "liveness"),
    ("readinessProbe", "readiness"),
    ("startupProbe", "startup"),
];

/// Containers that run probes: regular containers, and sidecars (init
/// containers with `restartPolicy: Always`), which behave like them.
pub(crate) fn probed_containers<'a>(w: &Workload<'a>) -> impl Iterator<Item = Container<'a>> + 'a {
    w.containers_of(ContainerKind::Container)
        .chain(w.containers_of(ContainerKind::Init).filter(|c| c.is_sidecar()))
}

/// The probes a container sets: (field entry, noun).
pub(crate) fn probes_of<'a>(c: &Container<'a>) -> impl Iterator<Item = (&'a Entry, &'static str)> + 'a {
    let node = c.node;
    PROBES
        .into_iter()
        .filter_map(move |(field, noun)| node.entry(field).filter(|e| e.value.is_map()).map(|e| (e, noun)))
}

/// Probe timing with Kubernetes' defaults applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timing {
    pub initial_delay: i64,
    pub period: i64,
    pub timeout: i64,
    pub success: i64,
    pub failure: i64,
}

impl Timing {
    pub fn of(probe: &Node) -> Timing {
        let int = |k: &str, d: i64| probe.get(k).and_then(Node::as_i64).unwrap_or(d);
        Timing {
            initial_delay: int("initialDelaySeconds", 0),
            period: int("periodSeconds", 10),
            timeout: int("timeoutSeconds", 1),
            success: int("successThreshold", 1),
            failure: int("failureThreshold", 3),
        }
    }

    /// Seconds of consecutive failures before the probe acts.
    pub fn failure_window(&self) -> i64 {
        self.failure.saturating_mul(self.period)
    }
}

/// A port as a number when it can be resolved through the container's
/// named ports, else as written.
fn resolve_port(port: Option<&Node>, container: &Container) -> serde_json::Value {
    let Some(port) = port else {
        return serde_json::Value::Null;
    };
    if let Some(name) = port.as_str() {
        for p in container.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
            if p.get("name").and_then(Node::as_str) == Some(name)
                && let Some(n) = p.get("containerPort").and_then(Node::as_i64)
            {
                return n.into();
            }
        }
        if let Ok(n) = name.parse::<i64>() {
            return n.into();
        }
    }
    port.to_json()
}

/// The probe's handler in a canonical form (defaults filled in, named ports
/// resolved), so equal checks compare equal however they are written.
pub(crate) fn handler(probe: &Node, container: &Container) -> Option<serde_json::Value> {
    use serde_json::json;
    if let Some(h) = probe.get("httpGet") {
        let s = |k: &str, d: &str| h.get(k).and_then(Node::scalar_text).unwrap_or_else(|| d.to_string());
        return Some(json!({
            "httpGet": {
                "path": s("path", "/"),
                "port": resolve_port(h.get("port"), container),
                "host": s("host", ""),
                "scheme": s("scheme", "HTTP").to_ascii_uppercase(),
                "headers": h.get("httpHeaders").map(Node::to_json),
            }
        }));
    }
    if let Some(h) = probe.get("tcpSocket") {
        return Some(json!({"tcpSocket": {
            "port": resolve_port(h.get("port"), container),
            "host": h.get("host").and_then(Node::scalar_text).unwrap_or_default(),
        }}));
    }
    if let Some(h) = probe.get("exec") {
        return Some(json!({"exec": h.get("command").map(Node::to_json)}));
    }
    if let Some(h) = probe.get("grpc") {
        return Some(json!({"grpc": {
            "port": resolve_port(h.get("port"), container),
            "service": h.get("service").and_then(Node::scalar_text).unwrap_or_default(),
        }}));
    }
    None
}

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(ProbesIdentical),
        Box::new(LivenessWithoutReadiness),
        Box::new(ReadinessProbeMissing),
        Box::new(ProbePortUndeclared),
        Box::new(ProbeSuccessThresholdInvalid),
        Box::new(ProbeInvalid),
        Box::new(ProbeTimeoutExceedsPeriod),
        Box::new(ProbeExecShell),
    ]
}
