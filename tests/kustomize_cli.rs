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
