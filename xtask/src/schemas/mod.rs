//! `cargo xtask schemas`: turns the raw Kubernetes API definitions
//! (`../shared/k8s-api`) into the compact, versioned schemas embedded in kvet
//! (`schemas/`). The output is deterministic: same input, same bytes.

pub mod catalog;
mod crossref;
mod dedup;
pub mod deprecations;
mod encode;
mod enums;
mod input;
pub mod ir;
mod jsonlike;
mod notes;
mod served;
mod swagger12;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use ir::{Gvk, NodeId, VersionIr, minor_of};

/// Files the generator writes into the output directory.
pub const OUTPUT_FILES: &[&str] = &["k8s-api.bin.zst", "deprecations.json", "kinds.txt", "crosscheck.txt"];

/// Where each version comes from.
enum Source {
    /// `swagger-1.0-1.6/<dir prefix>`; `filter`: trust only the group-versions
    /// in the Swagger 2.0 `openapi-spec/swagger.json` paths.
    Swagger12 { dir: &'static str, filter: bool },
    /// `swagger-1.7-1.13/swagger-1.X.json.gz`.
    Swagger2,
    /// `swagger-1.0-1.6/<dir prefix>/api/openapi-spec/swagger.json`: 1.6β's
    /// Swagger 2.0 is complete (its swagger-spec files lack the alpha groups)
    /// and keeps IntOrString, Quantity and map value types.
    Swagger2In(&'static str),
    /// `jsonschema-1.7-1.37/_definitions-local-…tar.zst`, `v1.X.0.json`.
    JsonSchema,
}

struct Spec {
    name: &'static str,
    approximate: bool,
    source: Source,
    /// Provenance shown to users (must match `src/schema/mod.rs`).
    label: &'static str,
}

const fn s12(name: &'static str, dir: &'static str, filter: bool, approximate: bool, label: &'static str) -> Spec {
    Spec {
        name,
        approximate,
        source: Source::Swagger12 { dir, filter },
        label,
    }
}

const fn s2(name: &'static str, label: &'static str) -> Spec {
    Spec {
        name,
        approximate: false,
        source: Source::Swagger2,
        label,
    }
}

const fn js(name: &'static str, label: &'static str) -> Spec {
    Spec {
        name,
        approximate: false,
        source: Source::JsonSchema,
        label,
    }
}

const SPECS: &[Spec] = &[
    s12("1.0", "v1.0.0", false, false, "swagger 1.2, v1.0.0"),
    s12(
        "1.1",
        "v1.1~",
        false,
        true,
        "swagger 1.2, master 2015-11-03 (stand-in for v1.1.0) + restored alpha Deployment/DaemonSet",
    ),
    s12("1.2", "v1.2.0", false, false, "swagger 1.2, v1.2.0"),
    s12("1.3", "v1.3.0", false, false, "swagger 1.2, v1.3.0"),
    s12(
        "1.4",
        "v1.4~",
        false,
        true,
        "swagger 1.2, master 2016-08-25 (stand-in for v1.4.0)",
    ),
    s12(
        "1.5",
        "v1.5~",
        true,
        true,
        "swagger 1.2, master 2016-11-07 (stand-in for v1.5.0)",
    ),
    Spec {
        name: "1.6",
        approximate: true,
        source: Source::Swagger2In("v1.6.0-beta.3"),
        label: "swagger 2.0, v1.6.0-beta.3",
    },
    s2("1.7", "swagger 2.0, v1.7.13"),
    s2("1.8", "swagger 2.0, v1.8.9"),
    s2("1.9", "swagger 2.0, v1.9.4"),
    s2("1.10", "swagger 2.0, v1.10.5"),
    s2("1.11", "swagger 2.0, v1.11.8"),
    s2("1.12", "swagger 2.0, v1.12.6"),
    s2("1.13", "swagger 2.0, v1.13.4"),
    js("1.14", "json schema, v1.14.0"),
    js("1.15", "json schema, v1.15.0"),
    js("1.16", "json schema, v1.16.0"),
    js("1.17", "json schema, v1.17.0"),
    js("1.18", "json schema, v1.18.0"),
    js("1.19", "json schema, v1.19.0"),
    js("1.20", "json schema, v1.20.0"),
    js("1.21", "json schema, v1.21.0"),
    js("1.22", "json schema, v1.22.0"),
    js("1.23", "json schema, v1.23.0"),
    js("1.24", "json schema, v1.24.0"),
    js("1.25", "json schema, v1.25.0"),
    js("1.26", "json schema, v1.26.0"),
    js("1.27", "json schema, v1.27.0"),
    js("1.28", "json schema, v1.28.0"),
    js("1.29", "json schema, v1.29.0"),
    js("1.30", "json schema, v1.30.0"),
    js("1.31", "json schema, v1.31.0"),
    js("1.32", "json schema, v1.32.0"),
    js("1.33", "json schema, v1.33.0"),
    js("1.34", "json schema, v1.34.0"),
    js("1.35", "json schema, v1.35.0"),
    js("1.36", "json schema, v1.36.0"),
    js("1.37", "json schema, v1.37.0"),
];

/// Versions whose OpenAPI v3 paths are used to cross-check the served kinds.
const OPENAPI_V3_MINORS: std::ops::RangeInclusive<u32> = 23..=35;

/// The generated files, by name.
pub struct Generated {
    pub files: BTreeMap<&'static str, Vec<u8>>,
    /// Progress and diagnostics (not written).
    pub log: Vec<String>,
}

/// Reads `source` and produces every output file in memory.
pub fn generate(source: &Path) -> Result<Generated> {
    let mut log = Vec::new();
    let mut notes: Vec<String> = Vec::new(); // findings that go to crosscheck.txt
    let sw12 = source.join("swagger-1.0-1.6");
    let sw2 = source.join("swagger-1.7-1.13");

    let swagger17 = input::read_gz_json(&sw2.join("swagger-1.7.json.gz"))?;
    let cross = crossref::CrossRef::from_swagger2(&swagger17);
    drop(swagger17);

    let json_archive = source
        .join("jsonschema-1.7-1.37")
        .join("_definitions-local-v1.7-v1.37.tar.zst");
    let json_files = input::read_tar_zst(&json_archive)?;

    let mut versions: Vec<VersionIr> = Vec::with_capacity(SPECS.len());
    let mut enums_1_23 = BTreeMap::new();
    for spec in SPECS {
        let minor = minor_of(spec.name).context("bad version name")?;
        let v = match &spec.source {
            Source::Swagger12 { dir, filter } => {
                let dir = input::find_dir(&sw12, dir)?;
                let only = if *filter {
                    let doc = input::read_json(&dir.join("api").join("openapi-spec").join("swagger.json"))?;
                    Some(swagger12::group_versions_in_paths(&doc))
                } else {
                    None
                };
                let opts = swagger12::Options {
                    name: spec.name,
                    approximate: spec.approximate,
                    source: spec.label,
                    only_group_versions: only,
                };
                swagger12::load(&dir, &opts, &cross, &mut notes)?
            }
            Source::Swagger2 | Source::Swagger2In(_) => {
                let doc = match &spec.source {
                    Source::Swagger2In(dir) => {
                        let dir = input::find_dir(&sw12, dir)?;
                        input::read_json(&dir.join("api").join("openapi-spec").join("swagger.json"))?
                    }
                    _ => input::read_gz_json(&sw2.join(format!("swagger-{}.json.gz", spec.name)))?,
                };
                let opts = jsonlike::Options {
                    name: spec.name,
                    minor,
                    approximate: spec.approximate,
                    source: spec.label,
                };
                jsonlike::load_swagger2(&doc, &opts, &mut notes)?
            }
            Source::JsonSchema => {
                let file = format!("v{}.0.json", spec.name);
                let bytes = json_files
                    .get(&file)
                    .with_context(|| format!("{} has no {file}", json_archive.display()))?;
                let doc: serde_json::Value =
                    serde_json::from_slice(bytes).with_context(|| format!("{file} is not valid JSON"))?;
                let opts = jsonlike::Options {
                    name: spec.name,
                    minor,
                    approximate: spec.approximate,
                    source: spec.label,
                };
                let (v, source_enums) = jsonlike::load_jsonschema(&doc, &opts, &mut notes)?;
                if minor == enums::FIRST_MINOR {
                    enums_1_23 = source_enums;
                }
                v
            }
        };
        log.push(format!(
            "{}: {} kinds, {} nodes",
            v.name,
            v.kinds.len(),
            v.arena.nodes.len()
        ));
        versions.push(v);
    }
    check_curated_enums(&enums_1_23, &mut notes)?;

    // Cross-check the served kinds against the OpenAPI v3 paths.
    let oa3 = source
        .join("openapi-v3-1.23-1.35")
        .join("builtins-openapi-v3-1.23-1.35.tar.zst");
    if oa3.exists() {
        cross_check_openapi_v3(&oa3, &versions, &mut notes)?;
    } else {
        notes.push(format!("{} not found; no OpenAPI v3 cross-check", oa3.display()));
    }

    let table = deprecations::build(source, &versions)?;

    // Apply the removal table: served = in the schema and not removed.
    let mut served: Vec<BTreeMap<Gvk, NodeId>> = Vec::with_capacity(versions.len());
    for v in &versions {
        let m = v.minor();
        let mut keep = BTreeMap::new();
        for (gvk, &node) in &v.kinds {
            match table.removed_in(gvk) {
                Some(r) if r <= m => {}
                _ => {
                    keep.insert(gvk.clone(), node);
                }
            }
        }
        served.push(keep);
    }

    let d = dedup::dedup(&versions, &served)?;
    let meta: Vec<encode::VersionMeta<'_>> = versions
        .iter()
        .map(|v| encode::VersionMeta {
            name: &v.name,
            approximate: v.approximate,
            source: &v.source,
        })
        .collect();
    let raw = encode::encode(&d, &meta);
    let compressed = encode::compress(&raw);
    log.push(format!(
        "{} unique types; {} bytes raw, {} bytes zstd",
        d.types.len(),
        raw.len(),
        compressed.len()
    ));

    let mut files = BTreeMap::new();
    files.insert("k8s-api.bin.zst", compressed);
    files.insert("deprecations.json", deprecations::render_json(&table)?.into_bytes());
    files.insert("kinds.txt", render_kinds(&versions, &served).into_bytes());
    files.insert("crosscheck.txt", render_crosscheck(&notes, &table).into_bytes());
    Ok(Generated { files, log })
}

/// Writes the generated files into `out`.
pub fn write(generated: &Generated, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    for (name, bytes) in &generated.files {
        let path = out.join(name);
        std::fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// The default source directory: `../shared/k8s-api` next to the repository.
pub fn default_source(repo_root: &Path) -> PathBuf {
    repo_root.join("..").join("shared").join("k8s-api")
}

fn check_curated_enums(source: &BTreeMap<(String, String), Vec<String>>, notes: &mut Vec<String>) -> Result<()> {
    let mut used = BTreeSet::new();
    for (def, prop, values) in enums::CURATED {
        let key = (def.to_string(), prop.to_string());
        let Some(src) = source.get(&key) else {
            anyhow::bail!("curated enum {def}.{prop} has no counterpart in the 1.23 schema");
        };
        let a: BTreeSet<&str> = values.iter().copied().collect();
        let b: BTreeSet<&str> = src.iter().map(String::as_str).collect();
        if a != b {
            anyhow::bail!("curated enum {def}.{prop} is {a:?} but the 1.23 schema says {b:?}");
        }
        used.insert(key);
    }
    for (def, prop, _, _) in enums::DESCRIBED {
        used.insert((def.to_string(), prop.to_string()));
    }
    for ((def, prop), values) in source {
        if !used.contains(&(def.clone(), prop.clone())) {
            notes.push(format!("1.23 enum not carried: {def}.{prop} {values:?}"));
        }
    }
    Ok(())
}

fn cross_check_openapi_v3(archive: &Path, versions: &[VersionIr], notes: &mut Vec<String>) -> Result<()> {
    let files = input::read_tar_zst(archive)?;
    for minor in OPENAPI_V3_MINORS {
        let prefix = format!("builtins/1.{minor}/");
        let mut paths = serde_json::Map::new();
        let mut defs = serde_json::Map::new();
        for (name, bytes) in files.range(prefix.clone()..) {
            if !name.starts_with(&prefix) {
                break;
            }
            let doc: serde_json::Value =
                serde_json::from_slice(bytes).with_context(|| format!("{name} is not valid JSON"))?;
            if let Some(p) = doc.get("paths").and_then(|p| p.as_object()) {
                paths.extend(p.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            if let Some(s) = doc
                .get("components")
                .and_then(|c| c.get("schemas"))
                .and_then(|s| s.as_object())
            {
                defs.extend(s.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        let from_paths: BTreeSet<Gvk> = jsonlike::kinds_from_paths(&paths, &defs).into_keys().collect();
        let Some(v) = versions.iter().find(|v| v.minor() == minor) else {
            continue;
        };
        let ours: BTreeSet<Gvk> = v.kinds.keys().cloned().collect();
        let only_ours: Vec<String> = ours
            .difference(&from_paths)
            .map(|g| format!("{} {}", g.0, g.1))
            .collect();
        let only_v3: Vec<String> = from_paths
            .difference(&ours)
            .map(|g| format!("{} {}", g.0, g.1))
            .collect();
        if only_ours.is_empty() && only_v3.is_empty() {
            notes.push(format!(
                "1.{minor}: served kinds agree with the OpenAPI v3 paths ({} kinds)",
                ours.len()
            ));
        } else {
            if !only_ours.is_empty() {
                notes.push(format!(
                    "1.{minor}: in the JSON schema but not at an OpenAPI v3 resource path: {}",
                    only_ours.join(", ")
                ));
            }
            if !only_v3.is_empty() {
                notes.push(format!(
                    "1.{minor}: at an OpenAPI v3 resource path but not in the JSON schema: {}",
                    only_v3.join(", ")
                ));
            }
        }
    }
    Ok(())
}

fn render_kinds(versions: &[VersionIr], served: &[BTreeMap<Gvk, NodeId>]) -> String {
    let mut out = String::from(
        "# Served kinds per Kubernetes version (GENERATED by `cargo xtask schemas`).\n\
         # `-` lines: in that version's published schema, but no longer served per the removal table.\n",
    );
    for (v, keep) in versions.iter().zip(served) {
        let _ = writeln!(
            out,
            "\n## {}{}  [{}]  {} kinds",
            v.name,
            if v.approximate { " (approximate)" } else { "" },
            v.source,
            keep.len()
        );
        let mut by_av: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (av, k) in keep.keys() {
            by_av.entry(av).or_default().push(k);
        }
        for (av, ks) in by_av {
            let _ = writeln!(out, "{av}: {}", ks.join(" "));
        }
        let dropped: Vec<String> = v
            .kinds
            .keys()
            .filter(|g| !keep.contains_key(*g))
            .map(|g| format!("{} {}", g.0, g.1))
            .collect();
        if !dropped.is_empty() {
            let _ = writeln!(out, "- {}", dropped.join(", "));
        }
    }
    out
}

fn render_crosscheck(notes: &[String], table: &deprecations::Table) -> String {
    let mut out = String::from(
        "# Cross-check report (GENERATED by `cargo xtask schemas`).\n\n## Fixes applied to the deprecation tables\n",
    );
    for f in &table.fixes {
        let _ = writeln!(out, "- {f}");
    }
    out.push_str("\n## Deprecation tables vs. schemas\n");
    for f in &table.findings {
        let _ = writeln!(out, "- {f}");
    }
    out.push_str("\n## Sources\n");
    for n in notes {
        let _ = writeln!(out, "- {n}");
    }
    out
}
