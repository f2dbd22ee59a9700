//! Int-or-percent values (`maxUnavailable: 1`, `minAvailable: "50%"`) and
//! which PodDisruptionBudgets cover which workloads.

use crate::model::{LabelSelector, Object, Workload};
use crate::rules::selectors::matching::selects;
use crate::yaml::{Node, Value};

/// An `IntOrString` field as Kubernetes reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum IntOrPercent {
    Int(i64),
    Percent(i64),
    /// A string that is not `<integer>%`, or another type.
    Invalid,
}

impl IntOrPercent {
    pub fn of(node: &Node) -> IntOrPercent {
        match &node.value {
            Value::Int(i) => IntOrPercent::Int(*i),
            Value::Float(f) if f.fract() == 0.0 => IntOrPercent::Int(*f as i64),
            Value::Str(s) => match s.strip_suffix('%').and_then(|n| n.parse::<i64>().ok()) {
                Some(p) => IntOrPercent::Percent(p),
                None => IntOrPercent::Invalid,
            },
            _ => IntOrPercent::Invalid,
        }
    }

    /// Literally zero (`0` or `0%`), as the API's validation checks it.
    pub fn is_zero(self) -> bool {
        matches!(self, IntOrPercent::Int(0) | IntOrPercent::Percent(0))
    }

    /// The value scaled to `total` pods, rounded up or down as the
    /// controllers do.
    pub fn scaled(self, total: i64, round_up: bool) -> Option<i64> {
        match self {
            IntOrPercent::Int(i) => Some(i),
            IntOrPercent::Percent(p) => {
                let num = p * total;
                Some(if round_up {
                    (num + 99).div_euclid(100)
                } else {
                    num.div_euclid(100)
                })
            }
            IntOrPercent::Invalid => None,
        }
    }
}

/// A PodDisruptionBudget's selector, with what an empty one means: policy/v1
/// selects every pod of the namespace, policy/v1beta1 none.
pub(crate) struct Budget<'a> {
    pub object: &'a Object<'a>,
    pub selector: Option<LabelSelector<'a>>,
    pub selects_all: bool,
}

impl<'a> Budget<'a> {
    pub fn of(object: &'a Object<'a>) -> Option<Budget<'a>> {
        if object.kind != "PodDisruptionBudget" {
            return None;
        }
        let node = object.get(&["spec", "selector"]).filter(|n| !n.is_null());
        let selector = node.map(LabelSelector::from_node);
        let empty = selector.as_ref().is_some_and(LabelSelector::is_empty);
        Some(Budget {
            object,
            selects_all: empty && object.api_version == "policy/v1",
            selector: selector.filter(|s| !s.is_empty()),
        })
    }

    /// Whether the budget covers the pods of this workload.
    pub fn covers(&self, w: &Workload) -> bool {
        if !self.object.same_namespace(w.object) {
            return false;
        }
        self.selects_all || self.selector.as_ref().is_some_and(|s| selects(s, w))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Span;

    fn n(v: Value) -> Node {
        Node::new(Span::default(), v)
    }

    #[test]
    fn int_or_percent() {
        assert_eq!(
            IntOrPercent::of(&n(Value::Str("25%".into()))),
            IntOrPercent::Percent(25)
        );
        assert_eq!(IntOrPercent::of(&n(Value::Int(0))), IntOrPercent::Int(0));
        assert_eq!(IntOrPercent::of(&n(Value::Str("1".into()))), IntOrPercent::Invalid);
        assert!(IntOrPercent::Percent(0).is_zero());
        assert_eq!(IntOrPercent::Percent(25).scaled(3, true), Some(1));
        assert_eq!(IntOrPercent::Percent(25).scaled(3, false), Some(0));
        assert_eq!(IntOrPercent::Percent(50).scaled(1, true), Some(1));
    }
}
