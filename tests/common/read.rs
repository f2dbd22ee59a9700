//! Reading manifests for the integration tests that lint whole folders
//! (`#[path = "common/read.rs"] mod read;`, next to `mod common;`): kept out
//! of `common`, which the xtask tests share and which knows nothing of kvet.

use std::path::Path;

use kvet::source::SourceFile;

/// The YAML and JSON files under `dir`, in name order, read.
pub fn manifests(dir: &Path) -> Vec<SourceFile> {
    let mut paths = Vec::new();
    super::common::files_with_ext(dir, &["yaml", "yml", "json"], &mut paths);
    paths
        .iter()
        .map(|p| SourceFile::read(p, p.display().to_string()))
        .collect()
}
