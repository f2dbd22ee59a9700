//! Configuration files, suppressions and user rules, as users drive them.

use std::path::Path;

use assert_cmd::Command;

fn kvet_in(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("kvet").unwrap_or_else(|e| panic!("kvet binary: {e}"));
    c.current_dir(dir);
    c
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn rules_of(v: &serde_json::Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["rule"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: nginx:1.27\n    resources:\n      requests: {cpu: 1m, memory: 64Mi}\n";

#[test]
fn config_is_found_by_walking_up_and_applied() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    std::fs::create_dir_all(root.join("apps/web"))?;
    std::fs::create_dir_all(root.join("legacy"))?;
    std::fs::write(
        root.join(".kvet.yaml"),
        "select: [requests-too-low, requests-missing]\nignore: [qos-not-guaranteed]\nseverity:\n  requests-too-low: error\noptions:\n  requests-too-low: {min-cpu: 50m}\nignore-paths:\n  'legacy/**': [all]\n",
    )?;
    std::fs::write(root.join("apps/web/pod.yaml"), POD)?;
    std::fs::write(root.join("legacy/pod.yaml"), POD)?;
    let out = kvet_in(&root.join("apps"))
        .args(["check", "--format", "json", "../"])
        .output()?;
    let v = json(&out);
    let rules = rules_of(&v, "diagnostics");
    assert_eq!(rules, vec!["requests-too-low"], "{v}");
    assert_eq!(v["diagnostics"][0]["severity"], "error");
    assert_eq!(v["diagnostics"][0]["file"], "../apps/web/pod.yaml");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(v["summary"]["suppressed"], 1, "the legacy finding is ignored by path");

    // The command line wins over the file; --no-config ignores it.
    let out = kvet_in(root)
        .args(["check", "--format", "json", "--select", "probes", "apps"])
        .output()?;
    assert!(rules_of(&json(&out), "diagnostics").is_empty());
    let out = kvet_in(root)
        .args(["check", "--format", "json", "--no-config", "apps"])
        .output()?;
    assert!(rules_of(&json(&out), "diagnostics").contains(&"qos-not-guaranteed".to_string()));
    Ok(())
}

#[test]
fn bad_config_is_a_located_usage_error() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "select: [probes]\nseverty:\n  probes-identical: error\n",
    )?;
    std::fs::write(dir.path().join("pod.yaml"), POD)?;
    let out = kvet_in(dir.path()).args(["check", "."]).output()?;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(".kvet.yaml:2:1: unknown setting `severty` (did you mean `severity`?)"),
        "{err}"
    );
    Ok(())
}

#[test]
fn init_writes_a_valid_starter() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    kvet_in(dir.path()).arg("init").assert().code(0);
    assert!(dir.path().join(".kvet.yaml").is_file());
    kvet_in(dir.path()).arg("init").assert().code(2);
    kvet_in(dir.path()).args(["init", "--force"]).assert().code(0);
    std::fs::write(dir.path().join("pod.yaml"), POD)?;
    kvet_in(dir.path()).args(["check", "."]).assert().code(0);
    Ok(())
}

#[test]
fn every_suppression_form_works() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let text = "\
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
  - name: a # kvet: ignore[requests-missing] sized by the autoscaler
    image: nginx:1.27
  # kvet: ignore[requests-missing]
  - name: b
    image: nginx:1.27
---
# kvet: ignore-object[requests-missing]
apiVersion: v1
kind: Pod
metadata:
  name: c
spec:
  containers:
  - name: c
    image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: d
  annotations:
    kvet.dev/ignore: \"requests-missing, qos-not-guaranteed\"
spec:
  containers:
  - name: d
    image: nginx:1.27
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: e
spec:
  selector: {matchLabels: {app: e}}
  template:
    metadata:
      labels: {app: e}
      annotations: {kvet.dev/ignore: requests-missing}
    spec:
      containers:
      - name: e
        image: nginx:1.27
---
apiVersion: v1
kind: Pod
metadata:
  name: f
spec:
  containers:
  - name: f
    image: nginx:1.27
";
    std::fs::write(dir.path().join("pods.yaml"), text)?;
    let out = kvet_in(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "requests-missing,unused-suppression",
            "--show-suppressed",
            "pods.yaml",
        ])
        .output()?;
    let v = json(&out);
    // Only pod `f` is reported; five are suppressed, none unused.
    let kept: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["rule"].as_str().unwrap_or("").to_string(),
                        d["start"]["line"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(kept, vec![("requests-missing".to_string(), 55)], "{v}");
    assert_eq!(rules_of(&v, "suppressed").len(), 5, "{v}");

    // A whole-file suppression.
    let bare = "apiVersion: v1\nkind: Pod\nmetadata: {name: g}\nspec:\n  containers: [{name: g, image: nginx}]\n";
    std::fs::write(
        dir.path().join("file.yaml"),
        format!("# kvet: ignore-file[requests-missing] generated\n{bare}"),
    )?;
    let out = kvet_in(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--select",
            "requests-missing,unused-suppression",
            "file.yaml",
        ])
        .output()?;
    assert!(rules_of(&json(&out), "diagnostics").is_empty());
    Ok(())
}

#[test]
fn custom_rules_fire_with_spans() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("policies"))?;
    std::fs::write(
        dir.path().join("policies/team.yaml"),
        "id: team-label-missing\ncategory: metadata\nseverity: error\nsummary: Every object names its owning team.\nwhy: On-call needs to know whom to page.\nfix: Add a `team` label.\nbad: |\n  kind: Pod\ngood: |\n  kind: Pod\ntemplate:\n  check: object\n  path: metadata.labels.team\n  when: {missing: true}\n  message: \"{kind} `{name}` has no `team` label\"\n---\nid: registry-internal\ncategory: images\nseverity: warning\nsummary: Images come from the internal registry.\nwhy: Supply chain.\nfix: Mirror the image.\nbad: x\ngood: z\ntemplate:\n  check: container\n  path: image\n  when: {not-matches: '^registry\\.internal/'}\n  message: \"{container} pulls `{value}` from outside registry.internal\"\n",
    )?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "custom-rules: [policies/]\nselect: [team-label-missing, registry-internal]\n",
    )?;
    std::fs::write(dir.path().join("pod.yaml"), POD)?;
    let out = kvet_in(dir.path())
        .args(["check", "--format", "json", "pod.yaml"])
        .output()?;
    let v = json(&out);
    let d = &v["diagnostics"];
    assert_eq!(d[0]["rule"], "team-label-missing");
    assert_eq!(d[0]["message"], "Pod `web` has no `team` label");
    assert_eq!(d[0]["start"]["line"], 3, "points at `metadata`");
    assert_eq!(d[1]["rule"], "registry-internal");
    assert_eq!(
        d[1]["message"],
        "container `web` pulls `nginx:1.27` from outside registry.internal"
    );
    assert_eq!(d[1]["start"]["line"], 8);
    assert_eq!(d[1]["start"]["column"], 12);

    // A broken rule file is a located error.
    std::fs::write(
        dir.path().join("policies/broken.yaml"),
        "id: broken\ncategory: metadata\nseverity: info\nsummary: s\nwhy: w\nfix: f\nbad: b\ngood: g\ntemplate:\n  check: object\n  path: x\n  when: {equal: 1}\n  message: m\n",
    )?;
    let out = kvet_in(dir.path()).args(["check", "pod.yaml"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("broken.yaml:12:10: template: unknown condition `equal`"),
        "{err}"
    );
    Ok(())
}
