//! The pod QoS class, computed as the kubelet does (`GetPodQOS`).

use super::quantity::Quantity;
use super::workload::{Container, ContainerKind, Workload};
use crate::yaml::{Node, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QosClass {
    Guaranteed,
    Burstable,
    BestEffort,
}

impl QosClass {
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::Guaranteed => "Guaranteed",
            QosClass::Burstable => "Burstable",
            QosClass::BestEffort => "BestEffort",
        }
    }
}

/// The class and, when not Guaranteed, what breaks it (span, reason).
#[derive(Debug, Clone)]
pub struct Qos {
    pub class: QosClass,
    pub reasons: Vec<(Span, String)>,
}

const QOS_RESOURCES: [&str; 2] = ["cpu", "memory"];

fn positive(node: Option<&Node>) -> Option<(&Node, Quantity)> {
    let node = node?;
    let q = Quantity::from_node(node).ok()?;
    (q > Quantity::ZERO).then_some((node, q))
}

fn noun(r: &str) -> &str {
    if r == "cpu" { "CPU" } else { r }
}

/// Requests and limits of one resources block, requests defaulted to limits.
struct Block<'a> {
    requests: [Option<(&'a Node, Quantity)>; 2],
    limits: [Option<(&'a Node, Quantity)>; 2],
}

fn block(resources: Option<&Node>) -> Block<'_> {
    let get = |section: &str, r: &str| positive(resources.and_then(|n| n.path(&[section, r])));
    let limits = QOS_RESOURCES.map(|r| get("limits", r));
    let mut requests = QOS_RESOURCES.map(|r| get("requests", r));
    for i in 0..2 {
        let explicit = resources
            .and_then(|n| n.path(&["requests", QOS_RESOURCES[i]]))
            .is_some();
        if !explicit {
            requests[i] = limits[i];
        }
    }
    Block { requests, limits }
}

/// Computes the QoS class of a workload's pods.
pub fn pod_qos(w: &Workload) -> Qos {
    if let Some(pod_res) = w
        .pod_spec
        .get("resources")
        .filter(|r| r.get("requests").is_some() || r.get("limits").is_some())
    {
        return pod_level(pod_res);
    }
    let containers: Vec<Container> = w
        .containers_of(ContainerKind::Container)
        .chain(w.containers_of(ContainerKind::Init))
        .collect();
    let mut sum_req: [Option<Quantity>; 2] = [None, None];
    let mut sum_lim: [Option<Quantity>; 2] = [None, None];
    let mut guaranteed = true;
    let mut reasons = Vec::new();
    for c in &containers {
        let b = block(c.get(&["resources"]));
        for i in 0..2 {
            if let Some((_, q)) = b.requests[i] {
                sum_req[i] = Some(add(sum_req[i], q));
            }
            if let Some((_, q)) = b.limits[i] {
                sum_lim[i] = Some(add(sum_lim[i], q));
            }
            match (b.requests[i], b.limits[i]) {
                (_, None) => {
                    guaranteed = false;
                    reasons.push((
                        c.anchor_span(&["resources", "limits"]),
                        format!("{} has no {} limit", c.display(), noun(QOS_RESOURCES[i])),
                    ));
                }
                (Some((rn, rq)), Some((ln, lq))) if rq != lq => reasons.push((
                    rn.span,
                    format!(
                        "{} requests {} {} but its limit is {}",
                        c.display(),
                        rn.scalar_text().unwrap_or_default(),
                        noun(QOS_RESOURCES[i]),
                        ln.scalar_text().unwrap_or_default()
                    ),
                )),
                _ => {}
            }
        }
    }
    if sum_req.iter().all(Option::is_none) && sum_lim.iter().all(Option::is_none) {
        let span = containers
            .first()
            .map_or(w.object.kind_span(), |c| c.anchor_span(&["resources"]));
        return Qos {
            class: QosClass::BestEffort,
            reasons: vec![(span, "no container sets CPU or memory requests or limits".into())],
        };
    }
    let sums_equal = (0..2).all(|i| match (sum_req[i], sum_lim[i]) {
        (Some(r), Some(l)) => r == l,
        (None, None) => true,
        (None, Some(_)) => true,
        (Some(_), None) => false,
    }) && sum_req.iter().filter(|x| x.is_some()).count()
        == sum_lim.iter().filter(|x| x.is_some()).count();
    if guaranteed && sums_equal {
        return Qos {
            class: QosClass::Guaranteed,
            reasons: Vec::new(),
        };
    }
    Qos {
        class: QosClass::Burstable,
        reasons,
    }
}

fn pod_level(res: &Node) -> Qos {
    let b = block(Some(res));
    if b.requests.iter().all(Option::is_none) && b.limits.iter().all(Option::is_none) {
        return Qos {
            class: QosClass::BestEffort,
            reasons: vec![(res.span, "the pod-level resources set no CPU or memory".into())],
        };
    }
    let mut reasons = Vec::new();
    for (i, name) in QOS_RESOURCES.iter().enumerate() {
        match (b.requests[i], b.limits[i]) {
            (_, None) => reasons.push((
                res.span,
                format!("the pod-level resources have no {} limit", noun(name)),
            )),
            (Some((rn, rq)), Some((_, lq))) if rq != lq => reasons.push((
                rn.span,
                format!("the pod-level {} request differs from its limit", noun(name)),
            )),
            _ => {}
        }
    }
    Qos {
        class: if reasons.is_empty() {
            QosClass::Guaranteed
        } else {
            QosClass::Burstable
        },
        reasons,
    }
}

fn add(a: Option<Quantity>, b: Quantity) -> Quantity {
    match a {
        None => b,
        Some(a) => a.checked_add(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Object;
    use crate::yaml::{Limits, parse_yaml};

    fn qos(containers: &str) -> Qos {
        let text = format!("apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n{containers}");
        let st = parse_yaml(&text, Limits::default());
        let root = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        let obj = Object::new(0, 0, 0, None, &root);
        let w = Workload::of(&obj).unwrap_or_else(|| panic!("workload"));
        pod_qos(&w)
    }

    #[test]
    fn best_effort() {
        assert_eq!(qos("  - name: a\n").class, QosClass::BestEffort);
        assert_eq!(
            qos("  - name: a\n    resources: {requests: {cpu: '0'}}\n").class,
            QosClass::BestEffort
        );
    }

    #[test]
    fn guaranteed_with_limits_only() {
        // Requests default to limits.
        let q = qos("  - name: a\n    resources: {limits: {cpu: 1, memory: 1Gi}}\n");
        assert_eq!(q.class, QosClass::Guaranteed);
        let q = qos(
            "  - name: a\n    resources: {limits: {cpu: 500m, memory: 1Gi}, requests: {cpu: '0.5', memory: 1024Mi}}\n",
        );
        assert_eq!(q.class, QosClass::Guaranteed);
    }

    #[test]
    fn burstable_names_the_culprits() {
        let q = qos(
            "  - name: a\n    resources: {limits: {cpu: 1, memory: 1Gi}}\n  - name: b\n    resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}\n",
        );
        assert_eq!(q.class, QosClass::Burstable);
        let msgs: Vec<&str> = q.reasons.iter().map(|r| r.1.as_str()).collect();
        assert!(
            msgs.contains(&"container `b` requests 100m CPU but its limit is 200m"),
            "{msgs:?}"
        );
        assert!(msgs.contains(&"container `b` has no memory limit"), "{msgs:?}");
    }

    #[test]
    fn init_containers_count() {
        let q = qos("  - name: a\n    resources: {limits: {cpu: 1, memory: 1Gi}}\n  initContainers:\n  - name: i\n");
        assert_eq!(q.class, QosClass::Burstable);
    }
}
