//! Pod and container security context, host access, capabilities.

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![]
}
