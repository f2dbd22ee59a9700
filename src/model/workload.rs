//! A uniform view of the pod template of every workload kind.

use super::object::Object;
use super::selector::LabelSelector;
use crate::yaml::{Entry, Node, Span};

/// Kinds that run pods, and where their pod template lives.
pub const WORKLOAD_KINDS: &[&str] = &[
    "Pod",
    "PodTemplate",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
];

/// Kinds that keep a number of identical replicas running.
pub const REPLICATED_KINDS: &[&str] = &["Deployment", "ReplicaSet", "ReplicationController", "StatefulSet"];

/// Workload kinds of well-known projects whose `spec.template` is a pod
/// template: (API group, kind, whether `spec.selector` is a plain label
/// map as a ReplicationController's). Both keep `spec.replicas` pods.
pub const THIRD_PARTY_WORKLOADS: &[(&str, &str, bool)] = &[
    // OpenShift; its selector is a map of labels.
    ("apps.openshift.io", "DeploymentConfig", true),
    // Argo Rollouts; with `spec.workloadRef` it has no template of its own.
    ("argoproj.io", "Rollout", false),
];

/// Whether an object is one of [`THIRD_PARTY_WORKLOADS`]: its entry.
fn third_party(object: &Object) -> Option<&'static (&'static str, &'static str, bool)> {
    THIRD_PARTY_WORKLOADS
        .iter()
        .find(|(g, k, _)| *k == object.kind && *g == object.group())
}

/// Where an object's pod template is: found once, when the object is made
/// (rules ask for it many times per object).
#[derive(Debug, Clone, Copy)]
pub struct PodParts<'a> {
    spec: &'a Node,
    metadata: Option<&'a Node>,
    spec_missing: bool,
}

impl<'a> PodParts<'a> {
    /// The pod template of `object`, which says whether it is a custom
    /// resource with a pod template.
    pub(super) fn find(object: &Object<'a>) -> Option<Self> {
        let root = object.root;
        // The built-in kinds live in groups without a dot (core, apps,
        // extensions, batch); a custom resource may reuse their names.
        let kind = if object.group().contains('.') { "" } else { object.kind };
        let (template, spec_path): (Option<&Node>, &[&str]) = match kind {
            "Pod" => (Some(root), &["spec"]),
            "PodTemplate" => (root.get("template"), &["spec"]),
            "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet" | "Job" => {
                (root.path(&["spec", "template"]), &["spec"])
            }
            "CronJob" | "ScheduledJob" => (root.path(&["spec", "jobTemplate", "spec", "template"]), &["spec"]),
            _ if object.custom_pod_template() || third_party(object).is_some() => {
                (root.path(&["spec", "template"]), &["spec"])
            }
            _ => return None,
        };
        let template = template.filter(|t| t.is_map())?;
        let (spec, spec_missing) = match template.path(spec_path) {
            Some(spec) if spec.is_map() => (spec, false),
            // A spec of another type is the schema's finding, not a pod.
            Some(spec) if !spec.is_null() => return None,
            // A Pod without spec has no template to speak of.
            _ if kind == "Pod" => return None,
            _ => (template, true),
        };
        Some(PodParts {
            spec,
            metadata: template.get("metadata"),
            spec_missing,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Container,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Container => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }

    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Container => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct Container<'a> {
    pub node: &'a Node,
    pub kind: ContainerKind,
    pub index: usize,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> Option<&'a str> {
        self.node.get("name").and_then(Node::as_str)
    }

    /// `init container "setup"` / `container #2` for messages.
    pub fn display(&self) -> String {
        match self.name() {
            Some(n) => format!("{} `{n}`", self.kind.noun()),
            None => format!("{} #{}", self.kind.noun(), self.index + 1),
        }
    }

    pub fn get(&self, path: &[&str]) -> Option<&'a Node> {
        self.node.path(path)
    }

