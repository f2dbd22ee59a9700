//! `kubeadm-cidr-invalid`: subnets and addresses of a kubeadm config that
//! kubeadm rejects or that cannot work: unparsable CIDRs, host bits, service
//! subnets too large or too small, pod subnets that do not fit the per-node
//! ranges, advertise addresses that are not IPs, malformed endpoints.

use super::config::{
    ClusterCfg, advertise_address, is_kubeadm, is_placeholder, parse_host_port, part_span, source_of, split_host_port,
    value_span,
};
use super::net::{Cidr, parse_ip, split_list};
use crate::diagnostic::Severity;
use crate::model::Object;
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct KubeadmCidrInvalid;

/// kubeadm and kube-apiserver: a service subnet has at most 2^20 addresses
/// (/12 for IPv4, /108 for IPv6).
const MAX_SERVICE_HOST_BITS: u32 = 20;
/// kubeadm: at least 10 addresses, as the DNS Service takes the 10th.
const MIN_SERVICE_ADDRESSES: u128 = 10;
/// kubeadm: at least 14 addresses in a pod subnet.
const MIN_POD_ADDRESSES: u128 = 14;
/// kubeadm: the per-node mask may be at most 16 bits longer than the pod
/// subnet's.
const MAX_NODE_MASK_DIFF: u32 = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Subnet {
    Service,
    Pod,
}

struct Checker<'r, 'c, 'o, 'a> {
    ctx: &'r mut Ctx<'c>,
    object: &'o Object<'a>,
    source: &'c str,
}

impl Checker<'_, '_, '_, '_> {
    fn report(&mut self, span: Span, message: String, help: &str) -> &mut crate::diagnostic::Diagnostic {
        let d = self.ctx.report(self.object, span, message);
        d.help(help.to_string());
        d
    }

    fn subnets(&mut self, cluster: ClusterCfg, node: &Node, text: &str, field: &str, kind: Subnet) {
        if is_placeholder(text) {
            return;
        }
        let parts = split_list(text);
        let mut parsed: Vec<(Cidr, Span, &str)> = Vec::new();
        for (start, end, part) in &parts {
            let span = part_span(self.source, node, *start, *end);
            match Cidr::parse(part) {
                Ok(c) => parsed.push((c, span, part)),
                Err(e) => {
                    let message = if part.is_empty() && parts.len() > 1 {
                        format!("{field} `{text}` has an empty entry")
                    } else {
                        format!("{field} `{part}` is not a subnet: {e}")
                    };
                    self.report(span, message, "write the subnet in CIDR notation, e.g. `10.96.0.0/12`; for dual-stack, one IPv4 and one IPv6 subnet separated by a comma, without spaces");
                }
            }
        }
        if parts.len() > 2 {
            self.report(
                value_span(self.source, node),
                format!(
                    "{field} lists {} subnets: kubeadm takes one, or two for dual-stack",
                    parts.len()
                ),
                "keep one subnet, or one IPv4 and one IPv6 subnet for dual-stack",
            );
        } else if let [(a, _, _), (b, span, _)] = parsed[..]
            && a.is_v6() == b.is_v6()
        {
            self.report(
                span,
                format!(
                    "{field} lists two {} subnets: dual-stack takes one IPv4 and one IPv6 subnet",
                    a.addr.family()
                ),
                "keep one subnet per IP family",
            );
        }
        for (c, span, part) in parsed {
            if c.has_host_bits() {
                let d = self.report(
                    span,
                    format!(
                        "{field} `{part}` has host bits set: the subnet it names is {}",
                        c.canonical()
                    ),
                    "write the network address of the subnet, so the value says what is used",
                );
                // Accepted (the address is masked), but not what was written:
                // one level below the rule's severity.
                d.severity = match d.severity {
                    Severity::Error => Severity::Warning,
                    _ => Severity::Info,
                };
            }
            match kind {
                Subnet::Service => self.service_size(c, span, field, part),
                Subnet::Pod => self.pod_size(cluster, c, span, field, part),
            }
        }
    }

