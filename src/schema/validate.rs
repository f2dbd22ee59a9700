//! Validation of a spanned tree against a version's schema: one walk per
//! object, every problem at the exact key or value.

use super::{Type, TypeId, VersionSchema};
use crate::config::edit_distance_within;
use crate::yaml::{Entry, Node, ScalarStyle, Span, Value};

/// What is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum ProblemKind {
    /// A key the type does not have; `suggestion` is a close field name.
    UnknownField {
        name: String,
        suggestion: Option<&'static str>,
    },
    /// The value has the wrong JSON type.
    InvalidType {
        expected: String,
        found: &'static str,
        hint: Option<String>,
        /// Text that fixes the value when the intent is clear (`yes` →
        /// `"yes"` where a string is expected, `"3"` → `3` for a number).
        replacement: Option<String>,
    },
    /// A required field is absent (or null).
    MissingRequired { field: &'static str },
    /// The value has the right type but is not allowed (enum, base64).
    /// `replacement` is the text to write instead when the intent is
    /// clear (an enum value in the wrong case).
    InvalidValue {
        message: String,
        replacement: Option<String>,
    },
    /// The field is marked deprecated by the API.
    Deprecated { note: &'static str },
}

/// A problem at a place in an object.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Where to point: the key for unknown or deprecated fields, the value
    /// for types and values, the parent key for missing fields.
    pub span: Span,
    /// Dotted path of the field (`spec.template.spec.containers[0].image`).
    pub path: String,
}

/// What a value was expected to be, for hints and fixes about YAML's
/// traps (shared by the API and CRD validators).
#[derive(Debug, Clone, Copy, Default)]
pub struct Expect {
    pub string: bool,
    pub integer: bool,
    pub number: bool,
    pub boolean: bool,
    /// An object or an array.
    pub structure: bool,
}

impl Expect {
    fn of(ty: &Type) -> Expect {
        let mut e = Expect::default();
        match ty {
            Type::String { .. } => e.string = true,
            Type::IntOrString => {
                e.string = true;
                e.integer = true;
            }
            Type::Quantity => {
                e.string = true;
                e.number = true;
            }
            Type::Integer => e.integer = true,
            Type::Number => e.number = true,
            Type::Boolean => e.boolean = true,
            Type::Object(_) | Type::Array(_) | Type::Map(_) => e.structure = true,
            Type::Any => {}
        }
        e
    }
}

fn plain(node: &Node) -> bool {
    matches!(node.style, ScalarStyle::Plain | ScalarStyle::Json)
}

/// Why a value has a surprising type, for YAML's usual traps.
pub fn type_hint(node: &Node, written: &str, e: Expect) -> Option<String> {
    match &node.value {
        Value::Bool(_) if e.string && node.style == ScalarStyle::Plain => {
            Some(format!("YAML reads `{written}` as a boolean; quote it: \"{written}\""))
        }
        Value::Int(_) | Value::Float(_) if e.string && !e.integer && !e.number && node.style == ScalarStyle::Plain => {
            let read = node.scalar_text().unwrap_or_default();
            if read != written {
                Some(format!(
                    "YAML reads `{written}` as the number {read}; quote it: \"{written}\""
                ))
            } else {
                Some(format!("quote it: \"{written}\""))
            }
        }
        // Written as a plain number but a string after a Kustomize render:
        // a strategic merge patch's plain scalar keeps the quotes of the
        // base value it replaces.
        Value::Str(s)
            if (e.integer || e.number) && !e.string && s.trim().parse::<f64>().is_ok() && written.trim() == s.trim() =>
        {
            Some("the value it replaces in the base is quoted, and kustomize keeps those quotes: remove them in the base".into())
        }
        Value::Str(s) if (e.integer || e.number) && !e.string && s.trim().parse::<f64>().is_ok() => {
            Some("a quoted number is a string: remove the quotes".into())
        }
        Value::Str(s) if e.boolean && !e.string && matches!(s.as_ref(), "true" | "false") => {
            Some("a quoted boolean is a string: remove the quotes".into())
        }
        Value::Float(f) if e.integer && f.fract() == 0.0 => Some(format!("write it as an integer: {}", *f as i64)),
        Value::Map(_) | Value::Seq(_) if e.string && !e.structure => {
            Some("is the indentation right? a nested block here makes it a structure, not a text".into())
        }
        _ => None,
    }
}

