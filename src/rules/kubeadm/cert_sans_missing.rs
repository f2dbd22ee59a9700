//! `kubeadm-cert-sans-missing`: an address the kubeadm configuration uses
//! to reach the API server that will not be in the API server's serving
//! certificate (domain fact B3).
//!
//! kubeadm puts these names in the certificate itself: the node name,
//! `kubernetes`, `kubernetes.default`, `kubernetes.default.svc`,
//! `kubernetes.default.svc.<dnsDomain>`, the first address of the (first)
//! service subnet, the advertise address, the `controlPlaneEndpoint` host
//! (since kubeadm 1.11), and every valid entry of `certSANs`. This rule
//! reports only what falls outside that set.

use super::config::{
    Cluster, ClusterCfg, cluster_for, is_dns1123_subdomain, is_kubeadm, is_placeholder, is_wildcard_dns1123_subdomain,
    source_of, split_host_port, value_span,
};
use super::net::{Addr, Cidr, DEFAULT_SERVICE_SUBNET, parse_ip, split_list};
use crate::diagnostic::Label;
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct KubeadmCertSansMissing;

/// The names kubeadm puts in the API server certificate, as far as the
/// configuration tells.
struct Sans {
    ips: Vec<Addr>,
    dns: Vec<String>,
    /// The advertise address is set (else kubeadm picks the default
    /// route's address, which kvet cannot know).
    advertise_known: bool,
    /// The node name is set (else it is the host name).
    node_name_known: bool,
    /// Some name is a template placeholder: the set is not known.
    templated: bool,
}

impl Sans {
    fn of(cluster: &Cluster, with_endpoint: bool) -> Sans {
        let mut ips = Vec::new();
        let mut dns: Vec<String> = Vec::new();
        let mut templated = false;
        let c = cluster.cluster;
        let subnet = c
            .and_then(|c| c.service_subnet())
            .map(|(_, t)| t)
            .filter(|t| !t.is_empty())
            .unwrap_or(DEFAULT_SERVICE_SUBNET);
        if let Some(first) = split_list(subnet).first().and_then(|p| Cidr::parse(p.2).ok()) {
            ips.extend(first.nth(1));
        }
        let advertise_text = cluster.init.and_then(|i| i.advertise_address()).map(|(_, t, _)| t);
        templated |= advertise_text.is_some_and(is_placeholder);
        let advertise = advertise_text.and_then(parse_ip).filter(|a| !a.is_unspecified());
        ips.extend(advertise);
        let node_name = cluster.init.and_then(|i| i.node_name());
        templated |= node_name.is_some_and(is_placeholder);
        dns.extend(node_name.map(str::to_string));
        let domain = c.map_or("cluster.local", |c| c.dns_domain());
        for n in ["kubernetes", "kubernetes.default", "kubernetes.default.svc"] {
            dns.push(n.to_string());
        }
        dns.push(format!("kubernetes.default.svc.{domain}"));
        if with_endpoint && let Some((_, text, _)) = c.and_then(|c| c.control_plane_endpoint()) {
            templated |= is_placeholder(text);
            let host = split_host_port(text).map_or(text, |(h, _)| h);
            match parse_ip(host) {
                Some(a) => ips.push(a),
                None => dns.push(host.to_ascii_lowercase()),
            }
        }
        for san in c.map_or(&[][..], |c| c.cert_sans().0).iter().filter_map(Node::as_str) {
            templated |= is_placeholder(san);
            if let Some(a) = parse_ip(san) {
                ips.push(a);
            } else if is_dns1123_subdomain(san) || is_wildcard_dns1123_subdomain(san) {
                dns.push(san.to_string());
            }
        }
        Sans {
            ips,
            dns,
            advertise_known: advertise.is_some(),
            node_name_known: node_name.is_some(),
            templated,
        }
    }

    /// Whether the certificate covers `host`: `None` when that depends on
    /// what kubeadm detects on the machine.
    fn covers(&self, host: &str) -> Option<bool> {
        if is_placeholder(host) {
            return None;
        }
        if let Some(a) = parse_ip(host) {
            return if self.ips.contains(&a) {
                Some(true)
            } else if self.advertise_known && !self.templated {
                Some(false)
            } else {
                None
            };
        }
        let host = host.to_ascii_lowercase();
        let matched = self.dns.iter().any(|n| match n.strip_prefix("*.") {
            Some(suffix) => host
                .split_once('.')
                .is_some_and(|(first, rest)| !first.is_empty() && rest == suffix),
            None => *n == host,
        });
        if matched {
            Some(true)
        } else if self.node_name_known && !self.templated {
            Some(false)
        } else {
            None
        }
    }
}