    fn service_size(&mut self, c: Cidr, span: Span, field: &str, part: &str) {
        if c.host_bits() > MAX_SERVICE_HOST_BITS {
            self.report(
                span,
                format!(
                    "{field} `{part}` is too large: a service subnet may hold at most 2^{MAX_SERVICE_HOST_BITS} addresses (/{} for {}), kubeadm and kube-apiserver reject more",
                    c.addr.bits() - MAX_SERVICE_HOST_BITS,
                    c.addr.family()
                ),
                "use a smaller service subnet, e.g. `10.96.0.0/12` or an IPv6 /112; it must not overlap the pod subnet or the node network",
            );
        } else if c.size() < MIN_SERVICE_ADDRESSES {
            self.report(
                span,
                format!(
                    "{field} `{part}` is too small: {} address(es), and kubeadm needs at least {MIN_SERVICE_ADDRESSES} because the DNS Service takes the 10th",
                    c.size()
                ),
                "use a service subnet of at least /28 (IPv4) or /124 (IPv6); a few thousand addresses is usual",
            );
        }
    }

    fn pod_size(&mut self, cluster: ClusterCfg, c: Cidr, span: Span, field: &str, part: &str) {
        if c.size() < MIN_POD_ADDRESSES {
            self.report(
                span,
                format!(
                    "{field} `{part}` is too small: {} address(es), kubeadm needs at least {MIN_POD_ADDRESSES}",
                    c.size()
                ),
                "give pods a subnet large enough for every node's range, e.g. `10.244.0.0/16`",
            );
            return;
        }
        let allocate = cluster
            .extra_arg("controllerManager", "allocate-node-cidrs")
            .and_then(Node::scalar_text);
        if allocate.as_deref() == Some("false") {
            return;
        }
        let (flag, default) = if c.is_v6() {
            ("node-cidr-mask-size-ipv6", 64)
        } else {
            ("node-cidr-mask-size-ipv4", 24)
        };
        let arg = cluster
            .extra_arg("controllerManager", flag)
            .map(|n| (n, flag))
            .or_else(|| {
                cluster
                    .extra_arg("controllerManager", "node-cidr-mask-size")
                    .map(|n| (n, "node-cidr-mask-size"))
            });
        let (mask, mask_node, mask_name) = match arg {
            Some((n, name)) => match n.scalar_text().and_then(|t| t.parse::<u32>().ok()) {
                Some(m) => (m, Some(n), name),
                None => return,
            },
            None => (default, None, flag),
        };
        let origin = if mask_node.is_some() {
            format!("`{mask_name}: {mask}`")
        } else {
            format!("the default `{mask_name}` of {mask}")
        };
        let message = if c.prefix > mask {
            format!(
                "{field} `{part}` is smaller than the /{mask} range the controller manager gives each node ({origin})"
            )
        } else if mask - c.prefix > MAX_NODE_MASK_DIFF {
            format!(
                "{field} `{part}` is {} bits wider than the /{mask} per-node range ({origin}); kubeadm allows at most {MAX_NODE_MASK_DIFF}",
                mask - c.prefix
            )
        } else {
            return;
        };
        let mask_span = mask_node.map(|n| value_span(self.source, n));
        let d = self.report(
            span,
            message,
            "make the pod subnet a few bits wider than the per-node range (e.g. a /16 with /24 per node), or set the controller manager's node-cidr-mask-size flags to match",
        );
        if let Some(s) = mask_span {
            d.label(s, "the per-node range");
        }
    }
}