    pub fn entry(&self, path: &[&str]) -> Option<&'a Entry> {
        self.node.path_entry(path)
    }

    /// The span of the container's `name` value (or the container itself).
    pub fn name_span(&self) -> Span {
        self.node.get("name").map_or(self.node.span, |n| n.span)
    }

    /// Where to point when something is missing from the container: its
    /// `resources` key if present, else its name.
    pub fn anchor_span(&self, preferred: &[&str]) -> Span {
        self.node
            .path_entry(preferred)
            .map(|e| e.key_span)
            .unwrap_or_else(|| self.name_span())
    }

    pub fn image(&self) -> Option<&'a str> {
        self.node.get("image").and_then(Node::as_str)
    }

    /// Whether a sidecar: an init container with `restartPolicy: Always`.
    pub fn is_sidecar(&self) -> bool {
        self.kind == ContainerKind::Init && self.node.get("restartPolicy").and_then(Node::as_str) == Some("Always")
    }
}

/// A workload's pod template, whatever the kind.
#[derive(Debug, Clone, Copy)]
pub struct Workload<'a> {
    pub object: &'a Object<'a>,
    /// The pod spec (`spec` of a Pod, `spec.template.spec` of a Deployment...).
    pub pod_spec: &'a Node,
    /// The pod template's metadata (the Pod's own metadata for a Pod).
    pub pod_metadata: Option<&'a Node>,
    /// The template has no `spec` (the API server rejects it): `pod_spec`
    /// is then the template itself, with no containers. Only
    /// [`Workload::template_of`] gives such a view.
    pub spec_missing: bool,
}

