//! Selectors and the labels they must match (domain facts D1, D2).

mod selector_mismatch;

pub use selector_mismatch::SelectorMismatch;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![Box::new(SelectorMismatch)]
}
