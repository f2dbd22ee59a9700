//! A custom resource's tree walked against its compiled schema
//! ([`CrdSchema::validate`]).

use super::*;

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

/// What a junctor branch concluded.
struct Outcome {
    problems: Vec<Problem>,
    /// The branch met a constraint kvet does not model: a clean result may
    /// be wrong.
    uncertain: bool,
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

impl Outcome {
    fn matched(&self) -> bool {
        self.problems.is_empty()
    }

    fn surely_matched(&self) -> bool {
        self.problems.is_empty() && !self.uncertain
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

/// A value as written in messages: strings bare, the rest as JSON.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.to_string(),
        _ => node.to_json().to_string(),
    }
}

fn quoted_list<'n>(names: impl Iterator<Item = &'n str>) -> String {
    names.map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn format_number(f: f64) -> String {
    crate::yaml::format_float(f)
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

    /// Why a value has a surprising type, for YAML's usual traps.
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

    /// `enum`, `pattern`, bounds and lengths.
    fn check_value(&mut self, node: &Node, c: &Checks) {
        if let Some(allowed) = &c.enums
            && !allowed.iter().any(|a| a.same_value(node))
        {
            self.enum_problem(node, allowed);
        }
        match &node.value {
            Value::Str(s) => {
                if let Some(p) = &c.pattern {
                    match p.regex() {
                        Some(re) => {
                            if !re.is_match(s) {
                                self.invalid(format!("`{s}` does not match the pattern `{}`", p.source), node.span);
                            }
                        }
                        None => self.uncertain = true,
                    }
                }
                let len = s.chars().count() as u64;
                if let Some(min) = c.min_length.filter(|m| len < *m) {
                    let what = if min == 1 {
                        "must not be empty".to_string()
                    } else {
                        format!(
                            "must be at least {} long, is {len}",
                            plural(min, "character", "characters")
                        )
                    };
                    self.invalid(what, node.span);
                }
                if let Some(max) = c.max_length.filter(|m| len > *m) {
                    self.invalid(
                        format!(
                            "must be at most {} long, is {len}",
                            plural(max, "character", "characters")
                        ),
                        node.span,
                    );
                }
            }
            Value::Int(_) | Value::Float(_) => {
                let v = node.as_f64().unwrap_or(0.0);
                if let Some((min, exclusive)) = c.minimum
                    && (v < min || (exclusive && v == min))
                {
                    let rel = if exclusive { "greater than" } else { "at least" };
                    self.invalid(
                        format!("must be {rel} {}, is {}", format_number(min), format_number(v)),
                        node.span,
                    );
                }
                if let Some((max, exclusive)) = c.maximum
                    && (v > max || (exclusive && v == max))
                {
                    let rel = if exclusive { "less than" } else { "at most" };
                    self.invalid(
                        format!("must be {rel} {}, is {}", format_number(max), format_number(v)),
                        node.span,
                    );
                }
                if let Some(m) = c.multiple_of {
                    let q = v / m;
                    if (q - q.round()).abs() > 1e-9 {
                        self.invalid(format!("must be a multiple of {}", format_number(m)), node.span);
                    }
                }
            }
            Value::Seq(items) => {
                let n = items.len() as u64;
                if let Some(min) = c.min_items.filter(|m| n < *m) {
                    let what = if min == 1 {
                        "must not be empty".to_string()
                    } else {
                        format!("needs at least {}, has {n}", plural(min, "item", "items"))
                    };
                    self.invalid(what, node.span);
                }
                if let Some(max) = c.max_items.filter(|m| n > *m) {
                    self.invalid(
                        format!("allows at most {}, has {n}", plural(max, "item", "items")),
                        node.span,
                    );
                }
            }
            _ => {}
        }
    }

    fn enum_problem(&mut self, node: &Node, allowed: &[Node]) {
        let shown: Vec<String> = allowed.iter().map(show).collect();
        let mut list = quoted_list(shown.iter().take(MAX_LISTED).map(String::as_str));
        if shown.len() > MAX_LISTED {
            list.push_str(&format!(" and {} more", shown.len() - MAX_LISTED));
        }
        if let Value::Str(s) = &node.value {
            let strings = allowed.iter().filter_map(Node::as_str);
            let kind = enum_mismatch(node, s, &list, strings, self.source);
            self.push(kind, node.span, None);
            return;
        }
        self.invalid(format!("`{}` is not one of {list}", show(node)), node.span);
    }

    /// Checks `node` against a junctor branch on the side.
    fn branch(&mut self, node: &'a Node, id: Id, anchor: Span, ctx: Ctx, structural: Option<Id>) -> Outcome {
        let saved_out = std::mem::take(&mut self.out);
        let saved_uncertain = std::mem::replace(&mut self.uncertain, false);
        let bctx = ctx.in_branch(structural);
        self.walk(node, id, anchor, bctx);
        let problems = std::mem::replace(&mut self.out, saved_out);
        let uncertain = std::mem::replace(&mut self.uncertain, saved_uncertain);
        Outcome { problems, uncertain }
    }

    /// Checks `node` against each of a junctor's branches on the side.
    fn branches(&mut self, node: &'a Node, ids: &[Id], anchor: Span, ctx: Ctx, structural: Option<Id>) -> Vec<Outcome> {
        ids.iter()
            .map(|&b| self.branch(node, b, anchor, ctx, structural))
            .collect()
    }

    fn junctors(&mut self, node: &'a Node, c: &Checks, anchor: Span, ctx: Ctx, structural: Option<Id>) {
        let bctx = ctx.in_branch(structural);
        for &b in c.all_of.iter() {
            self.walk(node, b, anchor, bctx);
        }
        let span = anchor_or(anchor, node);
        if !c.any_of.is_empty() {
            let outcomes = self.branches(node, &c.any_of, anchor, ctx, structural);
            if !outcomes.iter().any(Outcome::surely_matched) {
                if outcomes.iter().any(Outcome::matched) {
                    self.uncertain = true;
                } else {
                    self.none_matched(node, "anyOf", &c.any_of, &outcomes, span);
                }
            }
        }
        if !c.one_of.is_empty() {
            let outcomes = self.branches(node, &c.one_of, anchor, ctx, structural);
            let sure: Vec<usize> = (0..outcomes.len()).filter(|&i| outcomes[i].surely_matched()).collect();
            let any = outcomes.iter().filter(|o| o.matched()).count();
            if any == 0 {
                self.none_matched(node, "oneOf", &c.one_of, &outcomes, span);
            } else if sure.len() >= 2 {
                self.more_than_one(node, c, &sure, span);
            } else if any > sure.len() {
                self.uncertain = true;
            }
        }
        if let Some(not) = c.not {
            let o = self.branch(node, not, anchor, ctx, structural);
            if o.surely_matched() {
                self.not_problem(node, not, span);
            } else if o.matched() {
                self.uncertain = true;
            }
        }
    }

    /// Reports an `anyOf`/`oneOf` none of whose branches matches.
    fn none_matched(&mut self, node: &Node, junctor: &str, branches: &[Id], outcomes: &[Outcome], span: Span) {
        let schema = self.schema;
        // Alternatives that are only types: a type error.
        if let Some(masks) = branches
            .iter()
            .map(|&b| schema.node(b).type_only())
            .collect::<Option<Vec<u8>>>()
        {
            let mask = masks.iter().fold(0, |a, m| a | m);
            let kind = self.invalid_type(node, describe_mask(mask), mask);
            self.push(kind, node.span, None);
            return;
        }
        let message = self.none_matched_message(junctor, branches, outcomes);
        self.invalid(message, span);
    }

    /// Message for `anyOf`/`oneOf` when no branch matches.
    fn none_matched_message(&self, junctor: &str, branches: &[Id], outcomes: &[Outcome]) -> String {
        let schema = self.schema;
        let required: Option<Vec<&str>> = branches
            .iter()
            .map(|&b| {
                schema
                    .node(b)
                    .required_only()
                    .map(|r| r.iter().map(|n| &**n).collect::<Vec<_>>())
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flat_map(|r| r.into_iter()).collect());
        if let Some(names) = required {
            return format!("one of {} must be set", quoted_list(names.into_iter()));
        }
        let reasons: Vec<String> = outcomes
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.problems.first().map(|p| format!("{}: {}", i + 1, short(p))))
            .collect();
        format!(
            "the value matches none of the `{junctor}` alternatives ({})",
            reasons.join("; ")
        )
    }

    /// `oneOf` with more than one branch surely matching.
    fn more_than_one(&mut self, node: &Node, c: &Checks, sure: &[usize], span: Span) {
        let schema = self.schema;
        let names: Option<Vec<&str>> = sure
            .iter()
            .map(|&i| {
                schema
                    .node(c.one_of[i])
                    .required_only()
                    .map(|r| r.iter().map(|n| &**n).collect::<Vec<_>>())
            })
            .collect::<Option<Vec<_>>>()
            .map(|v| v.into_iter().flatten().collect());
        match names {
            Some(names) => {
                // Point at the second of the conflicting keys.
                let second = node.entries().iter().filter(|e| names.contains(&&*e.key)).nth(1);
                let message = format!("only one of {} may be set", quoted_list(names.iter().copied()));
                match second {
                    Some(e) => self.push(
                        ProblemKind::InvalidValue {
                            message,
                            replacement: None,
                        },
                        e.key_span,
                        Some(&e.key),
                    ),
                    None => self.invalid(message, span),
                }
            }
            None => self.invalid(
                "the value matches more than one `oneOf` alternative; it must match exactly one".into(),
                span,
            ),
        }
    }

    /// The value surely matches a `not` schema.
    fn not_problem(&mut self, node: &Node, not: Id, span: Span) {
        let schema = self.schema;
        let s = schema.node(not);
        let mut names: Vec<&str> = match s.required_only() {
            Some(r) => r.iter().map(|n| &**n).collect(),
            None => Vec::new(),
        };
        let mut any = false;
        // `not: {anyOf: [{required: [a]}, {required: [b]}]}`: none of them.
        if names.is_empty()
            && let Some(c) = s.checks.as_ref().filter(|_| s.types == 0 && s.props.is_empty())
        {
            let only_any_of = c.all_of.is_empty() && c.one_of.is_empty() && c.not.is_none() && c.enums.is_none();
            if only_any_of
                && let Some(all) = c
                    .any_of
                    .iter()
                    .map(|&b| schema.node(b).required_only())
                    .collect::<Option<Vec<_>>>()
            {
                names = all.into_iter().flatten().map(|n| &**n).collect();
                any = true;
            }
        }
        let message = match (names.len(), any) {
            (0, _) => "the value matches a schema it must not match (`not`)".to_string(),
            (1, _) => format!("`{}` must not be set here", names[0]),
            (_, false) => format!("{} must not all be set together", quoted_list(names.iter().copied())),
            (_, true) => format!("none of {} may be set here", quoted_list(names.iter().copied())),
        };
        let first = node.entries().iter().find(|e| names.contains(&&*e.key));
        match first {
            Some(e) if names.len() == 1 || any => self.push(
                ProblemKind::InvalidValue {
                    message,
                    replacement: None,
                },
                e.key_span,
                Some(&e.key),
            ),
            _ => self.invalid(message, span),
        }
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

/// One problem in a few words, for a summary of failed alternatives.
fn short(p: &Problem) -> String {
    let at = if p.path.is_empty() {
        String::new()
    } else {
        format!("`{}` ", p.path)
    };
    match &p.kind {
        ProblemKind::UnknownField { name, .. } => format!("unknown field `{name}`"),
        ProblemKind::InvalidType { expected, found, .. } => format!("{at}is {found}, expected {expected}"),
        ProblemKind::MissingRequired { field } => format!("`{field}` is required"),
        ProblemKind::InvalidValue { message, .. } => format!("{at}{message}"),
        ProblemKind::Deprecated { note } => format!("{at}deprecated: {note}"),
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
