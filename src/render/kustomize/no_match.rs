//! Patch targets that select nothing. In Kustomize v5 a `patches` or
//! `patchesJson6902` entry whose `target` selects no resource is skipped
//! without a word; a typo in the target is then a patch silently lost.
//! This finds those entries, with a "did you mean" from the resources the
//! patch could have applied to.
//!
//! A target that names one resource (a plain `name`) of a kind the root
//! has is reported whenever it selects nothing. Any other (no name, a name
//! pattern, label or annotation selectors: typical of components meant for
//! many roots; or a kind the root has none of) is reported only when a
//! field looks misspelt: a kind, name, group, version or namespace no
//! resource has, close to one that makes the target select something.

use super::patch::Selector;
use super::res::Res;
use crate::yaml::{Node, Span, Value};

/// The selector fields of a target, in the order they are named.
const FIELDS: [&str; 7] = [
    "group",
    "version",
    "kind",
    "name",
    "namespace",
    "labelSelector",
    "annotationSelector",
];

/// A targeted entry of `field` (`patches`, `patchesJson6902`) whose target
/// selects none of `ra`: where its `target` is written, and the message.
pub fn unmatched(k: &Node, field: &str, ra: &[Res]) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for item in k.get(field).map(Node::items).unwrap_or(&[]) {
        let Some(entry) = item.entry("target") else { continue };
        let target = &entry.value;
        if !target.is_map() || selects_any(target, ra) {
            continue;
        }
        let hint = did_you_mean(target, ra);
        if hint.is_none() && (is_generic(target) || kind_absent(target, ra)) {
            continue;
        }
        let fields: Vec<String> = FIELDS
            .iter()
            .filter_map(|f| Some(format!("{f} `{}`", text(target, f)?)))
            .collect();
        let what = if fields.is_empty() {
            String::new()
        } else {
            format!(" ({})", fields.join(", "))
        };
        let mut message =
            format!("this patch's target{what} selects no resource, so kustomize skips the patch without a word");
        if let Some(h) = hint {
            message.push_str(&format!("; did you mean {h}?"));
        }
        // To the last selector value (a flow mapping's span can run on
        // over a trailing comment).
        let end = target
            .entries()
            .last()
            .map_or(target.span.end, |e| e.value.span.end)
            .max(entry.key_span.end);
        out.push((Span::new(entry.key_span.start, end), message));
    }
    out
}

fn text(target: &Node, field: &str) -> Option<String> {
    target.get(field).and_then(Node::scalar_text).filter(|s| !s.is_empty())
}

fn selects_any(target: &Node, ra: &[Res]) -> bool {
    let sel = Selector::read(target);
    ra.iter().any(|r| sel.matches(r))
}

/// Whether the target names a kind none of `ra` has (the patch is for
/// resources that come from elsewhere, such as files a bootstrap fills in).
fn kind_absent(target: &Node, ra: &[Res]) -> bool {
    text(target, "kind").is_some_and(|k| !ra.iter().any(|r| r.kind() == k))
}

/// Whether a target is meant to select by pattern or labels rather than
/// name one resource.
fn is_generic(target: &Node) -> bool {
    match text(target, "name") {
        None => true,
        Some(name) => name.contains(['*', '.', '+', '?', '(', ')', '[', ']', '{', '}', '|', '^', '$', '\\']),
    }
}

