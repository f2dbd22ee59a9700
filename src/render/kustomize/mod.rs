//! Kustomize v5 rendering, in-process: a kustomization folder is built as
//! `kubectl kustomize` builds it (resources, components, generators, the
//! builtin transformers in kustomize's order, hash suffixes, name
//! references, vars, legacy output order), without network access and
//! without running plugins (kustomize's builtin transformer and generator
//! configurations are applied in-process). Every rendered node keeps a span in the render's
//! [`SourceMap`]: where the value was written.

mod build;
mod emit;
mod generators;
mod names;
mod no_match;
mod output;
mod patch;
mod plugins;
mod replace;
mod res;
mod smp;
mod transform;
mod tree;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::SourceMap;
use crate::yaml::{Node, Span};

pub use emit::to_yaml;

/// The file names kustomize accepts for a kustomization, in its order.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a folder, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|n| dir.join(n))
        .find(|p| crate::deps::is_file(p))
}

/// What kind of problem a render met (it picks the rule that reports it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// `kustomize build` fails here (a patch that matches nothing, a
    /// malformed patch, a bad generator entry, ...).
    BuildError,
    /// A file or folder the kustomization names is not there.
    Missing,
    /// A kustomization includes itself through its resources or components.
    Cycle,
    /// Something kvet does not do (fetch a URL, run Helm or a plugin):
    /// the root is not rendered.
    NotRendered,
    /// A field kvet reads but does not apply; the rest of the root renders.
    Unsupported,
    /// A patch whose `target` selects no resource: kustomize skips it
    /// silently (the root renders).
    PatchNoMatch,
}

/// A problem met while rendering, at a span of the render's source map
/// (usually the kustomization entry that names the failing file).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    /// Whether the root could not be rendered at all (its files should then
    /// be linted raw).
    pub fatal: bool,
    pub problem: Problem,
}

/// The result of rendering one root.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub map: SourceMap,
    /// The objects in kustomize's output order (empty when rendering failed).
    pub objects: Vec<Node>,
    pub findings: Vec<Finding>,
    /// Every file the kustomizations of the root read (canonical paths).
    pub used: Vec<PathBuf>,
    /// Scalars a strategic merge patch wrote plain over a quoted value,
    /// which kustomize keeps quoted (a string): the rendered scalar's span
    /// → the span of the quoted value in the base.
    pub kept_quotes: HashMap<Span, Span>,
}

impl Rendered {
    /// Whether the root rendered (no fatal finding).
    pub fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.fatal)
    }

    /// A finding as `file:line: message` text.
    pub fn describe(&self, f: &Finding) -> String {
        match self.map.line_of(f.span.start) {
            Some((file, line)) => format!("{}:{}: {}", file.path.display(), line, f.message),
            None => f.message.clone(),
        }
    }
}

/// Options of a render.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files outside this folder are read only when a kustomization names
    /// them by a relative path; absolute paths outside it are refused.
    /// `None`: no restriction.
    pub repository: Option<PathBuf>,
    /// Texts read instead of the files' (an editor's unsaved buffers), by
    /// path as the render names them (lexically normalized, absolute when
    /// the root is).
    pub overlay: Option<Arc<HashMap<PathBuf, String>>>,
}

/// A YAML scalar as kustomize reads it (YAML 1.2 booleans: `y` stays a
/// string); `None` for a mapping, a sequence or text that is not one value.
pub fn read_scalar(text: &str) -> Option<crate::yaml::Value> {
    let stream = crate::yaml::parse_source(text, false, crate::yaml::Limits::default());
    if !stream.diagnostics.is_empty() || stream.documents.len() != 1 {
        return None;
    }
    let mut root = stream.documents.into_iter().next()?.root?;
    tree::kustomize_scalars(&mut root, text);
    (!matches!(root.value, crate::yaml::Value::Map(_) | crate::yaml::Value::Seq(_))).then_some(root.value)
}

