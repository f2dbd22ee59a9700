//! `kubeadm-subnets-overlap`: a kubeadm cluster whose pod subnet overlaps
//! its service subnet, or whose control-plane address falls inside either.

use super::config::{ClusterCfg, InitCfg, cluster_for, part_span, source_of, value_span};
use super::net::{Cidr, DEFAULT_SERVICE_SUBNET, parse_ip, split_list};
use crate::diagnostic::Label;
use crate::model::{Catalog, Object};
use crate::rules::{Ctx, Rule};
use crate::yaml::Span;

pub struct KubeadmSubnetsOverlap;

/// The subnets of one field, parsed, with their spans (an unset service
/// subnet is kubeadm's default and has no span).
fn subnets(ctx: &Ctx, object: &Object, field: Option<(&crate::yaml::Node, &str)>) -> Vec<(Cidr, Option<Span>)> {
    let source = source_of(ctx, object);
    match field {
        Some((node, text)) => split_list(text)
            .into_iter()
            .filter_map(|(s, e, part)| Cidr::parse(part).ok().map(|c| (c, Some(part_span(source, node, s, e)))))
            .collect(),
        None => Cidr::parse(DEFAULT_SERVICE_SUBNET)
            .ok()
            .map(|c| (c, None))
            .into_iter()
            .collect(),
    }
}

impl Rule for KubeadmSubnetsOverlap {
    fn id(&self) -> &str {
        "kubeadm-subnets-overlap"
    }

    fn check_catalog(&self, catalog: &Catalog, ctx: &mut Ctx) {
        for object in &catalog.objects {
            let Some(cluster) = ClusterCfg::of(object) else {
                continue;
            };
            let service_field = cluster.service_subnet().filter(|(_, t)| !t.is_empty());
            let services = subnets(ctx, object, service_field);
            let pod_field = cluster.pod_subnet().filter(|(_, t)| !t.is_empty());
            let pods = if pod_field.is_some() {
                subnets(ctx, object, pod_field)
            } else {
                Vec::new()
            };

            for (pod, pod_span) in &pods {
                let Some(pod_span) = pod_span else { continue };
                for (svc, svc_span) in &services {
                    if !pod.overlaps(svc) {
                        continue;
                    }
                    let svc_desc = match svc_span {
                        Some(_) => format!("the service subnet {}", svc.canonical()),
                        None => format!(
                            "kubeadm's default service subnet {} (networking.serviceSubnet is not set)",
                            svc.canonical()
                        ),
                    };
                    let d = ctx.report(
                        object,
                        *pod_span,
                        format!("networking.podSubnet {} overlaps {svc_desc}", pod.canonical()),
                    );
                    d.help("pod and Service addresses must not share a range, or traffic to one is routed to the other; pick disjoint subnets (e.g. pods 10.244.0.0/16, Services 10.96.0.0/12) and make sure the CNI plugin uses the same pod subnet");
                    if let Some(s) = svc_span {
                        d.label(*s, "the service subnet");
                    }
                }
            }

            // The control-plane node's own address inside a cluster range.
            let Some(init) = cluster_for(catalog, object)
                .and_then(|c| c.init)
                .filter(|i| i.object.file == object.file)
            else {
                continue;
            };
            check_advertise(ctx, init, object, &pods, &services);
        }
    }
}

fn check_advertise(
    ctx: &mut Ctx,
    init: InitCfg,
    cluster: &Object,
    pods: &[(Cidr, Option<Span>)],
    services: &[(Cidr, Option<Span>)],
) {
    let Some((node, text, field)) = init.advertise_address() else {
        return;
    };
    let Some(addr) = parse_ip(text).filter(|a| !a.is_unspecified()) else {
        return;
    };
    let ranges = pods
        .iter()
        .map(|p| (p, "pod"))
        .chain(services.iter().map(|s| (s, "service")));
    for ((cidr, range_span), what) in ranges {
        if !cidr.contains(addr) {
            continue;
        }
        let span = value_span(source_of(ctx, init.object), node);
        let d = ctx.report(
            init.object,
            span,
            format!(
                "{field} {addr} is inside the {what} subnet {}: the node's own address must not be in a cluster range",
                cidr.canonical()
            ),
        );
        d.help("choose pod and service subnets that do not contain the nodes' network (a common clash: nodes on 192.168.0.0/16 and a CNI default pod subnet of 192.168.0.0/16)");
        if let Some(s) = range_span {
            d.labels.push(Label {
                file: cluster.file,
                span: *s,
                message: format!("the {what} subnet"),
            });
        }
        return;
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "kubeadm-subnets-overlap";

    fn cluster(networking: &str) -> String {
        format!("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n{networking}")
    }

    #[test]
    fn pod_subnet_inside_service_subnet() {
        let text = cluster("  serviceSubnet: 10.96.0.0/12\n  podSubnet: 10.100.0.0/16\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "10.100.0.0/16");
        assert_eq!(d[0].labels.len(), 1);
    }

    #[test]
    fn default_service_subnet_counts() {
        let text = cluster("  podSubnet: 10.0.0.0/8\n");
        let d = assert_fires(RULE, &text);
        assert!(
            d[0].message.contains("default service subnet 10.96.0.0/12"),
            "{}",
            d[0].message
        );
    }

    #[test]
    fn dual_stack_compares_per_family() {
        let text = cluster("  serviceSubnet: 10.96.0.0/12,fd00:10:96::/112\n  podSubnet: 10.244.0.0/16,fd00:10::/32\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(&text, &d[0]), "fd00:10::/32");
        assert_quiet(
            RULE,
            &cluster("  serviceSubnet: 10.96.0.0/12,fd00:10:96::/112\n  podSubnet: 10.244.0.0/16,fd00:10:244::/56\n"),
        );
    }

    #[test]
    fn advertise_address_in_pod_subnet() {
        let text = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: InitConfiguration\nlocalAPIEndpoint:\n  advertiseAddress: 192.168.1.10\n---\napiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 192.168.0.0/16\n";
        let d = assert_fires(RULE, text);
        assert_eq!(spanned(text, &d[0]), "192.168.1.10");
        assert!(d[0].message.contains("pod subnet 192.168.0.0/16"), "{}", d[0].message);
    }

    #[test]
    fn disjoint_is_quiet() {
        assert_quiet(
            RULE,
            &cluster("  serviceSubnet: 10.96.0.0/12\n  podSubnet: 10.244.0.0/16\n"),
        );
        assert_quiet(RULE, &cluster("  podSubnet: 192.168.0.0/16\n"));
    }
}
