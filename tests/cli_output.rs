//! The command line on larger runs: shared snippets, the summary by rule,
//! fix marks, `--statistics`, several reports in one run, `--exclude`,
//! exit-code switches, no manifests, terminal-safe output, category help.

use std::path::Path;

use assert_cmd::Command;

mod common;

fn kvet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The JSON report of a run (`Null` when stdout is not JSON).
fn json_report(dir: &Path, args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&kvet(dir, args).stdout).unwrap_or_default()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A Deployment with several findings on the same container key, a
/// duplicate key (safe fix) and a paused rollout (unsafe fix).
const APP: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  paused: true
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

fn app_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("app.yaml"), APP).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn findings_at_one_place_share_a_snippet_and_the_report_ends_with_rules_and_fixes() {
    let dir = app_dir();
    let out = kvet(dir.path(), &["check", "app.yaml"]);
    let report = text(&out.stdout);
    let headers = report.lines().filter(|l| l.starts_with("app.yaml:")).count();
    let at_container: Vec<&str> = report.lines().filter(|l| l.starts_with("app.yaml:15:")).collect();
    assert!(at_container.len() >= 5, "{report}");
    // One snippet for all the findings at 15:
    let snippets = report.matches("╭─[app.yaml:15:").count();
    assert_eq!(snippets, 1, "{report}");
    assert!(headers > at_container.len());
    // Fix marks: the duplicate key (safe) and the paused rollout (unsafe).
    assert!(
        report.contains("error[yaml-duplicate-key] duplicate key `labels` [fix]"),
        "{report}"
    );
    assert!(
        report.contains("[deployment-paused]") && report.contains("[unsafe fix]"),
        "{report}"
    );
    // The summary by rule, errors first, and the fixable line last.
    let table = report
        .split("Findings by rule:\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no table: {report}"));
    let first = table.lines().next().unwrap_or_default();
    assert!(
        first.contains("error") && first.contains("yaml-duplicate-key") && first.contains("1 fixable"),
        "{table}"
    );
    assert!(
        table.contains("deployment-paused") && table.contains("1 unsafe-fixable"),
        "{table}"
    );
    assert_eq!(
        report.lines().last(),
        Some("1 fixable with `kvet check --fix` (1 more with `--unsafe-fixes`)")
    );
}

