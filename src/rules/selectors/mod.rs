//! Selectors and references between objects: controllers and their pod
//! templates (domain facts D1, D2), and Services, budgets, autoscalers,
//! policies, Ingresses and pod templates pointing at other objects of the
//! run (domain fact D4).

mod configmap_missing;
mod hpa_target_missing;
mod ingress_backend_missing;
pub(crate) mod matching;
mod networkpolicy_no_match;
mod pdb_no_match;
pub(crate) mod rc_selector_set_based;
mod refs;
mod secret_missing;
mod selector_mismatch;
mod service_account_missing;
mod service_selector_no_match;
mod service_target_port_missing;
mod statefulset_service_missing;

pub use configmap_missing::ConfigmapMissing;
pub use hpa_target_missing::HpaTargetMissing;
pub use ingress_backend_missing::IngressBackendMissing;
pub use networkpolicy_no_match::NetworkpolicyNoMatch;
pub use pdb_no_match::PdbNoMatch;
pub use rc_selector_set_based::RcSelectorSetBased;
pub use secret_missing::SecretMissing;
pub use selector_mismatch::SelectorMismatch;
pub use service_account_missing::ServiceAccountMissing;
pub use service_selector_no_match::ServiceSelectorNoMatch;
pub use service_target_port_missing::ServiceTargetPortMissing;
pub use statefulset_service_missing::StatefulsetServiceMissing;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(SelectorMismatch),
        Box::new(RcSelectorSetBased),
        Box::new(ServiceSelectorNoMatch),
        Box::new(ServiceTargetPortMissing),
        Box::new(PdbNoMatch),
        Box::new(HpaTargetMissing),
        Box::new(NetworkpolicyNoMatch),
        Box::new(IngressBackendMissing),
        Box::new(ServiceAccountMissing),
        Box::new(ConfigmapMissing),
        Box::new(SecretMissing),
        Box::new(StatefulsetServiceMissing),
    ]
}
