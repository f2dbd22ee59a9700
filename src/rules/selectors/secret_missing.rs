//! `secret-missing`: a pod template uses a Secret the run does not define,
//! while it defines others for the same namespace.

use super::refs::{RefKind, check_missing};
use crate::model::Catalog;
use crate::rules::{Ctx, Rule};

pub struct SecretMissing;

impl Rule for SecretMissing {
    fn id(&self) -> &str {
        "secret-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        if !["Secret", "SealedSecret", "ExternalSecret"]
            .iter()
            .any(|k| catalog.has_kind(k))
        {
            return;
        }
        check_missing(
            catalog,
            ctx,
            RefKind::Secret,
            "a pod that mounts or reads a missing Secret does not start (and a missing image pull secret breaks pulls from private registries); fix the name, add the Secret, or mark the reference `optional: true` if the pod can do without it",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    fn text(pull: &str, extra: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: db-password}}\nstringData: {{password: x}}\n---\n{extra}apiVersion: v1\nkind: Pod\nmetadata: {{name: web}}\nspec:\n  imagePullSecrets: [{{name: {pull}}}]\n  containers:\n  - name: web\n    image: nginx\n    env:\n    - name: P\n      valueFrom: {{secretKeyRef: {{name: db-password, key: password}}}}\n"
        )
    }

    #[test]
    fn missing_pull_secret() {
        let t = text("regcred", "");
        let d = assert_fires("secret-missing", &t);
        assert_eq!(spanned(&t, &d[0]), "regcred");
    }

    #[test]
    fn certificates_provide_secrets() {
        assert_quiet(
            "secret-missing",
            &text(
                "regcred",
                "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata: {name: c}\nspec: {secretName: regcred}\n---\n",
            ),
        );
        assert_quiet("secret-missing", &text("db-password", ""));
    }

    #[test]
    fn secrets_made_at_run_time() {
        // A Job that generates the Secret names it in its arguments.
        let job = "apiVersion: batch/v1\nkind: Job\nmetadata: {name: certgen}\nspec:\n  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n      - name: create\n        image: example/certgen:1.0\n        args: [create, --secret-name=regcred]\n---\n";
        assert_quiet("secret-missing", &text("regcred", job));
        // An RBAC rule lets the software read or write it by name.
        let role = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules:\n- apiGroups: ['']\n  resources: [secrets]\n  resourceNames: [regcred]\n  verbs: [get, update]\n---\n";
        assert_quiet("secret-missing", &text("regcred", role));
        // A workload mentioning the name itself proves nothing.
        let t = text("regcred", "").replace("image: nginx", "image: nginx\n    args: [--pull-secret=regcred]");
        assert_fires("secret-missing", &t);
    }
}
