//! Label selectors: set-based (`matchLabels` + `matchExpressions`) and the
//! older equality maps (ReplicationController, Service, 1.1-era Deployments).

use crate::yaml::{Node, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    pub fn parse(s: &str) -> Option<Operator> {
        match s {
            "In" => Some(Operator::In),
            "NotIn" => Some(Operator::NotIn),
            "Exists" => Some(Operator::Exists),
            "DoesNotExist" => Some(Operator::DoesNotExist),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Requirement<'a> {
    pub key: &'a str,
    pub op: Operator,
    pub values: Vec<String>,
    pub span: Span,
}

/// A selector read from a manifest. Malformed parts (unknown operator,
/// non-string keys) are kept in `problems` and never match.
#[derive(Debug, Clone)]
pub struct LabelSelector<'a> {
    pub node: &'a Node,
    pub match_labels: Vec<(&'a str, String, Span)>,
    pub expressions: Vec<Requirement<'a>>,
    pub problems: Vec<(Span, String)>,
}

/// Labels as a string map (values converted as Kubernetes would see them).
pub fn label_value(labels: Option<&Node>, key: &str) -> Option<String> {
    labels?.get(key).and_then(Node::scalar_text)
}

impl<'a> LabelSelector<'a> {
    /// Reads `spec.selector` of a set-based kind. A mapping without
    /// `matchLabels`/`matchExpressions` is read as an equality map, as
    /// extensions/v1beta1 objects written for Kubernetes 1.1 used it.
    pub fn from_node(node: &'a Node) -> Self {
        let set_based = node.get("matchLabels").is_some() || node.get("matchExpressions").is_some();
        if !set_based
            && node
                .entries()
                .iter()
                .all(|e| !e.value.is_map() && e.value.as_seq().is_none())
        {
            return Self::equality(node);
        }
        let mut sel = LabelSelector {
            node,
            match_labels: Vec::new(),
            expressions: Vec::new(),
            problems: Vec::new(),
        };
        if let Some(ml) = node.get("matchLabels") {
            sel.read_map(ml);
        }
        for expr in node.get("matchExpressions").map(Node::items).unwrap_or(&[]) {
            let key = expr.get("key").and_then(Node::as_str);
            let op_node = expr.get("operator");
            let op = op_node.and_then(Node::as_str).and_then(Operator::parse);
            let values: Vec<String> = expr
                .get("values")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .filter_map(Node::scalar_text)
                .collect();
            match (key, op) {
                (Some(key), Some(op)) => sel.expressions.push(Requirement {
                    key,
                    op,
                    values,
                    span: expr.span,
                }),
                (None, _) => sel
                    .problems
                    .push((expr.span, "a match expression needs a string `key`".into())),
                (_, None) => sel.problems.push((
                    op_node.map_or(expr.span, |n| n.span),
                    "the operator must be one of In, NotIn, Exists, DoesNotExist".into(),
                )),
            }
        }
        sel
    }

    /// Reads an equality map (`{app: web, tier: front}`).
    pub fn equality(node: &'a Node) -> Self {
        let mut sel = LabelSelector {
            node,
            match_labels: Vec::new(),
            expressions: Vec::new(),
            problems: Vec::new(),
        };
        sel.read_map(node);
        sel
    }

    fn read_map(&mut self, map: &'a Node) {
        for e in map.entries() {
            match e.value.scalar_text() {
                Some(v) => self.match_labels.push((&e.key, v, e.key_span)),
                None => self
                    .problems
                    .push((e.value.span, "a label value must be a string".into())),
            }
        }
    }

    /// Selects nothing-or-everything: no labels and no expressions.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.expressions.is_empty() && self.problems.is_empty()
    }

    /// Whether the selector matches a set of labels (a mapping node, or
    /// `None` for no labels). An empty selector matches everything.
    /// (Allocation-free: cross-object rules call this for every pair.)
    pub fn matches(&self, labels: Option<&Node>) -> bool {
        if !self.problems.is_empty() {
            return false;
        }
        let value = |key: &str| labels.and_then(|l| l.get(key));
        let same = |n: &Node, v: &str| match &n.value {
            crate::yaml::Value::Str(s) => &**s == v,
            _ => n.scalar_text().is_some_and(|t| t == v),
        };
        self.match_labels
            .iter()
            .all(|(k, v, _)| value(k).is_some_and(|n| same(n, v)))
            && self.expressions.iter().all(|r| {
                let actual = value(r.key).filter(|n| !n.is_null());
                let in_values = || actual.is_some_and(|n| r.values.iter().any(|v| same(n, v)));
                match r.op {
                    Operator::In => in_values(),
                    Operator::NotIn => !in_values(),
                    Operator::Exists => actual.is_some(),
                    Operator::DoesNotExist => actual.is_none(),
                }
            })
    }

    /// The first part of the selector that the labels fail, with its span
    /// and why, or `None` when it matches.
    pub fn unmatched(&self, labels: Option<&Node>) -> Option<(Span, String)> {
        if let Some(p) = self.problems.first() {
            return Some(p.clone());
        }
        for (k, v, span) in &self.match_labels {
            match label_value(labels, k) {
                Some(actual) if actual == *v => {}
                Some(actual) => {
                    return Some((*span, format!("`{k}: {v}` does not match the label value `{actual}`")));
                }
                None => return Some((*span, format!("`{k}: {v}` requires a label `{k}` the pods do not have"))),
            }
        }
        for r in &self.expressions {
            let actual = label_value(labels, r.key);
            let ok = match r.op {
                Operator::In => actual.as_ref().is_some_and(|a| r.values.contains(a)),
                Operator::NotIn => actual.as_ref().is_none_or(|a| !r.values.contains(a)),
                Operator::Exists => actual.is_some(),
                Operator::DoesNotExist => actual.is_none(),
            };
            if !ok {
                let why = match (r.op, &actual) {
                    (Operator::In, Some(a)) => format!("label `{}` is `{a}`, not one of {:?}", r.key, r.values),
                    (Operator::In | Operator::Exists, None) => {
                        format!("requires a label `{}` the pods do not have", r.key)
                    }
                    (Operator::NotIn, Some(a)) => format!("label `{}` is `{a}`, which the selector excludes", r.key),
                    _ => format!("requires that label `{}` is absent", r.key),
                };
                return Some((r.span, why));
            }
        }
        None
    }

    /// `app=web,tier in (a,b)` for messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v, _)| format!("{k}={v}")).collect();
        for r in &self.expressions {
            parts.push(match r.op {
                Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Operator::Exists => r.key.to_string(),
                Operator::DoesNotExist => format!("!{}", r.key),
            });
        }
        parts.join(",")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn node(text: &str) -> Node {
        parse_yaml(text, Limits::default()).documents[0]
            .root
            .clone()
            .unwrap_or_else(|| Node::null(0))
    }

    #[test]
    fn match_labels_and_expressions() {
        let sel = node(
            "matchLabels: {app: web}\nmatchExpressions:\n- {key: tier, operator: In, values: [front, back]}\n- {key: canary, operator: DoesNotExist}\n- {key: env, operator: NotIn, values: [dev]}\n- {key: app, operator: Exists}\n",
        );
        let s = LabelSelector::from_node(&sel);
        assert!(s.matches(Some(&node("app: web\ntier: front\nenv: prod\n"))));
        assert!(s.matches(Some(&node("app: web\ntier: back\n"))));
        assert!(!s.matches(Some(&node("app: web\ntier: side\n"))));
        assert!(!s.matches(Some(&node("app: web\ntier: front\ncanary: 'true'\n"))));
        assert!(!s.matches(Some(&node("app: web\ntier: front\nenv: dev\n"))));
        assert!(!s.matches(None));
        assert_eq!(s.describe(), "app=web,tier in (front,back),!canary,env notin (dev),app");
    }

    #[test]
    fn equality_maps_and_empty() {
        let s_node = node("app: web\nversion: 2\n");
        let s = LabelSelector::from_node(&s_node);
        assert_eq!(s.match_labels.len(), 2);
        // Label values are compared as strings: `2` matches "2".
        assert!(s.matches(Some(&node("app: web\nversion: '2'\n"))));
        let empty = node("{}");
        assert!(LabelSelector::from_node(&empty).matches(None));
    }

    #[test]
    fn bad_operator_never_matches() {
        let sel = node("matchExpressions:\n- {key: a, operator: Equals, values: [x]}\n");
        let s = LabelSelector::from_node(&sel);
        assert!(!s.matches(Some(&node("a: x\n"))));
        assert_eq!(s.problems.len(), 1);
    }
}
