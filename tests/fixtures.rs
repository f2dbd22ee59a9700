//! Every rule's fixtures: `fixtures/<rule-id>/bad*.yaml` must report the
//! rule exactly on the lines marked `# expect: <rule-id>` (or listed in a
//! `<file>.expect` sidecar for files that cannot hold comments), and
//! `good*.yaml` must not report it. The rendered human and JSON output of
//! every bad fixture is snapshotted. A `# fixture-select: a, b` comment
//! enables more rules for that fixture; `# fixture-options: {json}` sets
//! the rule's options; `# fixture-kubernetes-version: X.Y` and
//! `# fixture-target-version: X.Y` choose the versions checked against.
//! A folder `bad*/` or `good*/` is a kustomization fixture: its
//! `kustomization.yaml` is the file linted.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use kvet::config::Config;
use kvet::lint::lint;
use kvet::report::{self, HumanOptions};
use kvet::rules::Registry;
use kvet::source::SourceFile;

/// `KVET_RULES=id,id` limits the fixture tests to those rules (useful while
/// writing a rule); unset, every rule is checked.
fn selected(rule: &str) -> bool {
    match std::env::var("KVET_RULES") {
        Ok(list) if !list.trim().is_empty() => list.split(',').any(|r| r.trim() == rule),
        _ => true,
    }
}

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

fn files_with_prefix(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with(prefix) && !name.ends_with(".expect")
    });
    // A folder fixture (`bad/`, `good-x/`) is a kustomization: its
    // `kustomization.yaml` is linted, next to the files it names.
    for p in &mut v {
        if p.is_dir() {
            *p = p.join("kustomization.yaml");
        }
    }
    v.sort();
    v
}

/// The snapshot name of a fixture: its file stem, or its folder's name.
fn fixture_stem(path: &Path) -> String {
    let file = path.file_name().and_then(|s| s.to_str()).unwrap_or("");
    let named = if file == "kustomization.yaml" {
        path.parent()
    } else {
        Some(path)
    };
    named
        .and_then(|p| p.file_stem())
        .and_then(|s| s.to_str())
        .unwrap_or("bad")
        .to_string()
}

/// (line, rule) pairs expected in a fixture.
fn expectations(path: &Path, text: &str) -> BTreeSet<(u32, String)> {
    let mut out = BTreeSet::new();
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    if let Ok(s) = std::fs::read_to_string(&sidecar) {
        for l in s.lines().filter(|l| !l.trim().is_empty()) {
            let mut parts = l.split_whitespace();
            let line: u32 = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
            for rule in parts {
                out.insert((line, rule.to_string()));
            }
        }
    }
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find("# expect:") {
            for rule in line[pos + "# expect:".len()..].split(',') {
                out.insert((i as u32 + 1, rule.trim().to_string()));
            }
        }
    }
    out
}

