//! `probe-invalid`: a probe or lifecycle hook the API server's validation
//! rejects: none or several handlers, a readiness probe with its own
//! `terminationGracePeriodSeconds`, probes or hooks on an init container
//! that is not a sidecar.

use crate::model::{Container, ContainerKind, Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Entry;

pub struct ProbeInvalid;

const PROBE_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "grpc"];
const HOOK_HANDLERS: &[&str] = &["exec", "httpGet", "tcpSocket", "sleep"];

/// Reports a probe or hook (`entry`, a map) without exactly one handler.
fn check_handlers(object: &Object, ctx: &mut Ctx, c: &Container, entry: &Entry, what: &str, handlers: &[&str]) {
    let set: Vec<&Entry> = entry
        .value
        .entries()
        .iter()
        .filter(|e| handlers.contains(&&*e.key) && !e.value.is_null())
        .collect();
    let list = handlers.iter().map(|h| format!("`{h}`")).collect::<Vec<_>>().join(", ");
    match set.as_slice() {
        [] => {
            ctx.report(
                object,
                entry.key_span,
                format!("the {what} of {} has no handler", c.display()),
            )
            .help(format!(
                "the API server rejects a {what} without one of {list}; add the check to run, or remove the {what}"
            ));
        }
        [_] => {}
        [first, rest @ ..] => {
            for e in rest {
                ctx.report(
                    object,
                    e.key_span,
                    format!(
                        "the {what} of {} has more than one handler: `{}` and `{}`",
                        c.display(),
                        first.key,
                        e.key
                    ),
                )
                .help(format!(
                    "the API server accepts exactly one of {list} in a {what}; keep the one you mean"
                ));
            }
        }
    }
}

impl Rule for ProbeInvalid {
    fn id(&self) -> &str {
        "probe-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.app_containers() {
            let plain_init = c.kind == ContainerKind::Init && !c.is_sidecar();
            for (field, noun) in super::PROBES {
                let Some(entry) = c.node.entry(field).filter(|e| e.value.is_map()) else {
                    continue;
                };
                if plain_init {
                    ctx.report(
                        object,
                        entry.key_span,
                        format!("{} sets `{field}`, which an init container may not set", c.display()),
                    )
                    .help("the API server rejects probes on init containers unless they are sidecars (`restartPolicy: Always`): an init container runs to completion before the pod starts; remove the probe, or make it a sidecar");
                    continue;
                }
                check_handlers(object, ctx, &c, entry, &format!("{noun} probe"), PROBE_HANDLERS);
                if noun == "readiness"
                    && let Some(grace) = entry.value.entry("terminationGracePeriodSeconds")
                {
                    ctx.report(
                        object,
                        grace.key_span,
                        format!(
                            "the readiness probe of {} sets `terminationGracePeriodSeconds`, which only liveness and startup probes accept",
                            c.display()
                        ),
                    )
                    .help("the API server rejects it: a failing readiness probe never kills the container, so there is no grace period to set; remove it");
                }
            }
            let Some(lifecycle) = c.node.entry("lifecycle").filter(|e| e.value.is_map()) else {
                continue;
            };
            if plain_init {
                ctx.report(
                    object,
                    lifecycle.key_span,
                    format!("{} sets `lifecycle`, which an init container may not set", c.display()),
                )
                .help("the API server rejects lifecycle hooks on init containers unless they are sidecars (`restartPolicy: Always`); remove them, or make it a sidecar");
                continue;
            }
            for hook in ["postStart", "preStop"] {
                if let Some(entry) = lifecycle.value.entry(hook).filter(|e| e.value.is_map()) {
                    check_handlers(object, ctx, &c, entry, &format!("{hook} hook"), HOOK_HANDLERS);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "probe-invalid";

    fn pod(container: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n{container}"
        )
    }

    #[test]
    fn handlers_count() {
        let text = pod("    livenessProbe: {periodSeconds: 5}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "livenessProbe");
        let text = pod("    readinessProbe:\n      httpGet: {port: 80}\n      tcpSocket: {port: 80}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "tcpSocket");
        let text = pod("    lifecycle:\n      preStop: {}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "preStop");
    }

    #[test]
    fn readiness_grace_and_init_containers() {
        let text = pod("    readinessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 5}\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "terminationGracePeriodSeconds");
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: init\n    image: i:1\n    readinessProbe: {tcpSocket: {port: 80}}\n  containers:\n  - {name: app, image: app:1}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "readinessProbe");
    }

    #[test]
    fn valid_probes_and_sidecars_are_quiet() {
        assert_quiet(
            RULE,
            &pod(
                "    livenessProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 5}\n    readinessProbe: {httpGet: {path: /, port: 80}}\n    startupProbe: {grpc: {port: 9000}}\n    lifecycle:\n      preStop: {sleep: {seconds: 5}}\n      postStart: {exec: {command: [sh, -c, 'true']}}\n",
            ),
        );
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - name: proxy\n    image: i:1\n    restartPolicy: Always\n    readinessProbe: {tcpSocket: {port: 80}}\n  containers:\n  - {name: app, image: app:1}\n",
        );
    }
}
