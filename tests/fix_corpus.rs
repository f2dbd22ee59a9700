//! The differential check of `--fix` on real manifests: every safe fix is
//! applied to a copy of `../shared/corpus`; every object must read back as
//! the same tree except where a fix's edits landed, and a second run must
//! change nothing. Needs `../shared` (fails under `CI=true` without it).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use kvet::yaml::{Limits, Node, Value, parse_source};
use serde_json::Value as Json;

fn corpus() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if root.is_dir() {
        return Some(root);
    }
    assert!(
        std::env::var_os("CI").is_none_or(|v| v.is_empty()),
        "{} is missing, and CI must run this test",
        root.display()
    );
    eprintln!("SKIPPED fix_corpus: {} not found", root.display());
    None
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let target = to.join(e.file_name());
        let ft = e.file_type()?;
        if ft.is_dir() {
            copy_tree(&e.path(), &target)?;
        } else if ft.is_file() {
            std::fs::copy(e.path(), &target)?;
            // The shared folder is read-only; the copy must not be.
            let mut p = std::fs::metadata(&target)?.permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            p.set_readonly(false);
            std::fs::set_permissions(&target, p)?;
        }
    }
    Ok(())
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .args(["check", "--no-config"])
        .args(args)
        .arg(".")
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Byte ranges of the fixes' edits, by file name. Unsafe ones count too:
/// a fix can become safe in a later round, once another fix made the
/// object valid for its target.
fn edit_ranges(report: &[u8]) -> BTreeMap<String, Vec<(u64, u64)>> {
    let v: Json = serde_json::from_slice(report).unwrap_or_else(|e| panic!("JSON report: {e}"));
    let mut out: BTreeMap<String, Vec<(u64, u64)>> = BTreeMap::new();
    for d in v["diagnostics"].as_array().into_iter().flatten() {
        for e in d["fix"]["edits"].as_array().into_iter().flatten() {
            let file = e["file"].as_str().unwrap_or_default().to_string();
            let (s, t) = (
                e["start"]["offset"].as_u64().unwrap_or(0),
                e["end"]["offset"].as_u64().unwrap_or(0),
            );
            out.entry(file).or_default().push((s, t));
        }
    }
    out
}

/// Paths where two JSON trees differ (outermost).
fn differences(a: &Json, b: &Json, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => {
            for (k, v) in x {
                path.push(k.clone());
                match y.get(k) {
                    Some(w) => differences(v, w, path, out),
                    None => out.push(path.clone()),
                }
                path.pop();
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                path.push(k.clone());
                out.push(path.clone());
                path.pop();
            }
        }
        (Json::Array(x), Json::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                path.push(i.to_string());
                differences(v, w, path, out);
                path.pop();
            }
        }
        _ if a == b => {}
        _ => out.push(path.clone()),
    }
}

/// The node at a path, or its deepest ancestor that exists; and the span
/// of the whole entry (key included) when the path ends at a key.
fn locate(root: &Node, path: &[String]) -> (u32, u32) {
    let mut node = root;
    let mut span = (root.span.start, root.span.end);
    for seg in path {
        let next = match &node.value {
            Value::Map(entries) => entries.iter().rev().find(|e| &*e.key == seg).map(|e| {
                span = (e.key_span.start, e.value.span.end.max(e.key_span.end));
                &e.value
            }),
            Value::Seq(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i)).inspect(|n| {
                span = (n.span.start, n.span.end);
            }),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    span
}

#[test]
fn safe_fixes_change_only_what_they_fix_and_converge() -> std::io::Result<()> {
    let Some(src) = corpus() else { return Ok(()) };
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path().join("corpus");
    copy_tree(&src, &dir)?;
    let before: BTreeMap<String, String> = walk(&dir)
        .into_iter()
        .map(|p| (rel(&dir, &p), std::fs::read_to_string(&p).unwrap_or_default()))
        .collect();
    let report = run(&dir, &["--format", "json"]);
    let ranges = edit_ranges(&report.stdout);
    assert!(!ranges.is_empty(), "the corpus has safe fixes");

    let fixed = run(&dir, &["--fix", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&fixed.stderr);
    assert_ne!(fixed.status.code(), Some(2), "{stderr}");
    assert!(
        !stderr.contains("not fixed") && !stderr.contains("not written"),
        "{stderr}"
    );

    let mut changed_files = 0;
    for (name, old) in &before {
        let new = std::fs::read_to_string(dir.join(name))?;
        if &new == old {
            continue;
        }
        changed_files += 1;
        let json = name.ends_with(".json");
        let (a, b) = (
            parse_source(old, json, Limits::default()),
            parse_source(&new, json, Limits::default()),
        );
        assert_eq!(a.documents.len(), b.documents.len(), "{name}: documents");
        let edits = ranges.get(name.as_str()).cloned().unwrap_or_default();
        assert!(!edits.is_empty(), "{name} changed without a reported fix");
        for (i, (da, db)) in a.documents.iter().zip(&b.documents).enumerate() {
            let (Some(ra), Some(rb)) = (&da.root, &db.root) else {
                assert!(da.root.is_none() && db.root.is_none(), "{name}: document {i}");
                continue;
            };
            let mut diffs = Vec::new();
            differences(&ra.to_json(), &rb.to_json(), &mut Vec::new(), &mut diffs);
            for p in diffs {
                let (s, t) = locate(ra, &p);
                let touched = edits
                    .iter()
                    .any(|&(es, et)| u64::from(s) <= et.max(es) && es <= u64::from(t));
                assert!(
                    touched,
                    "{name}: document {i}: `{}` changed outside every fix",
                    p.join(".")
                );
            }
        }
    }
    assert!(changed_files > 50, "only {changed_files} files changed");

    // A second run has nothing left to fix and changes no byte.
    let first: Vec<String> = before
        .keys()
        .map(|n| std::fs::read_to_string(dir.join(n)).unwrap_or_default())
        .collect();
    let again = run(&dir, &["--fix", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(!stderr.contains("fixed"), "{stderr}");
    for (name, was) in before.keys().zip(&first) {
        assert_eq!(
            &std::fs::read_to_string(dir.join(name))?,
            was,
            "{name} changed on the second run"
        );
    }
    Ok(())
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() => out.push(p),
                _ => {}
            }
        }
    }
    out
}

fn rel(base: &Path, p: &Path) -> String {
    p.strip_prefix(base).unwrap_or(p).display().to_string()
}
