//! Equivalence with the real kustomize: every root of
//! `../shared/corpus-kustomize` whose status is `ok` (and those whose
//! status is `load-restrictor`, built with `--load-restrictor
//! LoadRestrictionsNone` as upstream builds them and as kvet reads files
//! named by `../` paths) and every feature
//! fixture under `fixtures/kustomize/` is rendered by kvet and compared,
//! object by object and field by field (as JSON values), with
//! `kubectl kustomize` (kubectl 1.32, Kustomize v5.5.0) run from the source
//! folder. Fixtures also carry the oracle's output (`expected.yaml`), so
//! they are checked without kubectl too.
//!
//! Without `../shared` or kubectl the corpus part prints a skip line, and
//! fails when `CI` is set.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use kvet::render::kustomize::{Options, render, to_yaml};
use kvet::yaml::{Limits, parse_yaml};
use serde_json::Value;

/// Roots of the corpus whose kvet rendering still differs from kustomize's,
/// with the reason. The test asserts this is exactly the set that differs.
const KNOWN_DIFFERENT: &[(&str, &str)] = &[];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

fn skip(what: &str) {
    assert!(!in_ci(), "{what} (CI is set: this test must not skip)");
    println!("SKIPPED: {what}");
}

fn kubectl_available() -> bool {
    Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Numbers compared by value (`1` and `1.0` are the same to the API).
fn normalize(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.as_i64().is_none() && f.fract() == 0.0 && f.abs() < 9.0e15 => Value::from(f as i64),
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

fn parse_stream(text: &str) -> Result<Vec<Value>, String> {
    let stream = parse_yaml(text, Limits::default());
    if let Some(d) = stream.diagnostics.iter().find(|d| d.rule != "yaml-duplicate-key") {
        return Err(d.message.clone());
    }
    Ok(stream
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .map(|n| normalize(n.to_json()))
        .collect())
}

fn kvet_objects(dir: &Path, repo: &Path) -> Result<Vec<Value>, String> {
    let r = render(
        dir,
        &Options {
            repository: Some(repo.to_path_buf()),
            ..Options::default()
        },
    );
    if !r.ok() {
        return Err(r.findings.iter().map(|f| r.describe(f)).collect::<Vec<_>>().join("; "));
    }
    let objects: Vec<Value> = r.objects.iter().map(|o| normalize(o.to_json())).collect();
    // What `kvet render` prints reads back as the same objects.
    let printed = parse_stream(&to_yaml(&r.objects, None)).map_err(|e| format!("kvet render output: {e}"))?;
    if printed != objects {
        return Err("`kvet render` prints different objects than it renders".into());
    }
    Ok(objects)
}

/// The first difference between two values, as a path and both sides.
fn first_diff(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                match y.get(k) {
                    Some(vb) => {
                        if let Some(d) = first_diff(&format!("{path}.{k}"), va, vb) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{path}.{k}: kvet has {va}, kustomize has nothing")),
                }
            }
            x.keys()
                .chain(y.keys())
                .find(|k| !x.contains_key(*k))
                .map(|k| format!("{path}.{k}: kvet has nothing, kustomize has {}", y[k]))
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (va, vb))| first_diff(&format!("{path}[{i}]"), va, vb)),
        _ if a == b => None,
        _ => Some(format!("{path}: kvet has {a}, kustomize has {b}")),
    }
}

fn compare(ours: &[Value], theirs: &[Value]) -> Option<String> {
    let id = |v: &Value| {
        format!(
            "{}/{}/{}",
            v["kind"].as_str().unwrap_or(""),
            v["metadata"]["namespace"].as_str().unwrap_or(""),
            v["metadata"]["name"].as_str().unwrap_or("")
        )
    };
    if ours.len() != theirs.len() {
        let a: Vec<String> = ours.iter().map(id).collect();
        let b: Vec<String> = theirs.iter().map(id).collect();
        let only_a: Vec<&String> = a.iter().filter(|x| !b.contains(x)).take(3).collect();
        let only_b: Vec<&String> = b.iter().filter(|x| !a.contains(x)).take(3).collect();
        return Some(format!(
            "{} objects vs {} (only kvet: {only_a:?}; only kustomize: {only_b:?})",
            ours.len(),
            theirs.len()
        ));
    }
    for (i, (a, b)) in ours.iter().zip(theirs).enumerate() {
        if id(a) != id(b) {
            return Some(format!("object {i}: kvet has {}, kustomize has {}", id(a), id(b)));
        }
        if let Some(d) = first_diff("", a, b) {
            return Some(format!("{}: {d}", id(a)));
        }
    }
    None
}

fn kubectl_kustomize(cwd: &Path, root: &str) -> Result<String, String> {
    kubectl_kustomize_with(cwd, root, &[])
}

