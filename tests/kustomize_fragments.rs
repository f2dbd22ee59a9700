//! Every strategic-merge patch file of `../shared/corpus-kustomize`, found
//! with `kustomize_lint::patches` and validated with
//! `kustomize_lint::check_fragment` against the kind it names itself: real
//! patches that Kustomize applies get no "required" field and no directive
//! taken for an unknown field; what is reported is exactly the list below,
//! each a finding the patched object deserves (a field the API deprecates;
//! Flux's `sops` metadata, which only Flux strips before applying). Skips
//! with a message when the corpus is absent.

use std::path::{Path, PathBuf};

use kvet::config::Config;
use kvet::kustomize_lint::{PatchFormat, PatchSource, PatchTarget, check_fragment, patches};
use kvet::rules::Registry;
use kvet::source::SourceFile;
use kvet::yaml::{Limits, parse_source};

const NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn kustomizations(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = entry.path();
        if p.is_dir() {
            kustomizations(&p, out);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| NAMES.contains(&n))
        {
            out.push(p);
        }
    }
}

#[test]
fn corpus_strategic_merge_patches_validate_as_partial_objects() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-kustomize");
    if !corpus.is_dir() {
        eprintln!("SKIPPED: {} not found", corpus.display());
        return;
    }
    let mut files = Vec::new();
    kustomizations(&corpus, &mut files);
    let config = Config::default();
    let (mut checked, mut findings) = (0, Vec::new());
    for k in &files {
        let text = std::fs::read_to_string(k).unwrap_or_default();
        let stream = parse_source(&text, false, Limits::default());
        let Some(root) = stream.documents.first().and_then(|d| d.root.as_ref()) else {
            continue;
        };
        let dir = k.parent().unwrap_or(Path::new("."));
        for p in patches(root) {
            let PatchSource::File { path, .. } = p.source else {
                continue;
            };
            if p.format == PatchFormat::Json6902 {
                continue;
            }
            let file_path = dir.join(path);
            let patch = SourceFile::read(&file_path, file_path.display().to_string());
            if patch.load_error.is_some() {
                continue;
            }
            let docs = parse_source(&patch.text, patch.looks_like_json(), Limits::default());
            for doc in &docs.documents {
                let Some(node) = doc.root.as_ref() else { continue };
                // A YAML list is a JSON 6902 patch.
                let Some(target) = PatchTarget::of_patch_document(node) else {
                    continue;
                };
                let (Some(av), Some(kind)) = (target.api_version(), target.kind.as_deref()) else {
                    continue;
                };
                checked += 1;
                for d in check_fragment(&patch, 0, node, &av, kind, &config, Registry::builtin()) {
                    let at = patch.line_col(d.span.start);
                    let name = patch.name.trim_start_matches(corpus.to_str().unwrap_or(""));
                    findings.push(format!("{name}:{} {}", at.line, d.rule));
                }
            }
        }
    }
    eprintln!(
        "kustomize fragments: {checked} strategic-merge patch documents checked, {} findings",
        findings.len()
    );
    assert!(checked > 50, "only {checked} patches found");
    findings.sort();
    let expected = [
        "/fluxcd+kustomize-controller/internal/controller/testdata/sops/patches/merge1.yaml:7 schema-unknown-field",
        "/fluxcd+kustomize-controller/internal/controller/testdata/sops/patches/merge2.yaml:7 schema-unknown-field",
        "/kubeflow+manifests/applications/jupyter/notebook-controller/upstream/crd/patches/trivial_conversion_patch.yaml:7 field-deprecated",
        "/kubeflow+manifests/applications/profiles/upstream/crd/patches/trivial_conversion_patch.yaml:6 field-deprecated",
        "/kubernetes-sigs+kustomize/examples/ldap/overlays/production/deployment.yaml:12 field-deprecated",
    ];
    assert_eq!(findings, expected);
}
