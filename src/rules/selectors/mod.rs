//! Selectors and the labels they must match (domain facts D1, D2).

mod selector_mismatch;

pub use selector_mismatch::SelectorMismatch;
