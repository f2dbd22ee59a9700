//! HorizontalPodAutoscalers: what they scale and within which bounds, and
//! how many replicas a workload runs once an autoscaler is counted.

use crate::model::{Catalog, Object, Workload};
use crate::rules::selectors::matching::nearby;
use crate::source::SourceFile;
use crate::yaml::{Node, Span};

/// One HorizontalPodAutoscaler (any apiVersion).
#[derive(Clone, Copy)]
pub(crate) struct Hpa<'a> {
    pub object: &'a Object<'a>,
    pub target_kind: &'a str,
    pub target_name: &'a str,
    /// The `scaleTargetRef.name` value.
    pub target_span: Span,
    pub min: Option<&'a Node>,
    pub max: Option<&'a Node>,
}

impl<'a> Hpa<'a> {
    pub fn of(object: &'a Object<'a>) -> Option<Hpa<'a>> {
        if object.kind != "HorizontalPodAutoscaler" {
            return None;
        }
        let target = object.get(&["spec", "scaleTargetRef"])?;
        let name_node = target.get("name")?;
        Some(Hpa {
            object,
            target_kind: target.get("kind").and_then(Node::as_str)?,
            target_name: name_node.as_str()?,
            target_span: name_node.span,
            min: object.get(&["spec", "minReplicas"]),
            max: object.get(&["spec", "maxReplicas"]),
        })
    }

    /// `minReplicas` as the API defaults it (1).
    pub fn min_replicas(&self) -> i64 {
        self.min.and_then(Node::as_i64).unwrap_or(1)
    }

    pub fn max_replicas(&self) -> Option<i64> {
        self.max.and_then(Node::as_i64)
    }

    /// Whether this autoscaler scales `object`.
    pub fn targets(&self, object: &Object) -> bool {
        self.target_kind == object.kind && Some(self.target_name) == object.name && self.object.same_namespace(object)
    }

    /// Where to point at the lower bound: `minReplicas`, else the target name.
    pub fn min_span(&self) -> Span {
        self.min.map_or(self.target_span, |n| n.span)
    }
}

/// The autoscalers of a run.
pub(crate) struct Autoscalers<'s> {
    pub all: Vec<Hpa<'s>>,
    sources: &'s [SourceFile],
}

impl<'s> Autoscalers<'s> {
    pub fn new(catalog: &'s Catalog<'_>, sources: &'s [SourceFile]) -> Self {
        Autoscalers {
            all: catalog.of_kind("HorizontalPodAutoscaler").filter_map(Hpa::of).collect(),
            sources,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }

    /// The autoscaler of the run that scales `object`: its kind and name,
    /// in its namespace; when either leaves the namespace open, only one
    /// from the same folder tree counts (see `nearby`).
    pub fn of(&self, object: &Object) -> Option<&Hpa<'s>> {
        self.all
            .iter()
            .find(|h| h.targets(object) && nearby(self.sources, object, h.object))
    }

    /// The replica floor of a workload: an autoscaler targeting it wins
    /// over `spec.replicas` (it rescales whatever the manifest says).
    /// `None` for kinds that do not keep replicas, and for a
    /// `spec.replicas` that is not a number.
    pub fn replication(&self, w: &Workload<'s>) -> Option<Replication<'s>> {
        let n = w.replicas()?;
        if let Some(h) = self.of(w.object) {
            return Some(Replication::Autoscaler(*h, h.min_replicas()));
        }
        match w.replicas_node() {
            Some(node) => node.as_i64().map(|_| Replication::Spec(node, n)),
            None => Some(Replication::Default),
        }
    }
}

/// How many replicas a replicated workload keeps at least, and who says so.
#[derive(Clone, Copy)]
pub(crate) enum Replication<'a> {
    /// `spec.replicas`.
    Spec(&'a Node, i64),
    /// An autoscaler's `minReplicas` (or its default, 1).
    Autoscaler(Hpa<'a>, i64),
    /// Neither: Kubernetes defaults `spec.replicas` to 1.
    Default,
}

impl Replication<'_> {
    pub fn count(&self) -> i64 {
        match self {
            Replication::Spec(_, n) | Replication::Autoscaler(_, n) => *n,
            Replication::Default => 1,
        }
    }
}
