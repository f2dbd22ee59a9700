//! The checks of one value: `enum`, `pattern`, bounds and lengths.

use super::*;

/// A value as written in messages: strings bare, the rest as JSON.
fn show(node: &Node) -> String {
    match &node.value {
        Value::Str(s) => s.to_string(),
        _ => node.to_json().to_string(),
    }
}

fn format_number(f: f64) -> String {
    crate::yaml::format_float(f)
}

impl Walker<'_, '_> {
    /// `enum`, `pattern`, bounds and lengths.
    pub(super) fn check_value(&mut self, node: &Node, c: &Checks) {
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
}
