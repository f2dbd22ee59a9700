//! Tests of the origin fixes of rendered objects.

use super::*;

fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (path, text) in files {
        std::fs::write(dir.path().join(path), text).unwrap_or_else(|e| panic!("write: {e}"));
    }
    dir
}

/// The origin fix of one edit replacing the scalar at `keys` of the
/// first rendered object (or an empty span at its start).
fn fix_at(k: &str, keys: &[&str], replacement: &str, empty: bool) -> Option<Vec<(String, String)>> {
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: x\n";
    let dir = tree(&[("kustomization.yaml", k), ("cm.yaml", cm)]);
    let r = render(dir.path(), &Options::default());
    assert!(r.ok(), "{:?}", r.findings);
    let node = r.objects[0].path(keys).unwrap_or_else(|| panic!("{keys:?}"));
    let span = if empty {
        Span::new(node.span.start, node.span.start)
    } else {
        node.span
    };
    let fix = Fix {
        title: "t".into(),
        applicability: crate::diagnostic::Applicability::Safe,
        edits: vec![Edit {
            file: 0,
            span,
            replacement: replacement.into(),
        }],
    };
    let mapped = origin_fix(&r, dir.path(), &fix, &Options::default())?;
    Some(
        mapped
            .into_iter()
            .map(|(p, span, rep)| {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                (format!("{name}@{}", span.start), rep)
            })
            .collect(),
    )
}

#[test]
fn a_fix_maps_to_the_scalar_written_in_its_origin() {
    let k = "resources: [cm.yaml]\n";
    assert_eq!(
        fix_at(k, &["data", "a"], "y", false),
        Some(vec![("cm.yaml@62".to_string(), "y".to_string())])
    );
}

#[test]
fn no_origin_fix_for_insertions_structures_or_transformed_values() {
    let k = "resources: [cm.yaml]\n";
    assert_eq!(fix_at(k, &["data", "a"], "y", true), None);
    assert_eq!(fix_at(k, &["data", "a"], "{b: c}", false), None);
    // The name is written `c` in cm.yaml but rendered `p-c`: writing
    // `d` there renders `p-d`, not the `d` the fix meant.
    let prefixed = "resources: [cm.yaml]\nnamePrefix: p-\n";
    assert_eq!(fix_at(prefixed, &["metadata", "name"], "d", false), None);
}
