//! kubeadm and kubelet configuration files (domain facts B1–B6).

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![]
}
