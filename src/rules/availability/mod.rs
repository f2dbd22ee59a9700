//! Rollouts and availability (domain facts D3, A5, C7).

mod replication_controller_used;

pub use replication_controller_used::ReplicationControllerUsed;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![Box::new(ReplicationControllerUsed)]
}
