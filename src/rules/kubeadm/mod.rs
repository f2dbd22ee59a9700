//! kubeadm and kubelet configuration files (domain facts B1–B6).
//!
//! kubeadm's `--config` file is a multi-document manifest (`InitConfiguration`,
//! `ClusterConfiguration`, `JoinConfiguration`, the old `MasterConfiguration`,
//! plus `KubeletConfiguration` and `KubeProxyConfiguration`); these rules read
//! it across config API versions. The control plane's static pod manifests
//! (`/etc/kubernetes/manifests/*.yaml`, fact B5) are ordinary Pods and are
//! linted by every pod rule.

mod cert_sans_missing;
mod cidr_invalid;
mod cluster_dns_mismatch;
pub(crate) mod config;
mod config_api_deprecated;
pub(crate) mod net;
mod subnets_overlap;

pub use cert_sans_missing::KubeadmCertSansMissing;
pub use cidr_invalid::KubeadmCidrInvalid;
pub use cluster_dns_mismatch::KubeadmClusterDnsMismatch;
pub use config_api_deprecated::KubeadmConfigApiDeprecated;
pub use subnets_overlap::KubeadmSubnetsOverlap;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(KubeadmClusterDnsMismatch),
        Box::new(KubeadmCertSansMissing),
        Box::new(KubeadmCidrInvalid),
        Box::new(KubeadmSubnetsOverlap),
        Box::new(KubeadmConfigApiDeprecated),
    ]
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::lint;
    use crate::source::SourceFile;

    /// A static control-plane pod as kubeadm writes it to
    /// `/etc/kubernetes/manifests/kube-scheduler.yaml` (fact B5).
    const STATIC_SCHEDULER: &str = "apiVersion: v1
kind: Pod
metadata:
  creationTimestamp: null
  labels:
    component: kube-scheduler
    tier: control-plane
  name: kube-scheduler
  namespace: kube-system
spec:
  containers:
  - command:
    - kube-scheduler
    - --authentication-kubeconfig=/etc/kubernetes/scheduler.conf
    - --authorization-kubeconfig=/etc/kubernetes/scheduler.conf
    - --bind-address=127.0.0.1
    - --kubeconfig=/etc/kubernetes/scheduler.conf
    - --leader-elect=true
    image: registry.k8s.io/kube-scheduler:v1.31.0
    imagePullPolicy: IfNotPresent
    livenessProbe:
      failureThreshold: 8
      httpGet:
        host: 127.0.0.1
        path: /healthz
        port: 10259
        scheme: HTTPS
      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 15
    name: kube-scheduler
    resources:
      requests:
        cpu: 100m
    startupProbe:
      failureThreshold: 24
      httpGet:
        host: 127.0.0.1
        path: /healthz
        port: 10259
        scheme: HTTPS
      initialDelaySeconds: 10
      periodSeconds: 10
      timeoutSeconds: 15
    volumeMounts:
    - mountPath: /etc/kubernetes/scheduler.conf
      name: kubeconfig
      readOnly: true
  hostNetwork: true
  priority: 2000001000
  priorityClassName: system-node-critical
  securityContext:
    seccompProfile:
      type: RuntimeDefault
  volumes:
  - hostPath:
      path: /etc/kubernetes/scheduler.conf
      type: FileOrCreate
    name: kubeconfig
status: {}
";

    #[test]
    fn static_control_plane_pods_are_linted_as_pods() {
        let sources = vec![SourceFile::from_text(
            "/etc/kubernetes/manifests/kube-scheduler.yaml",
            None,
            STATIC_SCHEDULER.to_string(),
        )];
        let out = lint(&sources, &Config::default());
        assert_eq!(out.summary.objects, 1);
        let rules: Vec<&str> = out.diagnostics.iter().map(|d| d.rule.as_ref()).collect();
        // It loads cleanly...
        for engine in ["yaml-syntax", "type-meta-missing", "yaml-duplicate-key"] {
            assert!(!rules.contains(&engine), "{rules:?}");
        }
        // ...and the pod rules see it (it has a liveness probe and no
        // readiness probe, and no memory request, among other things).
        let pod_findings = out
            .diagnostics
            .iter()
            .filter(|d| {
                d.object
                    .as_ref()
                    .is_some_and(|o| o.kind == "Pod" && o.name.as_deref() == Some("kube-scheduler"))
            })
            .count();
        assert!(pod_findings > 0, "{rules:?}");
        // No kubeadm rule mistakes it for a kubeadm config.
        assert!(!rules.iter().any(|r| r.starts_with("kubeadm-")), "{rules:?}");
    }
}
