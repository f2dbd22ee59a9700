//! Renderers: one file per output format.

pub mod human;
pub mod json;

pub use human::HumanOptions;