/// The value rewritten to the expected type, when the intent is clear
/// (`yes` → `"yes"` where text is expected, `"3"` → `3` for a number).
pub fn type_fix(node: &Node, written: &str, e: Expect) -> Option<String> {
    match &node.value {
        Value::Bool(_) | Value::Int(_) | Value::Float(_) if e.string && plain(node) => Some(format!("{written:?}")),
        Value::Str(s) if e.integer && !e.string && s.trim().parse::<i64>().is_ok() => Some(s.trim().to_string()),
        Value::Str(s) if e.number && !e.string && s.trim().parse::<f64>().is_ok_and(f64::is_finite) => {
            Some(s.trim().to_string())
        }
        Value::Str(s) if e.boolean && !e.string && matches!(s.as_ref(), "true" | "false") => Some(s.to_string()),
        Value::Float(f) if e.integer && f.fract() == 0.0 && f.abs() < 9.0e15 => Some(format!("{}", *f as i64)),
        _ => None,
    }
}

/// A step from an object's root: a mapping key or a sequence index.
pub(super) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// A problem at `span` on the value at `path` (and `extra`, a missing
/// field's name): both schema walkers report through it.
pub(super) fn problem(path: &[Seg], kind: ProblemKind, span: Span, extra: Option<&str>) -> Problem {
    Problem {
        kind,
        span,
        path: path_string(path, extra),
    }
}

/// An entry whose key the schema does not know, with the closest name it
/// does know (both schema walkers report through it).
pub(super) fn unknown_field(path: &[Seg], e: &Entry, suggestion: Option<&'static str>) -> Problem {
    let kind = ProblemKind::UnknownField {
        name: e.key.to_string(),
        suggestion,
    };
    problem(path, kind, e.key_span, Some(&e.key))
}

/// A path as findings show it: `spec.containers[0].image`, with `extra`
/// (a missing field's name) appended.
pub(super) fn path_string(path: &[Seg], extra: Option<&str>) -> String {
    let mut s = String::new();
    let keys = path.iter().map(|seg| match seg {
        Seg::Key(k) => Ok(*k),
        Seg::Index(i) => Err(*i),
    });
    for step in keys.chain(extra.map(Ok)) {
        match step {
            Ok(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Err(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

struct Walker<'a, 's> {
    schema: &'s VersionSchema,
    source: &'a str,
    path: Vec<Seg<'a>>,
    out: &'a mut Vec<Problem>,
}

fn found(node: &Node) -> &'static str {
    node.type_name()
}

impl<'a> Walker<'a, '_> {
    fn push(&mut self, kind: ProblemKind, span: Span, extra: Option<&str>) {
        self.out.push(problem(&self.path, kind, span, extra));
    }

    fn text(&self, node: &Node) -> &'a str {
        self.source
            .get(node.span.start as usize..node.span.end as usize)
            .unwrap_or("")
    }

    fn type_error(&mut self, node: &Node, ty: &Type, id: TypeId) {
        let expected = self.schema.describe(id);
        let expect = Expect::of(ty);
        let written = self.text(node);
        let hint = type_hint(node, written, expect);
        let replacement = type_fix(node, written, expect);
        self.push(
            ProblemKind::InvalidType {
                expected,
                found: found(node),
                hint,
                replacement,
            },
            node.span,
            None,
        );
    }

    /// Validates `node` against type `id`. `anchor` is the key the value
    /// belongs to (where a missing field is reported).
    fn walk(&mut self, node: &'a Node, id: TypeId, anchor: Span) {
        if node.is_null() {
            // `key:` or `key: null` is the same as leaving the key out.
            return;
        }
        let ty = self.schema.ty(id);
        match ty {
            Type::Any => {}
            Type::Object(o) => {
                let Value::Map(entries) = &node.value else {
                    return self.type_error(node, ty, id);
                };
                let root = self.path.is_empty();
                for e in entries {
                    // The server sets `status`; a strategic-merge directive
                    // (`$patch: delete`) is not a field.
                    if (root && &*e.key == "status") || e.key.starts_with('$') {
                        continue;
                    }
                    match o.field(&e.key) {
                        Some(f) => {
                            if let Some(note) = f.deprecated {
                                self.path.push(Seg::Key(&e.key));
                                self.push(ProblemKind::Deprecated { note }, e.key_span, None);
                                self.path.pop();
                            }
                            self.path.push(Seg::Key(&e.key));
                            self.walk(&e.value, f.ty, e.key_span);
                            self.path.pop();
                        }
                        None => {
                            let suggestion = suggest(&e.key, o.fields().iter().map(|f| f.name));
                            self.out.push(unknown_field(&self.path, e, suggestion));
                        }
                    }
                }
                for f in o.required() {
                    if root && f.name == "status" {
                        continue;
                    }
                    let present = entries.iter().any(|e| &*e.key == f.name && !e.value.is_null());
                    if !present {
                        self.push(ProblemKind::MissingRequired { field: f.name }, anchor, Some(f.name));
                    }
                }
            }
            Type::Array(item) => {
                let Value::Seq(items) = &node.value else {
                    return self.type_error(node, ty, id);
                };
                for (i, it) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.walk(it, *item, it.span);
                    self.path.pop();
                }
            }
            Type::Map(value) => {
                let Value::Map(entries) = &node.value else {
                    return self.type_error(node, ty, id);
                };
                for e in entries {
                    self.path.push(Seg::Key(&e.key));
                    self.walk(&e.value, *value, e.key_span);
                    self.path.pop();
                }
            }
            Type::String { enums, format } => {
                let Value::Str(s) = &node.value else {
                    return self.type_error(node, ty, id);
                };
                if let Some(allowed) = enums
                    && !allowed.iter().any(|a| a == &s.as_ref())
                {
                    let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                    let kind = enum_mismatch(node, s, &list, allowed.iter().copied(), self.source);
                    self.push(kind, node.span, None);
                }
                if *format == Some("byte") && !is_base64(s) {
                    self.push(
                        ProblemKind::InvalidValue {
                            message: "the value is not valid base64".into(),
                            replacement: None,
                        },
                        node.span,
                        None,
                    );
                }
            }
            Type::Integer => {
                if !matches!(node.value, Value::Int(_)) {
                    self.type_error(node, ty, id);
                }
            }
            Type::Number => {
                if !matches!(node.value, Value::Int(_) | Value::Float(_)) {
                    self.type_error(node, ty, id);
                }
            }
            Type::Boolean => {
                if !matches!(node.value, Value::Bool(_)) {
                    self.type_error(node, ty, id);
                }
            }
            Type::IntOrString => {
                if !matches!(node.value, Value::Int(_) | Value::Str(_)) {
                    self.type_error(node, ty, id);
                }
            }
            // The quantity's format is `quantity-invalid`'s to report.
            Type::Quantity => {
                if !matches!(node.value, Value::Int(_) | Value::Float(_) | Value::Str(_)) {
                    self.type_error(node, ty, id);
                }
            }
        }
    }
}

/// Whether `s` is standard base64 with padding, as Go decodes `[]byte`
/// fields (line breaks are skipped, as Go's decoder skips them).
fn is_base64(s: &str) -> bool {
    let b: Vec<u8> = s.bytes().filter(|c| *c != b'\n' && *c != b'\r').collect();
    let b = b.as_slice();
    if !b.len().is_multiple_of(4) {
        return false;
    }
    let pad = b.iter().rev().take_while(|c| **c == b'=').count();
    pad <= 2
        && b[..b.len() - pad]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'+' || *c == b'/')
}

