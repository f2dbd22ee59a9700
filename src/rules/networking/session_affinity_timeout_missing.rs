//! `session-affinity-timeout-missing`: `sessionAffinity: ClientIP` with the
//! default stickiness of three hours (domain fact C9).

use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct SessionAffinityTimeoutMissing;

impl Rule for SessionAffinityTimeoutMissing {
    fn id(&self) -> &str {
        "session-affinity-timeout-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if object.kind != "Service" {
            return;
        }
        let Some(affinity) = object.get(&["spec", "sessionAffinity"]) else {
            return;
        };
        if affinity.as_str() != Some("ClientIP") {
            return;
        }
        if object
            .get(&["spec", "sessionAffinityConfig", "clientIP", "timeoutSeconds"])
            .is_some_and(|n| !n.is_null())
        {
            return;
        }
        ctx.report(
            object,
            affinity.span,
            format!(
                "Service `{}` pins clients to a pod with sessionAffinity ClientIP but sets no timeout (the default is 10800 s, three hours)",
                object.name.unwrap_or("")
            ),
        )
        .help("set `sessionAffinityConfig.clientIP.timeoutSeconds` to how long a client really needs to stay on one pod (e.g. the session length): long stickiness keeps load uneven after scaling and rollouts");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "session-affinity-timeout-missing";

    #[test]
    fn client_ip_without_timeout() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  sessionAffinity: ClientIP\n  ports: [{port: 80}]\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "ClientIP");
    }

    #[test]
    fn with_timeout_or_none() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  sessionAffinity: ClientIP\n  sessionAffinityConfig:\n    clientIP: {timeoutSeconds: 600}\n",
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  sessionAffinity: None\n",
        );
    }
}
