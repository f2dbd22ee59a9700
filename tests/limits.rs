//! Inputs that once crashed, exhausted or hung kvet: special files, endless
//! input, bad `--crd` paths, UTF-32 and invalid UTF-8, CR-only files,
//! symlinks out of a walked folder, and the language server's transport.
//! Each command runs under a timeout, so a hang fails the test.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn kvet() -> Command {
    let mut c = Command::cargo_bin("kvet").unwrap_or_else(|e| panic!("kvet binary: {e}"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c.timeout(Duration::from_secs(60));
    c
}

fn output(c: &mut Command) -> (Option<i32>, String, String) {
    let out = c.output().unwrap_or_else(|e| panic!("run kvet: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn device_named_on_the_command_line_is_refused() {
    let (code, out, _) = output(kvet().args(["check", "--format", "json", "/dev/zero"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("io-error") && out.contains("a device"), "{out}");
}

#[test]
fn fifo_named_on_the_command_line_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let fifo = dir.path().join("pipe.yaml");
    mkfifo(&fifo);
    let (code, out, _) = output(kvet().args(["check", "--format", "json"]).arg(&fifo));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("named pipe (FIFO)"), "{out}");
}

#[test]
fn crd_paths_must_exist_and_be_regular() {
    let (code, _, err) = output(kvet().args(["check", "--crd", "/nonexistent/crds.yaml", "fixtures"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--crd /nonexistent/crds.yaml: no such file or directory"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let fifo = dir.path().join("crds.yaml");
    mkfifo(&fifo);
    let (code, _, err) = output(kvet().args(["check", "--crd"]).arg(&fifo).arg("fixtures"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file or folder"), "{err}");
}

/// Runs kvet with a file as its standard input (not read into memory
/// first: `/dev/zero` never ends).
fn with_stdin(args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let file = std::fs::File::open(stdin).unwrap_or_else(|e| panic!("{stdin}: {e}"));
    let out = std::process::Command::new("timeout")
        .arg("60")
        .arg(assert_cmd::cargo::cargo_bin("kvet"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(file)
        .output()
        .unwrap_or_else(|e| panic!("run kvet: {e}"));
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn endless_stdin_stops_at_the_read_limit() {
    for endless in ["/dev/zero", "/dev/urandom"] {
        let (code, out) = with_stdin(&["check", "--format", "json", "-"], endless);
        assert_eq!(code, Some(1), "{endless}: {out}");
        assert!(
            out.contains("standard input is over the 256 MiB limit"),
            "{endless}: {out}"
        );
    }
}
