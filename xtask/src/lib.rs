//! Project automation for kvet (`cargo xtask <task>`).

pub mod schemas;
