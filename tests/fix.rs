//! `--fix`, `--diff` and atomic writes.

use std::path::Path;

use assert_cmd::Command;

const BROKEN: &str = "\
# The web tier. Comments survive fixes.\r
apiVersion: v1\r
Kind: ConfigMap   # miscapitalised\r
metadata:\r
  name: web-settings\r
data:\r
  mode: fast\r
  mode: slow  # the value Kubernetes keeps\r
---\r
apiVersion: v1\r
kind: Pod\r
metadata: {name: tiny}\r
spec:\r
  containers:\r
  - name: app\r
    image: busybox:1.37\r
    resources:\r
      limits: {cpu: 5m, memory: 32Mi}\r
";

const FIXED: &str = "\
# The web tier. Comments survive fixes.\r
apiVersion: v1\r
kind: ConfigMap   # miscapitalised\r
metadata:\r
  name: web-settings\r
data:\r
  mode: slow  # the value Kubernetes keeps\r
---\r
apiVersion: v1\r
kind: Pod\r
metadata: {name: tiny}\r
spec:\r
  containers:\r
  - name: app\r
    image: busybox:1.37\r
    resources:\r
      limits: {cpu: 10m, memory: 32Mi}\r
";

fn kvet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .args(["check", "--select", "yaml,type-meta-missing,limits-below-minimum"])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn fix_is_exact_idempotent_and_keeps_crlf_and_comments() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, BROKEN)?;
    let out = kvet(dir.path(), &["--fix", "app.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 3 findings in 1 file"));
    assert_eq!(std::fs::read_to_string(&file)?, FIXED);
    // Nothing left to fix: the second run changes nothing.
    let out = kvet(dir.path(), &["--fix", "app.yaml"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("fixed"));
    assert_eq!(std::fs::read_to_string(&file)?, FIXED);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())?
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    Ok(())
}

#[test]
fn diff_prints_and_does_not_write() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, BROKEN)?;
    let out = kvet(dir.path(), &["--diff", "app.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.starts_with("--- a/app.yaml\n+++ b/app.yaml\n@@ "), "{diff}");
    assert!(
        diff.contains("-Kind: ConfigMap   # miscapitalised\r\n+kind: ConfigMap   # miscapitalised\r\n"),
        "{diff}"
    );
    assert_eq!(std::fs::read_to_string(&file)?, BROKEN);
    Ok(())
}

#[test]
fn stdin_fix_prints_the_fixed_document() {
    let out = Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .args([
            "check",
            "--select",
            "yaml,type-meta-missing,limits-below-minimum",
            "--fix",
            "-",
        ])
        .write_stdin(BROKEN)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(String::from_utf8_lossy(&out.stdout), FIXED);
}

#[test]
fn writes_refuse_files_changed_since_read() -> std::io::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("x.yaml");
    std::fs::write(&file, "a: 2\n")?;
    let r = kvet::fix::write_atomically(&file, "a: 1\n", "a: 3\n");
    assert!(r.is_err_and(|e| e.contains("changed since kvet read it")));
    assert_eq!(std::fs::read_to_string(&file)?, "a: 2\n");
    kvet::fix::write_atomically(&file, "a: 2\n", "a: 3\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read_to_string(&file)?, "a: 3\n");
    Ok(())
}
