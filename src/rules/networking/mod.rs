//! Services, ports and traffic policy.

mod privileged_port;
mod service_external_traffic_policy;
mod service_port_name_missing;
mod session_affinity_timeout_missing;
mod ssh_port_exposed;

pub use privileged_port::PrivilegedPort;
pub use service_external_traffic_policy::ServiceExternalTrafficPolicy;
pub use service_port_name_missing::ServicePortNameMissing;
pub use session_affinity_timeout_missing::SessionAffinityTimeoutMissing;
pub use ssh_port_exposed::SshPortExposed;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(ServiceExternalTrafficPolicy),
        Box::new(SessionAffinityTimeoutMissing),
        Box::new(ServicePortNameMissing),
        Box::new(PrivilegedPort),
        Box::new(SshPortExposed),
    ]
}
