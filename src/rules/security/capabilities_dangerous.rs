//! `capabilities-dangerous`: a container adds a Linux capability that gives
//! power over the node or its network.

use super::cap_name;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct CapabilitiesDangerous;

/// What each capability of the default list allows, for the message.
const REASONS: &[(&str, &str)] = &[
    (
        "ALL",
        "every privileged operation, nearly as much as a privileged container",
    ),
    (
        "SYS_ADMIN",
        "mounts, namespace changes and many other administrative operations (close to root on the node)",
    ),
    ("SYS_MODULE", "loading modules into the node's kernel"),
    ("SYS_RAWIO", "raw access to devices and I/O ports"),
    ("SYS_PTRACE", "tracing other processes and reading their memory"),
    ("SYS_BOOT", "rebooting the node"),
    ("SYS_TIME", "setting the node's clock"),
    (
        "DAC_READ_SEARCH",
        "reading any file and opening files by handle, a known way out of the container",
    ),
    ("NET_ADMIN", "reconfiguring interfaces, routes and firewall rules"),
    (
        "NET_RAW",
        "crafting raw packets, e.g. to spoof traffic on the node's network",
    ),
    ("BPF", "loading eBPF programs into the kernel"),
    ("PERFMON", "kernel performance monitoring, which exposes kernel data"),
    ("MAC_ADMIN", "changing the AppArmor or SELinux configuration"),
    ("MAC_OVERRIDE", "bypassing AppArmor or SELinux"),
    ("SYSLOG", "reading the kernel log, which leaks kernel addresses"),
    ("AUDIT_CONTROL", "changing the kernel's audit rules"),
];

impl Rule for CapabilitiesDangerous {
    fn id(&self) -> &str {
        "capabilities-dangerous"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let dangerous: Vec<String> = ctx
            .option_strings("capabilities")
            .into_iter()
            .map(|s| {
                let s = s.trim().to_ascii_uppercase();
                s.strip_prefix("CAP_").map(str::to_string).unwrap_or(s)
            })
            .collect();
        for c in w.all_containers() {
            let Some(add) = c.get(&["securityContext", "capabilities", "add"]) else {
                continue;
            };
            for item in add.items() {
                let Some(cap) = cap_name(item) else { continue };
                if !dangerous.contains(&cap) {
                    continue;
                }
                let written = item.as_str().unwrap_or_default();
                let why = match REASONS.iter().find(|(n, _)| *n == cap) {
                    Some((_, r)) => format!("which allows {r}"),
                    None => "which this rule's options list as dangerous".to_string(),
                };
                ctx.report(
                    object,
                    item.span,
                    format!("{} adds the `{written}` capability, {why}", c.display()),
                )
                .help(format!(
                    "remove `{written}` from `capabilities.add` unless the container cannot work without it; if it cannot, say why in a `# kvet: ignore[capabilities-dangerous] <reason>` comment"
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, run_rule, spanned};

    const RULE: &str = "capabilities-dangerous";

    fn pod(add: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    securityContext:\n      capabilities:\n        drop: [ALL]\n        add: {add}\n"
        )
    }

    #[test]
    fn names_each_dangerous_item() {
        let text = pod("[NET_BIND_SERVICE, cap_sys_admin, NET_RAW]");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert_eq!(spanned(&text, &d[0]), "cap_sys_admin");
        assert!(
            d[0].message
                .starts_with("container `app` adds the `cap_sys_admin` capability, which allows mounts"),
            "{}",
            d[0].message
        );
        assert_eq!(spanned(&text, &d[1]), "NET_RAW");
    }

    #[test]
    fn harmless_capabilities_are_quiet() {
        assert_quiet(RULE, &pod("[NET_BIND_SERVICE, CHOWN]"));
        assert_quiet(RULE, &pod("[]"));
    }

    #[test]
    fn all_is_dangerous() {
        assert_eq!(run_rule(RULE, &pod("[ALL]")).len(), 1);
    }
}
