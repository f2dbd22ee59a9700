//! `kvet render`: the rendered objects of a kustomization folder.

use assert_cmd::Command;

mod common;

fn kvet() -> Command {
    Command::cargo_bin("kvet").expect("kvet binary")
}

#[test]
fn render_prints_the_objects_in_kustomize_order() {
    let out = kvet()
        .args(["render", "fixtures/kustomize/components/overlay"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let kinds: Vec<&str> = text.lines().filter(|l| l.starts_with("kind: ")).collect();
    assert_eq!(kinds, ["kind: Deployment", "kind: PodDisruptionBudget"]);
    assert!(text.contains("name: c-web"), "{text}");
    assert!(text.contains("image: nginx:from-component"), "{text}");
}

#[test]
fn render_origins_name_the_file_and_line_of_each_value() {
    let out = kvet()
        .args(["render", "--origins", "fixtures/kustomize/components/overlay"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).expect("utf-8");
    let line = |needle: &str| {
        text.lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle} in\n{text}"))
            .to_string()
    };
    // A value from an inline patch points at its own line of the kustomization.
    assert!(line("image: nginx:from-component").ends_with("fixtures/kustomize/components/comp/kustomization.yaml:16"));
    assert!(line("component: added").ends_with("comp/kustomization.yaml:5"));
    assert!(line("name: c-web").ends_with("components/overlay/kustomization.yaml:3"));
    assert!(line("maxUnavailable: 1").ends_with("comp/pdb.yaml:5"));
}

#[test]
fn render_reports_what_it_cannot_render() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kustomization.yaml"), "resources:\n- missing.yaml\n").expect("write");
    let assert = kvet().arg("render").arg(dir.path()).assert().code(1);
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("kustomization.yaml:2: `missing.yaml` does not exist"),
        "{err}"
    );
    kvet().args(["render", "fixtures"]).assert().code(2);
}

/// Writes `files` under a new temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }
    dir
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx:1.27.3\n";

#[test]
fn render_errors_are_located_findings_and_the_other_roots_go_on() {
    let dir = tree(&[
        ("base/deployment.yaml", DEPLOYMENT),
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        // Renders: its objects are linted rendered.
        (
            "good/kustomization.yaml",
            "resources: [../base]\nreplicas:\n- name: web\n  count: -1\n",
        ),
        // A strategic-merge patch naming a Deployment that is not there.
        (
            "broken/kustomization.yaml",
            "resources: [../base]\npatches:\n- path: p.yaml\n",
        ),
        (
            "broken/p.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: webb\nspec:\n  replicas: 2\n",
        ),
        // Not fetched.
        (
            "remote/kustomization.yaml",
            "resources:\n- ../base\n- https://example.com/x.yaml\n",
        ),
        // A cycle.
        ("a/kustomization.yaml", "resources: [../b]\n"),
        ("b/kustomization.yaml", "resources: [../a]\n"),
        // A Component nothing includes is not built alone.
        (
            "comp/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: p.yaml\n",
        ),
        (
            "comp/p.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: other}\n",
        ),
    ]);
    let out = kvet()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "schema,kustomization-not-rendered,value-out-of-range",
            ".",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found: Vec<String> = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}:{} {}",
                d["file"].as_str().unwrap_or(""),
                d["start"]["line"],
                d["rule"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            "a/kustomization.yaml:1 kustomization-cycle",
            "b/kustomization.yaml:1 kustomization-cycle",
            "broken/kustomization.yaml:3 kustomization-build-error",
            // The good root rendered: its replicas value at the overlay's line.
            "good/kustomization.yaml:4 value-out-of-range",
            "remote/kustomization.yaml:3 kustomization-not-rendered",
        ],
        "{json}"
    );
}

/// `kubectl kustomize DIR` output, or `None` without kubectl.
fn kubectl_kustomize(dir: &std::path::Path) -> Option<String> {
    let out = std::process::Command::new("kubectl")
        .args(["kustomize"])
        .arg(dir)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn fix_edits_the_origin_of_a_rendered_value() {
    let base = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: \"3\"\n  selector");
    let dir = tree(&[
        ("base/deployment.yaml", &base),
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        ("a/kustomization.yaml", "resources: [../base]\nnamePrefix: a-\n"),
        // b sets its own replicas: the base value does not reach it.
        (
            "b/kustomization.yaml",
            "resources: [../base]\npatches:\n- path: p.yaml\n",
        ),
        (
            "b/p.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n",
        ),
    ]);
    let before: Vec<Option<String>> = ["a", "b"]
        .iter()
        .map(|r| kubectl_kustomize(&dir.path().join(r)))
        .collect();
    let out = kvet()
        .current_dir(dir.path())
        .args(["check", "--select", "schema-invalid-type", "--fix", "."])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // The base, where `"3"` is written, is fixed; nothing else changes.
    let fixed = std::fs::read_to_string(dir.path().join("base/deployment.yaml")).expect("read");
    assert_eq!(fixed, base.replace("replicas: \"3\"", "replicas: 3"));
    let patch = std::fs::read_to_string(dir.path().join("b/p.yaml")).expect("read");
    assert!(patch.contains("replicas: 5"));
    // The render changes as the fix says: `a` gets the number. So does
    // `b`: kustomize's strategic merge keeps the quotes of the value it
    // replaces (`"5"` before the fix, as kvet renders it too).
    let after: Vec<Option<String>> = ["a", "b"]
        .iter()
        .map(|r| kubectl_kustomize(&dir.path().join(r)))
        .collect();
    for (b0, b1) in before.iter().zip(&after) {
        if let (Some(b0), Some(b1)) = (b0, b1) {
            assert_ne!(b0, b1);
            assert_eq!(
                b1,
                &b0.replace("replicas: \"3\"", "replicas: 3")
                    .replace("replicas: \"5\"", "replicas: 5")
            );
        }
    }
}

