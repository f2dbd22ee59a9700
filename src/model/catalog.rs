//! All objects of a run, indexed for cross-object rules.

use std::collections::HashMap;

use super::object::Object;
use super::workload::Workload;

pub struct Catalog<'a> {
    pub objects: Vec<Object<'a>>,
    by_kind: HashMap<&'a str, Vec<usize>>,
    /// The files whose objects get their own checks (the language server's
    /// open documents); `None`: every file. Cross-object rules always see
    /// every object.
    pub focus: Option<std::collections::HashSet<crate::source::FileId>>,
}

impl<'a> Catalog<'a> {
    pub fn new(objects: Vec<Object<'a>>) -> Self {
        let mut by_kind: HashMap<&'a str, Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_kind.entry(o.kind).or_default().push(i);
        }
        Catalog {
            objects,
            by_kind,
            focus: None,
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
