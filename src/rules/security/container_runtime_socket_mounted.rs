//! `container-runtime-socket-mounted`: a `hostPath` volume that reaches the
//! container runtime's API socket.

use super::{host_path_volumes, normalize_path};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ContainerRuntimeSocketMounted;

/// Socket file names of container runtimes (in any directory).
const SOCKETS: &[&str] = &[
    "docker.sock",
    "containerd.sock",
    "crio.sock",
    "cri-dockerd.sock",
    "dockershim.sock",
    "podman.sock",
];

/// Directories that hold those sockets in the usual installations.
const SOCKET_DIRS: &[&str] = &[
    "/run",
    "/var/run",
    "/run/containerd",
    "/var/run/containerd",
    "/run/crio",
    "/var/run/crio",
    "/run/docker",
    "/var/run/docker",
    "/run/podman",
    "/var/run/podman",
    "/run/k3s/containerd",
    "/var/snap/microk8s/common/run",
];

/// Windows named pipes of Docker and containerd.
const PIPES: &[&str] = &["//./pipe/docker_engine", "//./pipe/containerd-containerd"];

enum Hit {
    Socket,
    Directory,
}

fn classify(written: &str) -> Option<Hit> {
    let slashed = written.trim().replace('\\', "/").to_ascii_lowercase();
    if PIPES.contains(&slashed.as_str()) {
        return Some(Hit::Socket);
    }
    let path = normalize_path(written.trim())?;
    let file = path.rsplit('/').next().unwrap_or("");
    if SOCKETS.contains(&file) {
        return Some(Hit::Socket);
    }
    SOCKET_DIRS.contains(&path.as_str()).then_some(Hit::Directory)
}

impl Rule for ContainerRuntimeSocketMounted {
    fn id(&self) -> &str {
        "container-runtime-socket-mounted"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for v in host_path_volumes(&w) {
            let Some(node) = v.path else { continue };
            let Some(written) = node.as_str() else { continue };
            let message = match classify(written) {
                Some(Hit::Socket) => format!(
                    "{} mounts the container runtime's socket `{written}`: whoever can use it controls every container on the node, and the node itself",
                    v.display()
                ),
                Some(Hit::Directory) => format!(
                    "{} mounts `{written}`, the directory of the container runtime's socket: whoever can use that socket controls every container on the node, and the node itself",
                    v.display()
                ),
                None => continue,
            };
            ctx.report(object, node.span, message)
                .help("do not give workloads the runtime's socket: build images with a daemonless builder (e.g. BuildKit rootless or kaniko) and read container metrics and logs through the kubelet; mount a narrower directory if only a neighbouring file is needed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Hit, classify};
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "container-runtime-socket-mounted";

    #[test]
    fn classification() {
        assert!(matches!(classify("/var/run/docker.sock"), Some(Hit::Socket)));
        assert!(matches!(classify("/run/containerd/containerd.sock"), Some(Hit::Socket)));
        assert!(matches!(classify("/var/run/crio/crio.sock"), Some(Hit::Socket)));
        assert!(matches!(classify(r"\\.\pipe\docker_engine"), Some(Hit::Socket)));
        assert!(matches!(classify("/var/run/"), Some(Hit::Directory)));
        assert!(matches!(classify("/run/containerd"), Some(Hit::Directory)));
        assert!(classify("/var/run/istio-cni").is_none());
        assert!(classify("/var/run/netns").is_none());
        assert!(classify("/var/lib/docker.socket-backup").is_none());
    }

    #[test]
    fn fires_on_the_path_value() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: 'app:1.0'}]\n  volumes:\n  - name: sock\n    hostPath: {path: /var/run/docker.sock, type: Socket}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "/var/run/docker.sock");
    }

    #[test]
    fn other_run_directories_are_quiet() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: 'app:1.0'}]\n  volumes:\n  - name: netns\n    hostPath: {path: /var/run/netns}\n",
        );
    }
}