#[test]
fn no_fix_when_the_rendered_value_is_not_the_one_written() {
    // The replica count is set by the overlay's `replicas` field: the
    // finding is at the kustomization's count, and the base's own value
    // (replaced) gets no fix.
    let base = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: \"3\"\n  selector");
    let dir = tree(&[
        ("base/deployment.yaml", &base),
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        (
            "a/kustomization.yaml",
            "resources: [../base]\nreplicas:\n- name: web\n  count: 2\n",
        ),
    ]);
    let out = kvet()
        .current_dir(dir.path())
        .args(["check", "--select", "schema-invalid-type", "--fix", "a"])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let after = std::fs::read_to_string(dir.path().join("base/deployment.yaml")).expect("read");
    assert_eq!(after, base);
}

/// The lines of a YAML stream, without indentation or `- `, sorted: the
/// scalars as text (block lines too), whatever the key order.
fn scalar_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text
        .lines()
        .map(|l| l.trim_start().trim_start_matches("- ").to_string())
        .collect();
    lines.sort();
    lines
}

#[test]
fn render_writes_scalars_as_kubectl_kustomize_does() {
    const TEST: &str = "render_writes_scalars_as_kubectl_kustomize_does";
    let fixture = "fixtures/kustomize/scalar-text";
    let out = kvet()
        .args(["render", fixture])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let ours = scalar_lines(&String::from_utf8_lossy(&out));
    // The oracle's output, stored (checked against kubectl below).
    let stored = std::fs::read_to_string(format!("{fixture}/expected.yaml")).expect("expected.yaml");
    assert_eq!(ours, scalar_lines(&stored));
    // Spot checks of what the fixture is about.
    for line in [
        "hex: 16",
        "hex: \"0x10\"",
        "float: \"5.0\"",
        "million-half: 1.2345675e+06",
        "sexagesimal: \"1:30\"",
        "day: \"2001-12-14T00:00:00Z\"",
        "day: \"2001-12-14\"",
        "negative-zero: 0",
        "empty: \"\"",
        "trailing-space: 'a b '",
        "hash: '#a'",
        "script: |",
        "no-final-break: |-",
        "word: \"yes\"",
    ] {
        assert!(ours.iter().any(|l| l == line), "no `{line}` in {ours:#?}");
    }
    let Some(kubectl) = common::tool(TEST, common::Tool::Kubectl) else {
        return;
    };
    let live = std::process::Command::new(kubectl)
        .args(["kustomize", fixture])
        .output()
        .expect("kubectl kustomize");
    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stderr));
    assert_eq!(ours, scalar_lines(&String::from_utf8_lossy(&live.stdout)));
}

/// `rule@file:line` of each finding of `kvet check --format json` in `dir`,
/// and the number of findings suppressed.
fn findings(dir: &std::path::Path, select: &str) -> (Vec<String>, u64) {
    let out = kvet()
        .current_dir(dir)
        .args(["check", "--format", "json", "--select", select, "."])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let found = json["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}@{}:{}",
                d["rule"].as_str().unwrap_or(""),
                d["file"].as_str().unwrap_or(""),
                d["start"]["line"]
            )
        })
        .collect();
    (found, json["summary"]["suppressed"].as_u64().unwrap_or(0))
}

