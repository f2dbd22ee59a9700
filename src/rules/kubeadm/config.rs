//! Views over kubeadm's configuration documents, across the config API
//! versions (v1alpha1 `MasterConfiguration` to v1beta4), and the pairing of
//! documents that describe one cluster.

use crate::model::{Catalog, Object};
use crate::rules::Ctx;
use crate::yaml::{Node, ScalarStyle, Span};

pub const KUBEADM_GROUP: &str = "kubeadm.k8s.io";
pub const KUBELET_GROUP: &str = "kubelet.config.k8s.io";

/// Whether the object is a kubeadm config document of one of `kinds`.
pub fn is_kubeadm(object: &Object, kinds: &[&str]) -> bool {
    object.group() == KUBEADM_GROUP && kinds.contains(&object.kind)
}

/// A string field with its node.
pub fn text_at<'a>(root: &'a Node, path: &[&str]) -> Option<(&'a Node, &'a str)> {
    let n = root.path(path)?;
    Some((n, n.as_str()?))
}

/// `v1.28.3`, `1.28`: (major, minor). `stable`, `latest` and other labels
/// are not versions.
pub fn parse_version(v: &str) -> Option<(u32, u32)> {
    let v = v.trim().trim_start_matches('v');
    let mut parts = v.split(['.', '-', '+']);
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The span of `text[start..end]` inside a scalar's value, when the value
/// is written verbatim in the source (plain, or quoted without escapes);
/// else the whole scalar. For quoted scalars the end is computed from the
/// value, since a trailing comment can end up inside the node's span.
pub fn part_span(source: &str, node: &Node, start: usize, end: usize) -> Span {
    let Some(value) = node.as_str() else { return node.span };
    if start > end || end > value.len() {
        return node.span;
    }
    let s = node.span.start as usize;
    let inner = match node.style {
        ScalarStyle::Plain => s,
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted | ScalarStyle::Json => s + 1,
        _ => return node.span,
    };
    let close = match node.style {
        ScalarStyle::SingleQuoted => Some(b'\''),
        ScalarStyle::DoubleQuoted | ScalarStyle::Json => Some(b'"'),
        _ => None,
    };
    let verbatim = source.get(inner..inner + value.len()) == Some(value)
        && close.is_none_or(|q| source.as_bytes().get(inner + value.len()) == Some(&q));
    if verbatim {
        Span::new((inner + start) as u32, (inner + end) as u32)
    } else {
        node.span
    }
}

/// The span of a string scalar, quotes included but not a trailing
/// comment (see [`part_span`]).
pub fn value_span(source: &str, node: &Node) -> Span {
    let inner = part_span(source, node, 0, node.as_str().map_or(0, str::len));
    match node.style {
        _ if inner == node.span => node.span,
        ScalarStyle::Plain => inner,
        _ => Span::new(inner.start - 1, inner.end + 1),
    }
}

/// The text of the file `object` comes from.
pub fn source_of<'r>(ctx: &Ctx<'r>, object: &Object) -> &'r str {
    ctx.source(object).map_or("", |s| s.text.as_str())
}

/// Looks up a flag in an `extraArgs`-style field: a map of flag to value
/// (v1beta3 and older) or a list of `{name, value}` (v1beta4).
pub fn arg_in<'a>(args: &'a Node, name: &str) -> Option<&'a Node> {
    if args.is_map() {
        return args.get(name);
    }
    args.items()
        .iter()
        .rev()
        .find(|i| i.get("name").and_then(Node::as_str) == Some(name))
        .and_then(|i| i.get("value"))
}

/// Cluster-wide settings: a `ClusterConfiguration`, or a v1alpha1/v1alpha2
/// `MasterConfiguration` (which also holds the node's settings).
#[derive(Clone, Copy)]
pub struct ClusterCfg<'c, 'a> {
    pub object: &'c Object<'a>,
}

impl<'c, 'a> ClusterCfg<'c, 'a> {
    pub fn of(object: &'c Object<'a>) -> Option<Self> {
        is_kubeadm(object, &["ClusterConfiguration", "MasterConfiguration"]).then_some(ClusterCfg { object })
    }

    fn is_master(&self) -> bool {
        self.object.kind == "MasterConfiguration"
    }