/// The close value of a field that, put in the target instead of the one
/// written, makes it select a resource: "kind `Deployment`".
fn did_you_mean(target: &Node, ra: &[Res]) -> Option<String> {
    let values = |field: &str| -> Vec<String> {
        let mut v: Vec<String> = ra
            .iter()
            .flat_map(|r| match field {
                "kind" => vec![r.kind().to_string()],
                "group" => vec![r.group().to_string()],
                "version" => vec![r.version().to_string()],
                "namespace" => vec![r.namespace().to_string(), r.orig_ns.clone()],
                _ => vec![r.name().to_string(), r.orig_name.clone()],
            })
            .filter(|s| !s.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    for field in ["kind", "name", "group", "version", "namespace"] {
        let Some(written) = text(target, field) else { continue };
        if field == "name" && is_generic(target) {
            continue;
        }
        let known = values(field);
        if known.contains(&written) {
            continue;
        }
        let Some(close) = crate::schema::validate::suggest(&written, known.iter().map(String::as_str)) else {
            continue;
        };
        let fixed = with_field(target, field, close);
        if selects_any(&fixed, ra) {
            return Some(format!("{field} `{close}`"));
        }
    }
    None
}

/// `target` with `field` set to `value`.
fn with_field(target: &Node, field: &str, value: &str) -> Node {
    let mut t = target.clone();
    if let Value::Map(entries) = &mut t.value {
        for e in entries.iter_mut().filter(|e| &*e.key == field) {
            e.value = Node::new(e.value.span, Value::Str(value.into()));
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use crate::render::kustomize::{Options, Problem, render};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web}\n";

    /// The patch-no-match messages of a root made of `DEPLOY` and `k`.
    fn warnings(k: &str) -> Vec<String> {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("kustomization.yaml"), k).expect("write");
        std::fs::write(dir.path().join("d.yaml"), DEPLOY).expect("write");
        let r = render(dir.path(), &Options::default());
        assert!(r.ok(), "{:?}", r.findings);
        r.findings
            .iter()
            .filter(|f| f.problem == Problem::PatchNoMatch)
            .map(|f| r.describe(f).replace(&format!("{}/", dir.path().display()), ""))
            .collect()
    }

    const OP: &str = "  patch: '[{op: add, path: /metadata/labels/x, value: y}]'\n";

    #[test]
    fn a_target_that_selects_nothing_is_reported_with_a_close_value() {
        let k = format!("resources: [d.yaml]\npatches:\n- target: {{kind: Deploymnet, name: web}}\n{OP}");
        assert_eq!(
            warnings(&k),
            [
                "kustomization.yaml:3: this patch's target (kind `Deploymnet`, name `web`) selects no resource, so kustomize skips the patch without a word; did you mean kind `Deployment`?"
            ]
        );
        let k = format!(
            "resources: [d.yaml]\npatchesJson6902:\n- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: webb\n{OP}"
        );
        let w = warnings(&k);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].starts_with(
                "kustomization.yaml:3: this patch's target (group `apps`, version `v1`, kind `Deployment`, name `webb`)"
            ),
            "{w:?}"
        );
        assert!(w[0].ends_with("did you mean name `web`?"), "{w:?}");
        // Nothing close: reported without a guess.
        let k = format!("resources: [d.yaml]\npatches:\n- target: {{kind: Deployment, name: database}}\n{OP}");
        let w = warnings(&k);
        assert!(w[0].ends_with("without a word"), "{w:?}");
    }

    #[test]
    fn targets_that_select_something_or_are_generic_are_quiet() {
        for target in [
            "{kind: Deployment, name: web}",
            "{kind: Deployment}",
            "{name: w.*}",
            "{labelSelector: app=web}",
            // Generic and selecting nothing: a component's patch for kinds
            // this root does not have.
            "{kind: StatefulSet}",
            "{kind: Deployment, labelSelector: tier=db}",
            "{kind: Deployment, name: \"web-.*\"}",
            // A kind this root has none of, nothing close to it.
            "{kind: Ingress, name: web}",
        ] {
            let k = format!("resources: [d.yaml]\npatches:\n- target: {target}\n{OP}");
            assert_eq!(warnings(&k), Vec::<String>::new(), "{target}");
        }
        // Nothing to patch at all (files a bootstrap fills in).
        let dir = tempfile::tempdir().expect("tempdir");
        let k = format!("resources: [empty.yaml]\npatches:\n- target: {{kind: Deployment, name: web}}\n{OP}");
        std::fs::write(dir.path().join("kustomization.yaml"), k).expect("write");
        std::fs::write(dir.path().join("empty.yaml"), "").expect("write");
        let r = render(dir.path(), &Options::default());
        assert!(r.ok() && r.findings.is_empty(), "{:?}", r.findings);
        // A generic target with a misspelt kind is reported.
        let k = format!("resources: [d.yaml]\npatches:\n- target: {{kind: deployment}}\n{OP}");
        assert_eq!(warnings(&k).len(), 1);
    }

    #[test]
    fn a_target_renamed_by_an_earlier_patch_is_not_reported() {
        // The second patch selects the name the first one gave.
        let k = "resources: [d.yaml]\npatches:\n- target: {kind: Deployment, name: web}\n  patch: '[{op: replace, path: /metadata/name, value: api}]'\n- target: {kind: Deployment, name: api}\n  patch: '[{op: add, path: /metadata/labels/x, value: y}]'\n";
        assert_eq!(warnings(k), Vec::<String>::new());
    }
}
