//! The command line as users and CI jobs drive it: exit codes, stdin, bad
//! paths, output formats, `--fail-on`, rule listing and docs.

use std::path::Path;

use assert_cmd::Command;

fn kvet() -> Command {
    let mut c = Command::cargo_bin("kvet").unwrap_or_else(|e| panic!("kvet binary: {e}"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c
}

fn stdout_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn json_of(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout_of(out)))
}

#[test]
fn exit_codes_follow_fail_on() {
    // An error-level finding fails by default.
    kvet()
        .args(["check", "fixtures/selector-mismatch/bad.yaml"])
        .assert()
        .code(1);
    kvet()
        .args([
            "check",
            "fixtures/selector-mismatch/good.yaml",
            "--select",
            "selector-mismatch",
        ])
        .assert()
        .code(0);
    // Warnings only: pass unless --fail-on warning.
    let warn = "fixtures/probes-identical/bad.yaml";
    kvet()
        .args(["check", warn, "--select", "probes-identical"])
        .assert()
        .code(0);
    kvet()
        .args(["check", warn, "--select", "probes-identical", "--fail-on", "warning"])
        .assert()
        .code(1);
    kvet()
        .args(["check", warn, "--select", "probes-identical", "--fail-on", "info"])
        .assert()
        .code(1);
    kvet()
        .args(["check", "fixtures/selector-mismatch/bad.yaml", "--fail-on", "never"])
        .assert()
        .code(0);
}