    pub fn service_subnet(&self) -> Option<(&'a Node, &'a str)> {
        text_at(self.object.root, &["networking", "serviceSubnet"])
    }

    pub fn pod_subnet(&self) -> Option<(&'a Node, &'a str)> {
        text_at(self.object.root, &["networking", "podSubnet"])
    }

    pub fn dns_domain(&self) -> &'a str {
        text_at(self.object.root, &["networking", "dnsDomain"])
            .map(|(_, s)| s)
            .filter(|s| !s.is_empty())
            .unwrap_or("cluster.local")
    }

    /// `controlPlaneEndpoint` (v1alpha3 and later) or `api.controlPlaneEndpoint`
    /// (MasterConfiguration), and the field's name for messages.
    pub fn control_plane_endpoint(&self) -> Option<(&'a Node, &'a str, &'static str)> {
        let (path, name): (&[&str], _) = if self.is_master() {
            (&["api", "controlPlaneEndpoint"], "api.controlPlaneEndpoint")
        } else {
            (&["controlPlaneEndpoint"], "controlPlaneEndpoint")
        };
        text_at(self.object.root, path)
            .filter(|(_, s)| !s.is_empty())
            .map(|(n, s)| (n, s, name))
    }

    /// Extra SANs of the API server certificate: `apiServer.certSANs`
    /// (v1beta1 and later) or `apiServerCertSANs` (older), and the field's
    /// name.
    pub fn cert_sans(&self) -> (&'a [Node], &'static str) {
        if let Some(n) = self.object.root.path(&["apiServer", "certSANs"]) {
            return (n.items(), "apiServer.certSANs");
        }
        let n = self.object.root.get("apiServerCertSANs");
        (n.map(Node::items).unwrap_or(&[]), "apiServerCertSANs")
    }

    /// A flag of a control-plane component: `controllerManager.extraArgs`
    /// (v1beta1 and later) or `controllerManagerExtraArgs` (older).
    pub fn extra_arg(&self, component: &str, name: &str) -> Option<&'a Node> {
        let root = self.object.root;
        let args = root
            .path(&[component, "extraArgs"])
            .or_else(|| root.get(&format!("{component}ExtraArgs")))?;
        arg_in(args, name)
    }

    /// v1beta4 `dns.disabled: true`: kubeadm installs no cluster DNS.
    pub fn dns_disabled(&self) -> bool {
        self.object.root.path(&["dns", "disabled"]).and_then(Node::as_bool) == Some(true)
    }

    pub fn kubernetes_version(&self) -> Option<(u32, u32)> {
        text_at(self.object.root, &["kubernetesVersion"]).and_then(|(_, v)| parse_version(v))
    }
}

/// Settings of the first control-plane node: an `InitConfiguration`, or a
/// `MasterConfiguration`.
#[derive(Clone, Copy)]
pub struct InitCfg<'c, 'a> {
    pub object: &'c Object<'a>,
}

impl<'c, 'a> InitCfg<'c, 'a> {
    pub fn of(object: &'c Object<'a>) -> Option<Self> {
        is_kubeadm(object, &["InitConfiguration", "MasterConfiguration"]).then_some(InitCfg { object })
    }

    /// The API server's advertise address and the field's name:
    /// `localAPIEndpoint` (v1beta1+), `apiEndpoint` (v1alpha3) or `api`
    /// (MasterConfiguration).
    pub fn advertise_address(&self) -> Option<(&'a Node, &'a str, &'static str)> {
        advertise_address(self.object)
    }

    /// The node name (`nodeRegistration.name`, or v1alpha1's `nodeName`);
    /// `None` when kubeadm uses the host name.
    pub fn node_name(&self) -> Option<&'a str> {
        let root = self.object.root;
        text_at(root, &["nodeRegistration", "name"])
            .or_else(|| text_at(root, &["nodeName"]))
            .map(|(_, s)| s)
            .filter(|s| !s.is_empty())
    }

    /// Whether `skipPhases` skips the CoreDNS addon.
    pub fn skips_dns_addon(&self) -> bool {
        self.object
            .root
            .get("skipPhases")
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(Node::as_str)
            .any(|p| matches!(p, "addon" | "addon/coredns" | "addon/all"))
    }
}

