//! Declarative rules: a rule whose `rules/<id>.yaml` has a `template:`
//! section is checked by one of a few generic templates instead of Rust
//! code. Users write their own rules in the same format (files named in
//! the config) and get the same spans, docs and suppressions.
//!
//! ```yaml
//! template:
//!   check: container          # object | pod | container
//!   kinds: [Deployment]       # optional; pod/container default to every workload kind
//!   containers: [containers, initContainers]   # container checks; this is the default
//!   path: securityContext.privileged           # dotted; `[]` walks every list item
//!   pod-path: securityContext.runAsNonRoot     # container checks: pod-level default
//!   when: {equals: true}      # the condition that is reported
//!   message: "{container} runs privileged"
//! ```
//!
//! Conditions: `missing`, `present`, `equals`, `not-equals` (also when
//! missing), `one-of`, `not-one-of`, `matches`, `not-matches` (regex),
//! `below`, `above` (numbers or quantities), `contains`, `not-contains`
//! (lists; a list of candidates means any of them; strings compare
//! case-insensitively; `not-contains` is also reported when missing).
//! Message placeholders: `{container}`, `{kind}`, `{name}`, `{value}`,
//! `{path}`.

use regex::Regex;

use super::{Ctx, Rule};
use crate::model::{Container, ContainerKind, Object, Quantity, WORKLOAD_KINDS, Workload};
use crate::yaml::{Node, Span, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Object,
    Pod,
    Container,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Seg {
    Key(String),
    Each,
}

#[derive(Debug, Clone)]
pub enum Condition {
    Missing,
    Present,
    Equals(serde_json::Value),
    NotEquals(serde_json::Value),
    OneOf(Vec<serde_json::Value>),
    NotOneOf(Vec<serde_json::Value>),
    Matches(Regex),
    NotMatches(Regex),
    Below(Threshold),
    Above(Threshold),
    Contains(Vec<serde_json::Value>),
    NotContains(Vec<serde_json::Value>),
}

#[derive(Debug, Clone, Copy)]
pub enum Threshold {
    Number(f64),
    Quantity(Quantity),
}

/// A compiled template.
#[derive(Debug, Clone)]
pub struct Template {
    pub scope: Scope,
    pub kinds: Option<Vec<String>>,
    pub containers: Vec<ContainerKind>,
    pub path: Vec<Seg>,
    pub pod_path: Option<Vec<Seg>>,
    pub when: Condition,
    pub message: String,
    pub help: Option<String>,
}

/// A template error, at a byte offset of the rule file.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateError {
    pub offset: u32,
    pub message: String,
}

fn err(node: &Node, message: impl Into<String>) -> TemplateError {
    TemplateError {
        offset: node.span.start,
        message: message.into(),
    }
}

const KEYS: &[&str] = &[
    "check",
    "kinds",
    "containers",
    "path",
    "pod-path",
    "when",
    "message",
    "help",
];
const CONDITIONS: &[&str] = &[
    "missing",
    "present",
    "equals",
    "not-equals",
    "one-of",
    "not-one-of",
    "matches",
    "not-matches",
    "below",
    "above",
    "contains",
    "not-contains",
];

fn parse_path(node: &Node) -> Result<Vec<Seg>, TemplateError> {
    let s = node
        .as_str()
        .ok_or_else(|| err(node, "a path is a string like `securityContext.privileged`"))?;
    let mut segs = Vec::new();
    for part in s.split('.') {
        let (key, each) = match part.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (part, false),
        };
        if key.is_empty() {
            return Err(err(node, format!("empty segment in path `{s}`")));
        }
        segs.push(Seg::Key(key.to_string()));
        if each {
            segs.push(Seg::Each);
        }
    }
    Ok(segs)
}

fn list_of(node: &Node) -> Vec<serde_json::Value> {
    match node.as_seq() {
        Some(items) => items.iter().map(Node::to_json).collect(),
        None => vec![node.to_json()],
    }
}

fn threshold(node: &Node) -> Result<Threshold, TemplateError> {
    match &node.value {
        Value::Int(i) => Ok(Threshold::Number(*i as f64)),
        Value::Float(f) => Ok(Threshold::Number(*f)),
        Value::Str(s) => Quantity::parse(s)
            .map(Threshold::Quantity)
            .map_err(|e| err(node, format!("`{s}`: {e}"))),
        _ => Err(err(node, "expected a number or a quantity")),
    }
}

