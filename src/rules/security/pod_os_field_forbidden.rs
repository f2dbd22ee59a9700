//! `pod-os-field-forbidden`: a field the pod's declared operating system
//! (`spec.os.name`) rules out, which the API server rejects: the Linux
//! security settings on a Windows pod, `windowsOptions` on a Linux pod, or
//! an operating system other than `linux` and `windows`.

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Entry;

pub struct PodOsFieldForbidden;

/// Pod spec fields a Windows pod may not set (any value).
const WINDOWS_POD_FIELDS: &[&[&str]] = &[
    &["securityContext", "appArmorProfile"],
    &["securityContext", "seLinuxOptions"],
    &["securityContext", "seccompProfile"],
    &["securityContext", "fsGroup"],
    &["securityContext", "fsGroupChangePolicy"],
    &["securityContext", "sysctls"],
    &["securityContext", "runAsUser"],
    &["securityContext", "runAsGroup"],
    &["securityContext", "supplementalGroups"],
    &["securityContext", "supplementalGroupsPolicy"],
    &["securityContext", "seLinuxChangePolicy"],
    &["hostUsers"],
    &["shareProcessNamespace"],
];

/// Pod spec fields a Windows pod may not set to true.
const WINDOWS_POD_FLAGS: &[&str] = &["hostPID", "hostIPC"];

/// Container `securityContext` fields a Windows pod may not set.
const WINDOWS_CONTAINER_FIELDS: &[&str] = &[
    "appArmorProfile",
    "seLinuxOptions",
    "seccompProfile",
    "capabilities",
    "readOnlyRootFilesystem",
    "privileged",
    "allowPrivilegeEscalation",
    "procMount",
    "runAsUser",
    "runAsGroup",
];

fn present(e: &Entry) -> bool {
    !e.value.is_null()
}

impl Rule for PodOsFieldForbidden {
    fn id(&self) -> &str {
        "pod-os-field-forbidden"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some(os) = w.pod_spec.path(&["os", "name"]) else {
            return;
        };
        let Some(name) = os.as_str() else { return };
        match name {
            "windows" => {
                let report = |ctx: &mut Ctx, e: &Entry, what: String| {
                    ctx.report(object, e.key_span, format!("{what} cannot be set for a Windows pod (`os.name: windows`)"))
                        .help("the API server rejects Linux-only settings on a pod that declares Windows: remove it (Windows containers use `securityContext.windowsOptions`), or run the pod on Linux");
                };
                for path in WINDOWS_POD_FIELDS {
                    if let Some(e) = w.pod_spec.path_entry(path).filter(|e| present(e)) {
                        report(ctx, e, format!("`{}`", path.join(".")));
                    }
                }
                for flag in WINDOWS_POD_FLAGS {
                    if let Some(e) = w.pod_spec.entry(flag)
                        && e.value.as_bool() == Some(true)
                    {
                        report(ctx, e, format!("`{flag}: true`"));
                    }
                }
                for c in w.all_containers() {
                    for field in WINDOWS_CONTAINER_FIELDS {
                        if let Some(e) = c.entry(&["securityContext", field]).filter(|e| present(e)) {
                            report(ctx, e, format!("{}: `securityContext.{field}`", c.display()));
                        }
                    }
                }
            }
            "linux" => {
                let report = |ctx: &mut Ctx, e: &Entry, what: String| {
                    ctx.report(
                        object,
                        e.key_span,
                        format!("{what} cannot be set for a Linux pod (`os.name: linux`)"),
                    )
                    .help("the API server rejects Windows options on a pod that declares Linux: remove them");
                };
                if let Some(e) = w
                    .pod_spec
                    .path_entry(&["securityContext", "windowsOptions"])
                    .filter(|e| present(e))
                {
                    report(ctx, e, "`securityContext.windowsOptions`".into());
                }
                for c in w.all_containers() {
                    if let Some(e) = c.entry(&["securityContext", "windowsOptions"]).filter(|e| present(e)) {
                        report(ctx, e, format!("{}: `securityContext.windowsOptions`", c.display()));
                    }
                }
            }
            other => {
                ctx.report(
                    object,
                    os.span,
                    format!("`os.name` is `{other}`: Kubernetes knows `linux` and `windows`"),
                )
                .help("the API server rejects other values; write `linux` or `windows` in lower case");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "pod-os-field-forbidden";

    fn pod(os: &str, spec: &str, sc: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  os: {{name: {os}}}\n{spec}  containers:\n  - name: app\n    image: app:1.0\n{sc}"
        )
    }

    #[test]
    fn linux_settings_on_a_windows_pod() {
        let text = pod(
            "windows",
            "  hostPID: true\n  securityContext: {runAsUser: 1000}\n",
            "    securityContext: {privileged: false, windowsOptions: {runAsUserName: app}}\n",
        );
        let d = assert_fires(RULE, &text);
        let at: Vec<&str> = d.iter().map(|d| spanned(&text, d)).collect();
        assert_eq!(at, vec!["hostPID", "runAsUser", "privileged"], "{d:?}");
    }

    #[test]
    fn windows_options_on_a_linux_pod_and_unknown_os() {
        let text = pod(
            "linux",
            "",
            "    securityContext: {windowsOptions: {runAsUserName: app}}\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "windowsOptions");
        let text = pod("Linux", "", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "Linux");
    }

    #[test]
    fn matching_settings_are_quiet() {
        assert_quiet(
            RULE,
            &pod(
                "windows",
                "  hostPID: false\n",
                "    securityContext: {windowsOptions: {runAsUserName: app}}\n",
            ),
        );
        assert_quiet(
            RULE,
            &pod(
                "linux",
                "",
                "    securityContext: {runAsUser: 1000, privileged: false}\n",
            ),
        );
        // No declared OS: nothing to hold the settings against.
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector: {kubernetes.io/os: windows}\n  containers:\n  - name: app\n    image: app:1.0\n    securityContext: {runAsUser: 1000}\n",
        );
    }
}