/// The advertise address of an Init/Master configuration, or of a
/// JoinConfiguration's control-plane section.
pub fn advertise_address<'a>(object: &Object<'a>) -> Option<(&'a Node, &'a str, &'static str)> {
    let root = object.root;
    let candidates: &[(&[&str], &'static str)] = match object.kind {
        "MasterConfiguration" => &[(&["api", "advertiseAddress"], "api.advertiseAddress")],
        "InitConfiguration" => &[
            (
                &["localAPIEndpoint", "advertiseAddress"],
                "localAPIEndpoint.advertiseAddress",
            ),
            (&["apiEndpoint", "advertiseAddress"], "apiEndpoint.advertiseAddress"),
        ],
        "JoinConfiguration" => &[
            (
                &["controlPlane", "localAPIEndpoint", "advertiseAddress"],
                "controlPlane.localAPIEndpoint.advertiseAddress",
            ),
            (&["apiEndpoint", "advertiseAddress"], "apiEndpoint.advertiseAddress"),
        ],
        _ => &[],
    };
    candidates
        .iter()
        .find_map(|(path, name)| text_at(root, path).map(|(n, s)| (n, s, *name)))
        .filter(|(_, s, _)| !s.is_empty())
}

/// The documents kvet reads as one cluster's configuration.
#[derive(Clone, Copy, Default)]
pub struct Cluster<'c, 'a> {
    /// ClusterConfiguration or MasterConfiguration; `None`: kubeadm's defaults.
    pub cluster: Option<ClusterCfg<'c, 'a>>,
    pub init: Option<InitCfg<'c, 'a>>,
}

fn defines_cluster(o: &Object) -> bool {
    is_kubeadm(o, &["ClusterConfiguration", "MasterConfiguration", "InitConfiguration"])
}

/// The object of `candidates` nearest before `doc` in the file, else the
/// first one.
fn nearest<'c, 'a>(candidates: &[&'c Object<'a>], doc: usize) -> Option<&'c Object<'a>> {
    candidates
        .iter()
        .rev()
        .find(|o| o.doc <= doc)
        .or_else(|| candidates.first())
        .copied()
}

/// The cluster configuration that applies to `near` (a KubeletConfiguration
/// or JoinConfiguration, say): the kubeadm documents of the same file if it
/// has any, else those of the only file of the run that has any. `None`
/// when that is ambiguous or there are none: `near` is then not known to
/// belong to a kubeadm cluster.
pub fn cluster_for<'c, 'a>(catalog: &'c Catalog<'a>, near: &Object) -> Option<Cluster<'c, 'a>> {
    let defining: Vec<&'c Object<'a>> = catalog.objects.iter().filter(|o| defines_cluster(o)).collect();
    let mut in_file: Vec<&'c Object<'a>> = defining.iter().copied().filter(|o| o.file == near.file).collect();
    if in_file.is_empty() {
        let first = defining.first()?;
        if defining.iter().any(|o| o.file != first.file) {
            return None;
        }
        in_file = defining;
    }
    let clusters: Vec<&'c Object<'a>> = in_file
        .iter()
        .copied()
        .filter(|o| ClusterCfg::of(o).is_some())
        .collect();
    let inits: Vec<&'c Object<'a>> = in_file.iter().copied().filter(|o| InitCfg::of(o).is_some()).collect();
    Some(Cluster {
        cluster: nearest(&clusters, near.doc).and_then(ClusterCfg::of),
        init: nearest(&inits, near.doc).and_then(InitCfg::of),
    })
}

/// A value that is a placeholder of a template rather than a setting:
/// `{{ .PodSubnet }}`, `${POD_CIDR}`, `%{ ... }`, or an all-caps token such
/// as `POD_NETWORK` or `_NODE_IP_` (replaced by `sed` before use).
pub fn is_placeholder(s: &str) -> bool {
    ["{{", "}}", "${", "%{", "<%"].iter().any(|m| s.contains(m))
        || (s.len() >= 3
            && s.bytes().any(|b| b.is_ascii_uppercase())
            && s.bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
}

/// DNS-1123 subdomain, as Kubernetes validates it (lowercase letters,
/// digits, `-` and `.`; labels start and end alphanumeric; at most 253).
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            let b = label.as_bytes();
            !b.is_empty()
                && b[0].is_ascii_alphanumeric()
                && b[b.len() - 1].is_ascii_alphanumeric()
                && b.iter()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase() || *c == b'-')
        })
}

