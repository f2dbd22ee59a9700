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

const TEAM_RULE: &str = "id: team-label-missing\ncategory: metadata\nseverity: error\nsummary: Every object names its owning team.\nwhy: On-call needs to know whom to page.\nfix: Add a `team` label.\nbad: |\n  kind: Pod\ngood: |\n  kind: Pod\ntemplate:\n  check: object\n  path: metadata.labels.team\n  when: {missing: true}\n  message: \"{kind} `{name}` has no `team` label\"\n";

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn kvet_config_shows_every_setting_and_where_it_came_from() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("policies"))?;
    std::fs::write(dir.path().join("policies/team.yaml"), TEAM_RULE)?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "# team settings\nkubernetes-version: \"1.30\"\nselect: [probes]\nseverity:\n  requests-missing: error\noptions:\n  requests-too-low: {min-cpu: 50m}\nignore-paths:\n  \"legacy/**\": [all]\ncustom-rules: [policies/]\nfail-on: warning\n",
    )?;
    std::fs::write(dir.path().join("pod.yaml"), POD)?;

    let out = kvet_in(dir.path()).args(["config"]).output()?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let human = text(&out.stdout);
    for line in [
        "# configuration file: .kvet.yaml",
        "kubernetes-version: 1.30  # .kvet.yaml:2:1",
        "target-version: (none: no upgrade advice)  # default",
        "select: [probes]  # .kvet.yaml:3:1",
        "severity:  # .kvet.yaml:4:1",
        "  requests-missing: error",
        "options:  # .kvet.yaml:6:1",
        "  requests-too-low: {min-cpu: 50m}",
        "ignore-paths:  # .kvet.yaml:8:1",
        "  legacy/**: [all]",
        "custom-rules: [team-label-missing]  # .kvet.yaml:10:1",
        "fail-on: warning  # .kvet.yaml:11:1",
        "render: true  # default",
        "baseline: (none)  # default",
        "exclude: (none)  # default",
        "crds: (none)  # default",
    ] {
        assert!(human.lines().any(|l| l == line), "missing `{line}` in\n{human}");
    }

    // Flags win over the file and say so; `check --show-settings` is the same.
    let out = kvet_in(dir.path())
        .args([
            "check",
            "--show-settings",
            "--format",
            "json",
            "--fail-on",
            "error",
            "--ignore",
            "team-label-missing",
            "--exclude",
            "vendor",
            "--baseline",
            "base.json",
            "--no-render",
        ])
        .output()?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v = json(&out);
    let c = &v["configurations"][0];
    assert_eq!(c["file"], ".kvet.yaml");
    let s = &c["settings"];
    assert_eq!(
        s["fail-on"],
        serde_json::json!({"value": "error", "from": ["--fail-on"]})
    );
    assert_eq!(
        s["ignore"],
        serde_json::json!({"value": ["team-label-missing"], "from": ["--ignore"]})
    );
    assert_eq!(s["kubernetes-version"]["from"][0], ".kvet.yaml:2:1");
    assert_eq!(s["exclude"]["value"][0], "vendor");
    assert_eq!(s["baseline"]["value"], "base.json");
    assert_eq!(
        s["render"],
        serde_json::json!({"value": false, "from": ["--no-render"]})
    );
    assert_eq!(s["options"]["value"]["requests-too-low"]["min-cpu"], "50m");
    assert!(c["rules_enabled"].as_u64().is_some_and(|n| n > 0));

    // Without a configuration file: every value is a default.
    let out = kvet_in(dir.path())
        .args(["config", "--no-config", "--format", "json"])
        .output()?;
    let v = json(&out);
    let c = &v["configurations"][0];
    assert_eq!(c["file"], serde_json::Value::Null);
    assert_eq!(
        c["settings"]["fail-on"],
        serde_json::json!({"value": "error", "from": ["default"]})
    );
    assert_eq!(c["settings"]["kubernetes-version"]["from"][0], "default");

    // Only human and JSON.
    let out = kvet_in(dir.path()).args(["config", "--format", "sarif"]).output()?;
    assert_eq!(out.status.code(), Some(2));
    Ok(())
}