fn display_name(path: &Path) -> String {
    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Lints one fixture with only its rule selected, plus any rules named in a
/// `# fixture-select: a, b` comment (for rules that depend on others).
fn lint_one(path: &Path, rule: &str) -> (Vec<SourceFile>, kvet::LintOutput) {
    let sources = vec![SourceFile::read(path, display_name(path))];
    let mut select = vec![rule.to_string()];
    for line in sources[0].text.lines() {
        if let Some(list) = line.trim().strip_prefix("# fixture-select:") {
            select.extend(list.split(',').map(|r| r.trim().to_string()));
        }
    }
    let mut config = Config {
        select,
        ..Config::default()
    };
    for line in sources[0].text.lines() {
        if let Some(v) = line.trim().strip_prefix("# fixture-kubernetes-version:") {
            config.kubernetes_version = Some(v.trim().to_string());
        }
        if let Some(v) = line.trim().strip_prefix("# fixture-target-version:") {
            config.target_version = Some(v.trim().to_string());
        }
        if let Some(json) = line.trim().strip_prefix("# fixture-options:") {
            match serde_json::from_str(json.trim()) {
                Ok(serde_json::Value::Object(map)) => {
                    config.options.insert(rule.to_string(), map);
                }
                _ => panic!("{}: `# fixture-options:` takes a JSON object", display_name(path)),
            }
        }
    }
    // A kustomization fixture is linted as `kvet check` lints it: its root
    // rendered (files the render reads join `sources`).
    let mut sources = sources;
    let out = if path.file_name().is_some_and(|n| n == "kustomization.yaml") {
        kvet::render::roots::lint_rendered(&mut sources, &config, Registry::builtin(), &Default::default()).0
    } else {
        lint(&sources, &config)
    };
    (sources, out)
}

#[test]
fn every_rule_has_fixtures() {
    let registry = Registry::builtin();
    let mut missing = Vec::new();
    for e in registry.entries() {
        let dir = fixtures_dir().join(&e.doc.id);
        if files_with_prefix(&dir, "bad").is_empty() || files_with_prefix(&dir, "good").is_empty() {
            missing.push(e.doc.id.clone());
        }
    }
    assert!(
        missing.is_empty(),
        "rules without fixtures/<id>/bad* and good*: {missing:?}"
    );
    for entry in std::fs::read_dir(fixtures_dir()).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            let name = entry.file_name().to_string_lossy().to_string();
            // fixtures/kustomize holds the rendering fixtures (tests/kustomize_equiv.rs).
            if name == "kustomize" {
                continue;
            }
            assert!(registry.get(&name).is_some(), "fixtures/{name} names no rule");
        }
    }
}

#[test]
fn bad_fixtures_fire_on_the_marked_lines() {
    let registry = Registry::builtin();
    let mut failures = Vec::new();
    for e in registry.entries().filter(|e| selected(&e.doc.id)) {
        let rule = &e.doc.id;
        for path in files_with_prefix(&fixtures_dir().join(rule), "bad") {
            let (sources, out) = lint_one(&path, rule);
            let expected: BTreeSet<(u32, String)> = expectations(&path, &sources[0].text)
                .into_iter()
                .filter(|(_, r)| r == rule)
                .collect();
            let got: BTreeSet<(u32, String)> = out
                .diagnostics
                .iter()
                .filter(|d| d.rule == *rule && d.file == 0)
                .map(|d| (sources[0].line_col(d.span.start).line, d.rule.to_string()))
                .collect();
            if expected.is_empty() {
                failures.push(format!("{}: no `# expect: {rule}` marker", display_name(&path)));
            } else if expected != got {
                failures.push(format!(
                    "{}: expected {rule} on lines {:?}, got {:?}",
                    display_name(&path),
                    expected,
                    got
                ));
            }

            let mut human = Vec::new();
            let opts = HumanOptions {
                color: false,
                snippets: true,
            };
            report::human::render(&mut human, &out.diagnostics, &sources, &out.summary, opts)
                .unwrap_or_else(|e| panic!("render: {e}"));
            let mut json = Vec::new();
            report::json::render(&mut json, &out.diagnostics, &sources, &out.summary)
                .unwrap_or_else(|e| panic!("render: {e}"));
            let stem = fixture_stem(&path);
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("snapshots/fixtures");
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| {
                insta::assert_snapshot!(format!("{rule}__{stem}__human"), String::from_utf8_lossy(&human));
                insta::assert_snapshot!(format!("{rule}__{stem}__json"), String::from_utf8_lossy(&json));
            });
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn good_fixtures_are_quiet() {
    let registry = Registry::builtin();
    let mut failures = Vec::new();
    for e in registry.entries().filter(|e| selected(&e.doc.id)) {
        let rule = &e.doc.id;
        for path in files_with_prefix(&fixtures_dir().join(rule), "good") {
            let (sources, out) = lint_one(&path, rule);
            for d in out.diagnostics.iter().filter(|d| d.rule == *rule) {
                let f = &sources[d.file as usize];
                let p = f.line_col(d.span.start);
                failures.push(format!("{}:{}:{}: {} {}", f.name, p.line, p.column, d.rule, d.message));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "good fixtures report their rule:\n{}",
        failures.join("\n")
    );
}