fn regex(node: &Node) -> Result<Regex, TemplateError> {
    let s = node
        .as_str()
        .ok_or_else(|| err(node, "expected a regular expression string"))?;
    Regex::new(s).map_err(|e| err(node, format!("invalid regular expression: {e}")))
}

fn condition(node: &Node) -> Result<Condition, TemplateError> {
    let entries = node
        .as_map()
        .ok_or_else(|| err(node, "`when` is a mapping with one condition, e.g. `{equals: true}`"))?;
    let [e] = entries else {
        return Err(err(node, "`when` takes exactly one condition"));
    };
    let v = &e.value;
    let flag = |v: &Node| match v.as_bool() {
        Some(true) => Ok(()),
        _ => Err(err(v, format!("`{}: true` is the only form", e.key))),
    };
    Ok(match &*e.key {
        "missing" => flag(v).map(|_| Condition::Missing)?,
        "present" => flag(v).map(|_| Condition::Present)?,
        "equals" => Condition::Equals(v.to_json()),
        "not-equals" => Condition::NotEquals(v.to_json()),
        "one-of" => Condition::OneOf(list_of(v)),
        "not-one-of" => Condition::NotOneOf(list_of(v)),
        "matches" => Condition::Matches(regex(v)?),
        "not-matches" => Condition::NotMatches(regex(v)?),
        "below" => Condition::Below(threshold(v)?),
        "above" => Condition::Above(threshold(v)?),
        "contains" => Condition::Contains(list_of(v)),
        "not-contains" => Condition::NotContains(list_of(v)),
        other => {
            return Err(TemplateError {
                offset: e.key_span.start,
                message: format!("unknown condition `{other}`; one of: {}", CONDITIONS.join(", ")),
            });
        }
    })
}

