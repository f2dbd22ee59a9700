//! `object-duplicate`: two objects of the same kind and API group, with the
//! same namespace and name. Applied together, the second silently replaces
//! the first. Option `scope` says which objects are applied together: those
//! of one file (default), of one folder, or the whole run.

use crate::hash::{Map, Set};

use super::scope::Scopes;
use crate::diagnostic::Label;
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};

pub struct ObjectDuplicate;

impl Rule for ObjectDuplicate {
    fn id(&self) -> &str {
        "object-duplicate"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        let scopes = Scopes::of(catalog);
        let scope = ctx.option_str("scope").unwrap_or("file").to_string();
        let sources = ctx.sources;
        // The set of objects applied together that an object belongs to.
        let partition = |object: &Object| -> Option<String> {
            match scope.as_str() {
                "run" => None,
                "directory" => Some(sources.get(object.file as usize).map_or_else(String::new, |s| {
                    let path = s.path.clone().unwrap_or_else(|| s.name.clone().into());
                    path.parent().map(|p| p.display().to_string()).unwrap_or_default()
                })),
                _ => Some(object.file.to_string()),
            }
        };
        // (partition, group, kind, namespace, name) -> first object
        type Key<'k> = (Option<String>, &'k str, &'k str, Option<&'k str>, &'k str);
        let mut first: Map<Key, &Object> = Map::default();
        // With a focus, only the focus objects' partitions can hold a
        // duplicate reported on a focus object.
        let focus_parts: Option<Set<Option<String>>> = catalog.focus.as_ref().filter(|_| scope != "run").map(|_| {
            catalog
                .objects
                .iter()
                .filter(|o| catalog.in_focus(o))
                .map(partition)
                .collect()
        });
        for object in &catalog.objects {
            if scope == "file" && !catalog.in_focus(object) {
                continue;
            }
            if let Some(parts) = &focus_parts
                && scope != "file"
                && !parts.contains(&partition(object))
            {
                continue;
            }
            let Some(name) = object.name.filter(|n| !n.is_empty()) else {
                continue;
            };
            if object.kind.is_empty() {
                continue;
            }
            // A cluster-scoped object's namespace is ignored.
            let ns = match scopes.namespaced(object) {
                Some(false) => None,
                _ => object.namespace,
            };
            let key = (partition(object), object.group(), object.kind, ns, name);
            let Some(orig) = first.get(&key) else {
                first.insert(key, object);
                continue;
            };
            let where_ = if orig.file == object.file {
                "earlier in this file".to_string()
            } else {
                match ctx.sources.get(orig.file as usize) {
                    Some(s) => format!("in {}", s.name),
                    None => "in another file".to_string(),
                }
            };
            let ns_text = match ns {
                Some(n) => format!(" in namespace `{n}`"),
                None => String::new(),
            };
            let d = ctx.report(
                object,
                object.name_span(),
                format!(
                    "{} `{name}`{ns_text} is defined twice; the first definition is {where_}",
                    object.kind
                ),
            );
            d.labels.push(Label {
                file: orig.file,
                span: orig.name_span(),
                message: "first defined here".into(),
            });
            d.help("applied together, the later definition silently replaces the earlier one; remove one, or give them different names or namespaces");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "object-duplicate";

    #[test]
    fn same_kind_name_namespace() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: a}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 1);
        assert!(d[0].span.start > 40);
        assert_eq!(spanned(text, &d[0]), "cfg");
        assert_eq!(d[0].labels.len(), 1);
        // Cluster-scoped: the namespace does not matter.
        assert_fires(
            RULE,
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r, namespace: a}\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\n",
        );
    }

    #[test]
    fn across_files_with_the_scope_option() {
        use crate::config::Config;
        use crate::lint::lint;
        use crate::source::SourceFile;
        let a = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";
        let files = |names: [&str; 2]| {
            names
                .iter()
                .map(|n| SourceFile::from_text(*n, None, a.to_string()))
                .collect::<Vec<_>>()
        };
        let run = |scope: &str, sources: &[SourceFile]| {
            let mut config = Config {
                select: vec![RULE.to_string()],
                ..Config::default()
            };
            let mut opts = serde_json::Map::new();
            opts.insert("scope".into(), scope.into());
            config.options.insert(RULE.into(), opts);
            lint(sources, &config).diagnostics
        };
        let two = files(["k8s/a.yaml", "k8s/b.yaml"]);
        assert!(run("file", &two).is_empty());
        let d = run("directory", &two);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].labels[0].file, 0);
        assert_eq!(d[0].file, 1);
        assert!(d[0].message.contains("in k8s/a.yaml"), "{}", d[0].message);
        let apart = files(["base/a.yaml", "overlay/a.yaml"]);
        assert!(run("directory", &apart).is_empty());
        assert_eq!(run("run", &apart).len(), 1);
    }

    #[test]
    fn differing_kind_group_or_namespace() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: b}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: x, namespace: a}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: a}\n---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: x, namespace: a}\n",
        );
        // No namespace vs a namespace: not known to collide.
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: a}\n",
        );
    }
}
