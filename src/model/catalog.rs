//! All objects of a run, indexed for cross-object rules.

use crate::hash::Map;

use super::object::Object;
use super::workload::Workload;

pub struct Catalog<'a> {
    pub objects: Vec<Object<'a>>,
    by_kind: Map<&'a str, Vec<usize>>,
    /// The files whose objects get their own checks (the language server's
    /// open documents); `None`: every file. Cross-object rules see every
    /// object, but only report on (and only do the work for) the focus
    /// objects: [`Catalog::subjects_of_kind`]. `tests/lsp_focus.rs` checks
    /// that a focused run finds in its files what a full run finds there.
    pub focus: Option<std::collections::HashSet<crate::source::FileId>>,
    /// Findings of unchanged objects from earlier lints (the language
    /// server's), reused by the objects' own checks.
    pub memo: Option<std::sync::Arc<crate::memo::ObjectMemo>>,
}

impl<'a> Catalog<'a> {
    pub fn new(objects: Vec<Object<'a>>) -> Self {
        let mut by_kind: Map<&'a str, Vec<usize>> = Map::default();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind).or_default().push(i);
        }
        Catalog {
            objects,
            by_kind,
            focus: None,
            memo: None,
        }
    }

    /// An object's own findings of `pass`, by `check` or from the memo.
    pub fn own_findings(
        &self,
        object: &Object<'_>,
        sources: &[crate::source::SourceFile],
        pass: crate::memo::Pass,
        check: impl FnOnce() -> Vec<crate::diagnostic::Diagnostic>,
    ) -> Vec<crate::diagnostic::Diagnostic> {
        match &self.memo {
            Some(m) => m.findings(object, sources, pass, check),
            None => check(),
        }
    }

    /// Whether an object's own checks run (see [`Catalog::focus`]).
    pub fn in_focus(&self, o: &Object<'_>) -> bool {
        self.focus.as_ref().is_none_or(|f| f.contains(&o.file))
    }

    pub fn len(&self) -> usize {
        self.objects.len()
    }

    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// Objects of a kind, in input order.
    pub fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.by_kind
            .get(kind)
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .map(move |&i| &self.objects[i])
    }

    /// Objects of a kind that a cross-object rule reports on: those in
    /// focus (see [`Catalog::focus`]).
    pub fn subjects_of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = &'s Object<'a>> + 's {
        self.of_kind(kind).filter(|o| self.in_focus(o))
    }

    /// Every workload a cross-object rule reports on (see
    /// [`Catalog::subjects_of_kind`]).
    pub fn subject_workloads<'s>(&'s self) -> impl Iterator<Item = Workload<'s>> + 's {
        self.objects
            .iter()
            .filter(|o| self.in_focus(o))
            .filter_map(Workload::of)
    }

    pub fn has_kind(&self, kind: &str) -> bool {
        self.by_kind.contains_key(kind)
    }

    /// The object of a kind with this name, in a namespace compatible with
    /// `near` (see [`Object::same_namespace`]).
    pub fn find<'s>(&'s self, kind: &str, name: &str, near: &Object) -> Option<&'s Object<'a>> {
        self.of_kind(kind)
            .find(|o| o.name == Some(name) && o.same_namespace(near))
    }

    /// Every workload (object with a pod template) of the run.
    pub fn workloads<'s>(&'s self) -> impl Iterator<Item = Workload<'s>> + 's {
        self.objects.iter().filter_map(Workload::of)
    }

    /// Every pod template of the run, also those without their `spec` (see
    /// [`Workload::template_of`]): the pods a selector may mean.
    pub fn pod_templates<'s>(&'s self) -> impl Iterator<Item = Workload<'s>> + 's {
        self.objects.iter().filter_map(Workload::template_of)
    }
}
