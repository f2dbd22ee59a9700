//! The safe fixes of `kustomization-field-deprecated` (`bases`,
//! `commonLabels`, `patchesStrategicMerge`, `patchesJson6902`, `imageTags`)
//! must not change what Kustomize builds: `kubectl kustomize` renders every
//! tree before and after `--fix`, and the outputs must be byte-identical.
//! Trees: `tests/data/kustomize-fix/*` and every offline root of
//! `../shared/corpus-kustomize` whose kustomizations use a deprecated field.
//!
//! Without kubectl the test says so on stderr and passes, except with `CI`
//! set, where it fails: CI must not skip it quietly.

use std::path::{Path, PathBuf};
use std::process::Command;

use kvet::config::Config;
use kvet::fix::{apply_edits, select_fixes};
use kvet::lint::lint;
use kvet::source::SourceFile;

const RULE: &str = "kustomization-field-deprecated";
const NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn have_kubectl() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is required in CI for the Kustomize fix equivalence test"
        );
        eprintln!("SKIPPED: kubectl not found; the Kustomize fix equivalence test did not run");
    }
    ok
}

/// `kubectl kustomize ROOT` run from `cwd`: the output, or the error.
fn render(cwd: &Path, root: &str) -> Result<Vec<u8>, String> {
    let out = Command::new("kubectl")
        .args(["kustomize", root])
        .current_dir(cwd)
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).into_iter().flatten().flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if src.is_dir() {
            copy_dir(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap_or_else(|e| panic!("{}: {e}", src.display()));
        }
    }
}

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

/// Findings of the rule in one file, with `--fix`'s choice of safe fixes
/// applied until none is left. Returns (fixes applied, findings left).
fn fix_file(path: &Path) -> (usize, usize) {
    let config = Config {
        select: vec![RULE.to_string()],
        ..Config::default()
    };
    let mut applied = 0;
    for _ in 0..10 {
        let sources = vec![SourceFile::read(path, path.display().to_string())];
        let out = lint(&sources, &config);
        let selected = select_fixes(&out.diagnostics, false);
        let Some(edits) = selected.edits.get(&0) else {
            return (applied, out.diagnostics.len());
        };
        let text = apply_edits(&sources[0].text, edits);
        std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        applied += selected.fixed.len();
    }
    panic!("{}: fixes did not converge", path.display());
}

/// Fixes every kustomization under `dir`; the number of files changed.
fn fix_tree(dir: &Path) -> usize {
    let mut files = Vec::new();
    kustomizations(dir, &mut files);
    files.iter().filter(|f| fix_file(f).0 > 0).count()
}

#[test]
fn fixes_render_the_same_objects_on_the_fixture_trees() {
    if !have_kubectl() {
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/kustomize-fix");
    let mut trees = 0;
    for entry in std::fs::read_dir(&data).into_iter().flatten().flatten() {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        copy_dir(&entry.path(), tmp.path());
        let root = if tmp.path().join("overlay").is_dir() {
            "overlay"
        } else {
            "."
        };
        let before = render(tmp.path(), root).unwrap_or_else(|e| panic!("{}: {e}", entry.path().display()));
        let changed = fix_tree(tmp.path());
        assert!(changed > 0, "{}: nothing to fix", entry.path().display());
        let mut files = Vec::new();
        kustomizations(tmp.path(), &mut files);
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            for key in [
                "bases:",
                "commonLabels:",
                "patchesStrategicMerge:",
                "patchesJson6902:",
                "imageTags:",
            ] {
                assert!(
                    !text.contains(key),
                    "{}: `{key}` left after --fix:\n{text}",
                    f.display()
                );
            }
        }
        let after = render(tmp.path(), root).unwrap_or_else(|e| panic!("{} after --fix: {e}", entry.path().display()));
        assert_eq!(
            String::from_utf8_lossy(&after),
            String::from_utf8_lossy(&before),
            "{}: --fix changed the rendered output",
            entry.path().display()
        );
        trees += 1;
    }
    assert!(trees >= 2, "expected the fixture trees in {}", data.display());
}

#[test]
fn fixes_render_the_same_objects_on_the_corpus() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus-kustomize");
    let Ok(index) = std::fs::read_to_string(corpus.join("index.json")) else {
        eprintln!("SKIPPED: {} not found", corpus.display());
        return;
    };
    if !have_kubectl() {
        return;
    }
    let index: serde_json::Value = serde_json::from_str(&index).unwrap_or_else(|e| panic!("index.json: {e}"));
    let deprecated = [
        "bases",
        "commonLabels",
        "patchesStrategicMerge",
        "patchesJson6902",
        "imageTags",
    ];
    // Offline roots whose closure uses a deprecated field, by source.
    let mut by_source: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for r in index["roots"].as_array().into_iter().flatten() {
        let uses = r["fields_used"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f.as_str().is_some_and(|f| deprecated.contains(&f)));
        if r["status"] == "ok" && uses {
            let (Some(s), Some(root)) = (r["source"].as_str(), r["root"].as_str()) else {
                continue;
            };
            by_source.entry(s.to_string()).or_default().push(root.to_string());
        }
    }
    let (mut roots, mut files) = (0, 0);
    for (source, list) in &by_source {
        let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        copy_dir(&corpus.join(source), tmp.path());
        files += fix_tree(tmp.path());
        for root in list {
            let before = render(&corpus.join(source), root).unwrap_or_else(|e| panic!("{source}/{root}: {e}"));
            let after = render(tmp.path(), root).unwrap_or_else(|e| panic!("{source}/{root} after --fix: {e}"));
            assert!(before == after, "{source}/{root}: --fix changed the rendered output");
            roots += 1;
        }
    }
    eprintln!("kustomize fix equivalence: {files} kustomization files fixed, {roots} corpus roots render identically");
    assert!(roots > 0, "no corpus root uses a deprecated field");
}
