//! A custom resource's tree walked against its compiled schema
//! ([`CrdSchema::validate`]).

use super::*;

mod junctors;
mod values;

/// The problems of a custom resource against `schema`; `anchor` is where
/// missing top-level fields are reported.
pub(super) fn validate(schema: &CrdSchema, root: &Node, source: &str, anchor: Span) -> Vec<Problem> {
    let mut w = Walker {
        schema,
        source,
        path: Vec::new(),
        out: Vec::new(),
        uncertain: false,
    };
    let ctx = Ctx {
        prune: schema.prune,
        preserve: false,
        branch: false,
        structural: None,
        resource: true,
    };
    w.walk(root, schema.root, anchor, ctx);
    dedup(w.out)
}

fn dedup(problems: Vec<Problem>) -> Vec<Problem> {
    if problems.len() < 2 {
        return problems;
    }
    let mut seen = HashSet::new();
    problems
        .into_iter()
        .filter(|p| seen.insert((p.path.clone(), p.span, format!("{:?}", p.kind))))
        .collect()
}

#[derive(Clone, Copy)]
struct Ctx {
    /// Report keys the schema does not list (the CRD prunes them).
    prune: bool,
    /// An enclosing `x-kubernetes-preserve-unknown-fields` reaches this value
    /// through array items.
    preserve: bool,
    /// Checking a junctor branch (`allOf`, `anyOf`, `oneOf`, `not`): no
    /// pruning, and `structural` is the main schema node at this level.
    branch: bool,
    /// In a branch, the main schema node of the value (for defaults and
    /// nullability); `None` outside branches or when it has none.
    structural: Option<Id>,
    /// At the root of a resource: `apiVersion`, `kind` and `metadata` are
    /// always allowed.
    resource: bool,
}

impl Ctx {
    /// The context of a junctor branch of a value checked in `self`.
    fn in_branch(self, structural: Option<Id>) -> Ctx {
        Ctx {
            prune: false,
            preserve: self.preserve,
            branch: true,
            structural,
            resource: self.resource,
        }
    }
}

struct Walker<'a, 's> {
    schema: &'s CrdSchema,
    source: &'a str,
    path: Vec<Seg<'a>>,
    out: Vec<Problem>,
    uncertain: bool,
}

fn value_matches(node: &Node, mask: u8) -> bool {
    if mask == 0 {
        return true;
    }
    let bits = match &node.value {
        Value::Null => NULL,
        Value::Bool(_) => BOOLEAN,
        Value::Int(_) => INTEGER | NUMBER,
        // YAML→JSON conversion writes a whole float as an integer.
        Value::Float(f) if f.fract() == 0.0 && f.is_finite() => INTEGER | NUMBER,
        Value::Float(_) => NUMBER,
        Value::Str(_) => STRING,
        Value::Seq(_) => ARRAY,
        Value::Map(_) => OBJECT,
    };
    bits & mask != 0
}

