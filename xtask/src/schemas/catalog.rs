//! The embedded CRD catalog: compiles the published CRDs of
//! `../shared/crds/` (one folder per project, listed with release, commit
//! and license in its README) into `schemas/crd-catalog.bin`, with a
//! readable listing (`schemas/crd-catalog.txt`) and the `NOTICE` file.
//!
//! Each CRD is compiled by kvet's own CRD compiler (so the catalog keeps
//! exactly what the validator uses: types, properties, required fields,
//! enums, patterns, bounds, `oneOf`/`anyOf`/`allOf`/`not`, defaults,
//! pruning flags, served, storage and deprecated versions; no descriptions
//! and no CEL rules), and each kind is stored as its own zstd frame so
//! that kvet decodes only the kinds a run uses.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use kvet::schema::crd::catalog::{ProjectMeta, StoredKind, compile_crd_file, write_catalog};

/// A row of the source README's table.
#[derive(Debug, Clone)]
pub struct ProjectRow {
    pub folder: String,
    pub groups: String,
    pub repository: String,
    pub commit: String,
    pub tag: String,
    pub license: String,
}

/// The generated catalog files.
pub struct Catalog {
    pub blob: Vec<u8>,
    pub listing: String,
    pub notice: String,
    pub log: Vec<String>,
}

/// `../shared/crds` next to the repository.
pub fn default_source(repo_root: &Path) -> PathBuf {
    repo_root.join("..").join("shared").join("crds")
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// Reads the project table of the source README.
pub fn read_projects(readme: &str) -> Result<Vec<ProjectRow>> {
    let mut lines = readme.lines();
    let header = lines
        .by_ref()
        .find(|l| l.starts_with("| project (folder)"))
        .context("the README has no `| project (folder) |` table")?;
    let names = cells(header);
    let col = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .with_context(|| format!("the README table has no `{name}` column"))
    };
    let (folder, groups, repo, commit, tag, license) = (
        col("project (folder)")?,
        col("API groups")?,
        col("upstream repository")?,
        col("commit")?,
        col("release tag")?,
        col("license (file)")?,
    );
    let mut rows = Vec::new();
    for line in lines.skip(1) {
        if !line.starts_with('|') {
            break;
        }
        let c = cells(line);
        let get = |i: usize| c.get(i).cloned().unwrap_or_default();
        // `[owner/name](https://...)` → `owner/name`.
        let repository = get(repo)
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or_default()
            .to_string();
        // `Apache-2.0 (LICENSE)` → `Apache-2.0`.
        let license = get(license).split(" (").next().unwrap_or_default().to_string();
        rows.push(ProjectRow {
            folder: get(folder),
            groups: get(groups),
            repository,
            commit: get(commit).trim_matches('`').to_string(),
            tag: get(tag),
            license,
        });
    }
    if rows.is_empty() {
        bail!("the README's project table is empty");
    }
    Ok(rows)
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
    Ok(())
}

fn compress(raw: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(raw, ruzstd::encoding::CompressionLevel::Fastest)
}