/// Renders the kustomization in `dir`.
pub fn render(dir: &Path, opts: &Options) -> Rendered {
    build::Builder::new(opts).render(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for (path, text) in files {
            let p = dir.path().join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(p, text).expect("write");
        }
        dir
    }

    /// Renders `root` and returns the single fatal finding as `file:line: message`.
    fn fails(files: &[(&str, &str)], root: &str) -> String {
        let dir = tree(files);
        let r = render(&dir.path().join(root), &Options::default());
        assert!(!r.ok(), "expected a failure, got {} objects", r.objects.len());
        assert!(r.objects.is_empty());
        let f = r.findings.iter().find(|f| f.fatal).expect("a fatal finding");
        let text = r.describe(f);
        text.replace(&format!("{}/", dir.path().display()), "")
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";

    #[test]
    fn cycle_is_a_located_finding() {
        let msg = fails(
            &[
                ("a/kustomization.yaml", "resources:\n- ../b\n"),
                ("b/kustomization.yaml", "resources:\n- ../a\n"),
            ],
            "a",
        );
        assert!(msg.starts_with("b/kustomization.yaml:2: cycle"), "{msg}");
    }

    #[test]
    fn missing_file_is_a_located_finding() {
        let msg = fails(
            &[
                ("kustomization.yaml", "resources:\n- cm.yaml\n- gone.yaml\n"),
                ("cm.yaml", CM),
            ],
            ".",
        );
        assert_eq!(msg, "kustomization.yaml:3: `gone.yaml` does not exist");
    }

    #[test]
    fn patch_without_target_match_is_a_finding() {
        let k = "resources: [cm.yaml]\npatches:\n- patch: |-\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: other}\n";
        let msg = fails(&[("kustomization.yaml", k), ("cm.yaml", CM)], ".");
        assert!(
            msg.starts_with("kustomization.yaml:4: this patch matches no resource"),
            "{msg}"
        );
    }

    #[test]
    fn malformed_patch_is_a_finding() {
        let k = "resources: [cm.yaml]\npatches:\n- path: p.yaml\n  target: {kind: ConfigMap}\n";
        let msg = fails(
            &[
                ("kustomization.yaml", k),
                ("cm.yaml", CM),
                ("p.yaml", "- op: frobnicate\n  path: /data\n"),
            ],
            ".",
        );
        assert!(msg.contains("unknown operation `frobnicate`"), "{msg}");
        let msg = fails(&[("kustomization.yaml", k), ("cm.yaml", CM), ("p.yaml", "a: [\n")], ".");
        assert!(msg.contains("cannot be read"), "{msg}");
    }

    #[test]
    fn unreadable_generator_file_is_a_finding() {
        let k = "configMapGenerator:\n- name: x\n  files: [missing.txt]\n";
        let msg = fails(&[("kustomization.yaml", k)], ".");
        assert!(msg.starts_with("kustomization.yaml:3: cannot read"), "{msg}");
    }

    #[test]
    fn remote_resources_and_plugins_are_not_fetched_or_run() {
        let msg = fails(
            &[("kustomization.yaml", "resources:\n- https://example.com/x.yaml\n")],
            ".",
        );
        assert!(msg.contains("not fetched"), "{msg}");
        let k = "transformers:\n- t.yaml\n";
        let t = "apiVersion: example.com/v1\nkind: MyPlugin\nmetadata: {name: p}\n";
        let msg = fails(&[("kustomization.yaml", k), ("t.yaml", t)], ".");
        assert!(msg.contains("is not run by kvet"), "{msg}");
        let msg = fails(&[("kustomization.yaml", "helmCharts:\n- name: x\n")], ".");
        assert!(msg.contains("`helmCharts` is not run"), "{msg}");
    }

    #[test]
    fn infinity_fails_as_in_kustomize() {
        // kustomize writes through JSON, which has no infinity.
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  labels:\n    x: -.Inf\n";
        let msg = fails(
            &[("kustomization.yaml", "resources: [cm.yaml]\n"), ("cm.yaml", cm)],
            ".",
        );
        assert!(msg.starts_with("cm.yaml:6: kustomize cannot write `-.Inf`"), "{msg}");
        // As an annotation it is only text.
        let cm = cm.replace("labels", "annotations");
        let dir = tree(&[("kustomization.yaml", "resources: [cm.yaml]\n"), ("cm.yaml", &cm)]);
        let r = render(dir.path(), &Options::default());
        let v = r
            .objects
            .first()
            .and_then(|o| o.path(&["metadata", "annotations", "x"]));
        assert_eq!(v.and_then(Node::as_str), Some("-.Inf"));
    }

    #[test]
    fn values_keep_their_origin() {
        let k = "namespace: prod\nresources: [cm.yaml]\n";
        let dir = tree(&[("kustomization.yaml", k), ("cm.yaml", CM)]);
        let r = render(dir.path(), &Options::default());
        assert!(r.ok());
        let obj = &r.objects[0];
        let at = |keys: &[&str]| {
            let n = obj.path(keys).expect("field");
            let (f, line) = r.map.line_of(n.span.start).expect("mapped");
            format!("{}:{line}", f.path.file_name().and_then(|n| n.to_str()).unwrap_or(""))
        };
        assert_eq!(at(&["metadata", "name"]), "cm.yaml:4");
        assert_eq!(at(&["metadata", "namespace"]), "kustomization.yaml:1");
    }

    /// The kinds of the findings of a render.
    fn problems(files: &[(&str, &str)], root: &str) -> Vec<(Problem, bool)> {
        let dir = tree(files);
        let r = render(&dir.path().join(root), &Options::default());
        r.findings.iter().map(|f| (f.problem, f.fatal)).collect()
    }

    #[test]
    fn each_problem_has_its_kind() {
        let cycle = [
            ("a/kustomization.yaml", "resources:\n- ../b\n"),
            ("b/kustomization.yaml", "resources:\n- ../a\n"),
        ];
        assert_eq!(problems(&cycle, "a"), [(Problem::Cycle, true)]);
        let missing = [("kustomization.yaml", "resources: [gone.yaml]\n")];
        assert_eq!(problems(&missing, "."), [(Problem::Missing, true)]);
        let env = [(
            "kustomization.yaml",
            "configMapGenerator:\n- {name: x, envs: [gone.env]}\n",
        )];
        assert_eq!(problems(&env, "."), [(Problem::Missing, true)]);
        let remote = [("kustomization.yaml", "resources: [https://example.com/a.yaml]\n")];
        assert_eq!(problems(&remote, "."), [(Problem::NotRendered, true)]);
        // A JSON patch without a target (kustomize: "must specify a target").
        let untargeted = [
            ("kustomization.yaml", "resources: [cm.yaml]\npatches:\n- path: p.yaml\n"),
            ("cm.yaml", CM),
            ("p.yaml", "- op: add\n  path: /data\n  value: {a: b}\n"),
        ];
        assert_eq!(problems(&untargeted, "."), [(Problem::BuildError, true)]);
        assert_eq!(
            fails(&untargeted, "."),
            "kustomization.yaml:3: a JSON 6902 patch needs a `target`"
        );
        let literal = [(
            "kustomization.yaml",
            "configMapGenerator:\n- {name: x, literals: [=v]}\n",
        )];
        assert_eq!(problems(&literal, "."), [(Problem::BuildError, true)]);
        // `crds` is noted, and the root renders.
        let crds = [
            ("kustomization.yaml", "crds: [crd.yaml]\nresources: [cm.yaml]\n"),
            ("cm.yaml", CM),
            ("crd.yaml", "kind: CustomResourceDefinition\n"),
        ];
        assert_eq!(problems(&crds, "."), [(Problem::Unsupported, false)]);
    }

    #[test]
    fn env_file_lines_as_kustomize_reads_them() {
        // Checked with `kubectl kustomize` (v1.32): a line without `=` has an
        // empty value (the environment is not read), an empty key is
        // dropped, spaces stay in keys and values.
        let k = "configMapGenerator:\n- name: x\n  envs: [a.env]\n";
        let dir = tree(&[("kustomization.yaml", k), ("a.env", "A=1\nNOEQ\n=v\nK = v\n# c\n\n")]);
        let r = render(dir.path(), &Options::default());
        assert!(r.ok(), "{:?}", r.findings);
        let data: Vec<(String, Option<&str>)> = r.objects[0]
            .get("data")
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|e| (e.key.to_string(), e.value.as_str()))
            .collect();
        let want = [("A", "1"), ("NOEQ", ""), ("K ", " v")];
        assert_eq!(data, want.map(|(k, v)| (k.to_string(), Some(v))));
        assert_eq!(
            r.objects[0].path(&["metadata", "name"]).and_then(Node::as_str),
            Some("x-f9bk629ftd")
        );
    }

    #[test]
    fn an_overlay_text_is_read_instead_of_the_file() {
        let dir = tree(&[("kustomization.yaml", "resources: [cm.yaml]\n"), ("cm.yaml", CM)]);
        let mut overlay = HashMap::new();
        overlay.insert(dir.path().join("cm.yaml"), CM.replace("name: c", "name: edited"));
        let r = render(
            dir.path(),
            &Options {
                overlay: Some(Arc::new(overlay)),
                ..Options::default()
            },
        );
        assert_eq!(
            r.objects[0].path(&["metadata", "name"]).and_then(Node::as_str),
            Some("edited")
        );
    }

    #[test]
    fn garbage_never_panics() {
        for k in [
            "",
            "[]",
            "resources: 3",
            "resources: [{a: b}]",
            "patches: [3]",
            "namePrefix: [x]",
            "images: [{}]",
            "replacements: [{}]",
            "vars: [{}]",
            "configMapGenerator: [{}]",
        ] {
            let dir = tree(&[("kustomization.yaml", k)]);
            let _ = render(dir.path(), &Options::default());
        }
    }
}
