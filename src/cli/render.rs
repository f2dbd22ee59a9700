//! `kvet render DIR`: the objects kvet lints for a kustomization root.

use std::io::Write;
use std::path::Path;

use kvet::render::kustomize::{Options, kustomization_file, render, to_yaml};

/// Prints the rendered objects (YAML, kustomize's order); findings go to
/// stderr. Exit 0 when the root rendered, 1 when it did not.
pub fn run(dir: &Path, origins: bool) -> Result<u8, String> {
    if kustomization_file(dir).is_none() {
        return Err(format!(
            "{} has no kustomization.yaml, kustomization.yml or Kustomization",
            dir.display()
        ));
    }
    let repository = std::env::current_dir()
        .ok()
        .filter(|cwd| dir.canonicalize().is_ok_and(|d| d.starts_with(cwd)));
    let rendered = render(
        dir,
        &Options {
            repository,
            ..Options::default()
        },
    );
    for f in &rendered.findings {
        eprintln!("kvet: {}", rendered.describe(f));
    }
    if !rendered.ok() {
        return Ok(1);
    }
    let text = to_yaml(&rendered.objects, origins.then_some(&rendered.map));
    std::io::stdout()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    Ok(0)
}
