//! `kubeadm-config-api-deprecated`: a kubeadm config document written in a
//! config API version that kubeadm has deprecated or removed (domain fact
//! B1).

use super::config::{ClusterCfg, KUBEADM_GROUP, parse_version, source_of, value_span};
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};

pub struct KubeadmConfigApiDeprecated;

/// One retired kubeadm config API version.
struct Retired {
    version: &'static str,
    /// First kubeadm release that warns about it (or only reads it).
    deprecated: (u32, u32),
    /// First kubeadm release that refuses it.
    removed: (u32, u32),
    /// kubeadm releases whose `config migrate` reads it.
    migrate_with: &'static str,
    /// What they write.
    next: &'static str,
}

/// From the kubeadm release notes and the removal pull requests.
const RETIRED: &[Retired] = &[
    Retired {
        version: "v1alpha1",
        deprecated: (1, 11),
        removed: (1, 12),
        migrate_with: "1.11",
        next: "v1alpha2",
    },
    Retired {
        version: "v1alpha2",
        deprecated: (1, 12),
        removed: (1, 13),
        migrate_with: "1.12",
        next: "v1alpha3",
    },
    Retired {
        version: "v1alpha3",
        deprecated: (1, 13),
        removed: (1, 14),
        migrate_with: "1.13 or 1.14",
        next: "v1beta1",
    },
    Retired {
        version: "v1beta1",
        deprecated: (1, 17),
        removed: (1, 22),
        migrate_with: "1.15 to 1.21",
        next: "v1beta2",
    },
    Retired {
        version: "v1beta2",
        deprecated: (1, 24),
        removed: (1, 27),
        migrate_with: "1.22 to 1.26",
        next: "v1beta3",
    },
    Retired {
        version: "v1beta3",
        deprecated: (1, 31),
        removed: (1, 36),
        migrate_with: "1.31 to 1.35",
        next: "v1beta4",
    },
];

const CURRENT: &str = "v1beta4";

fn v(x: (u32, u32)) -> String {
    format!("{}.{}", x.0, x.1)
}

/// The Kubernetes version the object's cluster targets, and where it comes
/// from: `--kubernetes-version`, else `kubernetesVersion` of a cluster
/// document in the same file.
fn target_version(catalog: &Catalog, object: &Object, ctx: &Ctx) -> Option<((u32, u32), String)> {
    if let Some(kv) = ctx.config.kubernetes_version.as_deref()
        && let Some(p) = parse_version(kv)
    {
        return Some((p, format!("--kubernetes-version {kv}")));
    }
    catalog
        .objects
        .iter()
        .filter(|o| o.file == object.file)
        .filter_map(ClusterCfg::of)
        .find_map(|c| {
            let p = c.kubernetes_version()?;
            let written = c.object.root.get("kubernetesVersion")?.as_str()?;
            Some((p, format!("kubernetesVersion {written}")))
        })
}

impl Rule for KubeadmConfigApiDeprecated {
    fn id(&self) -> &str {
        "kubeadm-config-api-deprecated"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for object in &catalog.objects {
            let gv = object.gv();
            if gv.group != KUBEADM_GROUP {
                continue;
            }
            let Some(r) = RETIRED.iter().find(|r| r.version == gv.version) else {
                continue;
            };
            let source = source_of(ctx, object);
            let Some(span) = object.root.get("apiVersion").map(|n| value_span(source, n)) else {
                continue;
            };
            let target = target_version(catalog, object, ctx);
            let state = match &target {
                Some((t, _)) if *t < r.deprecated => continue,
                Some((t, _)) if *t < r.removed => "deprecated",
                Some(_) => "removed",
                None => "unknown",
            };
            let api = format!("{KUBEADM_GROUP}/{}", r.version);
            let history = format!(
                "deprecated since kubeadm {}, refused since {}",
                v(r.deprecated),
                v(r.removed)
            );
            let message = match (state, &target) {
                ("deprecated", Some((_, from))) => {
                    format!("{api} is deprecated for this cluster ({from}): {history}")
                }
                ("removed", Some((_, from))) => {
                    format!("{api} is no longer read by the kubeadm this cluster uses ({from}): {history}")
                }
                _ => format!(
                    "{api} is an old kubeadm config API: {history}; the current one is {KUBEADM_GROUP}/{CURRENT}"
                ),
            };
            let hops = RETIRED.iter().skip_while(|x| x.version != r.version).count();
            let help = if hops <= 2 {
                format!(
                    "convert the file with `kubeadm config migrate --old-config <file> --new-config <new-file>` of kubeadm {} (it writes {}){}",
                    r.migrate_with,
                    r.next,
                    if r.next == CURRENT {
                        String::new()
                    } else {
                        format!(", then with a newer kubeadm up to {CURRENT}")
                    }
                )
            } else {
                format!(
                    "rewrite the file for {KUBEADM_GROUP}/{CURRENT} (`kubeadm config print init-defaults` shows the format), or convert it step by step with `kubeadm config migrate`, starting with kubeadm {} (which writes {})",
                    r.migrate_with, r.next
                )
            };
            ctx.report(object, span, message).help(help);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::lint;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};
    use crate::source::SourceFile;

    const RULE: &str = "kubeadm-config-api-deprecated";

    #[test]
    fn old_versions_point_at_the_api_version() {
        let text = "apiVersion: kubeadm.k8s.io/v1beta2\nkind: ClusterConfiguration\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "kubeadm.k8s.io/v1beta2");
        assert!(d[0].message.contains("refused since 1.27"), "{}", d[0].message);
        assert!(d[0].help.as_deref().is_some_and(|h| h.contains("1.22 to 1.26")));

        let text = "apiVersion: kubeadm.k8s.io/v1alpha1\nkind: MasterConfiguration\n";
        let d = assert_fires(RULE, text);
        assert!(d[0].help.as_deref().is_some_and(|h| h.contains("rewrite")));
    }

    #[test]
    fn current_and_foreign_versions_are_quiet() {
        assert_quiet(RULE, "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n");
        assert_quiet(
            RULE,
            "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n",
        );
        assert_quiet(RULE, "apiVersion: example.com/v1beta1\nkind: ClusterConfiguration\n");
    }

    #[test]
    fn the_cluster_version_decides() {
        // v1beta3 with Kubernetes 1.29: not deprecated yet.
        let text = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\n---\napiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: v1.29.4\n";
        assert_quiet(RULE, text);
        let text = text.replace("v1.29.4", "v1.32.0");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert!(
            d[0].message
                .contains("deprecated for this cluster (kubernetesVersion v1.32.0)"),
            "{}",
            d[0].message
        );

        let config = Config {
            select: vec![RULE.into()],
            kubernetes_version: Some("1.36".into()),
            ..Config::default()
        };
        let sources = vec![SourceFile::from_text(
            "t.yaml",
            None,
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n".to_string(),
        )];
        let d = lint(&sources, &config).diagnostics;
        assert!(d[0].message.contains("no longer read"), "{}", d[0].message);
    }
}