fn kubectl_kustomize_with(cwd: &Path, root: &str, flags: &[&str]) -> Result<String, String> {
    // For quicker local iterations: KVET_ORACLE_CACHE=dir reuses outputs
    // kubectl wrote there before (never set in CI).
    let cache = std::env::var_os("KVET_ORACLE_CACHE")
        .filter(|_| !in_ci())
        .map(|d| PathBuf::from(d).join(format!("{}.yaml", cwd.join(root).display()).replace('/', "_")));
    if let Some(text) = cache.as_ref().and_then(|c| std::fs::read_to_string(c).ok()) {
        return Ok(text);
    }
    let out = Command::new("kubectl")
        .args(["kustomize", root])
        .args(flags)
        .current_dir(cwd)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let text = String::from_utf8(out.stdout).map_err(|e| e.to_string())?;
    if let Some(c) = cache {
        let _ = std::fs::write(c, &text);
    }
    Ok(text)
}

/// Renders roots on two threads: (label, result of comparison).
/// A root to compare: (label, folder kubectl runs in, root, repository,
/// whether kubectl lifts its load restrictions).
type Job = (String, PathBuf, String, PathBuf, bool);

fn check_all(jobs: Vec<Job>) -> BTreeMap<String, String> {
    let jobs = std::sync::Mutex::new(jobs);
    let diffs = std::sync::Mutex::new(BTreeMap::new());
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some((label, cwd, root, repo, unrestricted)) = jobs.lock().ok().and_then(|mut j| j.pop()) {
                    let flags: &[&str] = if unrestricted {
                        &["--load-restrictor", "LoadRestrictionsNone"]
                    } else {
                        &[]
                    };
                    let theirs = kubectl_kustomize_with(&cwd, &root, flags).and_then(|t| parse_stream(&t));
                    let ours = kvet_objects(&cwd.join(&root), &repo);
                    let diff = match (ours, theirs) {
                        (Ok(a), Ok(b)) => compare(&a, &b),
                        (Err(e), _) => Some(format!("kvet failed: {e}")),
                        (_, Err(e)) => Some(format!("kubectl failed: {e}")),
                    };
                    if let (Some(d), Ok(mut m)) = (diff, diffs.lock()) {
                        m.insert(label, d);
                    }
                }
            });
        }
    });
    diffs.into_inner().unwrap_or_default()
}

#[test]
fn corpus_roots_render_as_kustomize_does() {
    let corpus = manifest_dir().join("../shared/corpus-kustomize");
    let Ok(index) = std::fs::read_to_string(corpus.join("index.json")) else {
        return skip("../shared/corpus-kustomize is missing");
    };
    if !kubectl_available() {
        return skip("kubectl is not installed");
    }
    let index: Value = serde_json::from_str(&index).expect("index.json is JSON");
    let roots = index["roots"].as_array().expect("roots");
    let mut jobs = Vec::new();
    for r in roots
        .iter()
        .filter(|r| r["status"] == "ok" || r["status"] == "load-restrictor")
    {
        let source = r["source"].as_str().unwrap_or_default();
        let root = r["root"].as_str().unwrap_or_default();
        let src = corpus.join(source);
        let unrestricted = r["status"] == "load-restrictor";
        jobs.push((
            format!("{source}/{root}"),
            src.clone(),
            root.to_string(),
            src,
            unrestricted,
        ));
    }
    let total = jobs.len();
    let diffs = check_all(jobs);
    for (label, d) in &diffs {
        let known = KNOWN_DIFFERENT.iter().any(|(k, _)| k == label);
        eprintln!("{} {label}: {d}", if known { "known" } else { "DIFF" });
    }
    println!(
        "{} of {total} offline roots (ok and load-restrictor) render as kustomize does",
        total - diffs.len()
    );
    let differing: Vec<&str> = diffs.keys().map(String::as_str).collect();
    let known: Vec<&str> = KNOWN_DIFFERENT.iter().map(|(k, _)| *k).collect();
    assert_eq!(differing, known, "the roots that differ must be exactly the known list");
}

#[test]
fn feature_fixtures_render_as_kustomize_does() {
    let dir = manifest_dir().join("fixtures/kustomize");
    let mut features: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures/kustomize")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.yaml").is_file())
        .collect();
    features.sort();
    assert!(features.len() >= 10, "one fixture per feature");
    let kubectl = kubectl_available();
    if !kubectl {
        skip("kubectl is not installed: fixtures compared with their stored expected.yaml only");
    }
    let mut failures = Vec::new();
    for f in &features {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
        let root = f.join("overlay");
        let root = if root.is_dir() { root } else { f.clone() };
        let expected_text = std::fs::read_to_string(f.join("expected.yaml")).expect("expected.yaml");
        let expected = parse_stream(&expected_text).expect("expected.yaml parses");
        if kubectl {
            let rel = root
                .strip_prefix(f)
                .unwrap_or(Path::new(""))
                .to_string_lossy()
                .into_owned();
            let rel = if rel.is_empty() { ".".to_string() } else { rel };
            match kubectl_kustomize(f, &rel).and_then(|t| parse_stream(&t)) {
                Ok(live) if live == expected => {}
                Ok(_) => failures.push(format!("{name}: expected.yaml is stale (kubectl kustomize differs)")),
                Err(e) => failures.push(format!("{name}: kubectl failed: {e}")),
            }
        }
        match kvet_objects(&root, &manifest_dir()) {
            Ok(ours) => {
                if let Some(d) = compare(&ours, &expected) {
                    failures.push(format!("{name}: {d}"));
                }
            }
            Err(e) => failures.push(format!("{name}: kvet failed: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