/// Files (with `{c}` where a comment goes) and the findings they give.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn suppression_comments_silence_render_problems() {
    const SELECT: &str = "kustomization-build-error,kustomization-not-rendered,kustomization-cycle,kustomization-patch-no-match,unused-suppression";
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: webb\nspec:\n  replicas: 2\n";
    // (files with `{c}` where the comment goes, the finding it silences)
    let cases: [Case; 4] = [
        (
            &[
                ("k/deployment.yaml", DEPLOYMENT),
                (
                    "k/kustomization.yaml",
                    "resources: [deployment.yaml]\npatches:\n- path: p.yaml{c}\n",
                ),
                ("k/p.yaml", patch),
            ],
            &["kustomization-build-error@k/kustomization.yaml:3"],
        ),
        (
            &[
                ("k/deployment.yaml", DEPLOYMENT),
                (
                    "k/kustomization.yaml",
                    "resources:\n- deployment.yaml\n- https://example.com/x.yaml{c}\n",
                ),
            ],
            &["kustomization-not-rendered@k/kustomization.yaml:3"],
        ),
        (
            &[
                ("a/kustomization.yaml", "resources: [../b]{c}\n"),
                ("b/kustomization.yaml", "resources: [../a]{c}\n"),
            ],
            &[
                "kustomization-cycle@a/kustomization.yaml:1",
                "kustomization-cycle@b/kustomization.yaml:1",
            ],
        ),
        (
            &[
                ("k/deployment.yaml", DEPLOYMENT),
                (
                    "k/kustomization.yaml",
                    "resources: [deployment.yaml]\npatches:\n- target: {kind: Deployment, name: webb}{c}\n  patch: '[{op: add, path: /spec/replicas, value: 2}]'\n",
                ),
            ],
            &["kustomization-patch-no-match@k/kustomization.yaml:3"],
        ),
    ];
    for (files, reported) in cases {
        let rule = reported[0].split('@').next().unwrap_or("");
        let with = |comment: &str| -> Vec<(String, String)> {
            files
                .iter()
                .map(|(p, t)| (p.to_string(), t.replace("{c}", comment)))
                .collect()
        };
        let run = |files: Vec<(String, String)>| {
            let borrowed: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            let dir = tree(&borrowed);
            findings(dir.path(), SELECT)
        };
        // Without a comment: reported.
        let (found, _) = run(with(""));
        assert_eq!(found, reported, "{rule} without a comment");
        // With one at the entry: silenced, and the comment is used.
        let (found, suppressed) = run(with(&format!("  # kvet: ignore[{rule}] on purpose")));
        assert_eq!(found, Vec::<String>::new(), "{rule} with a comment");
        assert!(suppressed >= reported.len() as u64, "{rule}: {suppressed} suppressed");
        // A comment naming another rule that is not reported there: the
        // finding stays and the comment is reported as unused.
        let other = if rule == "kustomization-not-rendered" {
            "kustomization-build-error"
        } else {
            "kustomization-not-rendered"
        };
        let (found, _) = run(with(&format!("  # kvet: ignore[{other}]")));
        let unused = found.iter().filter(|f| f.starts_with("unused-suppression@")).count();
        assert_eq!(unused, reported.len(), "{rule}: {found:?}");
        for r in reported {
            assert!(found.iter().any(|f| f == r), "{rule}: {found:?}");
        }
    }
    // An unused suppression of a render rule where nothing is reported.
    let dir = tree(&[
        ("k/deployment.yaml", DEPLOYMENT),
        (
            "k/kustomization.yaml",
            "resources:\n- deployment.yaml  # kvet: ignore[kustomization-build-error]\n",
        ),
    ]);
    let (found, _) = findings(dir.path(), SELECT);
    assert_eq!(found, ["unused-suppression@k/kustomization.yaml:2"]);
}

#[test]
fn a_value_that_kept_the_base_quotes_is_fixed_in_the_base() {
    // Kustomize keeps the quotes of `"3"` when the patch's plain 5
    // replaces it: the cluster gets the string "5". The finding is at the
    // patch's 5, names the base's quoted value, and its fix removes those
    // quotes (the patch stays as written).
    let base = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: \"3\"\n  selector");
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n";
    let dir = tree(&[
        ("base/deployment.yaml", &base),
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        (
            "b/kustomization.yaml",
            "resources: [../base]\npatches:\n- path: p.yaml\n",
        ),
        ("b/p.yaml", patch),
    ]);
    let out = kvet()
        .current_dir(dir.path().join("b"))
        .args(["check", "--select", "schema-invalid-type", "--format", "json", "."])
        .output()
        .expect("run");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "schema-invalid-type");
    assert!(d["file"].as_str().is_some_and(|f| f.ends_with("p.yaml")), "{d}");
    let quoted = d["labels"]
        .as_array()
        .and_then(|l| {
            l.iter()
                .find(|l| l["message"] == "quoted here; kustomize keeps these quotes")
        })
        .expect("a label on the base's quoted value");
    assert!(
        quoted["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("base/deployment.yaml"))
    );
    assert_eq!(
        quoted["start"]["line"],
        base.lines().position(|l| l.contains("\"3\"")).map_or(0, |i| i + 1)
    );
    assert!(
        d["help"]
            .as_str()
            .is_some_and(|h| h.contains("remove them in the base"))
    );
    assert_eq!(d["fix"]["edits"][0]["replacement"], "3");
    let before = kubectl_kustomize(&dir.path().join("b"));
    let out = kvet()
        .current_dir(dir.path().join("b"))
        .args(["check", "--select", "schema-invalid-type", "--fix", "."])
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let fixed = std::fs::read_to_string(dir.path().join("base/deployment.yaml")).expect("read");
    assert_eq!(fixed, base.replace("replicas: \"3\"", "replicas: 3"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b/p.yaml")).expect("read"),
        patch
    );
    if let (Some(b0), Some(b1)) = (before, kubectl_kustomize(&dir.path().join("b"))) {
        assert!(b0.contains("replicas: \"5\""));
        assert_eq!(b1, b0.replace("replicas: \"5\"", "replicas: 5"));
    }
}
