//! Container images: tags, digests, pull policy.

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![]
}