fn quoted_list<'n>(names: impl Iterator<Item = &'n str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl<'a> Walker<'a, '_> {
    fn push(&mut self, kind: ProblemKind, span: Span, extra: Option<&str>) {
        self.out.push(problem(&self.path, kind, span, extra));
    }

    fn invalid(&mut self, message: String, span: Span) {
        self.push(
            ProblemKind::InvalidValue {
                message,
                replacement: None,
            },
            span,
            None,
        );
    }

    fn text(&self, node: &Node) -> &'a str {
        self.source
            .get(node.span.start as usize..node.span.end as usize)
            .unwrap_or("")
    }

    /// What a mask of accepted types expects, for the shared hints.
    fn expect(mask: u8) -> Expect {
        Expect {
            string: mask & STRING != 0,
            integer: mask & INTEGER != 0,
            number: mask & NUMBER != 0,
            boolean: mask & BOOLEAN != 0,
            structure: mask & (OBJECT | ARRAY) != 0,
        }
    }

    fn invalid_type(&self, node: &Node, expected: String, mask: u8) -> ProblemKind {
        let written = self.text(node);
        let e = Self::expect(mask);
        ProblemKind::InvalidType {
            expected,
            found: node.type_name(),
            hint: type_hint(node, written, e),
            replacement: type_fix(node, written, e),
        }
    }

    /// Validates `node` against schema node `id`. `anchor` is the key the
    /// value belongs to (where a missing field is reported).
    fn walk(&mut self, node: &'a Node, id: Id, anchor: Span, ctx: Ctx) {
        if node.is_null() {
            // Dropped by the server unless nullable; nothing to check either way.
            return;
        }
        let schema = self.schema;
        let s = schema.node(id);
        if s.has(UNMODELED) {
            self.uncertain = true;
        }
        let mask = accepted(s);
        if !value_matches(node, mask) {
            let expected = schema.describe(id, 0);
            let kind = self.invalid_type(node, expected, mask);
            self.push(kind, node.span, None);
            return;
        }
        // The main schema node at this level (defaults, nullability).
        let structural = if ctx.branch { ctx.structural } else { Some(id) };
        if let Some(c) = &s.checks {
            self.check_value(node, c);
        }
        match &node.value {
            Value::Map(entries) => self.walk_map(node, entries, id, anchor, ctx, structural),
            Value::Seq(items) => {
                if let Some(item_id) = s.items {
                    let item_ctx = Ctx {
                        prune: ctx.prune,
                        preserve: ctx.preserve || s.has(PRESERVE),
                        branch: ctx.branch,
                        structural: structural.and_then(|st| schema.node(st).items),
                        resource: false,
                    };
                    for (i, it) in items.iter().enumerate() {
                        self.path.push(Seg::Index(i));
                        self.walk(it, item_id, it.span, item_ctx);
                        self.path.pop();
                    }
                }
            }
            _ => {}
        }
        if let Some(c) = &s.checks {
            self.junctors(node, c, anchor, ctx, structural);
        }
    }

    fn walk_map(
        &mut self,
        node: &'a Node,
        entries: &'a [crate::yaml::Entry],
        id: Id,
        anchor: Span,
        ctx: Ctx,
        structural: Option<Id>,
    ) {
        let schema = self.schema;
        let s = schema.node(id);
        let resource = ctx.resource || s.has(EMBEDDED);
        let keeps_unknown = ctx.preserve || s.has(PRESERVE) || s.has(OPEN_KEYS);
        let child_ctx = |key: &str, additional: bool| Ctx {
            prune: ctx.prune,
            preserve: false,
            branch: ctx.branch,
            structural: structural.and_then(|st| {
                let st = schema.node(st);
                match (additional, st.prop(key), st.additional) {
                    (false, Some(p), _) => Some(p),
                    (_, None, Additional::Schema(a)) => Some(a),
                    _ => None,
                }
            }),
            resource: false,
        };
        for e in entries {
            if resource && META_FIELDS.contains(&&*e.key) {
                if &*e.key == "metadata" {
                    if !e.value.is_null() && !e.value.is_map() {
                        self.path.push(Seg::Key(&e.key));
                        self.push(
                            ProblemKind::InvalidType {
                                expected: "object".into(),
                                found: e.value.type_name(),
                                hint: None,
                                replacement: None,
                            },
                            e.value.span,
                            None,
                        );
                        self.path.pop();
                    }
                } else if let Some(p) = s.prop(&e.key) {
                    self.path.push(Seg::Key(&e.key));
                    self.walk(&e.value, p, e.key_span, child_ctx(&e.key, false));
                    self.path.pop();
                }
                continue;
            }
            if let Some(p) = s.prop(&e.key) {
                self.path.push(Seg::Key(&e.key));
                self.walk(&e.value, p, e.key_span, child_ctx(&e.key, false));
                self.path.pop();
                continue;
            }
            let report = match s.additional {
                Additional::Schema(a) => {
                    self.path.push(Seg::Key(&e.key));
                    self.walk(&e.value, a, e.key_span, child_ctx(&e.key, true));
                    self.path.pop();
                    false
                }
                Additional::Any => false,
                Additional::Forbid => true,
                Additional::None => ctx.prune && !ctx.branch && !keeps_unknown && s.is_object_schema(),
            };
            if report {
                let meta = META_FIELDS.iter().copied().filter(|_| resource);
                let suggestion = suggest(&e.key, s.props.iter().map(|(n, _)| &**n).chain(meta)).map(intern);
                self.out.push(unknown_field(&self.path, e, suggestion));
            }
        }
        for r in s.required.iter() {
            if !self.present(entries, r, structural) {
                self.push(ProblemKind::MissingRequired { field: intern(r) }, anchor, Some(r));
            }
        }
        if let Some(c) = &s.checks {
            let n = entries.len() as u64;
            if let Some(min) = c.min_properties.filter(|m| n < *m) {
                self.invalid(
                    format!("needs at least {}, has {n}", plural(min, "field", "fields")),
                    anchor_or(anchor, node),
                );
            }
            if let Some(max) = c.max_properties.filter(|m| n > *m) {
                self.invalid(
                    format!("allows at most {}, has {n}", plural(max, "field", "fields")),
                    anchor_or(anchor, node),
                );
            }
        }
    }

    /// Whether a required key counts as set once the server has dropped
    /// non-nullable nulls and applied defaults.
    fn present(&self, entries: &[crate::yaml::Entry], name: &str, structural: Option<Id>) -> bool {
        let prop = structural
            .and_then(|st| self.schema.node(st).prop(name))
            .map(|p| self.schema.node(p));
        if prop.is_some_and(|p| p.has(HAS_DEFAULT)) {
            return true;
        }
        entries
            .iter()
            .any(|e| &*e.key == name && (!e.value.is_null() || prop.is_some_and(|p| p.has(NULLABLE))))
    }
}

/// Where to point for a whole value: the key for structures (a block can be
/// long), the value itself for scalars.
fn anchor_or(anchor: Span, node: &Node) -> Span {
    if matches!(node.value, Value::Map(_) | Value::Seq(_)) && !anchor.is_empty() {
        anchor
    } else {
        node.span
    }
}

/// Field names handed out in problems (`&'static str`), interned so that
/// repeated runs (the language server) do not leak more than once per name.
fn intern(s: &str) -> &'static str {
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(&k) = set.get(s) {
        return k;
    }
    let k: &'static str = Box::leak(s.into());
    set.insert(k);
    k
}
