//! Reading the raw material: plain JSON, gzipped JSON and `.tar.zst` archives.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::Value;

pub fn read_json(path: &Path) -> Result<Value> {
    let text = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_slice(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// Like [`read_json`], but an empty (whitespace-only) file gives `None`:
/// some upstream swagger-spec files are empty leftovers.
pub fn read_json_opt(path: &Path) -> Result<Option<Value>> {
    let text = fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&text)
        .map(Some)
        .with_context(|| format!("{} is not valid JSON", path.display()))
}

pub fn read_gz_json(path: &Path) -> Result<Value> {
    let file = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot gunzip {}", path.display()))?;
    serde_json::from_slice(&bytes).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// All regular files of a `.tar.zst`, by path inside the archive.
pub fn read_tar_zst(path: &Path) -> Result<BTreeMap<String, Vec<u8>>> {
    let file = fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let decoder = ruzstd::decoding::StreamingDecoder::new(std::io::BufReader::new(file))
        .map_err(|e| anyhow::anyhow!("{}: not a zstd stream: {e}", path.display()))?;
    let mut archive = tar::Archive::new(decoder);
    let mut out = BTreeMap::new();
    for entry in archive
        .entries()
        .with_context(|| format!("{}: bad tar", path.display()))?
    {
        let mut entry = entry.with_context(|| format!("{}: bad tar entry", path.display()))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .with_context(|| format!("{}: bad entry name", path.display()))?
            .to_string_lossy()
            .into_owned();
        let mut bytes = Vec::new();
        entry
            .read_to_end(&mut bytes)
            .with_context(|| format!("{}: cannot read {name}", path.display()))?;
        out.insert(name, bytes);
    }
    Ok(out)
}

/// The one directory under `dir` whose name starts with `prefix`.
pub fn find_dir(dir: &Path, prefix: &str) -> Result<PathBuf> {
    let mut hits: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
        })
        .collect();
    hits.sort();
    match hits.len() {
        1 => Ok(hits.remove(0)),
        0 => bail!("no directory starting with {prefix:?} in {}", dir.display()),
        _ => bail!("several directories start with {prefix:?} in {}", dir.display()),
    }
}

/// Sorted `*.json` files of a directory.
pub fn json_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .with_context(|| format!("cannot list {}", dir.display()))?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}
