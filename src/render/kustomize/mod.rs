//! Kustomize v5 rendering, in-process: a kustomization folder is built as
//! `kubectl kustomize` builds it (resources, components, generators, the
//! builtin transformers in kustomize's order, hash suffixes, name
//! references, vars, legacy output order), without network access and
//! without plugins. Every rendered node keeps a span in the render's
//! [`SourceMap`]: where the value was written.

mod build;
mod emit;
mod generators;
mod names;
mod patch;
mod replace;
mod res;
mod transform;
mod tree;

use std::path::{Path, PathBuf};

use super::SourceMap;
use crate::yaml::{Node, Span};

pub use emit::to_yaml;

/// The file names kustomize accepts for a kustomization, in its order.
pub const KUSTOMIZATION_FILES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of a folder, if it has one.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES.iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// A problem met while rendering, at a span of the render's source map
/// (usually the kustomization entry that names the failing file).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub span: Span,
    pub message: String,
    /// Whether the root could not be rendered at all (its files should then
    /// be linted raw).
    pub fatal: bool,
}

/// The result of rendering one root.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub map: SourceMap,
    /// The objects in kustomize's output order (empty when rendering failed).
    pub objects: Vec<Node>,
    pub findings: Vec<Finding>,
    /// Every file the kustomizations of the root read (canonical paths).
    pub used: Vec<PathBuf>,
}

impl Rendered {
    /// Whether the root rendered (no fatal finding).
    pub fn ok(&self) -> bool {
        !self.findings.iter().any(|f| f.fatal)
    }

    /// A finding as `file:line: message` text.
    pub fn describe(&self, f: &Finding) -> String {
        match self.map.line_of(f.span.start) {
            Some((file, line)) => format!("{}:{}: {}", file.path.display(), line, f.message),
            None => f.message.clone(),
        }
    }
}

/// Options of a render.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Files outside this folder are read only when a kustomization names
    /// them by a relative path; absolute paths outside it are refused.
    /// `None`: no restriction.
    pub repository: Option<PathBuf>,
}

/// Renders the kustomization in `dir`.
pub fn render(dir: &Path, opts: &Options) -> Rendered {
    build::Builder::new(opts).render(dir)
}
