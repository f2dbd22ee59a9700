//! The custom resources of the shared corpus validated against their CRDs.

use super::*;

/// Every custom resource of the corpus whose CRD is in the same project
/// folder, validated against it.
/// Skips visibly (or fails under `CI`) when `../shared/corpus` is absent.
#[test]
fn corpus_custom_resources_needs_shared_corpus() {
    use crate::source::SourceFile;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpus");
    if !root.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "{} is missing: CI must have the shared corpus",
            root.display()
        );
        eprintln!(
            "SKIPPED corpus_custom_resources_needs_shared_corpus: {} not found",
            root.display()
        );
        return;
    }
    let root = root.as_path();
    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                files(&p, out);
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "json") {
                out.push(p);
            }
        }
    }
    let mut folders: Vec<_> = std::fs::read_dir(root)
        .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    folders.sort();
    let (mut build_time, mut validate_time) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    let (mut crds, mut crs, mut no_schema, mut not_served) = (0, 0, 0, 0);
    let mut all: Vec<String> = Vec::new();
    let mut tally: std::collections::BTreeMap<String, usize> = Default::default();
    let (mut mutations, mut detected) = (0, 0);
    for folder in folders {
        let mut paths = Vec::new();
        files(&folder, &mut paths);
        let sources: Vec<SourceFile> = paths
            .iter()
            .map(|p| SourceFile::read(p, p.display().to_string()))
            .collect();
        let loaded = crate::lint::load(&sources, &|| {});
        let mut objs = Vec::new();
        for (fid, stream) in loaded.streams.iter().enumerate() {
            for doc in &stream.documents {
                if let DocObjects::Objects(items) = doc_objects(doc) {
                    for (item, node) in items {
                        objs.push(Object::new(objs.len(), fid as u32, doc.index, item, node));
                    }
                }
            }
        }
        crds += objs.iter().filter(|o| o.kind == "CustomResourceDefinition").count();
        // Best of a few runs: the machine is shared.
        let mut built = std::time::Duration::MAX;
        let mut index = CrdIndex::default();
        for _ in 0..5 {
            let t = std::time::Instant::now();
            index = CrdIndex::build(objs.iter());
            built = built.min(t.elapsed());
        }
        build_time += built;
        if !index.is_empty() {
            eprintln!("{}: {} kinds, index built in {built:?}", folder.display(), index.len());
        }
        // Timed: lookups and validation only, best of a few runs.
        let run = || -> Vec<(&Object, CrdLookup, Vec<Problem>)> {
            objs.iter()
                .map(|o| {
                    let found = index.lookup(o.api_version, o.kind);
                    let problems = match &found {
                        CrdLookup::Schema(s) => s.validate(o.root, &sources[o.file as usize].text, o.kind_span()),
                        _ => Vec::new(),
                    };
                    (o, found, problems)
                })
                .collect()
        };
        let mut best = std::time::Duration::MAX;
        for _ in 0..4 {
            let t = std::time::Instant::now();
            drop(run());
            best = best.min(t.elapsed());
        }
        validate_time += best;
        let results = run();
        let folder = folder
            .file_name()
            .map(|f| f.to_string_lossy().to_string())
            .unwrap_or_default();
        for (o, found, problems) in results {
            let src = &sources[o.file as usize];
            let s = match found {
                CrdLookup::Schema(s) => s,
                CrdLookup::NoSchema => {
                    no_schema += 1;
                    continue;
                }
                CrdLookup::VersionNotServed { served } => {
                    not_served += 1;
                    all.push(format!("{} {}: version not served ({served:?})", o.api_version, o.kind));
                    continue;
                }
                CrdLookup::Undefined => continue,
            };
            crs += 1;
            let pruning = if s.prunes_unknown_fields() {
                "pruning"
            } else {
                "keeps unknown fields"
            };
            *tally
                .entry(format!("{folder}: {} {} ({pruning})", o.api_version, o.kind))
                .or_default() += 1;
            for p in &problems {
                let lc = src.line_col(p.span.start);
                all.push(format!(
                    "{}:{}:{} {} {}: {} {:?}",
                    src.name,
                    lc.line + 1,
                    lc.column + 1,
                    o.kind,
                    o.name.unwrap_or("-"),
                    p.path,
                    p.kind
                ));
            }
            // A misspelt first key of `spec` (a known one) must be caught, with the right suggestion.
            if !s.prunes_unknown_fields() {
                continue;
            }
            let mut mutated = o.root.clone();
            let spec = match &mut mutated.value {
                Value::Map(es) => es.iter_mut().find(|e| &*e.key == "spec").map(|e| &mut e.value.value),
                _ => None,
            };
            let Some(Value::Map(entries)) = spec else { continue };
            let Some(first) = entries.first_mut() else { continue };
            let original = first.key.to_string();
            if problems.iter().any(|p| p.path == format!("spec.{original}")) {
                continue;
            }
            first.key = format!("{original}x").into();
            mutations += 1;
            let found = s.validate(&mutated, &src.text, o.kind_span()).iter().any(|p| {
                p.path == format!("spec.{original}x")
                    && matches!(&p.kind, ProblemKind::UnknownField { suggestion: Some(s), .. } if *s == original)
            });
            if found {
                detected += 1;
            } else {
                eprintln!("  not detected: {} {} spec.{original}x", src.name, o.kind);
            }
        }
    }
    eprintln!(
        "corpus: {crds} CRDs, {crs} custom resources validated ({no_schema} without schema, {not_served} version not served); build {build_time:?}, validate {validate_time:?}; {} problems",
        all.len()
    );
    eprintln!("misspelt first key of spec: {detected} of {mutations} detected");
    for (k, n) in &tally {
        eprintln!("  {n:>3} {k}");
    }
    for p in &all {
        eprintln!("  {p}");
    }
    assert!(crs > 50, "{crs} custom resources validated");
    assert!(all.len() <= 5, "{all:#?}");
    assert_eq!(detected, mutations);
}