/// Why a `certSANs` entry is refused, with a hint.
fn bad_san(san: &str) -> Option<String> {
    if is_placeholder(san) || parse_ip(san).is_some() || is_dns1123_subdomain(san) || is_wildcard_dns1123_subdomain(san)
    {
        return None;
    }
    let hint = if san.contains("://") {
        "write the host name alone, without a URL scheme"
    } else if Cidr::parse(san).is_ok() {
        "a certificate names single addresses, not ranges"
    } else if split_host_port(san).is_some_and(|(h, _)| parse_ip(h).is_some() || is_dns1123_subdomain(h)) {
        "write the host alone, without the port"
    } else if san.chars().any(|c| c.is_ascii_uppercase()) {
        "DNS names must be lowercase here"
    } else if san.contains('_') {
        "DNS names may not contain `_`"
    } else {
        "use an IP address or a DNS name (`*.` may start a DNS name)"
    };
    Some(hint.to_string())
}

/// Token-discovery endpoints of a join configuration that `kubeadm join`
/// checks against the certificate: only when CA pinning is configured
/// (without it, discovery does not verify the serving certificate).
fn pinned_endpoints<'a>(object: &Object<'a>) -> Vec<(&'a Node, &'static str)> {
    let root = object.root;
    if let Some(bt) = root.path(&["discovery", "bootstrapToken"]) {
        let pinned = !bt.get("caCertHashes").map(Node::items).unwrap_or(&[]).is_empty();
        return match bt.get("apiServerEndpoint") {
            Some(n) if pinned => vec![(n, "discovery.bootstrapToken.apiServerEndpoint")],
            _ => Vec::new(),
        };
    }
    let pinned = !root
        .get("discoveryTokenCACertHashes")
        .map(Node::items)
        .unwrap_or(&[])
        .is_empty();
    if !pinned {
        return Vec::new();
    }
    root.get("discoveryTokenAPIServers")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .map(|n| (n, "discoveryTokenAPIServers"))
        .collect()
}

/// A label on where the name should go: the `certSANs` list, or the cluster
/// document.
fn where_to_add(cluster: Option<ClusterCfg>) -> Option<Label> {
    let c = cluster?;
    let (_, field) = c.cert_sans();
    let path: Vec<&str> = field.split('.').collect();
    let span = c
        .object
        .root
        .path_entry(&path)
        .map_or_else(|| c.object.kind_span(), |e| e.key_span);
    Some(Label {
        file: c.object.file,
        span,
        message: format!("add it to {field} here"),
    })
}

