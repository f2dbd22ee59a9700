//! API delta between two versions: kinds added and removed, and for each
//! kind served by both, the fields added, removed, retyped, newly required
//! or newly deprecated, with dotted paths.

use std::fmt;

use serde::Serialize;

use super::{FieldChange, Type, TypeId, VersionSchema, field_changes};

/// How deep the walk goes into nested types.
const MAX_DEPTH: usize = 24;

/// The changes from one version to another.
#[derive(Debug, Clone, Serialize)]
pub struct Delta {
    pub from: &'static str,
    pub to: &'static str,
    /// The kind filter, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Served in `to` but not in `from`.
    pub added_kinds: Vec<KindRef>,
    /// Served in `from` but not in `to`.
    pub removed_kinds: Vec<KindRef>,
    /// Kinds served by both whose type changed.
    pub changed_kinds: Vec<KindDelta>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct KindRef {
    pub api_version: &'static str,
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct KindDelta {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub changes: Vec<Change>,
    /// Curated notes (from the deprecation table) about field changes of this
    /// kind between the two versions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<&'static FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// Dotted path; `[]` steps into array items, `*` into map values.
    pub path: String,
    #[serde(flatten)]
    pub kind: ChangeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum ChangeKind {
    Added {
        #[serde(rename = "type")]
        ty: String,
    },
    Removed {
        #[serde(rename = "type")]
        ty: String,
    },
    TypeChanged {
        from: String,
        to: String,
    },
    /// Marked deprecated in `to` (and not in `from`).
    Deprecated {
        note: String,
    },
    NowRequired,
    NoLongerRequired,
}

/// Compares two versions. `kind` limits the comparison to kinds of that name
/// (any apiVersion; ASCII case-insensitive).
pub fn diff(from: &VersionSchema, to: &VersionSchema, kind: Option<&str>) -> Delta {
    let wanted = |k: &str| kind.is_none_or(|w| w.eq_ignore_ascii_case(k));
    let mut added_kinds = Vec::new();
    let mut removed_kinds = Vec::new();
    let mut changed_kinds = Vec::new();
    for (av, k, t) in from.kinds().filter(|(_, k, _)| wanted(k)) {
        match to.lookup(av, k) {
            None => removed_kinds.push(KindRef {
                api_version: av,
                kind: k,
            }),
            Some(t2) => {
                let mut w = Walker {
                    from,
                    to,
                    stack: Vec::new(),
                    out: Vec::new(),
                };
                w.walk(t, t2, &mut String::new());
                let (lo, hi) = (
                    from.info().minor.min(to.info().minor),
                    from.info().minor.max(to.info().minor),
                );
                let notes: Vec<&'static FieldChange> = field_changes()
                    .iter()
                    .filter(|c| c.applies_to(av, k) && c.to_api_version.is_none())
                    .filter(|c| c.minor().is_some_and(|m| m > lo && m <= hi))
                    .collect();
                if !w.out.is_empty() || !notes.is_empty() {
                    changed_kinds.push(KindDelta {
                        api_version: av,
                        kind: k,
                        changes: w.out,
                        notes,
                    });
                }
            }
        }
    }
    for (av, k, _) in to.kinds().filter(|(_, k, _)| wanted(k)) {
        if from.lookup(av, k).is_none() {
            added_kinds.push(KindRef {
                api_version: av,
                kind: k,
            });
        }
    }
    Delta {
        from: from.name(),
        to: to.name(),
        kind: kind.map(str::to_string),
        added_kinds,
        removed_kinds,
        changed_kinds,
    }
}

struct Walker<'a> {
    from: &'a VersionSchema,
    to: &'a VersionSchema,
    /// Type pairs being compared on the current path (cycle protection).
    stack: Vec<(TypeId, TypeId)>,
    out: Vec<Change>,
}

impl Walker<'_> {
    fn walk(&mut self, a: TypeId, b: TypeId, path: &mut String) {
        // Equal ids are structurally equal types.
        if a == b || self.stack.len() >= MAX_DEPTH || self.stack.contains(&(a, b)) {
            return;
        }
        self.stack.push((a, b));
        match (self.from.ty(a), self.to.ty(b)) {
            (Type::Object(oa), Type::Object(ob)) => {
                let (fa, fb) = (oa.fields(), ob.fields());
                let (mut i, mut j) = (0, 0);
                while i < fa.len() || j < fb.len() {
                    let order = match (fa.get(i), fb.get(j)) {
                        (Some(x), Some(y)) => x.name.cmp(y.name),
                        (Some(_), None) => std::cmp::Ordering::Less,
                        _ => std::cmp::Ordering::Greater,
                    };
                    match order {
                        std::cmp::Ordering::Less => {
                            let f = &fa[i];
                            let ty = self.from.describe(f.ty);
                            self.push(path, f.name, ChangeKind::Removed { ty });
                            i += 1;
                        }
                        std::cmp::Ordering::Greater => {
                            let f = &fb[j];
                            let ty = self.to.describe(f.ty);
                            self.push(path, f.name, ChangeKind::Added { ty });
                            j += 1;
                        }
                        std::cmp::Ordering::Equal => {
                            let (x, y) = (&fa[i], &fb[j]);
                            if x.required != y.required {
                                let kind = if y.required {
                                    ChangeKind::NowRequired
                                } else {
                                    ChangeKind::NoLongerRequired
                                };
                                self.push(path, x.name, kind);
                            }
                            if let (None, Some(note)) = (x.deprecated, y.deprecated) {
                                self.push(path, x.name, ChangeKind::Deprecated { note: note.to_string() });
                            }
                            let len = path.len();
                            if !path.is_empty() {
                                path.push('.');
                            }
                            path.push_str(x.name);
                            self.walk(x.ty, y.ty, path);
                            path.truncate(len);
                            i += 1;
                            j += 1;
                        }
                    }
                }
            }
            (Type::Array(ea), Type::Array(eb)) => {
                let len = path.len();
                path.push_str("[]");
                self.walk(*ea, *eb, path);
                path.truncate(len);
            }
            (Type::Map(va), Type::Map(vb)) => {
                let len = path.len();
                path.push_str(if path.is_empty() { "*" } else { ".*" });
                self.walk(*va, *vb, path);
                path.truncate(len);
            }
            (ta, tb) if ta.category() != tb.category() => {
                let (from, to) = (self.from.describe(a), self.to.describe(b));
                self.out.push(Change {
                    path: path.clone(),
                    kind: ChangeKind::TypeChanged { from, to },
                });
            }
            // Same scalar category (string enums and formats are not compared).
            _ => {}
        }
        self.stack.pop();
    }

    fn push(&mut self, path: &str, field: &str, kind: ChangeKind) {
        let path = if path.is_empty() {
            field.to_string()
        } else {
            format!("{path}.{field}")
        };
        self.out.push(Change { path, kind });
    }
}

impl fmt::Display for Delta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kubernetes API changes {} → {}", self.from, self.to)?;
        if let Some(k) = &self.kind {
            write!(f, " (kind {k})")?;
        }
        writeln!(f)?;
        if self.added_kinds.is_empty() && self.removed_kinds.is_empty() && self.changed_kinds.is_empty() {
            return writeln!(f, "  no changes");
        }
        if !self.removed_kinds.is_empty() {
            writeln!(f, "kinds no longer served:")?;
            for k in &self.removed_kinds {
                writeln!(f, "  - {} {}", k.api_version, k.kind)?;
            }
        }
        if !self.added_kinds.is_empty() {
            writeln!(f, "kinds added:")?;
            for k in &self.added_kinds {
                writeln!(f, "  + {} {}", k.api_version, k.kind)?;
            }
        }
        for k in &self.changed_kinds {
            writeln!(f, "{} {}:", k.api_version, k.kind)?;
            for c in &k.changes {
                writeln!(f, "  {c}")?;
            }
            for n in &k.notes {
                match &n.replacement {
                    Some(r) => writeln!(f, "  note: {} → {}: {}", n.path, r, n.note)?,
                    None => writeln!(f, "  note: {}: {}", n.path, n.note)?,
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = &self.path;
        match &self.kind {
            ChangeKind::Added { ty } => write!(f, "+ {p} ({ty}) added"),
            ChangeKind::Removed { ty } => write!(f, "- {p} ({ty}) removed"),
            ChangeKind::TypeChanged { from, to } => write!(f, "~ {p}: {from} → {to}"),
            ChangeKind::Deprecated { note } => write!(f, "! {p} deprecated: {note}"),
            ChangeKind::NowRequired => write!(f, "! {p} is now required"),
            ChangeKind::NoLongerRequired => write!(f, "~ {p} is no longer required"),
        }
    }
}
