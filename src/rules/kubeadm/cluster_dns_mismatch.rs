//! `kubeadm-cluster-dns-mismatch`: the kubelet's `clusterDNS` does not hold
//! the DNS Service address kubeadm derives from the service subnet (the
//! 10th address of the first service subnet; domain fact B2).

use super::config::{KUBELET_GROUP, arg_in, cluster_for, is_kubeadm, part_span, source_of, value_span};
use super::net::{Addr, Cidr, DEFAULT_SERVICE_SUBNET, parse_ip, split_list};
use crate::diagnostic::Label;
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct KubeadmClusterDnsMismatch;

/// One place that sets the kubelet's DNS servers: the addresses with their
/// spans, and the field's name.
struct DnsSetting {
    items: Vec<(Option<Addr>, Span, String)>,
    field: &'static str,
}

/// Where `object` sets the kubelet's cluster DNS.
fn dns_settings(ctx: &Ctx, object: &Object) -> Vec<DnsSetting> {
    let source = source_of(ctx, object);
    let list = |node: &Node, field| DnsSetting {
        items: node
            .items()
            .iter()
            .filter_map(|n| n.as_str().map(|s| (parse_ip(s), value_span(source, n), s.to_string())))
            .collect(),
        field,
    };
    let mut out = Vec::new();
    if object.kind == "KubeletConfiguration"
        && object.group() == KUBELET_GROUP
        && let Some(n) = object.root.get("clusterDNS")
    {
        out.push(list(n, "clusterDNS"));
    }
    if is_kubeadm(object, &["MasterConfiguration"])
        && let Some(n) = object.root.path(&["kubeletConfiguration", "baseConfig", "clusterDNS"])
    {
        out.push(list(n, "kubeletConfiguration.baseConfig.clusterDNS"));
    }
    if is_kubeadm(object, &["InitConfiguration", "JoinConfiguration", "NodeConfiguration"]) {
        let arg = object
            .root
            .path(&["nodeRegistration", "kubeletExtraArgs"])
            .and_then(|args| arg_in(args, "cluster-dns"));
        if let Some((node, text)) = arg.and_then(|n| n.as_str().map(|t| (n, t))) {
            out.push(DnsSetting {
                items: split_list(text)
                    .into_iter()
                    .map(|(s, e, part)| (parse_ip(part), part_span(source, node, s, e), part.to_string()))
                    .collect(),
                field: "nodeRegistration.kubeletExtraArgs cluster-dns",
            });
        }
    }
    out.retain(|s| !s.items.is_empty());
    out
}

