//! Schemas and the upgrade advisor, end to end: versions, diffs, the
//! 1.1 → 1.2 Deployment changes at their lines, a migration fix that
//! validates under the target, and agreement between neighbouring versions
//! on the corpus.

mod common;

use std::path::Path;

use assert_cmd::Command;

fn kvet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn every_embedded_version_loads_and_is_listed() {
    assert!(kvet::schema::load_error().is_none());
    let versions = kvet::schema::versions();
    assert_eq!(versions.len(), 38);
    for v in versions {
        let s = kvet::schema::schema(v.name).unwrap_or_else(|| panic!("{} does not load", v.name));
        assert!(s.lookup("v1", "Pod").is_some(), "{} has no v1 Pod", v.name);
    }
    let out = kvet(root(), &["versions", "--format", "json"]);
    let list = json(&out);
    let approx: Vec<&str> = list
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|v| v["approximate"] == true)
                .filter_map(|v| v["version"].as_str())
                .collect()
        })
        .unwrap_or_default();
    for v in ["1.1", "1.4", "1.5"] {
        assert!(approx.contains(&v), "{v} must be marked approximate: {approx:?}");
    }
    let human = String::from_utf8_lossy(&kvet(root(), &["versions"]).stdout).into_owned();
    assert!(
        human
            .lines()
            .any(|l| l.starts_with("1.1 ") && l.contains("approximate"))
    );
}

