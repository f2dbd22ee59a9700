//! `host-path-volume`: any volume that mounts a path of the node.

use super::host_path_volumes;
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct HostPathVolume;

impl Rule for HostPathVolume {
    fn id(&self) -> &str {
        "host-path-volume"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for v in host_path_volumes(&w) {
            let path = v.path.and_then(|p| p.scalar_text()).unwrap_or_default();
            ctx.report(object, v.key_span, format!("{} mounts `{path}` from the node", v.display()))
                .help("use an `emptyDir`, a PersistentVolumeClaim, a ConfigMap or a Secret instead; if the node's files are really needed, mount the narrowest path, read-only");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "host-path-volume";

    #[test]
    fn any_host_path() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: 'app:1.0'}]\n  volumes:\n  - name: data\n    hostPath: {path: /data}\n  - name: tmp\n    emptyDir: {}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(text, &d[0]), "hostPath");
        assert_eq!(d[0].message, "volume `data` mounts `/data` from the node");
    }

    #[test]
    fn other_volumes_are_quiet() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: 'app:1.0'}]\n  volumes: [{name: tmp, emptyDir: {}}]\n",
        );
    }
}