impl Template {
    /// Compiles the `template:` mapping of a rule file.
    pub fn compile(node: &Node) -> Result<Template, TemplateError> {
        let entries = node.as_map().ok_or_else(|| err(node, "`template` is a mapping"))?;
        for e in entries {
            if !KEYS.contains(&&*e.key) {
                return Err(TemplateError {
                    offset: e.key_span.start,
                    message: format!("unknown template key `{}`; one of: {}", e.key, KEYS.join(", ")),
                });
            }
        }
        let scope_node = node
            .get("check")
            .ok_or_else(|| err(node, "missing `check: object|pod|container`"))?;
        let scope = match scope_node.as_str() {
            Some("object") => Scope::Object,
            Some("pod") => Scope::Pod,
            Some("container") => Scope::Container,
            _ => return Err(err(scope_node, "`check` is one of object, pod, container")),
        };
        let kinds = match node.get("kinds") {
            None => None,
            Some(k) => Some(
                k.items()
                    .iter()
                    .map(|n| n.as_str().map(str::to_string).ok_or_else(|| err(n, "a kind name")))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        let containers = match node.get("containers") {
            None => vec![ContainerKind::Container, ContainerKind::Init],
            Some(list) => list
                .items()
                .iter()
                .map(|n| match n.as_str() {
                    Some("containers") => Ok(ContainerKind::Container),
                    Some("initContainers") => Ok(ContainerKind::Init),
                    Some("ephemeralContainers") => Ok(ContainerKind::Ephemeral),
                    _ => Err(err(n, "one of containers, initContainers, ephemeralContainers")),
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let path_node = node.get("path").ok_or_else(|| err(node, "missing `path`"))?;
        let path = parse_path(path_node)?;
        let pod_path = node.get("pod-path").map(parse_path).transpose()?;
        if pod_path.is_some() && scope != Scope::Container {
            return Err(err(node, "`pod-path` only applies to `check: container`"));
        }
        let when_node = node.get("when").ok_or_else(|| err(node, "missing `when`"))?;
        let when = condition(when_node)?;
        let message_node = node.get("message").ok_or_else(|| err(node, "missing `message`"))?;
        let message = message_node
            .as_str()
            .ok_or_else(|| err(message_node, "a string"))?
            .to_string();
        let help = node.get("help").and_then(Node::as_str).map(str::to_string);
        Ok(Template {
            scope,
            kinds,
            containers,
            path,
            pod_path,
            when,
            message,
            help,
        })
    }

    /// Whether the template checks `object`: a kind it lists, else every
    /// object (object scope) or every object with a pod template.
    fn applies_to(&self, object: &Object) -> bool {
        match &self.kinds {
            Some(k) => k.iter().any(|x| x == object.kind),
            None => {
                self.scope == Scope::Object || WORKLOAD_KINDS.contains(&object.kind) || Workload::of(object).is_some()
            }
        }
    }
}

/// What a path leads to: values, or where the first missing key would go.
enum Resolved<'a> {
    Found(&'a Node),
    Missing(Span),
}

fn resolve<'a>(base: &'a Node, path: &[Seg], anchor: Span, out: &mut Vec<Resolved<'a>>) {
    let Some((first, rest)) = path.split_first() else {
        out.push(if base.is_null() {
            Resolved::Missing(anchor)
        } else {
            Resolved::Found(base)
        });
        return;
    };
    match first {
        Seg::Key(k) => match base.entry(k) {
            Some(e) => resolve(&e.value, rest, e.key_span, out),
            None => out.push(Resolved::Missing(anchor)),
        },
        Seg::Each => {
            for item in base.items() {
                resolve(item, rest, item.span, out);
            }
        }
    }
}

fn json_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_str(), b.as_str()) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

fn loose_eq(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    match (a.as_str(), b.as_str()) {
        (Some(x), Some(y)) => x.eq_ignore_ascii_case(y),
        _ => json_eq(a, b),
    }
}

fn compare(node: &Node, t: &Threshold) -> Option<std::cmp::Ordering> {
    match t {
        Threshold::Number(n) => node.as_f64().and_then(|v| v.partial_cmp(n)),
        Threshold::Quantity(q) => Quantity::from_node(node).ok().map(|v| v.cmp(q)),
    }
}

impl Condition {
    /// Whether the condition (a violation) holds for a value or its absence.
    fn holds(&self, node: Option<&Node>) -> bool {
        let node = node.filter(|n| !n.is_null());
        let json = || node.map(Node::to_json);
        let text = || node.and_then(Node::scalar_text);
        match self {
            Condition::Missing => node.is_none(),
            Condition::Present => node.is_some(),
            Condition::Equals(v) => json().is_some_and(|j| json_eq(&j, v)),
            Condition::NotEquals(v) => !json().is_some_and(|j| json_eq(&j, v)),
            Condition::OneOf(vs) => json().is_some_and(|j| vs.iter().any(|v| json_eq(&j, v))),
            Condition::NotOneOf(vs) => json().is_some_and(|j| !vs.iter().any(|v| json_eq(&j, v))),
            Condition::Matches(r) => text().is_some_and(|t| r.is_match(&t)),
            Condition::NotMatches(r) => text().is_some_and(|t| !r.is_match(&t)),
            Condition::Below(t) => node.and_then(|n| compare(n, t)) == Some(std::cmp::Ordering::Less),
            Condition::Above(t) => node.and_then(|n| compare(n, t)) == Some(std::cmp::Ordering::Greater),
            Condition::Contains(vs) => {
                node.is_some_and(|n| n.items().iter().any(|i| vs.iter().any(|v| loose_eq(&i.to_json(), v))))
            }
            Condition::NotContains(vs) => {
                !node.is_some_and(|n| n.items().iter().any(|i| vs.iter().any(|v| loose_eq(&i.to_json(), v))))
            }
        }
    }
}

/// A rule checked by a template.
pub struct TemplateRule {
    pub id: String,
    pub template: std::sync::Arc<Template>,
}

impl TemplateRule {
    fn message(&self, object: &Object, container: Option<&Container>, value: Option<&Node>) -> String {
        let path: Vec<&str> = self
            .template
            .path
            .iter()
            .filter_map(|s| match s {
                Seg::Key(k) => Some(k.as_str()),
                Seg::Each => None,
            })
            .collect();
        let subject = match container {
            Some(c) => c.display(),
            None => format!("{} `{}`", object.kind, object.name.unwrap_or("")),
        };
        self.template
            .message
            .replace("{container}", &subject)
            .replace("{kind}", object.kind)
            .replace("{name}", object.name.unwrap_or(""))
            .replace("{value}", &value.and_then(Node::scalar_text).unwrap_or_default())
            .replace("{path}", &path.join("."))
    }

    fn report(&self, object: &Object, ctx: &mut Ctx, r: &Resolved, container: Option<&Container>) {
        let (span, value) = match r {
            Resolved::Found(n) => (n.span, Some(*n)),
            Resolved::Missing(anchor) => (*anchor, None),
        };
        if !self.template.when.holds(value) {
            return;
        }
        let msg = self.message(object, container, value);
        let d = ctx.report(object, span, msg);
        if let Some(h) = &self.template.help {
            d.help(h.clone());
        }
    }
}

impl Rule for TemplateRule {
    fn id(&self) -> &str {
        &self.id
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let t = &self.template;
        if !t.applies_to(object) {
            return;
        }
        let mut found = Vec::new();
        match t.scope {
            Scope::Object => {
                resolve(object.root, &t.path, object.kind_span(), &mut found);
                for r in &found {
                    self.report(object, ctx, r, None);
                }
            }
            Scope::Pod => {
                let Some(w) = Workload::of(object) else { return };
                let anchor = object.kind_span();
                resolve(w.pod_spec, &t.path, anchor, &mut found);
                for r in &found {
                    self.report(object, ctx, r, None);
                }
            }
            Scope::Container => {
                let Some(w) = Workload::of(object) else { return };
                for kind in &t.containers {
                    for c in w.containers_of(*kind) {
                        found.clear();
                        resolve(c.node, &t.path, c.name_span(), &mut found);
                        if let (Some(pod_path), [Resolved::Missing(_)]) = (&t.pod_path, found.as_slice()) {
                            // The container does not say: the pod-level value applies.
                            let mut pod = Vec::new();
                            resolve(w.pod_spec, pod_path, Span::default(), &mut pod);
                            if let [Resolved::Found(n)] = pod.as_slice() {
                                found = vec![Resolved::Found(n)];
                            }
                        }
                        for r in &found {
                            self.report(object, ctx, r, Some(&c));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn compile(text: &str) -> Result<Template, TemplateError> {
        let st = parse_yaml(text, Limits::default());
        let root = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        Template::compile(&root)
    }

    #[test]
    fn compile_errors_are_located() {
        let e = compile("check: container\npath: a.b\nwhen: {equal: true}\nmessage: m\n").err();
        assert_eq!(e.as_ref().map(|e| e.offset), Some(34), "{e:?}");
        let e = compile("check: container\npath: a\nwhen: {matches: '('}\nmessage: m\n").err();
        assert!(e.is_some_and(|e| e.message.contains("regular expression")));
        let e = compile("check: nodes\npath: a\nwhen: {present: true}\nmessage: m\n").err();
        assert!(e.is_some_and(|e| e.offset == 7));
        let e = compile("check: pod\npath: a\nwhen: {present: true}\nmessage: m\ncolour: red\n").err();
        assert!(e.is_some_and(|e| e.message.contains("colour")));
    }

    #[test]
    fn conditions() {
        let n = |v: Value| Node::new(Span::default(), v);
        assert!(Condition::NotEquals(true.into()).holds(None));
        assert!(!Condition::NotEquals(true.into()).holds(Some(&n(Value::Bool(true)))));
        assert!(Condition::Equals(0.into()).holds(Some(&n(Value::Int(0)))));
        let q = Quantity::parse("10m")
            .map(Threshold::Quantity)
            .unwrap_or(Threshold::Number(0.01));
        assert!(Condition::Below(q).holds(Some(&n(Value::Str("5m".into())))));
        let caps = n(Value::Seq(vec![n(Value::Str("sys_admin".into()))]));
        assert!(Condition::Contains(vec!["SYS_ADMIN".into()]).holds(Some(&caps)));
        assert!(Condition::NotContains(vec!["ALL".into()]).holds(Some(&caps)));
        assert!(Condition::NotContains(vec!["ALL".into()]).holds(None));
    }
}
