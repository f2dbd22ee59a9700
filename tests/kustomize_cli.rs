//! `kvet render`: the rendered objects of a kustomization folder.

use assert_cmd::Command;

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
