//! The junctors of a schema (`allOf`, `anyOf`, `oneOf`, `not`): each branch
//! checked on the side, and what is reported when they do not match.

use super::*;

/// What a junctor branch concluded.
struct Outcome {
    problems: Vec<Problem>,
    /// The branch met a constraint kvet does not model: a clean result may
    /// be wrong.
    uncertain: bool,
}

impl Outcome {
    fn matched(&self) -> bool {
        self.problems.is_empty()
    }

    fn surely_matched(&self) -> bool {
        self.problems.is_empty() && !self.uncertain
    }
}

impl<'a> Walker<'a, '_> {
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

    pub(super) fn junctors(&mut self, node: &'a Node, c: &Checks, anchor: Span, ctx: Ctx, structural: Option<Id>) {
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