#[test]
fn missing_path_is_exit_2_after_linting_the_rest() {
    let out = kvet()
        .args([
            "check",
            "no/such/file.yaml",
            "fixtures/selector-mismatch/bad.yaml",
            "--select",
            "selector-mismatch",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stdout_of(&out).contains("selector-mismatch"),
        "the other input is still reported"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/file.yaml: no such file or directory"), "{err}");
}

#[test]
fn usage_errors_are_exit_2() {
    kvet().args(["check", "--select", "no-such-rule"]).assert().code(2);
    kvet().args(["check", "--format", "xml"]).assert().code(2);
    kvet().args(["frobnicate"]).assert().code(2);
    let out = kvet()
        .args(["check", "--select", "probes-identicl", "fixtures"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean `probes-identical`?"));
}

#[test]
fn stdin_with_a_name() {
    let manifest = std::fs::read_to_string("fixtures/selector-mismatch/bad.yaml").unwrap_or_default();
    let out = kvet()
        .args([
            "check",
            "-",
            "--stdin-filename",
            "deploy/web.yaml",
            "--format",
            "json",
            "--select",
            "selector-mismatch",
        ])
        .write_stdin(manifest)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    assert_eq!(v["diagnostics"][0]["file"], "deploy/web.yaml");
    assert_eq!(v["diagnostics"][0]["start"]["line"], 8);
}

#[test]
fn json_report_has_the_documented_fields() {
    let out = kvet()
        .args(["check", "fixtures/selector-mismatch/bad.yaml", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v = json_of(&out);
    assert_eq!(v["version"], 1);
    let d = &v["diagnostics"][0];
    for key in [
        "rule", "severity", "message", "help", "file", "start", "end", "object", "labels",
    ] {
        assert!(d.get(key).is_some(), "missing {key}: {d}");
    }
    for key in ["line", "column", "offset"] {
        assert!(d["start"][key].is_u64() && d["end"][key].is_u64());
    }
    assert_eq!(d["object"]["kind"], "Deployment");
    assert_eq!(d["object"]["apiVersion"], "apps/v1");
    for key in ["files", "objects", "errors", "warnings", "infos"] {
        assert!(v["summary"][key].is_u64(), "summary.{key}");
    }
}

/// `KVET_TIMINGS=1` notes each phase's end on stderr, in order, and leaves
/// the report alone; without it stderr stays quiet.
#[test]
fn timings_go_to_stderr_in_phase_order() {
    let args = [
        "check",
        "fixtures/selector-mismatch/bad.yaml",
        "--format",
        "json",
        "--no-cache",
    ];
    let plain = kvet().args(args).output().unwrap_or_else(|e| panic!("{e}"));
    let timed = kvet()
        .args(args)
        .env("KVET_TIMINGS", "1")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stdout_of(&timed), stdout_of(&plain));
    assert!(plain.stderr.is_empty(), "{}", String::from_utf8_lossy(&plain.stderr));
    let stderr = String::from_utf8_lossy(&timed.stderr);
    let phases: Vec<(f64, &str)> = stderr
        .lines()
        .map(|l| {
            let (ms, name) = l
                .trim_start()
                .split_once(" ms  ")
                .unwrap_or_else(|| panic!("not a timing: {l:?}"));
            (ms.parse().unwrap_or_else(|e| panic!("{l:?}: {e}")), name)
        })
        .collect();
    let names: Vec<&str> = phases.iter().map(|p| p.1).collect();
    assert_eq!(
        names,
        [
            "found the files",
            "left out chart sources and excluded files",
            "read the files",
            "parsed (and checked CRDs)",
            "dropped unused CRD schemas",
            "made the catalog of objects",
            "ran the rules",
            "ran the schema checks",
            "applied suppressions",
            "sorted the findings",
            "done linting",
            "wrote the report",
        ]
    );
    assert!(phases.windows(2).all(|w| w[0].0 <= w[1].0), "{stderr}");
}

#[test]
fn unreadable_and_undecodable_files_are_findings() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let bin = dir.path().join("blob.yaml");
    std::fs::write(&bin, b"\x7fELF\x02\x01\x01\x00\x00\x00")?;
    let latin1 = dir.path().join("latin1.yaml");
    std::fs::write(&latin1, b"apiVersion: v1\nkind: ConfigMap\ndata:\n  name: caf\xe9\n")?;
    let ok = dir.path().join("ok.yaml");
    std::fs::write(&ok, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")?;
    let out = kvet().args(["check", "--format", "json"]).arg(dir.path()).output()?;
    assert_eq!(out.status.code(), Some(1));
    let v = json_of(&out);
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let find = |name: &str| {
        diags
            .iter()
            .find(|d| d["file"].as_str().is_some_and(|f| f.ends_with(name)))
            .cloned()
    };
    let b = find("blob.yaml").unwrap_or_default();
    assert!(b["message"].as_str().is_some_and(|m| m.contains("binary")), "{b}");
    let l = find("latin1.yaml").unwrap_or_default();
    assert_eq!(l["start"]["line"], 4);
    assert!(l["message"].as_str().is_some_and(|m| m.contains("UTF-8")));
    assert_eq!(v["summary"]["files"], 3);
    Ok(())
}

#[test]
fn hostile_yaml_is_rejected_with_a_location() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let deep = dir.path().join("deep.yaml");
    std::fs::write(&deep, "[".repeat(10_000))?;
    let out = kvet().args(["check", "--format", "json"]).arg(&deep).output()?;
    let v = json_of(&out);
    assert_eq!(v["diagnostics"][0]["rule"], "yaml-limits");
    assert_eq!(v["diagnostics"][0]["start"]["line"], 1);

    let bomb = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/yaml-limits/bad.yaml");
    let out = kvet().args(["check", "--format", "json"]).arg(&bomb).output()?;
    let v = json_of(&out);
    assert_eq!(v["diagnostics"][0]["rule"], "yaml-limits");
    // The document after the bomb is still read.
    assert_eq!(v["summary"]["objects"], 1);
    Ok(())
}

#[test]
fn color_choice() {
    let bad = "fixtures/selector-mismatch/bad.yaml";
    let plain = kvet()
        .args(["check", bad, "--color", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!stdout_of(&plain).contains('\x1b'));
    let colored = kvet()
        .args(["check", bad, "--color", "always"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(stdout_of(&colored).contains('\x1b'));
    // Not a terminal: plain by default.
    let auto = kvet().args(["check", bad]).output().unwrap_or_else(|e| panic!("{e}"));
    assert!(!stdout_of(&auto).contains('\x1b'));
}

#[test]
fn human_report_format() {
    let out = kvet()
        .args([
            "check",
            "fixtures/selector-mismatch/bad.yaml",
            "--select",
            "selector-mismatch",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let s = stdout_of(&out);
    assert!(
        s.starts_with("fixtures/selector-mismatch/bad.yaml:8:7: error[selector-mismatch] the selector `app=web`"),
        "{s}"
    );
    assert!(s.contains("help: "));
    assert!(s.contains("docs: kvet explain selector-mismatch"));
    assert!(
        s.trim_end()
            .ends_with("3 errors, 0 warnings, 0 infos in 1 file (3 objects)"),
        "{s}"
    );
    let quiet = kvet()
        .args([
            "check",
            "fixtures/selector-mismatch/bad.yaml",
            "--select",
            "selector-mismatch",
            "-q",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!stdout_of(&quiet).contains('│'));
}

/// Files under `dir` (recursively) whose name ends in one of `exts`,
/// relative to the repository root, sorted.
fn files_under(dir: &Path, exts: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let mut stack = vec![root.join(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)
            .unwrap_or_else(|e| panic!("{}: {e}", d.display()))
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
                let rel = p.strip_prefix(root).unwrap_or(&p);
                out.push(rel.display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn folders_and_globs() {
    // A glob over several folders and both files of each: every match is
    // linted, and the probe rules fire in every bad file.
    let expected: Vec<String> = files_under(Path::new("fixtures"), &[".yaml"])
        .into_iter()
        .filter(|f| {
            let mut parts = f.split('/');
            parts.next() == Some("fixtures")
                && parts.next().is_some_and(|d| d.starts_with("probe"))
                && parts.next().is_some()
                && parts.next().is_none()
        })
        .collect();
    let folders: std::collections::BTreeSet<&str> = expected
        .iter()
        .filter_map(|f| f.rsplit_once('/'))
        .map(|(d, _)| d)
        .collect();
    assert!(
        folders.len() >= 5 && expected.len() == 2 * folders.len(),
        "{expected:?}"
    );
    let out = kvet()
        .args([
            "check",
            "fixtures/probe*/*.yaml",
            "--format",
            "json",
            "--select",
            "probes",
            "--fail-on",
            "never",
        ])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    assert_eq!(v["summary"]["files"].as_u64(), Some(expected.len() as u64), "{v}");
    let with_findings: std::collections::BTreeSet<String> = v["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["file"].as_str().map(str::to_string))
        .collect();
    let bad: std::collections::BTreeSet<String> =
        expected.iter().filter(|f| f.ends_with("/bad.yaml")).cloned().collect();
    assert!(with_findings.is_superset(&bad), "{with_findings:?}");
    assert!(with_findings.iter().all(|f| expected.contains(f)), "{with_findings:?}");

    // A folder: every YAML and JSON file in it, recursively.
    let out = kvet()
        .args(["check", "fixtures", "--format", "json", "--fail-on", "never"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    let v = json_of(&out);
    let all = files_under(Path::new("fixtures"), &[".yaml", ".yml", ".json"]);
    assert_eq!(v["summary"]["files"].as_u64(), Some(all.len() as u64));
}

#[test]
fn rules_and_explain() {
    let out = kvet()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let v = json_of(&out);
    let rules = v.as_array().cloned().unwrap_or_default();
    // Exactly one rule per documented rule file, with the same ids.
    let mut ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    ids.sort_unstable();
    let mut files: Vec<String> = files_under(Path::new("rules"), &[".yaml"])
        .iter()
        .filter_map(|f| f.strip_prefix("rules/")?.strip_suffix(".yaml").map(str::to_string))
        .collect();
    files.sort();
    assert_eq!(ids, files);
    assert_eq!(rules.len(), kvet::rules::Registry::builtin().len());
    for r in &rules {
        for key in ["id", "category", "severity", "summary"] {
            assert!(r[key].is_string(), "{r}");
        }
    }
    let out = kvet()
        .args(["explain", "probes-identical"])
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let s = stdout_of(&out);
    for part in [
        "probes-identical (probes, warning)",
        "Why it matters",
        "How to fix",
        "Example that triggers it",
    ] {
        assert!(s.contains(part), "missing {part:?} in\n{s}");
    }
    // No internal references, no links to pages that do not exist.
    assert!(
        !s.contains("domain fact") && !s.contains("Source:") && !s.contains("https://"),
        "{s}"
    );
    kvet().args(["explain", "nope"]).assert().code(2);
}
