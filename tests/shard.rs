//! `kvet check --shard I/N` and `kvet merge`: a run split across a CI
//! matrix and joined again gives the report of the whole run.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn kvet(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("kvet").unwrap_or_else(|e| panic!("kvet binary: {e}"));
    c.current_dir(dir);
    c.env_remove("NO_COLOR");
    c
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
}

fn deployment(name: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: {name}\n        image: {image}\n"
    )
}

/// Self-contained folders (a workload and its Service; a base with an
/// overlay in another folder; stray files), in `repo/` of a temporary
/// folder (reports go next to it).
fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let d = &t.path().join("repo");
    write(d, "apps/web/deploy.yaml", &deployment("web", "nginx"));
    write(
        d,
        "apps/web/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n",
    );
    write(d, "apps/api/deploy.yaml", &deployment("api", "example.com/api:1.0"));
    write(
        d,
        "apps/api/svc.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  selector: {app: apii}\n  ports:\n  - port: 80\n",
    );
    write(d, "kust/base/deploy.yaml", &deployment("db", "postgres:latest"));
    write(d, "kust/base/kustomization.yaml", "resources:\n- deploy.yaml\n");
    write(
        d,
        "kust/prod/kustomization.yaml",
        "resources:\n- ../base\nnamePrefix: prod-\nreplicas:\n- name: db\n  count: 3\n",
    );
    write(
        d,
        "misc/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: 1\n",
    );
    write(d, "misc/broken.yaml", "a: [1,\n");
    write(
        d,
        "old/ingress.yaml",
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  backend:\n    serviceName: web\n    servicePort: 80\n",
    );
    t
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn run(dir: &Path, args: &[&str]) -> std::process::Output {
    kvet(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("run kvet: {e}"))
}

#[test]
fn shards_merged_give_the_whole_runs_report() {
    let t = tree();
    let d = &t.path().join("repo");
    let full = run(d, &["check", ".", "--format", "json"]);
    assert_eq!(full.status.code(), Some(1), "{full:?}");
    let full = json(&full);
    let out_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for n in [1usize, 2, 3, 5] {
        let mut reports = Vec::new();
        let mut files = 0;
        for i in 1..=n {
            let out = run(d, &["check", ".", "--format", "json", "--shard", &format!("{i}/{n}")]);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
            if out.stdout.is_empty() {
                // A shard with nothing to lint (more shards than units).
                continue;
            }
            files += json(&out)["summary"]["files"].as_u64().unwrap_or(0);
            let path = out_dir.path().join(format!("shard-{i}-of-{n}.json"));
            fs::write(&path, &out.stdout).unwrap_or_else(|e| panic!("{e}"));
            reports.push(path);
        }
        assert_eq!(
            Some(files),
            full["summary"]["files"].as_u64(),
            "{n} shards: every file once"
        );
        // Reports in any order give the same merged report.
        reports.reverse();
        let mut args: Vec<String> = vec!["merge".into(), "--format".into(), "json".into()];
        args.extend(reports.iter().map(|p| p.display().to_string()));
        let merged = kvet(d).args(&args).output().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(merged.status.code(), Some(1), "{merged:?}");
        let merged = json(&merged);
        // The same findings; the merged report lists them by file name.
        let sorted = |v: &serde_json::Value| {
            let mut list: Vec<String> = v
                .as_array()
                .map(|a| a.iter().map(|x| x.to_string()).collect())
                .unwrap_or_default();
            list.sort();
            list
        };
        assert!(
            sorted(&merged["diagnostics"]) == sorted(&full["diagnostics"]),
            "{n} shards: the merged findings differ from the whole run's"
        );
        assert_eq!(merged["summary"], full["summary"], "{n} shards");
        for p in &reports {
            let _ = fs::remove_file(p);
        }
    }
}

#[test]
fn the_split_keeps_folders_and_kustomizations_together_and_is_stable() {
    let t = tree();
    let d = &t.path().join("repo");
    let files_of = |i: usize| {
        let out = run(d, &["check", ".", "--format", "json", "--shard", &format!("{i}/2")]);
        let mut names: Vec<String> = json(&out)["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x["file"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names.dedup();
        names
    };
    let (one, two) = (files_of(1), files_of(2));
    for f in &one {
        let folder = Path::new(f).parent().map(Path::to_path_buf);
        assert!(
            !two.iter()
                .any(|g| Path::new(g).parent().map(Path::to_path_buf) == folder),
            "{f} split from its folder: {one:?} / {two:?}"
        );
    }
    // The overlay and its base are in one shard (the base's image finding
    // is reported once, at the base, rendered by the overlay).
    let base = "kust/base/deploy.yaml".to_string();
    assert!(one.contains(&base) != two.contains(&base));
    // Deterministic: the same split again.
    assert_eq!(files_of(1), one);
}

#[test]
fn merge_formats_and_refusals() {
    let t = tree();
    let d = &t.path().join("repo");
    let out = run(d, &["check", ".", "--format", "json"]);
    // Reports and outputs next to the tree (not in it: they would be linted).
    fs::write(d.join("../all.json"), &out.stdout).unwrap_or_else(|e| panic!("{e}"));
    // SARIF, human and GitHub output from the merged findings.
    let sarif = run(d, &["merge", "../all.json", "--format", "sarif"]);
    let sarif = json(&sarif);
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().map(Vec::len);
    assert_eq!(results, json(&out)["diagnostics"].as_array().map(Vec::len));
    let human = run(d, &["merge", "../all.json", "--format", "human", "--fail-on", "never"]);
    assert_eq!(human.status.code(), Some(0));
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("apps/api/svc.yaml"), "{text}");
    assert!(
        text.contains("selector: {app: apii}"),
        "snippets from the files: {text}"
    );
    kvet(d)
        .args(["merge", "../all.json", "-o", "../merged.sarif", "--format", "sarif"])
        .assert()
        .code(1);
    assert!(d.join("../merged.sarif").is_file());
    // A file changed since the report: refused, not misplaced.
    write(d, "apps/api/svc.yaml", "# moved\n");
    let changed = run(d, &["merge", "../all.json"]);
    assert_eq!(changed.status.code(), Some(2), "{changed:?}");
    assert!(
        String::from_utf8_lossy(&changed.stderr).contains("changed since the report was made"),
        "{changed:?}"
    );
    // Not a report; bad --shard values.
    write(d, "not-a-report.json", "{\"a\": 1}\n");
    let bad = run(d, &["merge", "not-a-report.json"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a kvet JSON report"));
    for spec in ["0/2", "3/2", "x"] {
        let out = run(d, &["check", ".", "--shard", spec]);
        assert_eq!(out.status.code(), Some(2), "--shard {spec}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("I/N"), "{out:?}");
    }
}
