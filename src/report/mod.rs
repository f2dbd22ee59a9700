//! Renderers: one file per output format.

pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

pub use human::HumanOptions;