/// Compiles every project folder listed in `source/README.md`.
pub fn generate(source: &Path) -> Result<Catalog> {
    let readme = std::fs::read_to_string(source.join("README.md"))
        .with_context(|| format!("cannot read {}/README.md", source.display()))?;
    let projects: Vec<ProjectRow> = read_projects(&readme)?
        .into_iter()
        .filter(|p| source.join(&p.folder).is_dir())
        .collect();
    let mut log = Vec::new();
    // (group, kind, channel) → (project, versions, compressed chunk)
    let mut kinds: Kinds = BTreeMap::new();
    let mut raw_total = 0usize;
    for (pi, p) in projects.iter().enumerate() {
        let dir = source.join(&p.folder);
        let mut files = Vec::new();
        yaml_files(&dir, &mut files)?;
        let mut count = 0;
        for f in &files {
            let rel = f.strip_prefix(source).unwrap_or(f);
            let name = rel.display().to_string();
            let channel = if p.folder == "gateway-api" {
                match rel.components().nth(1).and_then(|c| c.as_os_str().to_str()) {
                    Some("standard") => Some("standard"),
                    Some("experimental") => Some("experimental"),
                    _ => None,
                }
            } else {
                None
            };
            let text = std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
            let (compiled, warnings) = compile_crd_file(&name, &text);
            for w in warnings {
                log.push(format!("warning: {w}"));
            }
            for k in compiled {
                let key = (k.group.clone(), k.kind.clone(), channel);
                if let Some((other, _, _)) = kinds.get(&key) {
                    log.push(format!(
                        "warning: {name}: {} {} is already defined by {}; skipped",
                        k.group, k.kind, projects[*other].folder
                    ));
                    continue;
                }
                raw_total += k.chunk.len();
                kinds.insert(key, (pi, k.versions, compress(&k.chunk)));
                count += 1;
            }
        }
        log.push(format!("{} {}: {} files, {count} kinds", p.folder, p.tag, files.len()));
    }
    let metas: Vec<ProjectMeta<'_>> = projects
        .iter()
        .map(|p| ProjectMeta {
            name: &p.folder,
            version: &p.tag,
            license: &p.license,
            repository: &p.repository,
        })
        .collect();
    let stored: Vec<StoredKind<'_>> = kinds
        .iter()
        .map(|((group, kind, channel), (project, _, chunk))| StoredKind {
            group,
            kind,
            project: *project,
            channel: *channel,
            chunk,
        })
        .collect();
    let blob = write_catalog(&metas, &stored);
    log.push(format!(
        "crd catalog: {} projects, {} kinds; {raw_total} bytes raw, {} bytes stored",
        projects.len(),
        kinds.len(),
        blob.len()
    ));
    Ok(Catalog {
        blob,
        listing: listing(&projects, &kinds),
        notice: notice(&projects),
        log,
    })
}

type Kinds = BTreeMap<(String, String, Option<&'static str>), (usize, Vec<String>, Vec<u8>)>;

fn listing(projects: &[ProjectRow], kinds: &Kinds) -> String {
    let mut out = String::from(
        "# The embedded CRD catalog (GENERATED by `cargo xtask schemas` from ../shared/crds).\n\
         # project release (commit) license: group kind [versions] per line.\n",
    );
    for (pi, p) in projects.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n## {} {} ({} {}) {}",
            p.folder, p.tag, p.repository, p.commit, p.license
        );
        for ((group, kind, channel), (project, versions, _)) in kinds {
            if *project != pi {
                continue;
            }
            let channel = channel.map(|c| format!(" ({c} channel)")).unwrap_or_default();
            let _ = writeln!(out, "{group} {kind} [{}]{channel}", versions.join(", "));
        }
    }
    out
}

