//! The pre-commit hook, run by the real `pre-commit` tool (PyPI) in a
//! throwaway git repository: it fails on a bad manifest and passes on a
//! good one. `.ci/run` installs pre-commit into `target/ci-venv`; without
//! it the test is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;

fn pre_commit() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-venv/bin/pre-commit");
    if venv.is_file() {
        return Some(venv);
    }
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("pre-commit"))
}

fn git(dir: &Path, args: &[&str]) {
    let st = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "kvet")
        .env("GIT_AUTHOR_EMAIL", "kvet@example.invalid")
        .env("GIT_COMMITTER_NAME", "kvet")
        .env("GIT_COMMITTER_EMAIL", "kvet@example.invalid")
        .status()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(st.success(), "git {args:?} failed");
}

#[test]
fn hook_fails_on_bad_and_passes_on_good_manifests() -> std::io::Result<()> {
    let Some(pc) = pre_commit() else {
        eprintln!("skipped: pre-commit is not installed (.ci/run installs it into target/ci-venv)");
        return Ok(());
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let hook = std::fs::read_to_string(root.join(".pre-commit-hooks.yaml"))?;
    assert!(hook.contains("id: kvet") && hook.contains("language: rust") && hook.contains(r"files: \.(ya?ml|json)$"));

    let dir = tempfile::tempdir()?;
    let repo = dir.path();
    git(repo, &["init", "-q"]);
    // The same hook, as a local hook running the binary under test.
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: local\n  hooks:\n  - id: kvet\n    name: kvet\n    entry: {} check\n    language: system\n    files: '\\.(ya?ml|json)$'\n    exclude: '^\\.pre-commit-config\\.yaml$'\n    require_serial: true\n",
            env!("CARGO_BIN_EXE_kvet")
        ),
    )?;
    std::fs::copy(
        root.join("fixtures/selector-mismatch/bad.yaml"),
        repo.join("deploy.yaml"),
    )?;
    git(repo, &["add", "."]);
    let run = |repo: &Path| {
        Command::new(&pc)
            .args(["run", "--all-files"])
            .current_dir(repo)
            .env("PRE_COMMIT_HOME", repo.join(".cache"))
            .output()
            .unwrap_or_else(|e| panic!("pre-commit: {e}"))
    };
    let out = run(repo);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "the hook must fail on a bad manifest:\n{text}");
    assert!(text.contains("error[selector-mismatch]"), "{text}");
    assert!(text.contains("deploy.yaml:8:7"), "{text}");

    std::fs::copy(
        root.join("fixtures/selector-mismatch/good.yaml"),
        repo.join("deploy.yaml"),
    )?;
    git(repo, &["add", "."]);
    let out = run(repo);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the hook must pass on a good manifest:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(())
}
