//! `replication-controller-used`: ReplicationControllers instead of
//! Deployments (domain facts D3, A5).

use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct ReplicationControllerUsed;

impl Rule for ReplicationControllerUsed {
    fn id(&self) -> &str {
        "replication-controller-used"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "ReplicationController" || object.api_version != "v1" {
            return;
        }
        ctx.report(object, object.kind_span(), "ReplicationController is superseded by Deployment")
            .help("use an apps/v1 Deployment: it declares the end state, keeps a rollout history and supports `kubectl rollout status|undo`; `kubectl rolling-update` worked only with ReplicationControllers and is gone");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

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
