//! Labels, annotations, names, namespaces and environment.

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![]
}
