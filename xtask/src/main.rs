//! `cargo xtask <task>`: project automation.
//!
//! Tasks:
//! - `schemas [--source DIR] [--crds DIR] [--out DIR] [--only api|catalog] [-v]`:
//!   regenerate `schemas/` from the raw Kubernetes API definitions (default
//!   source `../shared/k8s-api`) and the embedded CRD catalog with `NOTICE`
//!   from the published CRDs (default `../shared/crds`).

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
    let mut crds = xtask::schemas::catalog::default_source(&root);
    let mut notice = root.join("NOTICE");
    let mut verbose = false;
    let (mut api, mut catalog) = (true, true);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--source" => source = PathBuf::from(it.next().context("--source needs a directory")?),
            "--crds" => crds = PathBuf::from(it.next().context("--crds needs a directory")?),
            "--out" => {
                out = PathBuf::from(it.next().context("--out needs a directory")?);
                notice = out.join("NOTICE");
            }
            "--only" => match it.next().map(String::as_str) {
                Some("api") => catalog = false,
                Some("catalog") => api = false,
                _ => bail!("--only takes `api` or `catalog`"),
            },
            "-v" | "--verbose" => verbose = true,
            other => bail!(
                "unknown argument {other:?} (usage: cargo xtask schemas [--source DIR] [--crds DIR] [--out DIR] [--only api|catalog] [-v])"
            ),
        }
    }
    if catalog {
        if !crds.is_dir() {
            bail!("CRD directory {} does not exist", crds.display());
        }
        let c = xtask::schemas::catalog::generate(&crds)
            .with_context(|| format!("compiling the CRD catalog from {}", crds.display()))?;
        for line in &c.log {
            if verbose || line.starts_with("warning") || line.starts_with("crd catalog") {
                eprintln!("{line}");
            }
        }
        std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
        for (name, bytes) in [
            (out.join("crd-catalog.bin"), &c.blob[..]),
            (out.join("crd-catalog.txt"), c.listing.as_bytes()),
            (notice.clone(), c.notice.as_bytes()),
        ] {
            std::fs::write(&name, bytes).with_context(|| format!("cannot write {}", name.display()))?;
        }
        eprintln!("wrote the CRD catalog to {} and {}", out.display(), notice.display());
    }
    if !api {
        return Ok(());
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