/// A close name for a misspelt one: same letters in another case first,
/// then the nearest by edit distance.
pub fn suggest<'n>(name: &str, candidates: impl Iterator<Item = &'n str> + Clone) -> Option<&'n str> {
    if let Some(c) = candidates.clone().find(|c| c.eq_ignore_ascii_case(name)) {
        return Some(c);
    }
    let max = (name.len() / 3).clamp(1, 3);
    candidates
        .filter_map(|c| Some((edit_distance_within(name, c, max)?, c)))
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

/// The problem of a string `value` (at `node`) that is not one of
/// `allowed` (already rendered as `list`). When it differs from an allowed
/// value only in case (`tcp` for `TCP`), the replacement keeps the node's
/// quoting and changes the letters: the API server compares exactly, so the
/// author's intent is clear and the fix is safe.
pub fn enum_mismatch<'n>(
    node: &Node,
    value: &str,
    list: &str,
    allowed: impl Iterator<Item = &'n str> + Clone,
    source: &str,
) -> ProblemKind {
    let close = suggest(value, allowed);
    let mut message = format!("`{value}` is not one of {list}");
    if let Some(c) = close {
        message.push_str(&format!(" (did you mean `{c}`?)"));
    }
    let replacement = close.filter(|c| c.eq_ignore_ascii_case(value)).and_then(|c| {
        let text = source.get(node.span.start as usize..node.span.end as usize)?;
        // Only when the value is written literally (no escapes, one line).
        (text.matches(value).count() == 1 && !text.contains('\\') && !text.contains('\n'))
            .then(|| text.replacen(value, c, 1))
    });
    ProblemKind::InvalidValue { message, replacement }
}

