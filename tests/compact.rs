//! A command-line run checks each CustomResourceDefinition as soon as its
//! file is parsed and then cuts its schemas from the tree
//! (`kvet::lint::load_compact`, `kvet::compact`). What it finds must be
//! what a run over whole trees finds: on every fixture and on the corpus,
//! with every rule on.

mod common;
#[path = "common/read.rs"]
mod read;

use kvet::config::Config;
use kvet::lint::{LintOutput, lint_loaded, lint_with, load, load_compact};
use kvet::rules::Registry;
use kvet::source::SourceFile;

fn all_rules() -> Config {
    Config {
        select: vec!["all".into()],
        ..Config::default()
    }
}

fn shown(out: &LintOutput) -> (Vec<String>, Vec<String>) {
    let show = |d: &kvet::diagnostic::Diagnostic| format!("{d:?}");
    (
        out.diagnostics.iter().map(show).collect(),
        out.suppressed.iter().map(show).collect(),
    )
}

/// Lints `sources` both ways and compares every finding, suppressed ones
/// included. Returns how many objects were checked when their file was read.
fn compact_equals_whole(sources: &[SourceFile], config: &Config) -> usize {
    let registry = Registry::builtin();
    let compact = lint_with(sources, config, registry);
    let whole = lint_loaded(sources, load(sources, &|| {}), config, registry, false);
    let (got, got_suppressed) = shown(&compact);
    let (want, want_suppressed) = shown(&whole);
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "the compact run differs from the run over whole trees");
    }
    assert_eq!(
        got.len(),
        want.len(),
        "the compact run finds a different number of findings"
    );
    assert_eq!(got_suppressed, want_suppressed);
    assert_eq!(compact.summary.objects, whole.summary.objects);
    // Reports (JUnit) find a finding's object by the identity it carries.
    for out in [&compact, &whole] {
        for d in &out.diagnostics {
            if let Some(meta) = &d.object {
                assert!(
                    out.objects.iter().any(|o| std::sync::Arc::ptr_eq(&o.meta, meta)),
                    "{d:?} carries the identity of no object of the run"
                );
            }
        }
    }
    let early = load_compact(sources, config, registry, &|| {});
    early.early.iter().map(|e| e.objects.len()).sum()
}

#[test]
fn compact_run_equals_whole_trees_on_the_fixtures() {
    let sources = read::manifests(&common::repo_root().join("fixtures"));
    let early = compact_equals_whole(&sources, &all_rules());
    assert!(early > 0, "no fixture has a CRD: the test proves nothing");
}

#[test]
fn compact_run_equals_whole_trees_on_the_corpus() {
    let Some(corpus) = common::shared("compact_run_equals_whole_trees_on_the_corpus", "corpus") else {
        return;
    };
    let sources = read::manifests(&corpus);
    let early = compact_equals_whole(&sources, &all_rules());
    assert!(early >= 50, "the corpus has 75 CRDs, {early} were checked early");
}

const CRD: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: 'set {{ .Values.widget }} here'
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, unknownField: 1}
";

const WIDGET: &str = "\
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  size: big
  colour: red
";

#[test]
fn a_cut_crd_still_validates_its_resources_and_reports_its_own_findings() {
    // The resource's file comes first; a List holds the CRD.
    let list = format!(
        "apiVersion: v1\nkind: List\nitems:\n{}",
        CRD.lines().enumerate().fold(String::new(), |mut acc, (i, l)| {
            acc.push_str(if i == 0 { "- " } else { "  " });
            acc.push_str(l);
            acc.push('\n');
            acc
        })
    );
    for crd in [CRD.to_string(), list] {
        let sources = vec![
            SourceFile::from_text("widget.yaml", None, WIDGET.into()),
            SourceFile::from_text("crd.yaml", None, crd),
        ];
        let early = compact_equals_whole(&sources, &all_rules());
        assert_eq!(early, 1);

        let out = lint_with(&sources, &all_rules(), Registry::builtin());
        let rules: Vec<&str> = out.diagnostics.iter().map(|d| &*d.rule).collect();
        // The resource: a wrong type and a field its CRD prunes.
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.file == 0 && d.message.contains("size")),
            "{rules:?}"
        );
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.file == 0 && d.message.contains("colour")),
            "{rules:?}"
        );
        // The CRD's own schema finding and its placeholder, found before the cut.
        assert!(
            out.diagnostics
                .iter()
                .any(|d| d.file == 1 && d.message.contains("unknownField")),
            "{rules:?}"
        );
        assert!(rules.contains(&"placeholder-unrendered"), "{rules:?}");

        // The tree is cut: no schema is left in it.
        let loaded = load_compact(&sources, &all_rules(), Registry::builtin(), &|| {});
        let root = loaded.streams[1].documents[0].root.as_ref().expect("a document");
        let crd = root.get("items").map_or(root, |items| &items.items()[0]);
        let version = &crd.path(&["spec", "versions"]).expect("versions").items()[0];
        assert!(version.get("schema").is_none());
        assert_eq!(version.get("name").and_then(|n| n.as_str()), Some("v1"));
        assert!(crd.path(&["spec", "names", "kind"]).is_some());
    }
}
