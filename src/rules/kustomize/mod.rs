//! Kustomization files: their keys and types as Kustomize decodes them,
//! the files they name, and deprecated fields. The checks live in
//! [`crate::kustomize_lint`]; these rules report them. Their categories are
//! `schema` (what `kustomize build` rejects) and `api` (upgrade advice).

mod cycle;
mod field_deprecated;
mod file_missing;
mod invalid_type;
mod unknown_field;

pub use cycle::KustomizationCycle;
pub use field_deprecated::KustomizationFieldDeprecated;
pub use file_missing::KustomizationFileMissing;
pub use invalid_type::KustomizationInvalidType;
pub use unknown_field::KustomizationUnknownField;

use crate::kustomize_lint::is_kustomization;
use crate::model::Object;
use crate::rules::Ctx;

/// Whether the rules of this module apply to `object`.
fn applies(object: &Object, ctx: &Ctx) -> bool {
    let path = ctx.source(object).and_then(|s| s.path.as_deref());
    is_kustomization(object, path)
}

/// The folder of a kustomization file, which its paths are relative to
/// (`.` for a file named without one); `None` for stdin.
fn folder_of(object: &Object, ctx: &Ctx) -> Option<std::path::PathBuf> {
    let dir = ctx.source(object)?.path.as_deref()?.parent()?;
    Some(if dir.as_os_str().is_empty() {
        std::path::PathBuf::from(".")
    } else {
        dir.to_path_buf()
    })
}

/// The checks of this module.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(KustomizationUnknownField),
        Box::new(KustomizationInvalidType),
        Box::new(KustomizationFileMissing),
        Box::new(KustomizationFieldDeprecated),
        Box::new(KustomizationCycle),
    ]
}