#[test]
fn diff_1_1_to_1_2_shows_the_deployment_changes() {
    let out = kvet(root(), &["diff", "1.1", "1.2", "--kind", "Deployment"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("- spec.uniqueLabelKey"), "{text}");
    assert!(text.contains("- spec.strategy.rollingUpdate.minReadySeconds"), "{text}");
    assert!(text.contains("+ spec.minReadySeconds"), "{text}");
    assert!(
        text.contains("~ spec.selector: map of string → object (LabelSelector)"),
        "{text}"
    );
    assert!(text.contains("note: 1.1 is approximate"));
    let v = json(&kvet(
        root(),
        &["diff", "1.1", "1.2", "--kind", "Deployment", "--format", "json"],
    ));
    assert_eq!(v["from"], "1.1");
    assert!(v["changed_kinds"].as_array().is_some_and(|k| !k.is_empty()));
    assert_eq!(kvet(root(), &["diff", "1.1", "9.9"]).status.code(), Some(2));
}

#[test]
fn upgrade_1_1_to_1_2_reports_at_the_lines() {
    let out = kvet(
        root(),
        &[
            "check",
            "fixtures/field-removed/bad.yaml",
            "--kubernetes-version",
            "1.1",
            "--target-version",
            "1.2",
            "--select",
            "api,schema",
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    let found: Vec<(String, u64)> = v["diagnostics"]
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
    assert_eq!(
        found,
        vec![
            ("field-removed".to_string(), 10),
            ("field-type-changed".to_string(), 11),
            ("field-removed".to_string(), 17)
        ],
        "{v}"
    );
    // Without the upgrade, 1.1 itself accepts the manifest.
    let out = kvet(
        root(),
        &[
            "check",
            "fixtures/field-removed/bad.yaml",
            "--kubernetes-version",
            "1.1",
            "--select",
            "api,schema",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    // An unknown version is a usage error.
    assert_eq!(
        kvet(root(), &["check", "fixtures", "--kubernetes-version", "1.99"])
            .status
            .code(),
        Some(2)
    );
}

const OLD_DEPLOYMENT: &str = "\
# Frontend, written for Kubernetes 1.1.
apiVersion: extensions/v1beta1
kind: Deployment
metadata:
  name: frontend   # the public web tier
spec:
  replicas: 3
  uniqueLabelKey: deployment.kubernetes.io/podTemplateHash
  selector:
    app: frontend
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
      minReadySeconds: 10  # wait for warm caches
  template:
    metadata:
      labels:
        app: frontend
    spec:
      containers:
      - name: web
        image: nginx:1.9
";

#[test]
fn fix_migrates_a_1_1_deployment_to_1_16() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("frontend.yaml");
    std::fs::write(&file, OLD_DEPLOYMENT)?;
    let out = kvet(
        dir.path(),
        &[
            "check",
            "frontend.yaml",
            "--target-version",
            "1.16",
            "--select",
            "api,schema",
            "--fix",
        ],
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("fixed 4 findings"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let fixed = std::fs::read_to_string(&file)?;
    assert!(
        fixed.starts_with("# Frontend, written for Kubernetes 1.1.\napiVersion: apps/v1\n"),
        "{fixed}"
    );
    assert!(fixed.contains("  name: frontend   # the public web tier\n"));
    assert!(
        fixed.contains("  minReadySeconds: 10  # wait for warm caches"),
        "{fixed}"
    );
    assert!(
        fixed.contains("  selector:\n    matchLabels:\n      app: frontend\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("uniqueLabelKey"));
    // The result validates under 1.16.
    let out = kvet(
        dir.path(),
        &[
            "check",
            "frontend.yaml",
            "--kubernetes-version",
            "1.16",
            "--select",
            "api,schema",
            "--format",
            "json",
        ],
    );
    let v = json(&out);
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{v}");
    // A second run changes nothing.
    kvet(
        dir.path(),
        &[
            "check",
            "frontend.yaml",
            "--target-version",
            "1.16",
            "--select",
            "api,schema",
            "--fix",
        ],
    );
    assert_eq!(std::fs::read_to_string(&file)?, fixed);
    Ok(())
}

/// True when one field path (`a.b[].c`) is the other or lies under it.
fn same_branch(a: &str, b: &str) -> bool {
    let under = |long: &str, short: &str| {
        !short.is_empty()
            && long
                .strip_prefix(short)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    a == b || under(a, b) || under(b, a)
}

#[test]
fn same_branch_compares_whole_segments() {
    assert!(same_branch("spec.replicas", "spec.replicas"));
    assert!(same_branch("spec.template.spec", "spec"));
    assert!(same_branch("spec", "spec.template.spec"));
    assert!(same_branch("spec.containers[].image", "spec.containers"));
    assert!(!same_branch("spec.replicasX", "spec.replicas"));
    assert!(!same_branch("spec.replicas", ""));
    assert!(!same_branch("", "spec.replicas"));
}

/// A document that kvet calls schema-valid under 1.37 gets no `schema-*`
/// finding under 1.36 unless the 1.36 → 1.37 delta explains it.
#[test]
fn neighbouring_versions_agree_on_the_corpus() {
    let Some(corpus) = common::shared("neighbouring_versions_agree_on_the_corpus", "corpus") else {
        return;
    };
    let corpus = corpus.display().to_string();
    let run = |version: &str| {
        let out = kvet(
            root(),
            &[
                "check",
                &corpus,
                "--kubernetes-version",
                version,
                "--select",
                "schema",
                "--format",
                "json",
                "--fail-on",
                "never",
            ],
        );
        json(&out)
    };
    let newer = run("1.37");
    let older = run("1.36");
    let key = |d: &serde_json::Value| {
        (
            d["file"].as_str().unwrap_or("").to_string(),
            d["object"]["name"].as_str().unwrap_or("").to_string(),
            d["object"]["kind"].as_str().unwrap_or("").to_string(),
        )
    };
    let invalid_in_newer: std::collections::HashSet<_> = newer["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["rule"].as_str().is_some_and(|r| r.starts_with("schema-")))
        .map(key)
        .collect();
    let delta = kvet::schema::diff(
        kvet::schema::schema("1.36").unwrap_or_else(|| panic!("1.36")),
        kvet::schema::schema("1.37").unwrap_or_else(|| panic!("1.37")),
        None,
    );
    let changed_paths: Vec<String> = delta
        .changed_kinds
        .iter()
        .flat_map(|k| k.changes.iter().map(|c| c.path.clone()))
        .collect();
    let strip = kvet::schema::check::bracketless;
    let mut unexplained = Vec::new();
    for d in older["diagnostics"].as_array().into_iter().flatten() {
        if !d["rule"].as_str().is_some_and(|r| r.starts_with("schema-")) || invalid_in_newer.contains(&key(d)) {
            continue;
        }
        let msg = d["message"].as_str().unwrap_or("");
        // A finding is explained by a changed path at, above or below its
        // own (whole segments); one without a path is explained only by a
        // kind the newer version adds.
        let path = msg.split('`').nth(1).map(strip).filter(|p| !p.is_empty());
        let explained = path
            .as_deref()
            .is_some_and(|p| changed_paths.iter().any(|c| same_branch(p, c)))
            || delta.added_kinds.iter().any(|k| d["object"]["kind"] == k.kind);
        if !explained {
            unexplained.push(format!("{} {}", d["file"], msg));
        }
    }
    assert!(
        unexplained.is_empty(),
        "schema-* findings under 1.36 that 1.37 does not have and the delta does not explain:\n{}",
        unexplained.join("\n")
    );
}

#[test]
fn crd_files_given_with_crd_validate_custom_resources() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let fixture = std::fs::read_to_string(root().join("fixtures/schema-unknown-field/bad-crd.yaml"))?;
    let (crd, cr) = fixture.split_once("---\n").unwrap_or_default();
    std::fs::create_dir_all(dir.path().join("crds"))?;
    std::fs::write(dir.path().join("crds/backup.yaml"), crd)?;
    std::fs::write(dir.path().join("backup.yaml"), cr)?;
    // Without the CRD: an info that the schema is unknown.
    let v = json(&kvet(
        dir.path(),
        &["check", "backup.yaml", "--select", "schema", "--format", "json"],
    ));
    assert_eq!(v["diagnostics"][0]["rule"], "unknown-kind");
    assert_eq!(v["diagnostics"][0]["severity"], "info");
    // With it: the misspelt field, and nothing reported in the CRD file itself.
    let v = json(&kvet(
        dir.path(),
        &[
            "check",
            "backup.yaml",
            "--crd",
            "crds",
            "--select",
            "schema",
            "--format",
            "json",
        ],
    ));
    let d = &v["diagnostics"];
    assert_eq!(d.as_array().map(Vec::len), Some(1), "{v}");
    assert_eq!(d[0]["rule"], "schema-unknown-field");
    assert_eq!(d[0]["file"], "backup.yaml");
    assert_eq!(d[0]["help"], "did you mean `retentionDays`?");
    assert_eq!(v["summary"]["files"], 1);
    Ok(())
}

#[test]
fn deprecated_crd_versions_are_fixed_only_when_the_object_fits() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let fixture = std::fs::read_to_string(root().join("fixtures/api-deprecated/bad.yaml"))?;
    let crd_start = fixture
        .find("apiVersion: apiextensions.k8s.io/v1")
        .unwrap_or_else(|| panic!("no CRD in the fixture"));
    let crd_end = fixture[crd_start..]
        .find("\n---\n")
        .map_or(fixture.len(), |i| crd_start + i);
    std::fs::write(dir.path().join("crd.yaml"), &fixture[crd_start..crd_end])?;
    let fits = "apiVersion: example.com/v1alpha1\nkind: Backup\nmetadata: {name: a}\nspec: {schedule: daily}\n";
    // `spec.retention` is not in v1's schema: moving would lose it.
    let misfit = "apiVersion: example.com/v1alpha1\nkind: Backup\nmetadata: {name: b}\nspec: {retention: 3}\n";
    std::fs::write(dir.path().join("fits.yaml"), fits)?;
    std::fs::write(dir.path().join("misfit.yaml"), misfit)?;
    let v = json(&kvet(
        dir.path(),
        &[
            "check",
            "fits.yaml",
            "misfit.yaml",
            "--crd",
            "crd.yaml",
            "--select",
            "api-deprecated",
            "--format",
            "json",
        ],
    ));
    let d = v["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(d.len(), 2, "{v}");
    assert_eq!(d[0]["file"], "fits.yaml");
    assert_eq!(d[0]["fix"]["edits"][0]["replacement"], "example.com/v1");
    assert_eq!(d[1]["file"], "misfit.yaml");
    assert!(d[1]["fix"].is_null(), "{v}");
    // With a known current version, an upgrade reports only what the
    // Kubernetes versions change; the CRD's deprecation is not one of them.
    let v = json(&kvet(
        dir.path(),
        &[
            "check",
            "fits.yaml",
            "--crd",
            "crd.yaml",
            "--kubernetes-version",
            "1.30",
            "--target-version",
            "1.33",
            "--select",
            "api-deprecated",
            "--format",
            "json",
        ],
    ));
    assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(0), "{v}");
    Ok(())
}

/// An upgrade check never hides what is already broken in the cluster's
/// version: a field unknown in both versions is an error of its own, an
/// apiVersion removed before the cluster's version is still `api-removed`
/// (rejected by the cluster's API server), and what the upgrade removes is
/// advice about the target.
#[test]
fn target_version_keeps_what_is_broken_at_the_current_version() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::write(
        dir.path().join("app.yaml"),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  replicaz: 2\n  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n      - {name: a, image: a:1}\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\nspec:\n  backend: {serviceName: s, servicePort: 80}\n---\napiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: a, image: a:1}]\n",
    )?;
    let args = |extra: &[&'static str]| {
        let mut a = vec!["check", "app.yaml", "--select", "api,schema", "--format", "json"];
        a.extend_from_slice(extra);
        a
    };
    let found = |v: &serde_json::Value| -> Vec<(u64, String, String)> {
        v["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        (
                            d["start"]["line"].as_u64().unwrap_or(0),
                            d["rule"].as_str().unwrap_or("").to_string(),
                            d["help"].as_str().unwrap_or("").to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let upgrade = found(&json(&kvet(
        dir.path(),
        &args(&["--kubernetes-version", "1.24", "--target-version", "1.25"]),
    )));
    let rules: Vec<(u64, &str)> = upgrade.iter().map(|(l, r, _)| (*l, r.as_str())).collect();
    assert_eq!(
        rules,
        vec![(5, "schema-unknown-field"), (13, "api-removed"), (19, "api-removed")],
        "{upgrade:?}"
    );
    // Each as what it is: the Ingress is rejected by the cluster's 1.24,
    // the CronJob by the target 1.25.
    assert!(upgrade[1].2.contains("API server of 1.24"), "{upgrade:?}");
    assert!(upgrade[2].2.contains("API server of 1.25"), "{upgrade:?}");
    // The same broken things as a plain check of the cluster's version.
    let current = found(&json(&kvet(dir.path(), &args(&["--kubernetes-version", "1.24"]))));
    for line in [5, 13] {
        assert!(current.iter().any(|(l, _, _)| *l == line), "{current:?}");
    }
    Ok(())
}

#[test]
fn a_target_older_than_the_cluster_is_a_usage_error() {
    let out = kvet(
        root(),
        &[
            "check",
            "fixtures/value-out-of-range/good.yaml",
            "--kubernetes-version",
            "1.30",
            "--target-version",
            "1.29",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--target-version 1.29 is older than --kubernetes-version 1.30"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    // Equal versions are fine (nothing changes).
    let out = kvet(
        root(),
        &[
            "check",
            "fixtures/value-out-of-range/good.yaml",
            "--kubernetes-version",
            "1.30",
            "--target-version",
            "1.30",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}
