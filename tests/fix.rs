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
    let r = kvet::fix::write_fixed(&file, "a: 1\n", "a: 3\n");
    assert_eq!(r, Err(kvet::fix::WriteError::Changed));
    assert_eq!(std::fs::read_to_string(&file)?, "a: 2\n");
    kvet::fix::write_fixed(&file, "a: 2\n", "a: 3\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read_to_string(&file)?, "a: 3\n");
    Ok(())
}

/// A ConfigMap whose earlier duplicate key holds a block scalar.
const DUP_BLOCK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: |\n    one\n    two\n  kept: yes-keep\n  x: final\n";

fn fix_file(name: &str, text: &str) -> std::io::Result<(tempfile::TempDir, std::process::Output, String)> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join(name);
    std::fs::write(&file, text)?;
    let out = kvet(dir.path(), &["--fix", name]);
    let after = std::fs::read_to_string(&file)?;
    Ok((dir, out, after))
}

#[test]
fn duplicate_key_fix_keeps_the_entry_after_a_block_scalar() -> std::io::Result<()> {
    let (_d, out, after) = fix_file("cm.yaml", DUP_BLOCK)?;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        after,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  kept: yes-keep\n  x: final\n"
    );
    Ok(())
}

/// Found by the `fix` fuzz target: explicit `?` keys that YAML reads as
/// complex keys (each a syntax error) and as duplicate `null` keys. Each
/// pass removed the earlier duplicates together with the complex keys
/// after them, and 8 passes did not end it. Now the complex keys are not
/// duplicates of each other, and a file with a syntax error gets no fixes
/// (`src/fix/verify.rs` also refuses a fix that removes a syntax error).
#[test]
fn fixes_never_sweep_away_text_that_does_not_parse() -> std::io::Result<()> {
    let text = "0?2de, x:\n?  a b:\n?   # c\n?    d e:\n?    f g:\n?   # h\n?    i j:\n";
    let (_d, out, after) = fix_file("keys.yaml", text)?;
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(after, text, "{stderr}");
    assert!(
        stdout.contains("yaml-duplicate-key") && !stdout.contains("[fix]"),
        "{stdout}"
    );
    assert!(!stderr.contains("fixed"), "{stderr}");
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    Ok(())
}

#[test]
fn fixes_work_on_cr_only_line_endings() -> std::io::Result<()> {
    let text = "apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: a\rdata:\r  x: \"1\"\r  y2: b\r  x: \"2\"\r";
    let (_d, out, after) = fix_file("cr.yaml", text)?;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        after,
        "apiVersion: v1\rkind: ConfigMap\rmetadata:\r  name: a\rdata:\r  y2: b\r  x: \"2\"\r"
    );
    // One stray CR between duplicates in an LF file: only the first goes.
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"1\"\r  x: \"2\"\n";
    let (_d, out, after) = fix_file("stray.yaml", text)?;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        after,
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: \"2\"\n"
    );
    Ok(())
}

#[test]
fn a_read_only_file_is_left_alone_and_the_run_fails() -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("ro.yaml");
    std::fs::write(&file, DUP_BLOCK)?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444))?;
    let out = kvet(dir.path(), &["--fix", "--quiet", "ro.yaml"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("ro.yaml:1:1: error[io-error] fixes not written: the file is read-only"),
        "{stdout}"
    );
    // The findings are still there: nothing was fixed.
    assert!(stdout.contains("error[yaml-duplicate-key]"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 0 findings in 0 files; 1 file not written"));
    assert_eq!(std::fs::read_to_string(&file)?, DUP_BLOCK);
    Ok(())
}

#[test]
fn symlinks_and_hard_links_are_kept() -> std::io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir()?;
    let real = dir.path().join("real.yaml");
    std::fs::write(&real, DUP_BLOCK)?;
    std::os::unix::fs::symlink("real.yaml", dir.path().join("link.yaml"))?;
    std::fs::hard_link(&real, dir.path().join("hard.yaml"))?;
    let out = kvet(dir.path(), &["--fix", "link.yaml"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.yaml"))?
            .file_type()
            .is_symlink()
    );
    let fixed = std::fs::read_to_string(&real)?;
    assert!(
        fixed.ends_with("  kept: yes-keep\n  x: final\n") && !fixed.contains("one"),
        "{fixed}"
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("hard.yaml"))?, fixed);
    assert_eq!(std::fs::metadata(&real)?.nlink(), 2);
    Ok(())
}

#[test]
fn stdin_fix_prints_the_document_even_with_nothing_to_fix() {
    let clean = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    let out = Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .args(["check", "--select", "yaml", "--fix", "-"])
        .write_stdin(clean)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), clean);
}
