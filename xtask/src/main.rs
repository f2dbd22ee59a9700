//! `cargo xtask <task>`: project automation.
//!
//! Tasks:
//! - `schemas [--source DIR] [--out DIR] [-v]`: regenerate `schemas/` from the
//!   raw Kubernetes API definitions (default source `../shared/k8s-api`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

fn repo_root() -> PathBuf {
    // xtask/ lives in the repository root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn schemas(args: &[String]) -> Result<()> {
    let root = repo_root();
    let mut source = xtask::schemas::default_source(&root);
    let mut out = root.join("schemas");
    let mut verbose = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--source" => source = PathBuf::from(it.next().context("--source needs a directory")?),
            "--out" => out = PathBuf::from(it.next().context("--out needs a directory")?),
            "-v" | "--verbose" => verbose = true,
            other => bail!("unknown argument {other:?} (usage: cargo xtask schemas [--source DIR] [--out DIR] [-v])"),
        }
    }
    if !source.is_dir() {
        bail!("source directory {} does not exist", source.display());
    }
    let generated =
        xtask::schemas::generate(&source).with_context(|| format!("generating schemas from {}", source.display()))?;
    if verbose {
        for line in &generated.log {
            eprintln!("{line}");
        }
    } else if let Some(last) = generated.log.last() {
        eprintln!("{last}");
    }
    xtask::schemas::write(&generated, &out)?;
    eprintln!("wrote {} files to {}", generated.files.len(), out.display());
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("schemas") => schemas(&args[1..]),
        Some(other) => Err(anyhow::anyhow!("unknown task {other:?}; tasks: schemas")),
        None => Err(anyhow::anyhow!("usage: cargo xtask <task>; tasks: schemas")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
