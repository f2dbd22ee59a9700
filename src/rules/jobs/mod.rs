//! Jobs and CronJobs.

mod cron;
mod cronjob_schedule_invalid;
mod job_backoff_limit_missing;
mod job_spec_invalid;
mod job_ttl_missing;
mod restart_policy_invalid;

pub use cronjob_schedule_invalid::CronjobScheduleInvalid;
pub use job_backoff_limit_missing::JobBackoffLimitMissing;
pub use job_spec_invalid::JobSpecInvalid;
pub use job_ttl_missing::JobTtlMissing;
pub use restart_policy_invalid::RestartPolicyInvalid;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(CronjobScheduleInvalid),
        Box::new(JobTtlMissing),
        Box::new(RestartPolicyInvalid),
        Box::new(JobBackoffLimitMissing),
        Box::new(JobSpecInvalid),
    ]
}
