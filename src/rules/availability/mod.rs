//! Rollouts and availability (domain facts D3, A5, A6, C7, C8).

pub(crate) mod budget;
mod deployment_paused;
pub(crate) mod hpa;
mod hpa_cpu_without_requests;
mod hpa_replicas_conflict;
mod hpa_replicas_invalid;
mod pdb_blocks_eviction;
mod pdb_min_and_max;
mod pdb_missing;
mod replicas_low;
mod replication_controller_used;
mod rolling_update_invalid;
mod rolling_update_unsafe;
mod value_out_of_range;

pub use deployment_paused::DeploymentPaused;
pub use hpa_cpu_without_requests::HpaCpuWithoutRequests;
pub use hpa_replicas_conflict::HpaReplicasConflict;
pub use hpa_replicas_invalid::HpaReplicasInvalid;
pub use pdb_blocks_eviction::PdbBlocksEviction;
pub use pdb_min_and_max::PdbMinAndMaxAvailable;
pub use pdb_missing::PdbMissing;
pub use replicas_low::ReplicasLow;
pub use replication_controller_used::ReplicationControllerUsed;
pub use rolling_update_invalid::RollingUpdateInvalid;
pub use rolling_update_unsafe::RollingUpdateUnsafe;
pub use value_out_of_range::ValueOutOfRange;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(ReplicationControllerUsed),
        Box::new(PdbMissing),
        Box::new(PdbBlocksEviction),
        Box::new(HpaReplicasInvalid),
        Box::new(HpaCpuWithoutRequests),
        Box::new(HpaReplicasConflict),
        Box::new(RollingUpdateInvalid),
        Box::new(RollingUpdateUnsafe),
        Box::new(ReplicasLow),
        Box::new(DeploymentPaused),
        Box::new(PdbMinAndMaxAvailable),
        Box::new(ValueOutOfRange),
    ]
}