/// `*.example.com`.
pub fn is_wildcard_dns1123_subdomain(s: &str) -> bool {
    s.strip_prefix("*.").is_some_and(is_dns1123_subdomain)
}

/// kubeadm's `ParseHostPort`: `host`, `host:port`, `[ipv6]:port`; the host
/// must be an IP or a DNS-1123 subdomain, the port 1–65535. Returns the host
/// and the port, or why not.
pub fn parse_host_port(s: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = match split_host_port(s) {
        Some((h, p)) if !p.is_empty() => (h, Some(p)),
        Some((h, _)) => (h, None),
        None => (s, None),
    };
    let port = match port {
        Some(p) => match p.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) && p.bytes().all(|b| b.is_ascii_digit()) => Some(n as u16),
            _ => return Err(format!("the port `{p}` is not a number from 1 to 65535")),
        },
        None => None,
    };
    if super::net::parse_ip(host).is_some() || is_dns1123_subdomain(host) {
        return Ok((host, port));
    }
    let why = if s.contains("://") {
        "it has a URL scheme; write only host or host:port".to_string()
    } else if host.chars().any(|c| c.is_ascii_uppercase()) {
        format!("the host `{host}` has uppercase letters; DNS names must be lowercase here")
    } else {
        format!("the host `{host}` is neither an IP address nor a DNS name")
    };
    Err(why)
}

/// Go's `net.SplitHostPort`, loosely: `host:port` or `[v6]:port`.
pub fn split_host_port(s: &str) -> Option<(&str, &str)> {
    if let Some(rest) = s.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        return Some((host, after.strip_prefix(':')?));
    }
    let (host, port) = s.rsplit_once(':')?;
    if host.contains(':') {
        // An unbracketed IPv6 address: no port.
        return None;
    }
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(parse_version("v1.28.3"), Some((1, 28)));
        assert_eq!(parse_version("1.31"), Some((1, 31)));
        assert_eq!(parse_version("v1.30.0-rc.1"), Some((1, 30)));
        assert_eq!(parse_version("stable-1"), None);
        assert_eq!(parse_version("latest"), None);
    }

    #[test]
    fn placeholders() {
        assert!(is_placeholder("{{ .PodSubnet }}"));
        assert!(is_placeholder("${service_cidr_ipv6},${service_cidr_ipv4}"));
        assert!(is_placeholder("POD_NETWORK"));
        assert!(is_placeholder("_NODE_IP_"));
        assert!(is_placeholder("K8SHA_IPVIRTUAL"));
        assert!(!is_placeholder("10.96.0.0/12"));
        assert!(!is_placeholder("master-1"));
        assert!(!is_placeholder("API.example.com"));
    }

    #[test]
    fn dns_names() {
        assert!(is_dns1123_subdomain("api.example.com"));
        assert!(is_dns1123_subdomain("10.0.0.1"));
        assert!(!is_dns1123_subdomain("API.example.com"));
        assert!(!is_dns1123_subdomain("my_host"));
        assert!(!is_dns1123_subdomain("-a.b"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(is_wildcard_dns1123_subdomain("*.example.com"));
        assert!(!is_wildcard_dns1123_subdomain("*example.com"));
    }

    #[test]
    fn host_ports() {
        assert_eq!(
            parse_host_port("lb.example.com:6443"),
            Ok(("lb.example.com", Some(6443)))
        );
        assert_eq!(parse_host_port("lb.example.com"), Ok(("lb.example.com", None)));
        assert_eq!(parse_host_port("10.0.0.1"), Ok(("10.0.0.1", None)));
        assert_eq!(parse_host_port("[fd00::1]:6443"), Ok(("fd00::1", Some(6443))));
        assert_eq!(parse_host_port("fd00::1"), Ok(("fd00::1", None)));
        assert!(parse_host_port("https://lb:6443").is_err_and(|e| e.contains("scheme")));
        assert!(parse_host_port("lb:70000").is_err_and(|e| e.contains("port")));
        assert!(parse_host_port("LB.example.com").is_err_and(|e| e.contains("uppercase")));
    }
}
