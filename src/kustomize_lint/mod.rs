//! Kustomize files linted for what they are: the kustomization file
//! itself (keys and types as Kustomize decodes them, the files it names,
//! deprecated fields with their `kustomize edit fix` rewrites), and patch
//! fragments validated as partial objects of their targets. Independent of
//! rendering: these checks read one kustomization (and the file system
//! around it), never a rendered tree.

pub mod cycle;
pub mod fragment;
pub mod refs;
pub mod spec;
pub mod upgrade;

use std::path::Path;

use crate::model::Object;
use crate::yaml::{Node, Value};

pub use fragment::{FragmentProblem, check_fragment, validate_fragment};
pub use refs::{KUSTOMIZATION_FILE_NAMES, PatchFormat, PatchRef, PatchSource, PatchTarget, file_refs, patches};

/// The apiVersion and kind Kustomize assumes for a kustomization that
/// writes neither.
pub const DEFAULT_API_VERSION: &str = "kustomize.config.k8s.io/v1beta1";
pub const DEFAULT_KIND: &str = "Kustomization";

/// Whether a file name is one Kustomize reads as a kustomization.
pub fn is_kustomization_file_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| KUSTOMIZATION_FILE_NAMES.contains(&n))
}

/// Keys that only a kustomization has at its top level: a document without
/// apiVersion and kind holding one of them as a list is a kustomization
/// (Kustomize accepts one without apiVersion and kind).
const DISTINCTIVE: &[&str] = &[
    "resources",
    "bases",
    "components",
    "patchesStrategicMerge",
    "patchesJson6902",
    "patches",
    "configMapGenerator",
    "secretGenerator",
];

/// Whether a document with neither `apiVersion` nor `kind` is a
/// kustomization: it has no `spec`, and one of the kustomization-only
/// lists. Loading gives such a document Kustomize's default apiVersion and
/// kind instead of reporting it as an object without them.
pub fn looks_like_kustomization(root: &Node) -> bool {
    root.get("apiVersion").is_none()
        && root.get("kind").is_none()
        && root.get("spec").is_none()
        && DISTINCTIVE
            .iter()
            .any(|k| root.get(k).is_some_and(|n| matches!(n.value, Value::Seq(_))))
}

/// Whether an object is a kustomization (or a Kustomize `Component`).
/// One without apiVersion and kind counts only in a file Kustomize reads
/// (`kustomization.yaml`, `kustomization.yml`, `Kustomization`); `path` is
/// its file's (`None` for stdin and editor buffers, which count).
pub fn is_kustomization(object: &Object, path: Option<&Path>) -> bool {
    match (object.api_version, object.kind) {
        ("kustomize.config.k8s.io/v1beta1", "Kustomization") | ("kustomize.config.k8s.io/v1alpha1", "Component") => {
            object.root.get("kind").is_some() || path.is_none_or(is_kustomization_file_name)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::lint;
    use crate::source::SourceFile;

    fn objects_and_rules(name: &str, text: &str) -> (Vec<String>, Vec<String>) {
        let sources = vec![SourceFile::from_text(
            name,
            Some(std::path::PathBuf::from(name)),
            text.to_string(),
        )];
        let out = lint(&sources, &Config::default());
        (
            out.objects
                .iter()
                .map(|o| format!("{} {}", o.meta.api_version, o.meta.kind))
                .collect(),
            // `a.yaml` is not on disk: `kustomization-file-missing` is not
            // what these cases are about.
            out.diagnostics
                .iter()
                .filter(|d| d.rule != "kustomization-file-missing")
                .map(|d| d.rule.to_string())
                .collect(),
        )
    }

    #[test]
    fn a_kustomization_without_type_meta_is_read_as_kustomize_reads_it() {
        // It used to be an object without apiVersion and kind
        // (`type-meta-missing`) when it had `metadata`.
        let (objects, rules) =
            objects_and_rules("kustomization.yaml", "metadata:\n  name: app\nresources:\n- a.yaml\n");
        assert_eq!(objects, vec!["kustomize.config.k8s.io/v1beta1 Kustomization"]);
        assert_eq!(rules, Vec::<String>::new());
        // Its keys are checked in a file Kustomize reads, not elsewhere.
        let typo = "resources:\n- a.yaml\nnamePrefx: x-\n";
        assert_eq!(
            objects_and_rules("kustomization.yaml", typo).1,
            vec!["kustomization-unknown-field"]
        );
        assert_eq!(objects_and_rules("values.yaml", typo).1, Vec::<String>::new());
        // Other YAML without apiVersion and kind is as before.
        let (objects, rules) = objects_and_rules("values.yaml", "replicas: 2\nresources: {}\n");
        assert!(objects.is_empty() && rules.is_empty());
        let (_, rules) = objects_and_rules("x.yaml", "metadata: {name: a}\nspec: {}\n");
        assert_eq!(rules, vec!["type-meta-missing"]);
    }
}