#[test]
fn statistics_print_only_the_table() {
    let dir = app_dir();
    let out = kvet(dir.path(), &["check", "app.yaml", "--statistics"]);
    let report = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(!report.contains("╭─") && !report.contains("app.yaml:"), "{report}");
    assert!(
        report.lines().next().is_some_and(|l| l.contains("yaml-duplicate-key")),
        "{report}"
    );
    let out = kvet(dir.path(), &["check", "app.yaml", "--statistics", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let rows = v.as_array().unwrap_or_else(|| panic!("{v}"));
    assert_eq!(rows[0]["rule"], "yaml-duplicate-key");
    assert_eq!(rows[0]["severity"], "error");
    assert_eq!(rows[0]["count"], 1);
    assert_eq!(rows[0]["fixable"], 1);
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap_or(0)).sum();
    let full = kvet(dir.path(), &["check", "app.yaml", "--format", "json"]);
    let all: serde_json::Value = serde_json::from_slice(&full.stdout).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(total as usize, all["diagnostics"].as_array().map_or(0, Vec::len));
}

#[test]
fn one_run_writes_several_reports() {
    let dir = app_dir();
    let out = kvet(
        dir.path(),
        &[
            "check",
            "app.yaml",
            "--format",
            "github",
            "-o",
            "sarif:k.sarif",
            "-o",
            "json:k.json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).starts_with("::warning file=app.yaml,line=6"),
        "{}",
        text(&out.stdout)
    );
    let sarif: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("k.sarif")).unwrap_or_default()).unwrap_or_default();
    assert_eq!(sarif["version"], "2.1.0");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("k.json")).unwrap_or_default()).unwrap_or_default();
    assert_eq!(json["version"], 1);
    // `-o PATH` moves the main report to the file.
    let out = kvet(dir.path(), &["check", "app.yaml", "-o", "report.txt"]);
    assert!(out.stdout.is_empty());
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap_or_default();
    assert!(report.contains("Findings by rule:"), "{report}");
    // Two main reports are a usage error.
    let out = kvet(dir.path(), &["check", "app.yaml", "-o", "a.txt", "-o", "b.txt"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn exit_code_switches_and_fix_reporting() {
    let dir = app_dir();
    assert_eq!(
        kvet(dir.path(), &["check", "app.yaml", "--exit-zero"]).status.code(),
        Some(0)
    );
    let out = kvet(dir.path(), &["check", "app.yaml", "--fix-only", "--show-fixes"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("kvet: fixed app.yaml:12:7: [yaml-duplicate-key] remove the earlier, ignored entry"),
        "{stderr}"
    );
    // Nothing left to fix: --exit-non-zero-on-fix is 0 only now.
    let dir = app_dir();
    let out = kvet(
        dir.path(),
        &[
            "check",
            "app.yaml",
            "--fix",
            "--exit-non-zero-on-fix",
            "--select",
            "yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = kvet(
        dir.path(),
        &[
            "check",
            "app.yaml",
            "--fix",
            "--exit-non-zero-on-fix",
            "--select",
            "yaml",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn exclude_and_extend_select() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for sub in ["app", "vendor/lib", "charts/x"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(dir.path().join(sub).join("d.yaml"), APP).unwrap_or_else(|e| panic!("{e}"));
    }
    let files = |args: &[&str]| {
        let v = json_report(dir.path(), &[&["check", "--format", "json"], args].concat());
        v["summary"]["files"].as_u64().unwrap_or(0)
    };
    assert_eq!(files(&[]), 3);
    assert_eq!(files(&["--exclude", "vendor"]), 2);
    assert_eq!(files(&["--exclude", "vendor,charts/**"]), 1);
    assert_eq!(files(&["--extend-exclude", "*.yaml"]), 0);
    // Opt-in rules join the selection without replacing it.
    let rules = |args: &[&str]| {
        let v = json_report(dir.path(), &[&["check", "app", "--format", "json"], args].concat());
        let mut r: Vec<String> = v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["rule"].as_str().map(String::from))
            .collect();
        r.sort();
        r.dedup();
        r
    };
    let base = rules(&[]);
    let extended = rules(&["--extend-select", "liveness-probe-missing"]);
    assert!(!base.contains(&"liveness-probe-missing".to_string()));
    assert!(extended.contains(&"liveness-probe-missing".to_string()));
    assert!(base.iter().all(|r| extended.contains(r)));
    let out = kvet(
        dir.path(),
        &["check", "app", "--extend-select", "livenes-probe-missing"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `liveness-probe-missing`"));
}

#[test]
fn no_manifest_is_a_warning_not_a_silent_pass() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("README.md"), "# nothing here\n").unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("kvet: warning: no manifest found in ."),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let evil = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  \x1b[31mevil\x1b[0m: x\n";
    std::fs::write(dir.path().join("e.yaml"), evil).unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check", "e.yaml", "--color", "never"]);
    let report = text(&out.stdout);
    assert!(report.contains("schema-unknown-field"), "{report}");
    assert!(!report.contains('\x1b'), "{report:?}");
    assert!(report.contains("\\u{1b}[31mevil"), "{report}");
}

#[test]
fn a_binary_file_is_named_binary_with_no_snippet() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa";
    std::fs::write(dir.path().join("logo.yaml"), png).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("blob.json"), b"{\"a\": 1}\x00\x01\x02\x03").unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(1));
    let report = text(&out.stdout);
    assert!(
        report.contains(
            "logo.yaml:1:1: error[yaml-syntax] binary, not a manifest (a PNG image): kvet reads YAML and JSON text"
        ),
        "{report}"
    );
    assert!(
        report.contains("blob.json:1:1: error[yaml-syntax] binary, not a manifest (it contains NUL bytes)"),
        "{report}"
    );
    assert!(
        !report.contains('╭') && !report.contains("PNG\n"),
        "no snippet:\n{report}"
    );
}

#[test]
fn categories_are_listed_and_typos_suggested() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["rules", "--category", "probes"]);
    let list = text(&out.stdout);
    assert!(
        !list.is_empty() && list.lines().all(|l| l.contains(" probes ")),
        "{list}"
    );
    let explained = text(&kvet(dir.path(), &["explain", "probes"]).stdout);
    assert!(explained.contains("probes-identical"), "{explained}");
    let out = kvet(dir.path(), &["rules", "--category", "securty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("did you mean `security`"));
    let out = kvet(dir.path(), &["diff", "1.1", "1.2", "--kind", "Deploymnt"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("did you mean `Deployment`"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn a_helm_chart_is_recognised_not_linted_as_manifests() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let chart = dir.path().join("chart");
    for sub in ["templates", "crds", "ci", "charts/dep/templates"] {
        std::fs::create_dir_all(chart.join(sub)).unwrap_or_else(|e| panic!("{e}"));
    }
    let write = |p: &str, t: &str| std::fs::write(chart.join(p), t).unwrap_or_else(|e| panic!("{e}"));
    write("Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
    write("values.yaml", "replicaCount: 1\nimage:\n  tag: \"\"\n");
    write("values-prod.yaml", "replicaCount: 3\n");
    write("ci/ci-values.yaml", "replicaCount: 2\n");
    write(
        "templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\nspec:\n  {{- if .Values.x }}\n  replicas: {{ .Values.replicaCount }}\n  {{- end }}\n",
    );
    write("charts/dep/Chart.yaml", "apiVersion: v2\nname: dep\nversion: 1.0.0\n");
    write("charts/dep/templates/x.yaml", "{{ .Values.x }}\n");
    write(
        "crds/crd.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinitio\nmetadata:\n  name: x\n",
    );
    // Without helm on PATH (an empty folder is the whole PATH).
    let no_helm = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let out = Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .env("PATH", no_helm.path())
        .args(["check", "--quiet", "--fail-on", "info"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let report = text(&out.stdout);
    let lines: Vec<&str> = report.lines().collect();
    assert!(
        lines.contains(&"chart/Chart.yaml:1:1: info[helm-chart] Helm chart `web`: its templates become manifests only when rendered"),
        "{report}"
    );
    // The chart's plain manifests are still linted; nothing else is.
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("chart/crds/crd.yaml:2:7: error[unknown-kind]")),
        "{report}"
    );
    for l in &lines {
        assert!(
            l.starts_with("chart/Chart.yaml")
                || l.starts_with("chart/crds/")
                || l.starts_with("chart/charts/dep/Chart.yaml"),
            "{l}"
        );
    }
    assert!(
        !report.contains("yaml-syntax") && !report.contains("type-meta-missing"),
        "{report}"
    );
}

#[test]
fn a_baseline_reports_only_new_findings_across_line_shifts() {
    let dir = app_dir();
    let out = kvet(
        dir.path(),
        &["check", "app.yaml", "--write-baseline", "kvet-baseline.json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let written = text(&out.stderr);
    assert!(written.contains("findings to kvet-baseline.json"), "{written}");
    // Lines added above every finding: nothing is new.
    let shifted = format!("# a comment\n# another\n{APP}");
    std::fs::write(dir.path().join("app.yaml"), &shifted).unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(
        dir.path(),
        &["check", "app.yaml", "--baseline", "kvet-baseline.json", "--quiet"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    // A new problem is reported, alone.
    let worse = shifted.replace("image: nginx:1.27", "image: nginx:latest");
    std::fs::write(dir.path().join("app.yaml"), worse).unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(
        dir.path(),
        &["check", "app.yaml", "--baseline", "kvet-baseline.json", "--quiet"],
    );
    let report = text(&out.stdout);
    let rules: Vec<&str> = report.lines().collect();
    assert!(
        !rules.is_empty() && rules.iter().all(|l| l.contains("image-")),
        "{report}"
    );
    // A broken baseline is a located usage error.
    std::fs::write(dir.path().join("bad.json"), "{\"version\": 1,\n \"findings\": 3}")
        .unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check", "app.yaml", "--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--baseline bad.json:2:"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn add_suppressions_silences_every_current_finding() {
    let dir = app_dir();
    let script = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: s\ndata:\n  run: |\n    echo hi\n";
    std::fs::write(dir.path().join("cm.yaml"), script).unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check", ".", "--add-suppressions"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("added suppressions for"),
        "{}",
        text(&out.stderr)
    );
    let after = std::fs::read_to_string(dir.path().join("app.yaml")).unwrap_or_default();
    assert!(after.contains("# kvet: ignore["), "{after}");
    // The file reads the same, and the next run is clean.
    let out = kvet(dir.path(), &["check", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("0 errors, 0 warnings, 0 infos"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cm.yaml")).unwrap_or_default(),
        script
    );
}

/// Two overlays over one base: the base's Deployment gets its selector
/// from `labels` (includeSelectors), one overlay patches the replicas.
fn kustomize_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let files = [
        (
            "base/kustomization.yaml",
            "resources:\n- deployment.yaml\nlabels:\n- pairs: {app: web}\n  includeSelectors: true\n  includeTemplates: true\n",
        ),
        (
            "base/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: nginx:latest\n",
        ),
        (
            "overlays/dev/kustomization.yaml",
            "resources:\n- ../../base\nnamePrefix: dev-\n",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "resources:\n- ../../base\npatches:\n- path: replicas.yaml\n",
        ),
        (
            "overlays/prod/replicas.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: \"3\"\n",
        ),
    ];
    for (p, t) in files {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap_or(dir.path())).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(path, t).unwrap_or_else(|e| panic!("{e}"));
    }
    dir
}

#[test]
fn kustomize_roots_are_linted_rendered_at_their_origins() {
    let dir = kustomize_tree();
    let rules = |args: &[&str]| {
        let v = json_report(dir.path(), &[&["check", ".", "--format", "json"], args].concat());
        v["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|d| {
                (
                    d["rule"].as_str().unwrap_or_default().to_string(),
                    d["file"].as_str().unwrap_or_default().to_string(),
                    d["start"]["line"].as_u64().unwrap_or(0),
                    d["labels"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter(|l| l["message"] == "rendered by this kustomization")
                        .count(),
                )
            })
            .collect::<Vec<_>>()
    };
    let raw = rules(&["--no-render"]);
    // Raw, the base lacks the selector kustomize adds, and the patch is
    // not a whole Deployment.
    assert!(
        raw.iter()
            .any(|(r, f, _, _)| r == "schema-missing-required" && f.ends_with("base/deployment.yaml")),
        "{raw:?}"
    );
    let rendered = rules(&[]);
    assert!(
        !rendered.iter().any(|(r, _, _, _)| r == "schema-missing-required"),
        "{rendered:?}"
    );
    // The image finding sits in the base, once, naming both overlays.
    let image: Vec<_> = rendered.iter().filter(|(r, _, _, _)| r == "image-tag-latest").collect();
    assert_eq!(image.len(), 1, "{rendered:?}");
    assert_eq!(
        (image[0].1.as_str(), image[0].2, image[0].3),
        ("base/deployment.yaml", 10, 2)
    );
    // The overlay's patch wrote a string where a number belongs: reported
    // at the patch's line.
    assert!(
        rendered
            .iter()
            .any(|(r, f, l, _)| r == "schema-invalid-type" && f == "overlays/prod/replicas.yaml" && *l == 6),
        "{rendered:?}"
    );
    // Each value is reported once, even though the patch is also checked
    // on its own as a partial Deployment.
    let at_patch: Vec<_> = rendered
        .iter()
        .filter(|(_, f, _, _)| f == "overlays/prod/replicas.yaml")
        .collect();
    assert_eq!(at_patch.len(), 1, "{rendered:?}");
    // JSON: the origin chain, from the value's line to each root.
    let v = json_report(
        dir.path(),
        &["check", ".", "--format", "json", "--select", "image-tag-latest"],
    );
    let origin = &v["diagnostics"][0]["origin"];
    assert_eq!(origin[0]["role"], "source", "{v}");
    assert_eq!(origin[0]["file"], "base/deployment.yaml");
    assert_eq!(origin[0]["start"]["line"], 10);
    let roots: Vec<&str> = origin
        .as_array()
        .into_iter()
        .flatten()
        .skip(1)
        .filter(|o| o["role"] == "root")
        .filter_map(|o| o["file"].as_str())
        .collect();
    assert_eq!(
        roots,
        ["overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml"],
        "{v}"
    );
    // `render: false` in the configuration is --no-render.
    std::fs::write(dir.path().join(".kvet.yaml"), "render: false\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rules(&[]).len(), raw.len());
}

#[test]
fn a_glob_star_stays_in_its_folder() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir_all(dir.path().join("a/b")).unwrap_or_else(|e| panic!("{e}"));
    for f in ["a/x.yaml", "a/b/y.yaml"] {
        std::fs::write(dir.path().join(f), APP).unwrap_or_else(|e| panic!("{e}"));
    }
    let files = |pattern: &str| {
        let v = json_report(dir.path(), &["check", pattern, "--format", "json"]);
        v["summary"]["files"].as_u64().unwrap_or(0)
    };
    assert_eq!(files("a/*.yaml"), 1);
    assert_eq!(files("a/**/*.yaml"), 2);
}

#[test]
fn config_crds_that_do_not_exist_are_located_errors() {
    let dir = app_dir();
    std::fs::write(dir.path().join(".kvet.yaml"), "crds:\n  - crds/\n  - gone.yaml\n")
        .unwrap_or_else(|e| panic!("{e}"));
    std::fs::create_dir(dir.path().join("crds")).unwrap_or_else(|e| panic!("{e}"));
    let out = kvet(dir.path(), &["check", "app.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains(".kvet.yaml:3:") && err.contains("`gone.yaml`"), "{err}");
}

#[test]
fn watch_lints_again_when_a_file_changes() {
    use std::io::BufRead;
    use std::time::{Duration, Instant};
    let dir = app_dir();
    let bin = assert_cmd::cargo::cargo_bin("kvet");
    let mut child = std::process::Command::new(bin)
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args(["check", ".", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap_or_else(|| panic!("stdout"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // stderr ("watching for changes") is drained, not read: the report's
    // summary line on stdout marks the end of a run.
    std::thread::spawn(move || std::io::copy(&mut { stderr }, &mut std::io::sink()));
    // Collects the lines of one run: up to the summary line
    // (`1 error, 0 warnings, 1 info in 1 file (1 object)`), or until the time is up.
    let next_run = || -> Vec<String> {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let done = line.contains(" in ") && line.contains(" file") && line.ends_with(')');
                    seen.push(line);
                    if done {
                        break;
                    }
                }
                Err(_) => break,
            }
        }
        seen
    };
    let first = next_run();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        assert!(
            first
                .iter()
                .any(|l| l.contains("app.yaml:6:3: warning[deployment-paused]")),
            "{first:#?}"
        );
        // A new problem in a new file, and the paused rollout fixed.
        std::fs::write(dir.path().join("app.yaml"), APP.replace("  paused: true\n", ""))
            .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            dir.path().join("cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  nmae: b\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let second = next_run();
        assert!(
            second
                .iter()
                .any(|l| l.contains("cm.yaml:5:3: error[schema-unknown-field]")),
            "{second:#?}"
        );
        assert!(!second.iter().any(|l| l.contains("deployment-paused")), "{second:#?}");
        // Piped output: no screen clearing.
        assert!(!first.iter().chain(&second).any(|l| l.contains('\x1b')));
    }));
    let _ = child.kill();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// `helm template` output of a chart `web`: two templates, a typo in the
/// second document of the deployment template.
const HELM_OUTPUT: &str = "---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicsa: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
";

#[test]
fn helm_on_path_renders_the_chart_and_findings_name_its_templates() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let root = dir.path();
    let write = |p: &str, t: &str| {
        let path = root.join(p);
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(path, t).unwrap_or_else(|e| panic!("{e}"));
    };
    write("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n");
    write("chart/values.yaml", "replicaCount: 1\n");
    write("chart/values-prod.yaml", "replicaCount: 3\n");
    write(
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
    );
    write(
        ".kvet.yaml",
        "kubernetes-version: \"1.30\"\nhelm-values: [chart/values-prod.yaml]\n",
    );
    // A fake helm: records its arguments, prints a known rendering.
    let bin = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let helm = bin.path().join("helm");
    std::fs::write(bin.path().join("rendered.yaml"), HELM_OUTPUT).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        &helm,
        "#!/bin/sh\nd=$(dirname \"$0\")\nprintf '%s\\n' \"$@\" > \"$d/args.txt\"\nif [ -f \"$d/fail\" ]; then echo 'Error: chart requires kubeVersion >=1.99' >&2; exit 1; fi\ncat \"$d/rendered.yaml\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap_or_else(|e| panic!("{e}"));
    }
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[&str]| {
        Command::cargo_bin("kvet")
            .unwrap_or_else(|e| panic!("{e}"))
            .current_dir(root)
            .env("NO_COLOR", "1")
            .env("PATH", &path)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let out = run(&["check", "chart", "--quiet", "--fail-on", "info"]);
    let report = text(&out.stdout);
    assert!(
        report.contains("chart/templates/deployment.yaml:8:3: error[schema-unknown-field] "),
        "line 8 of the deployment template's rendering:\n{report}\n{}",
        text(&out.stderr)
    );
    assert!(!report.contains("helm-chart"), "the chart was rendered:\n{report}");
    assert!(!report.contains("<stdin>") && !report.contains("values"), "{report}");
    let args = std::fs::read_to_string(bin.path().join("args.txt")).unwrap_or_default();
    let values = root.join("chart/values-prod.yaml");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        vec![
            "template",
            "chart",
            "--values",
            &values.display().to_string(),
            "--kube-version",
            "v1.30.0"
        ]
    );

    // helm fails: a warning, and the chart keeps its note.
    std::fs::write(bin.path().join("fail"), "").unwrap_or_else(|e| panic!("{e}"));
    let out = run(&["check", "chart", "--quiet", "--fail-on", "info"]);
    let err = text(&out.stderr);
    assert!(
        err.contains("kvet: warning: `helm template chart` failed: Error: chart requires kubeVersion >=1.99"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("chart/Chart.yaml:1:1: info[helm-chart]"));
}

#[test]
fn rendered_helm_output_on_stdin_is_attributed_to_its_templates() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let lint = |input: &[u8], extra: &[&str]| {
        let out = Command::cargo_bin("kvet")
            .unwrap_or_else(|e| panic!("{e}"))
            .current_dir(dir.path())
            .args(["check", "-", "--format", "json", "--no-config"])
            .args(extra)
            .write_stdin(input.to_vec())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap_or_default()
    };
    let v = lint(HELM_OUTPUT.as_bytes(), &[]);
    let unknown: Vec<&serde_json::Value> = v["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["rule"] == "schema-unknown-field").collect())
        .unwrap_or_default();
    assert_eq!(unknown.len(), 1, "{v}");
    assert_eq!(unknown[0]["file"], "web/templates/deployment.yaml");
    assert_eq!(unknown[0]["start"]["line"], 8);
    assert_eq!(v["summary"]["files"], 2);

    // Real charts rendered by helm (shared test data).
    let Some(rendered) = common::shared(
        "rendered_helm_output_on_stdin_is_attributed_to_its_templates",
        "helm-charts/rendered",
    ) else {
        return;
    };
    for chart in ["podinfo", "ingress-nginx", "sealed-secrets", "external-dns"] {
        let input = std::fs::read(rendered.join(format!("{chart}.yaml"))).unwrap_or_else(|e| panic!("{e}"));
        let v = lint(&input, &[]);
        let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
        assert!(!diags.is_empty(), "{chart}");
        for d in &diags {
            let file = d["file"].as_str().unwrap_or_default();
            assert!(file.starts_with(&format!("{chart}/templates/")), "{chart}: {d}");
        }
    }
    // With --fix the stream stays one document on stdout.
    let out = Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir.path())
        .args(["check", "-", "--fix", "--no-config"])
        .write_stdin(HELM_OUTPUT)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text(&out.stdout), HELM_OUTPUT);
}