fn notice(projects: &[ProjectRow]) -> String {
    let mut out = String::from(
        "kvet\n\
         Copyright the kvet authors. Licensed under the Apache License, Version 2.0.\n\
         \n\
         kvet embeds, in compiled form (schemas/crd-catalog.bin), the OpenAPI schemas of\n\
         CustomResourceDefinitions published by the projects below. Descriptions and CEL\n\
         rules are left out; the schemas are otherwise those of the listed releases.\n\
         Each project's files are distributed under the license named here; the full\n\
         text of each license is in the project's repository (file LICENSE unless noted).\n\
         \n\
         (This file is GENERATED by `cargo xtask schemas`.)\n",
    );
    let mut licenses = BTreeSet::new();
    for p in projects {
        let _ = writeln!(
            out,
            "\n{} {}\n  https://github.com/{} (commit {})\n  API groups: {}\n  License: {}",
            p.folder, p.tag, p.repository, p.commit, p.groups, p.license
        );
        licenses.insert(p.license.as_str());
    }
    let _ = writeln!(
        out,
        "\nLicenses used: {}.",
        licenses.into_iter().collect::<Vec<_>>().join(", ")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readme_table_is_read() {
        let readme = "intro\n\n| project (folder) | API groups | upstream repository | commit | commit date | release tag | path(s) in repo | license (file) | files | bytes |\n|---|---|---|---|---|---|---|---|---:|---:|\n| traefik | traefik.io | [traefik/traefik](https://github.com/traefik/traefik) | `0123456789ab` | 2026-01-01 | v3.7.9 | docs/ | MIT (LICENSE.md) | 2 | 10 |\n\nafter\n";
        let rows = read_projects(readme).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (&*r.folder, &*r.repository, &*r.commit, &*r.tag, &*r.license, &*r.groups),
            (
                "traefik",
                "traefik/traefik",
                "0123456789ab",
                "v3.7.9",
                "MIT",
                "traefik.io"
            )
        );
        assert!(read_projects("no table").is_err());
    }

    /// The committed catalog, listing and NOTICE are what the generator
    /// makes of `../shared/crds` (fails under `CI` when it is missing,
    /// skips visibly otherwise).
    #[test]
    fn committed_catalog_matches_the_generator_needs_shared_crds() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let source = default_source(&root);
        if !source.is_dir() {
            assert!(
                std::env::var_os("CI").is_none(),
                "{} is missing: CI must have it",
                source.display()
            );
            eprintln!(
                "SKIPPED committed_catalog_matches_the_generator_needs_shared_crds: {} not found",
                source.display()
            );
            return;
        }
        let c = generate(&source).unwrap_or_else(|e| panic!("{e:#}"));
        let warnings: Vec<&String> = c.log.iter().filter(|l| l.starts_with("warning")).collect();
        assert!(warnings.is_empty(), "{warnings:#?}");
        let read = |p: PathBuf| std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let stale: Vec<&str> = [
            ("schemas/crd-catalog.bin", c.blob.clone()),
            ("schemas/crd-catalog.txt", c.listing.clone().into_bytes()),
            ("NOTICE", c.notice.clone().into_bytes()),
        ]
        .into_iter()
        .filter(|(name, fresh)| read(root.join(name)) != *fresh)
        .map(|(name, _)| name)
        .collect();
        assert!(
            stale.is_empty(),
            "{stale:?} differ from the generator's output: run `cargo xtask schemas --only catalog` and commit them"
        );
    }

    /// A document that is not a CRD, or one without group or kind, is skipped
    /// with its position; a deep schema compiles (bounded) instead of failing.
    #[test]
    fn bad_documents_are_skipped_with_located_warnings() {
        let nest = |levels: usize| {
            let mut deep = String::from("{type: object}");
            for _ in 0..levels {
                deep = format!("{{type: object, properties: {{a: {deep}}}}}");
            }
            deep
        };
        let deep = nest(60);
        let text = format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: {{names: {{kind: X}}}}\n---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: deep.io\n  names: {{kind: Deep}}\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema: {deep}\n"
        );
        let (kinds, warnings) = compile_crd_file("x.yaml", &text);
        assert_eq!(kinds.len(), 1);
        assert_eq!(kinds[0].kind, "Deep");
        assert_eq!(
            warnings,
            vec![
                "x.yaml:1:1: skipped: not a CustomResourceDefinition (v1 ConfigMap)".to_string(),
                "x.yaml:5:1: skipped: the CRD has no spec.group or spec.names.kind".to_string(),
            ]
        );
        // Deeper than the YAML loader's limit: the document is skipped, located.
        let text = format!(
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: deep.io\n  names: {{kind: Deeper}}\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema: {}\n",
            nest(200)
        );
        let (kinds, warnings) = compile_crd_file("y.yaml", &text);
        assert!(kinds.is_empty());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].starts_with("y.yaml:9:"), "{warnings:?}");
    }
}