#[test]
fn config_enum_values_versions_and_options_are_located_with_hints() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("pod.yaml"), POD)?;
    std::fs::write(
        dir.path().join(".kvet.yaml"),
        "fail-on: warnings\nkubernetes-version: \"1.99\"\noptions:\n  requests-too-low: {min-cpu: lots}\n  object-duplicate: {scope: directry}\n",
    )?;
    for args in [&["check", "pod.yaml"][..], &["config"][..]] {
        let out = kvet_in(dir.path()).args(args).output()?;
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        for want in [
            ".kvet.yaml:1:10: `warnings` is not a `fail-on` value: error, warning, info or never (did you mean `warning`?)",
            ".kvet.yaml:2:21: unknown Kubernetes version `1.99`: kvet embeds 1.0 to 1.37",
            ".kvet.yaml:4:31: `requests-too-low` option `min-cpu`: `lots` is not a quantity like `10m`",
            ".kvet.yaml:5:29: `object-duplicate` option `scope`: `directry` is not one of file, directory or run (did you mean `directory`?)",
        ] {
            assert!(err.contains(want), "{args:?}: missing `{want}` in\n{err}");
        }
    }
    // --select and --ignore typos get the closest rule or category.
    std::fs::remove_file(dir.path().join(".kvet.yaml"))?;
    for (flag, typo, hint) in [
        ("--select", "requests-mising", "requests-missing"),
        ("--select", "securty", "security"),
        ("--ignore", "probes-identicl", "probes-identical"),
        ("--extend-select", "imags", "images"),
    ] {
        let out = kvet_in(dir.path()).args(["check", flag, typo, "pod.yaml"]).output()?;
        assert_eq!(out.status.code(), Some(2));
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!(
                "{flag}: unknown rule or category `{typo}` (did you mean `{hint}`?)"
            )),
            "{err}"
        );
    }
    // Even when there is nothing to lint.
    let empty = tempfile::tempdir()?;
    let out = kvet_in(empty.path()).args(["check", "--select", "securty"]).output()?;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    Ok(())
}

#[test]
fn custom_rules_are_listed_explained_and_selectable() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir_all(dir.path().join("policies"))?;
    std::fs::create_dir_all(dir.path().join("apps"))?;
    std::fs::write(dir.path().join("policies/team.yaml"), TEAM_RULE)?;
    std::fs::write(dir.path().join(".kvet.yaml"), "custom-rules: [policies/]\n")?;
    std::fs::write(dir.path().join("apps/pod.yaml"), POD)?;

    // `kvet rules` finds the configuration above the current folder.
    let out = kvet_in(&dir.path().join("apps")).args(["rules"]).output()?;
    let listed = text(&out.stdout);
    assert!(
        listed.lines().any(|l| l.starts_with("team-label-missing ")
            && l.contains("Every object names its owning team.")
            && l.ends_with("(custom)")),
        "{listed}"
    );
    let out = kvet_in(dir.path())
        .args(["rules", "--format", "json", "--category", "metadata"])
        .output()?;
    let v = json(&out);
    let team = v
        .as_array()
        .and_then(|a| a.iter().find(|r| r["id"] == "team-label-missing"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(team["custom"], true, "{v}");
    let out = kvet_in(dir.path()).args(["rules", "--no-config"]).output()?;
    assert!(!text(&out.stdout).contains("team-label-missing"));

    let out = kvet_in(dir.path()).args(["explain", "team-label-missing"]).output()?;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let doc = text(&out.stdout);
    assert!(
        doc.starts_with("team-label-missing (metadata, error)") && doc.contains("On-call needs to know whom to page."),
        "{doc}"
    );
    let out = kvet_in(dir.path()).args(["explain", "team-label-mising"]).output()?;
    assert!(text(&out.stderr).contains("did you mean `team-label-missing`?"));
    let out = kvet_in(dir.path()).args(["explain", "metadata"]).output()?;
    assert!(text(&out.stdout).contains("team-label-missing"));

    // `--select`/`--ignore` know it (it is on by default, so ignoring it silences it).
    let out = kvet_in(dir.path())
        .args(["check", "--format", "json", "--select", "team-label-missing", "apps"])
        .output()?;
    assert_eq!(rules_of(&json(&out), "diagnostics"), vec!["team-label-missing"]);
    let out = kvet_in(dir.path())
        .args(["check", "--format", "json", "--ignore", "team-label-missing", "apps"])
        .output()?;
    assert!(!rules_of(&json(&out), "diagnostics").contains(&"team-label-missing".to_string()));
    Ok(())
}