impl<'a> Workload<'a> {
    /// The workload view of an object, if it is a workload kind with a pod spec.
    pub fn of(object: &'a Object<'a>) -> Option<Workload<'a>> {
        Self::template_of(object).filter(|w| !w.spec_missing)
    }

    /// The pod template of an object, also when it lacks its `spec`: such a
    /// template still says which pods' labels the object means, which the
    /// cross-object rules (selectors) need.
    pub fn template_of(object: &'a Object<'a>) -> Option<Workload<'a>> {
        object.pod().map(|p| Workload {
            object,
            pod_spec: p.spec,
            pod_metadata: p.metadata,
            spec_missing: p.spec_missing,
        })
    }

    pub fn kind(&self) -> &'a str {
        self.object.kind
    }

    /// Labels of the pods this workload creates.
    pub fn pod_labels(&self) -> Option<&'a Node> {
        self.pod_metadata.and_then(|m| m.get("labels"))
    }

    pub fn pod_annotations(&self) -> Option<&'a Node> {
        self.pod_metadata.and_then(|m| m.get("annotations"))
    }

    /// Containers of one kind.
    pub fn containers_of(&self, kind: ContainerKind) -> impl Iterator<Item = Container<'a>> + 'a {
        self.pod_spec
            .get(kind.field())
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_map())
            .map(move |(index, node)| Container { node, kind, index })
    }

    /// Regular containers, then init containers, then ephemeral containers.
    pub fn all_containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        self.containers_of(ContainerKind::Container)
            .chain(self.containers_of(ContainerKind::Init))
            .chain(self.containers_of(ContainerKind::Ephemeral))
    }

    /// Regular and init containers (ephemeral ones take no resources or probes).
    pub fn app_containers(&self) -> impl Iterator<Item = Container<'a>> + 'a {
        self.containers_of(ContainerKind::Container)
            .chain(self.containers_of(ContainerKind::Init))
    }

    /// `spec.replicas`, with its node; `None` when unset.
    pub fn replicas_node(&self) -> Option<&'a Node> {
        if self.is_replicated() {
            self.object.get(&["spec", "replicas"])
        } else {
            None
        }
    }

    /// Whether the kind keeps `spec.replicas` identical pods running (the
    /// built-in replicated kinds, DeploymentConfig and Rollout).
    pub fn is_replicated(&self) -> bool {
        REPLICATED_KINDS.contains(&self.object.kind) || third_party(self.object).is_some()
    }

    /// The replica count as Kubernetes defaults it (1 when unset), for
    /// replicated kinds.
    pub fn replicas(&self) -> Option<i64> {
        if !self.is_replicated() {
            return None;
        }
        Some(self.replicas_node().and_then(Node::as_i64).unwrap_or(1))
    }

    /// The workload's selector entry (`spec.selector`), if any.
    pub fn selector_entry(&self) -> Option<&'a Entry> {
        match self.object.kind {
            "Deployment" | "ReplicaSet" | "ReplicationController" | "StatefulSet" | "DaemonSet" | "Job" => {
                self.object.root.path_entry(&["spec", "selector"])
            }
            _ if third_party(self.object).is_some() => self.object.root.path_entry(&["spec", "selector"]),
            _ => None,
        }
    }

    /// The selector as Kubernetes applies it: RCs default an omitted
    /// selector to the template labels; a DeploymentConfig's is a label map
    /// too.
    pub fn selector(&self) -> Option<LabelSelector<'a>> {
        let entry = self.selector_entry()?;
        let plain_map = self.object.kind == "ReplicationController" || third_party(self.object).is_some_and(|t| t.2);
        if plain_map {
            return Some(LabelSelector::equality(&entry.value));
        }
        Some(LabelSelector::from_node(&entry.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::{Limits, parse_yaml};

    fn with_object(text: &str, f: impl FnOnce(&Object)) {
        let st = parse_yaml(text, Limits::default());
        let root = st.documents[0].root.as_ref().unwrap_or_else(|| panic!("no root"));
        let obj = Object::new(0, 0, 0, None, root);
        f(&obj);
    }

    #[test]
    fn cronjob_containers() {
        with_object(
            "apiVersion: batch/v1\nkind: CronJob\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n          labels: {app: x}\n        spec:\n          initContainers:\n          - name: init\n          containers:\n          - name: main\n          - name: second\n",
            |o| {
                let w = Workload::of(o).unwrap_or_else(|| panic!("workload"));
                let names: Vec<_> = w.all_containers().filter_map(|c| c.name()).collect();
                assert_eq!(names, vec!["main", "second", "init"]);
                assert!(w.pod_labels().is_some());
                assert_eq!(w.replicas(), None);
            },
        );
    }

    #[test]
    fn pod_and_deployment() {
        with_object(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  labels: {a: b}\nspec:\n  containers: [{name: c}]\n",
            |o| {
                let w = Workload::of(o).unwrap_or_else(|| panic!("workload"));
                assert_eq!(w.all_containers().count(), 1);
                assert!(w.pod_labels().is_some());
            },
        );
        with_object(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n",
            |o| {
                let w = Workload::of(o).unwrap_or_else(|| panic!("workload"));
                assert_eq!(w.replicas(), Some(1));
            },
        );
        with_object("apiVersion: v1\nkind: Service\nspec: {}\n", |o| {
            assert!(Workload::of(o).is_none())
        });
    }

    #[test]
    fn deployment_config_and_rollout() {
        with_object(
            "apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nspec:\n  replicas: 3\n  selector: {app: web}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: c}]\n",
            |o| {
                let w = Workload::of(o).unwrap_or_else(|| panic!("workload"));
                assert_eq!(w.replicas(), Some(3));
                let sel = w.selector().unwrap_or_else(|| panic!("selector"));
                assert_eq!(sel.match_labels.len(), 1);
            },
        );
        with_object(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  selector: {matchLabels: {app: api}}\n  template:\n    spec:\n      containers: [{name: c}]\n",
            |o| {
                let w = Workload::of(o).unwrap_or_else(|| panic!("workload"));
                assert_eq!(w.replicas(), Some(1));
                assert!(w.selector().is_some());
            },
        );
        // With workloadRef there is no template; in another group the kind
        // names mean nothing.
        with_object(
            "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nspec:\n  workloadRef: {kind: Deployment, name: api}\n",
            |o| assert!(Workload::template_of(o).is_none()),
        );
        with_object(
            "apiVersion: example.com/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers: [{name: c}]\n",
            |o| assert!(Workload::of(o).is_none()),
        );
    }

    #[test]
    fn a_template_without_spec_is_a_pod_template_but_not_a_workload() {
        with_object(
            "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    metadata: {labels: {app: web}}\n",
            |o| {
                assert!(Workload::of(o).is_none());
                let w = Workload::template_of(o).unwrap_or_else(|| panic!("template"));
                assert!(w.spec_missing);
                assert!(w.pod_labels().is_some());
                assert_eq!(w.all_containers().count(), 0);
            },
        );
        with_object("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n", |o| {
            assert!(Workload::template_of(o).is_none())
        });
    }
}
