//! kvet: a Kubernetes manifest linter and upgrade advisor.
//!
//! The flow runs one way: sources → YAML documents (spanned tree) → objects
//! → catalog → checks (in parallel) → findings → renderers. The CLI and the
//! language server share [`lint()`].

pub mod baseline;
pub mod codec;
pub mod compact;
pub mod config;
pub mod deps;
pub mod diagnostic;
pub mod filecache;
pub mod fix;
pub mod hash;
pub mod kustomize_lint;
pub mod lint;
pub mod lsp;
pub mod memo;
pub mod model;
pub mod placeholder;
pub mod render;
pub mod report;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppress;
pub mod timings;
pub mod yaml;

pub use config::Config;
pub use diagnostic::{Diagnostic, Severity, Summary};
pub use lint::{LintOutput, lint};
pub use source::SourceFile;