impl Rule for KubeadmClusterDnsMismatch {
    fn id(&self) -> &str {
        "kubeadm-cluster-dns-mismatch"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for object in &catalog.objects {
            let settings = dns_settings(ctx, object);
            if settings.is_empty() {
                continue;
            }
            let Some(cluster) = cluster_for(catalog, object) else {
                continue;
            };
            if cluster.cluster.is_some_and(|c| c.dns_disabled()) || cluster.init.is_some_and(|i| i.skips_dns_addon()) {
                // The cluster brings its own DNS: its address is not kubeadm's.
                continue;
            }
            let subnet_field = cluster
                .cluster
                .and_then(|c| c.service_subnet().map(|f| (c, f)))
                .filter(|(_, (_, t))| !t.is_empty());
            let subnet_text = subnet_field.map_or(DEFAULT_SERVICE_SUBNET, |(_, (_, t))| t);
            let Some(first) = split_list(subnet_text).first().map(|p| p.2) else {
                continue;
            };
            // An invalid or too small subnet is kubeadm-cidr-invalid's finding.
            let Some(subnet) = Cidr::parse(first).ok() else {
                continue;
            };
            let Some(expected) = subnet.nth(10) else { continue };

            for setting in settings {
                let addrs: Vec<Addr> = setting.items.iter().filter_map(|i| i.0).collect();
                if addrs.is_empty() || addrs.contains(&expected) || addrs.iter().any(|a| a.is_link_local()) {
                    // Right, unreadable, or a node-local DNS cache that forwards
                    // to the cluster DNS.
                    continue;
                }
                let (_, span, written) = &setting.items[0];
                let origin = match subnet_field {
                    Some(_) => format!("the service subnet {}", subnet.canonical()),
                    None => format!(
                        "kubeadm's default service subnet {} (networking.serviceSubnet is not set)",
                        subnet.canonical()
                    ),
                };
                let mut message = format!(
                    "{} is `{written}`, but kubeadm gives the cluster DNS Service {expected}, the 10th address of {origin}",
                    setting.field
                );
                let default_dns = Cidr::parse(DEFAULT_SERVICE_SUBNET).ok().and_then(|c| c.nth(10));
                if subnet_field.is_some() && default_dns.is_some_and(|d| addrs.contains(&d)) {
                    message.push_str(&format!(
                        "; {} is the DNS address of the default subnet: was the service subnet changed without the kubelet setting?",
                        default_dns.map_or(String::new(), |d| d.to_string())
                    ));
                }
                let label = subnet_field.map(|(c, (node, _))| {
                    let cluster_source = ctx.sources.get(c.object.file as usize).map_or("", |s| s.text.as_str());
                    Label {
                        file: c.object.file,
                        span: value_span(cluster_source, node),
                        message: format!("the service subnet: its 10th address is {expected}"),
                    }
                });
                let d = ctx.report(object, *span, message);
                d.help(format!(
                    "set {} to {expected} (or leave it out and let kubeadm fill in the right address); pods otherwise get a nameserver nobody answers on",
                    setting.field
                ));
                d.labels.extend(label);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diagnostic::Diagnostic;
    use crate::lint::lint;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};
    use crate::source::SourceFile;

    const RULE: &str = "kubeadm-cluster-dns-mismatch";

    fn cluster(subnet: &str) -> String {
        format!(
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: {subnet}\n"
        )
    }

    fn kubelet(dns: &str) -> String {
        format!("apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nclusterDNS: {dns}\n")
    }

    fn run_files(files: &[&str]) -> Vec<Diagnostic> {
        let config = Config {
            select: vec![RULE.to_string()],
            ..Config::default()
        };
        let sources: Vec<SourceFile> = files
            .iter()
            .enumerate()
            .map(|(i, t)| SourceFile::from_text(format!("f{i}.yaml"), None, t.to_string()))
            .collect();
        lint(&sources, &config).diagnostics
    }

    #[test]
    fn acceptance_changed_subnet_old_dns() {
        let text = format!("{}---\n{}", cluster("10.100.0.0/16"), kubelet("[10.96.0.10]"));
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "10.96.0.10");
        assert!(d[0].message.contains("10.100.0.10"), "{}", d[0].message);
        assert!(d[0].message.contains("default subnet"), "{}", d[0].message);
        assert_eq!(d[0].labels.len(), 1);
        let label = &text[d[0].labels[0].span.start as usize..d[0].labels[0].span.end as usize];
        assert_eq!(label, "10.100.0.0/16");
    }

    #[test]
    fn matching_and_default_subnet() {
        assert_quiet(
            RULE,
            &format!("{}---\n{}", cluster("10.100.0.0/16"), kubelet("[10.100.0.10]")),
        );
        let only_init = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n---\n";
        assert_quiet(RULE, &format!("{only_init}{}", kubelet("[10.96.0.10]")));
        let d = assert_fires(RULE, &format!("{only_init}{}", kubelet("[10.0.0.10]")));
        assert!(
            d[0].message.contains("default service subnet 10.96.0.0/12"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn dual_stack_and_ipv6() {
        // The first subnet's family decides.
        assert_quiet(
            RULE,
            &format!(
                "{}---\n{}",
                cluster("fd00:10:96::/112,10.96.0.0/16"),
                kubelet("[\"fd00:10:96::a\"]")
            ),
        );
        let text = format!(
            "{}---\n{}",
            cluster("fd00:10:96::/112,10.96.0.0/16"),
            kubelet("[10.96.0.10]")
        );
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("fd00:10:96::a"), "{}", d[0].message);
    }

    #[test]
    fn node_local_dns_cache_and_disabled_dns() {
        assert_quiet(
            RULE,
            &format!("{}---\n{}", cluster("10.100.0.0/16"), kubelet("[169.254.20.10]")),
        );
        let disabled = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\ndns:\n  disabled: true\nnetworking:\n  serviceSubnet: 10.100.0.0/16\n---\n";
        assert_quiet(RULE, &format!("{disabled}{}", kubelet("[10.96.0.10]")));
        let skip = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nskipPhases: [addon/coredns]\n---\n";
        assert_quiet(
            RULE,
            &format!("{skip}{}---\n{}", cluster("10.100.0.0/16"), kubelet("[10.96.0.10]")),
        );
    }

    #[test]
    fn kubelet_extra_args_and_old_master_configuration() {
        let text = format!(
            "{}---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n  - name: cluster-dns\n    value: 10.96.0.10\n",
            cluster("10.100.0.0/16")
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "10.96.0.10");
        let master = "apiVersion: kubeadm.k8s.io/v1alpha1\nkind: MasterConfiguration\nnetworking:\n  serviceSubnet: 10.100.0.0/16\nkubeletConfiguration:\n  baseConfig:\n    clusterDNS: [10.96.0.10]\n";
        assert_fires(RULE, master);
    }

    #[test]
    fn across_files_only_when_unambiguous() {
        let d = run_files(&[&cluster("10.100.0.0/16"), &kubelet("[10.96.0.10]")]);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].file, 1);
        assert_eq!(d[0].labels[0].file, 0);
        // Two clusters in two files: which one the kubelet belongs to is unknown.
        let d = run_files(&[
            &cluster("10.100.0.0/16"),
            &cluster("10.200.0.0/16"),
            &kubelet("[10.96.0.10]"),
        ]);
        assert!(d.is_empty());
        // No kubeadm config at all: a plain kubelet config is not judged.
        assert_quiet(RULE, &kubelet("[10.0.0.10]"));
    }
}
