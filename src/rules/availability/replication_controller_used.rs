//! `replication-controller-used`: ReplicationControllers instead of
//! Deployments (domain facts D3, A5).

use crate::diagnostic::{Applicability, Fix};
use crate::model::{Object, Workload};
use crate::rules::selectors::rc_selector_set_based::set_based_key;
use crate::rules::{Ctx, Rule};
use crate::source::SourceFile;

pub struct ReplicationControllerUsed;

impl Rule for ReplicationControllerUsed {
    fn id(&self) -> &str {
        "replication-controller-used"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "ReplicationController" || object.api_version != "v1" {
            return;
        }
        let fix = ctx.source(object).and_then(|file| to_deployment(file, object));
        let d = ctx
            .report(object, object.kind_span(), "ReplicationController is superseded by Deployment")
            .help("use an apps/v1 Deployment: it declares the end state, keeps a rollout history and supports `kubectl rollout status|undo`; `kubectl rolling-update` worked only with ReplicationControllers and is gone");
        if let Some(fix) = fix {
            d.fix(fix);
        }
    }
}

/// The edits that turn the RC into an apps/v1 Deployment: apiVersion, kind,
/// and the selector in `matchLabels` form (written from the template labels
/// when the RC relied on its default). Unsafe: applying the result creates
/// a new controller next to the old one, which must be deleted by hand (its
/// pods are not handed over).
fn to_deployment(file: &SourceFile, object: &Object) -> Option<Fix> {
    let fid = object.file;
    let root = object.root;
    let spec = root.get("spec").filter(|s| s.is_map())?;
    let labels = Workload::of(object)?.pod_labels().filter(|l| !l.entries().is_empty())?;
    let mut edits = vec![
        crate::fix::replace_scalar(fid, root.get("apiVersion")?, "apps/v1"),
        crate::fix::replace_scalar(fid, root.get("kind")?, "Deployment"),
    ];
    match spec.entry("selector") {
        // Already in the set-based form (rc-selector-set-based's finding).
        Some(e) if set_based_key(&e.value).is_some() => {
            if e.value
                .entries()
                .iter()
                .any(|x| !matches!(&*x.key, "matchLabels" | "matchExpressions"))
            {
                return None;
            }
        }
        Some(e) => {
            // An empty selector selected the template labels.
            let selected = if e.value.entries().is_empty() { labels } else { &e.value };
            let flow = crate::fix::flow_map_of(selected)?;
            edits.push(crate::fix::replace_value_inline(
                file,
                fid,
                e,
                &format!("{{matchLabels: {flow}}}"),
            )?);
        }
        // Omitted: the RC selected its template labels.
        None => {
            let flow = crate::fix::flow_map_of(labels)?;
            edits.push(crate::fix::insert_entry(
                file,
                fid,
                spec,
                "selector",
                &format!("{{matchLabels: {flow}}}"),
            )?);
        }
    }
    Some(Fix {
        title: "convert to an apps/v1 Deployment (then delete the old ReplicationController)".into(),
        applicability: Applicability::Unsafe,
        edits,
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, fixed, run_rule, spanned};

    /// Lints the converted text with every rule: no schema or selector
    /// finding may remain.
    fn assert_valid_deployment(after: &str) {
        assert!(after.contains("apiVersion: apps/v1\nkind: Deployment"), "{after}");
        for rule in [
            "schema-unknown-field",
            "schema-invalid-type",
            "schema-missing-required",
            "selector-mismatch",
        ] {
            assert!(run_rule(rule, after).is_empty(), "{rule} on:\n{after}");
        }
        assert_quiet("replication-controller-used", after);
    }

    #[test]
    fn the_fix_converts_to_a_deployment() {
        let head = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  replicas: 2\n";
        let tail = "  template:\n    metadata:\n      labels: {app: web, tier: \"1\"}\n    spec:\n      containers: [{name: c, image: \"nginx:1.27\"}]\n";
        let cases = [
            // An equality selector becomes matchLabels.
            ("  selector:\n    app: web\n", "  selector: {matchLabels: {app: web}}\n"),
            // An omitted selector is written from the template labels.
            ("", "  selector: {matchLabels: {app: web, tier: \"1\"}}\n"),
            (
                "  selector: {}\n",
                "  selector: {matchLabels: {app: web, tier: \"1\"}}\n",
            ),
            // The set-based form is what a Deployment wants.
            (
                "  selector:\n    matchLabels: {app: web}\n",
                "  selector:\n    matchLabels: {app: web}\n",
            ),
        ];
        for (selector, expected) in cases {
            let text = format!("{head}{selector}{tail}");
            let d = assert_fires("replication-controller-used", &text);
            let fix = d[0].fix.as_ref().unwrap_or_else(|| panic!("no fix for {text}"));
            assert_eq!(fix.applicability, crate::diagnostic::Applicability::Unsafe);
            let after = fixed(&text, &d[0]);
            assert!(after.contains(expected), "{after}");
            assert_valid_deployment(&after);
        }
        // No template labels to select: no fix.
        let bare = format!("{head}  template:\n    spec:\n      containers: [{{name: c}}]\n");
        assert!(assert_fires("replication-controller-used", &bare)[0].fix.is_none());
    }

    #[test]
    fn rc_is_reported_at_its_kind() {
        let text = "apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec:\n  template:\n    spec: {containers: [{name: c}]}\n";
        let d = assert_fires("replication-controller-used", text);
        assert_eq!(spanned(text, &d[0]), "ReplicationController");
        assert_quiet(
            "replication-controller-used",
            &text.replace("v1\nkind: ReplicationController", "apps/v1\nkind: Deployment"),
        );
    }
}
