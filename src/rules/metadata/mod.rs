//! Labels, annotations, names, namespaces and environment.

pub(crate) mod annotation_deprecated;
mod env_duplicate;
mod env_secret_plaintext;
mod label_invalid;
mod name_invalid;
mod names;
mod namespace_missing;
mod object_duplicate;
mod recommended_labels_missing;
mod scope;
mod secret_values;
mod server_fields_present;

pub use annotation_deprecated::AnnotationDeprecated;
pub use env_duplicate::EnvDuplicate;
pub use env_secret_plaintext::EnvSecretPlaintext;
pub use label_invalid::LabelInvalid;
pub use name_invalid::NameInvalid;
pub use namespace_missing::NamespaceMissing;
pub use object_duplicate::ObjectDuplicate;
pub use recommended_labels_missing::RecommendedLabelsMissing;
pub use server_fields_present::ServerFieldsPresent;

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(RecommendedLabelsMissing),
        Box::new(LabelInvalid),
        Box::new(NamespaceMissing),
        Box::new(EnvDuplicate),
        Box::new(EnvSecretPlaintext),
        Box::new(ObjectDuplicate),
        Box::new(NameInvalid),
        Box::new(ServerFieldsPresent),
        Box::new(AnnotationDeprecated),
    ]
}
