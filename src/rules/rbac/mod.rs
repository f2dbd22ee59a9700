//! Roles, bindings and what they grant.

mod cluster_admin_binding;
mod default_service_account_binding;
mod escalation_verbs;
mod pod_create;
mod pod_exec;
pub(crate) mod policy;
mod secrets_access;
mod subject_namespace_missing;
mod wildcard;

pub use cluster_admin_binding::RbacClusterAdminBinding;
pub use default_service_account_binding::RbacDefaultServiceAccountBinding;
pub use escalation_verbs::RbacEscalationVerbs;
pub use pod_create::RbacPodCreate;
pub use pod_exec::RbacPodExec;
pub use secrets_access::RbacSecretsAccess;
pub use subject_namespace_missing::RbacSubjectNamespaceMissing;
pub use wildcard::RbacWildcard;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(RbacWildcard),
        Box::new(RbacClusterAdminBinding),
        Box::new(RbacSecretsAccess),
        Box::new(RbacPodCreate),
        Box::new(RbacPodExec),
        Box::new(RbacEscalationVerbs),
        Box::new(RbacDefaultServiceAccountBinding),
        Box::new(RbacSubjectNamespaceMissing),
    ]
}