impl Rule for KubeadmCertSansMissing {
    fn id(&self) -> &str {
        "kubeadm-cert-sans-missing"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for object in &catalog.objects {
            let source = source_of(ctx, object);
            // certSANs entries kubeadm refuses.
            if let Some(c) = ClusterCfg::of(object) {
                let (items, field) = c.cert_sans();
                for item in items {
                    let Some(san) = item.as_str() else { continue };
                    if let Some(hint) = bad_san(san) {
                        ctx.report(
                            object,
                            value_span(source, item),
                            format!("{field} entry `{san}` is not an IP address or DNS name: kubeadm refuses it, so it cannot be in the API server certificate"),
                        )
                        .help(hint);
                    }
                }
            }

            // v1alpha1: kubeadm 1.10 does not add api.controlPlaneEndpoint.
            if object.api_version == "kubeadm.k8s.io/v1alpha1"
                && let Some(c) = ClusterCfg::of(object)
                && let Some((node, text, field)) = c.control_plane_endpoint()
            {
                let cluster = Cluster {
                    cluster: Some(c),
                    init: super::config::InitCfg::of(object),
                };
                let host = split_host_port(text).map_or(text, |(h, _)| h);
                if Sans::of(&cluster, false).covers(host) == Some(false) {
                    let (_, sans_field) = c.cert_sans();
                    ctx.report(
                                object,
                                value_span(source, node),
                                format!("{field} `{host}` is not in the API server certificate: kubeadm 1.10, the last release that writes v1alpha1 configs, does not add the control-plane endpoint itself (1.11 and later do)"),
                            )
                            .help(format!("add `{host}` to {sans_field}, or migrate the config to a newer API version with a newer kubeadm"));
                }
            }

            // Join endpoints verified against the certificate.
            if !is_kubeadm(object, &["JoinConfiguration", "NodeConfiguration"]) {
                continue;
            }
            let endpoints = pinned_endpoints(object);
            if endpoints.is_empty() {
                continue;
            }
            let Some(cluster) = cluster_for(catalog, object) else {
                continue;
            };
            let with_endpoint = cluster
                .cluster
                .is_none_or(|c| c.object.api_version != "kubeadm.k8s.io/v1alpha1");
            let sans = Sans::of(&cluster, with_endpoint);
            for (node, field) in endpoints {
                let Some(text) = node.as_str() else { continue };
                let Some((host, _)) = split_host_port(text) else {
                    continue;
                };
                if sans.covers(host) != Some(false) {
                    continue;
                }
                let d = ctx.report(
                    object,
                    value_span(source, node),
                    format!("{field} `{text}`: `{host}` is not in the API server certificate kubeadm makes for this cluster, and with CA pinning `kubeadm join` checks the certificate against it"),
                );
                d.help(format!(
                    "add `{host}` to the cluster's certSANs (or use the controlPlaneEndpoint, which kubeadm puts in the certificate)"
                ));
                if let Some(label) = where_to_add(cluster.cluster) {
                    d.labels.push(label);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "kubeadm-cert-sans-missing";

    const INIT: &str = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 10.0.0.10\nnodeRegistration:\n  name: cp-1\n---\n";

    fn cluster(extra: &str) -> String {
        format!("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n{extra}---\n")
    }

    fn join(endpoint: &str) -> String {
        format!(
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: {endpoint}\n    token: abcdef.0123456789abcdef\n    caCertHashes: [\"sha256:0000\"]\n"
        )
    }

    #[test]
    fn join_endpoint_outside_the_certificate() {
        let text = format!(
            "{INIT}{}{}",
            cluster("apiServer:\n  certSANs: [api.example.com]\n"),
            join("203.0.113.7:6443")
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "203.0.113.7:6443");
        assert_eq!(d[0].labels.len(), 1);
        assert_eq!(
            &text[d[0].labels[0].span.start as usize..d[0].labels[0].span.end as usize],
            "certSANs"
        );
    }

    #[test]
    fn covered_endpoints_are_quiet() {
        for ep in [
            "10.0.0.10:6443",
            "cp-1:6443",
            "kubernetes.default.svc:443",
            "10.96.0.1:443",
        ] {
            assert_quiet(RULE, &format!("{INIT}{}{}", cluster(""), join(ep)));
        }
        // controlPlaneEndpoint and certSANs (wildcards included).
        assert_quiet(
            RULE,
            &format!(
                "{INIT}{}{}",
                cluster("controlPlaneEndpoint: lb.example.com:6443\n"),
                join("lb.example.com:6443")
            ),
        );
        assert_quiet(
            RULE,
            &format!(
                "{INIT}{}{}",
                cluster("apiServer:\n  certSANs: [\"*.example.com\", 203.0.113.7]\n"),
                join("api.example.com:6443")
            ),
        );
        assert_quiet(
            RULE,
            &format!(
                "{INIT}{}{}",
                cluster("apiServer:\n  certSANs: [203.0.113.7]\n"),
                join("203.0.113.7:6443")
            ),
        );
    }

    #[test]
    fn unknown_addresses_and_unpinned_discovery_are_quiet() {
        // No advertise address: kubeadm detects one, maybe this one.
        assert_quiet(RULE, &format!("{}{}", cluster(""), join("203.0.113.7:6443")));
        // No node name: it may be this host name.
        assert_quiet(RULE, &format!("{}{}", cluster(""), join("master:6443")));
        // Without caCertHashes discovery does not verify the certificate.
        let unpinned = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: 203.0.113.7:6443\n    token: abcdef.0123456789abcdef\n    unsafeSkipCAVerification: true\n";
        assert_quiet(RULE, &format!("{INIT}{}{unpinned}", cluster("")));
        // Template placeholders.
        assert_quiet(
            RULE,
            &format!(
                "{INIT}{}{}",
                cluster("apiServer:\n  certSANs: [\"${san}\"]\n"),
                join("203.0.113.7:6443")
            ),
        );
        assert_quiet(
            RULE,
            &format!("{INIT}{}{}", cluster(""), join("\"{{ .ControlPlane }}:6443\"")),
        );
        // A join config alone: the cluster is unknown.
        assert_quiet(RULE, &join("203.0.113.7:6443"));
    }

    #[test]
    fn refused_cert_sans() {
        let text = cluster(
            "apiServer:\n  certSANs:\n  - https://api.example.com\n  - api.example.com:6443\n  - 10.0.0.0/24\n  - API.example.com\n  - ok.example.com\n",
        );
        let d = assert_fires(RULE, &text);
        let spans: Vec<&str> = d.iter().map(|d| spanned(&text, d)).collect();
        assert_eq!(
            spans,
            [
                "https://api.example.com",
                "api.example.com:6443",
                "10.0.0.0/24",
                "API.example.com"
            ]
        );
        assert!(d[2].help.as_deref().is_some_and(|h| h.contains("ranges")));
    }

    #[test]
    fn v1alpha1_control_plane_endpoint() {
        let master = "apiVersion: kubeadm.k8s.io/v1alpha1\nkind: MasterConfiguration\napi:\n  advertiseAddress: 10.0.0.10\n  controlPlaneEndpoint: lb.example.com\nnodeName: cp-1\n";
        let d = assert_fires(RULE, master);
        assert_eq!(spanned(master, &d[0]), "lb.example.com");
        assert!(d[0].message.contains("1.10"), "{}", d[0].message);
        assert_quiet(RULE, &format!("{master}apiServerCertSANs: [lb.example.com]\n"));
        // v1alpha2 (kubeadm 1.11) adds it.
        assert_quiet(RULE, &master.replace("v1alpha1", "v1alpha2"));
    }
}