impl Rule for KubeadmCidrInvalid {
    fn id(&self) -> &str {
        "kubeadm-cidr-invalid"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !is_kubeadm(
            object,
            &[
                "ClusterConfiguration",
                "MasterConfiguration",
                "InitConfiguration",
                "JoinConfiguration",
                "NodeConfiguration",
            ],
        ) {
            return;
        }
        let source = source_of(ctx, object);
        let mut ch = Checker { ctx, object, source };

        if let Some(cluster) = ClusterCfg::of(object) {
            if let Some((node, text)) = cluster.service_subnet().filter(|(_, t)| !t.is_empty()) {
                ch.subnets(cluster, node, text, "networking.serviceSubnet", Subnet::Service);
            }
            if let Some((node, text)) = cluster.pod_subnet().filter(|(_, t)| !t.is_empty()) {
                ch.subnets(cluster, node, text, "networking.podSubnet", Subnet::Pod);
            }
            if let Some((node, text, field)) = cluster.control_plane_endpoint().filter(|(_, t, _)| !is_placeholder(t))
                && let Err(why) = parse_host_port(text)
            {
                ch.report(
                        value_span(source, node),
                        format!("{field} `{text}` is not a valid endpoint: {why}"),
                        "write the load balancer's (or first control-plane node's) address as `host` or `host:port`, e.g. `cluster-api.example.com:6443`",
                    );
            }
        }

        if let Some((node, text, field)) = advertise_address(object).filter(|(_, t, _)| !is_placeholder(t))
            && parse_ip(text).is_none()
        {
            ch.report(
                    value_span(source, node),
                    format!("{field} `{text}` is not an IP address"),
                    "kubeadm needs the IP address of this node's interface here; put a DNS name in `controlPlaneEndpoint` instead",
                );
        }

        // Token discovery endpoints: `host:port`, the port required.
        let root = object.root;
        let endpoints: Vec<(&Node, &str)> = match root.path(&["discovery", "bootstrapToken", "apiServerEndpoint"]) {
            Some(n) => vec![(n, "discovery.bootstrapToken.apiServerEndpoint")],
            None => root
                .get("discoveryTokenAPIServers")
                .map(Node::items)
                .unwrap_or(&[])
                .iter()
                .map(|n| (n, "discoveryTokenAPIServers"))
                .collect(),
        };
        for (node, field) in endpoints {
            let Some(text) = node.as_str().filter(|t| !t.is_empty() && !is_placeholder(t)) else {
                continue;
            };
            let why = match split_host_port(text) {
                None => Some("it needs a port, as in `host:6443`".to_string()),
                Some((_, "")) => Some("the port is empty".to_string()),
                Some(_) => parse_host_port(text).err(),
            };
            if let Some(why) = why {
                ch.report(
                    value_span(source, node),
                    format!("{field} `{text}` is not a valid endpoint: {why}"),
                    "write the API server's address as `host:port`, e.g. `10.0.0.10:6443`",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Severity;
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "kubeadm-cidr-invalid";

    fn cluster(body: &str) -> String {
        format!("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n{body}")
    }

    #[test]
    fn unparsable_parts_of_a_dual_stack_list() {
        let text = cluster("networking:\n  serviceSubnet: 10.96.0.0/12,fd00::/300\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "fd00::/300");
        assert!(d[0].message.contains("prefix length `300`"), "{}", d[0].message);
    }

    #[test]
    fn spaces_and_missing_prefix() {
        let text = cluster("networking:\n  podSubnet: \"10.244.0.0/16, fd00:10:244::/56\"\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("spaces"), "{}", d[0].message);
        let text = cluster("networking:\n  serviceSubnet: 10.96.0.0\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("no `/prefix-length`"), "{}", d[0].message);
    }

    #[test]
    fn service_subnet_size_limits() {
        let text = cluster("networking:\n  serviceSubnet: 10.0.0.0/8\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("too large"), "{}", d[0].message);
        assert!(d[0].message.contains("/12 for IPv4"), "{}", d[0].message);
        let text = cluster("networking:\n  serviceSubnet: fd00::/64\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("/108 for IPv6"), "{}", d[0].message);
        let text = cluster("networking:\n  serviceSubnet: 10.96.0.0/29\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("too small"), "{}", d[0].message);
        assert_quiet(
            RULE,
            &cluster("networking:\n  serviceSubnet: 10.96.0.0/12,fd00:10:96::/108\n"),
        );
    }

    #[test]
    fn host_bits_are_one_level_lower() {
        let text = cluster("networking:\n  serviceSubnet: 10.96.0.1/12\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d[0].severity, Severity::Warning);
        assert!(d[0].message.contains("10.96.0.0/12"), "{}", d[0].message);
    }

    #[test]
    fn dual_stack_shape() {
        let d = assert_fires(
            RULE,
            &cluster("networking:\n  podSubnet: 10.244.0.0/16,10.245.0.0/16\n"),
        );
        assert!(d[0].message.contains("two IPv4 subnets"), "{}", d[0].message);
        let d = assert_fires(
            RULE,
            &cluster("networking:\n  podSubnet: 10.1.0.0/16,10.2.0.0/16,fd00::/56\n"),
        );
        assert!(d.iter().any(|d| d.message.contains("lists 3 subnets")));
    }

    #[test]
    fn pod_subnet_against_node_masks() {
        let d = assert_fires(RULE, &cluster("networking:\n  podSubnet: 10.244.0.0/25\n"));
        assert!(d[0].message.contains("smaller than the /24"), "{}", d[0].message);
        let d = assert_fires(RULE, &cluster("networking:\n  podSubnet: fd00::/32\n"));
        assert!(d[0].message.contains("32 bits wider"), "{}", d[0].message);
        // A smaller per-node range makes it fit (v1beta4 list form).
        assert_quiet(
            RULE,
            &cluster(
                "networking:\n  podSubnet: 10.244.0.0/25\ncontrollerManager:\n  extraArgs:\n  - name: node-cidr-mask-size-ipv4\n    value: \"27\"\n",
            ),
        );
        // No per-node allocation at all.
        assert_quiet(
            RULE,
            &cluster(
                "networking:\n  podSubnet: 10.244.0.0/25\ncontrollerManager:\n  extraArgs:\n    allocate-node-cidrs: \"false\"\n",
            ),
        );
        let text = cluster(
            "networking:\n  podSubnet: 10.244.0.0/16\ncontrollerManager:\n  extraArgs:\n    node-cidr-mask-size-ipv4: \"12\"\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn endpoints_and_addresses() {
        let text = cluster("controlPlaneEndpoint: https://lb.example.com:6443\n");
        let d = assert_fires(RULE, &text);
        assert!(d[0].message.contains("URL scheme"), "{}", d[0].message);
        assert_quiet(RULE, &cluster("controlPlaneEndpoint: lb.example.com:6443\n"));
        assert_quiet(RULE, &cluster("controlPlaneEndpoint: \"[fd00::1]:6443\"\n"));

        let init = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: master-1\n";
        let d = assert_fires(RULE, init);
        assert_eq!(spanned(init, &d[0]), "master-1");

        let master =
            "apiVersion: kubeadm.k8s.io/v1alpha1\nkind: MasterConfiguration\napi:\n  advertiseAddress: 10.0.0.300\n";
        assert_fires(RULE, master);

        let join = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: JoinConfiguration\ndiscovery:\n  bootstrapToken:\n    apiServerEndpoint: 10.0.0.10\n    token: abcdef.0123456789abcdef\n";
        let d = assert_fires(RULE, join);
        assert!(d[0].message.contains("needs a port"), "{}", d[0].message);
    }

    #[test]
    fn template_placeholders_are_skipped() {
        assert_quiet(
            RULE,
            &cluster(
                "controlPlaneEndpoint: \"{{ .Endpoint }}:6443\"\nnetworking:\n  serviceSubnet: ${service_cidr_ipv6},${service_cidr_ipv4}\n  podSubnet: POD_NETWORK\n",
            ),
        );
    }

    #[test]
    fn valid_configs_are_quiet() {
        assert_quiet(
            RULE,
            &cluster(
                "controlPlaneEndpoint: 10.0.0.10\nnetworking:\n  serviceSubnet: 10.96.0.0/12\n  podSubnet: 10.244.0.0/16,fd00:10:244::/56\n",
            ),
        );
        // Not kubeadm's.
        assert_quiet(
            RULE,
            "apiVersion: example.com/v1\nkind: ClusterConfiguration\nnetworking:\n  serviceSubnet: nonsense\n",
        );
    }
}
