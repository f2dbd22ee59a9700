//! `probe-exec-shell`: an exec probe that starts a shell to run its check
//! (domain fact C4).

use super::{probed_containers, probes_of};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct ProbeExecShell;

const SHELLS: &[&str] = &["sh", "bash", "ash", "dash", "zsh", "ksh", "mksh"];

/// The shell a command starts, if any (`/bin/sh`, `bash`, `busybox sh`).
fn shell(command: &[Node]) -> Option<String> {
    let first = command.first()?.as_str()?;
    let base = first.rsplit('/').next().unwrap_or(first);
    if SHELLS.contains(&base) {
        return Some(first.to_string());
    }
    if base == "busybox" {
        let second = command.get(1)?.as_str()?;
        if SHELLS.contains(&second) {
            return Some(format!("{first} {second}"));
        }
    }
    None
}

impl Rule for ProbeExecShell {
    fn id(&self) -> &str {
        "probe-exec-shell"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in probed_containers(&w) {
            for (probe, noun) in probes_of(&c) {
                let Some(command) = probe.value.path(&["exec", "command"]).and_then(Node::as_seq) else {
                    continue;
                };
                let Some(sh) = shell(command) else { continue };
                ctx.report(
                    object,
                    command[0].span,
                    format!("the {noun} probe of {} runs its check through a shell (`{sh}`)", c.display()),
                )
                .help(
                    "run the check program directly (`command: [/bin/grpc_health_probe, -addr=:9090]`), or use an httpGet, tcpSocket or grpc probe, which the kubelet runs without starting a process; keep the shell only when the check needs pipes, redirection or variable expansion",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "probe-exec-shell";

    fn pod(command: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata: {{name: p}}\nspec:\n  containers:\n  - name: app\n    livenessProbe:\n      exec:\n        command: {command}\n"
        )
    }

    #[test]
    fn shells() {
        let text = pod("[/bin/sh, -c, 'pg_isready -U postgres']");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "/bin/sh");
        assert_fires(RULE, &pod("[bash, -c, 'curl -f localhost']"));
        let d = assert_fires(RULE, &pod("[busybox, sh, -c, 'test -f /tmp/ok']"));
        assert!(d[0].message.contains("busybox sh"), "{}", d[0].message);
    }

    #[test]
    fn direct_commands() {
        assert_quiet(RULE, &pod("[pg_isready, -U, postgres]"));
        assert_quiet(RULE, &pod("[/bin/grpc_health_probe, '-addr=:9090']"));
        assert_quiet(RULE, &pod("[shasum, /etc/ok]"));
    }
}
