//! Rollouts and availability (domain facts D3, A5, C7).

mod replication_controller_used;

pub use replication_controller_used::ReplicationControllerUsed;