/// Validates an object's tree against its type in `schema`.
/// `anchor` is where a missing top-level field is reported (the kind).
pub fn validate(schema: &VersionSchema, id: TypeId, root: &Node, source: &str, anchor: Span) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut w = Walker {
        schema,
        source,
        path: Vec::new(),
        out: &mut out,
    };
    w.walk(root, id, anchor);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn problems(version: &str, text: &str) -> Vec<Problem> {
        let st = parse_yaml(text, Limits::default());
        let root = st.documents[0].root.clone().unwrap_or_else(|| Node::null(0));
        let s = super::super::schema(version).unwrap_or_else(|| panic!("schema {version}"));
        let av = root.get("apiVersion").and_then(Node::as_str).unwrap_or("");
        let kind = root.get("kind").and_then(Node::as_str).unwrap_or("");
        let id = s.lookup(av, kind).unwrap_or_else(|| panic!("{av} {kind} not served"));
        validate(s, id, &root, text, Span::default())
    }

    fn replacement_of(p: &Problem) -> Option<&str> {
        match &p.kind {
            ProblemKind::InvalidValue { replacement, .. } => replacement.as_deref(),
            _ => None,
        }
    }

    #[test]
    fn enum_values_in_the_wrong_case_get_a_replacement_that_keeps_the_quotes() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: 'nodeport'\n  \
                    ports:\n  - port: 80\n    protocol: tcp\n  sessionAffinity: \"client\\x49P\"\n  \
                    externalTrafficPolicy: Global\n";
        let p = problems("1.37", text);
        let found: Vec<(&str, Option<&str>)> = p.iter().map(|p| (p.path.as_str(), replacement_of(p))).collect();
        assert_eq!(
            found,
            [
                ("spec.type", Some("'NodePort'")),
                ("spec.ports[0].protocol", Some("TCP")),
                // Written with an escape: reported, not rewritten.
                ("spec.sessionAffinity", None),
                // Not a case slip: no replacement.
                ("spec.externalTrafficPolicy", None),
            ]
        );
    }

    #[test]
    fn enums_from_descriptions_apply_where_the_field_exists() {
        let ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  rules:\n  \
                       - http:\n      paths:\n      - path: /\n        pathType: exact\n        \
                       backend: {service: {name: s, port: {number: 80}}}\n";
        assert_eq!(problems("1.37", ingress).len(), 1);
        assert_eq!(problems("1.23", ingress).len(), 1);
        // Before 1.23 no enums are applied.
        assert!(problems("1.22", ingress).is_empty());
    }

    #[test]
    fn a_valid_deployment_has_no_problems() {
        let p = problems(
            "1.30",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, labels: {app: web}}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27\n        ports: [{containerPort: 80, name: http}]\n        resources: {requests: {cpu: 0.5, memory: 128Mi}}\n        readinessProbe: {httpGet: {path: /, port: http}}\n",
        );
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn unknown_fields_types_and_required() {
        let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replica: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n      - image: nginx\n        env:\n        - {name: DEBUG, value: yes}\n        - {name: PORT, value: 8080}\n        ports: [{containerPort: \"80\"}]\n";
        let p = problems("1.30", text);
        let show: Vec<String> = p.iter().map(|p| format!("{} {:?}", p.path, p.kind)).collect();
        assert!(
            show.iter()
                .any(|s| s.starts_with("spec.replica UnknownField") && s.contains("Some(\"replicas\")")),
            "{show:#?}"
        );
        assert!(
            show.iter()
                .any(|s| s.starts_with("spec.template.spec.containers[0].name MissingRequired")),
            "{show:#?}"
        );
        let yes = p
            .iter()
            .find(|p| p.path == "spec.template.spec.containers[0].env[0].value");
        assert!(
            matches!(&yes.map(|p| &p.kind), Some(ProblemKind::InvalidType { found: "boolean", hint: Some(h), .. }) if h.contains("quote it")),
            "{show:#?}"
        );
        let port = p
            .iter()
            .find(|p| p.path == "spec.template.spec.containers[0].ports[0].containerPort");
        assert!(
            matches!(&port.map(|p| &p.kind), Some(ProblemKind::InvalidType { found: "string", hint: Some(h), .. }) if h.contains("remove the quotes")),
            "{show:#?}"
        );
        assert_eq!(p.len(), 5, "{show:#?}");
    }

    #[test]
    fn old_versions_and_int_or_string() {
        let p = problems(
            "1.2",
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}, {port: 81, targetPort: http}]\n",
        );
        assert!(p.is_empty(), "{p:#?}");
    }

    #[test]
    fn secret_data_is_base64() {
        let p = problems(
            "1.30",
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata:\n  ok: aGVsbG8=\n  bad: hello world\n",
        );
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].path, "data.bad");
        assert!(is_base64("") && is_base64("YQ==") && !is_base64("YQ=") && !is_base64("a b="));
        assert!(is_base64("aGVs\nbG8=\n"));
    }

    #[test]
    fn suggestions() {
        let names = ["replicas", "selector", "template", "strategy", "minReadySeconds"];
        assert_eq!(suggest("replica", names.iter().copied()), Some("replicas"));
        assert_eq!(suggest("Replicas", names.iter().copied()), Some("replicas"));
        assert_eq!(
            suggest("minreadyseconds", names.iter().copied()),
            Some("minReadySeconds")
        );
        assert_eq!(suggest("zzz", names.iter().copied()), None);
    }
}
