//! The published pre-commit hook, as users get it: a throwaway project whose
//! `.pre-commit-config.yaml` names this checkout as a `repo:` (what
//! `pre-commit try-repo` does), run by the real `pre-commit` (PyPI). The
//! hook definition is the committed `.pre-commit-hooks.yaml`, so pre-commit
//! builds kvet from the checkout with `cargo install` (`language: rust`) and
//! runs its `entry:`. A bad manifest fails with kvet's finding; a good one
//! passes.
//!
//! Uncommitted changes are included the way `try-repo` includes them: the
//! test clones the checkout and commits the working tree's diff on top.
//! The release build is the slow part; it goes to `target/pre-commit-cargo`
//! so that only kvet itself is rebuilt on the next run, not its dependencies.
//! `.ci/run` installs pre-commit into `target/ci-venv`; see `common` for
//! what happens without it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const TEST: &str = "published_hook_fails_on_bad_and_passes_on_good_manifests";

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "kvet")
        .env("GIT_AUTHOR_EMAIL", "kvet@example.invalid")
        .env("GIT_COMMITTER_NAME", "kvet")
        .env("GIT_COMMITTER_EMAIL", "kvet@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap_or_else(|e| panic!("git: {e}"));
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A git repository holding the checkout as it is now (HEAD plus the
/// uncommitted changes to tracked files), and the commit to use as `rev:`.
fn snapshot_of_checkout(root: &Path, into: &Path) -> String {
    let dest = into.display().to_string();
    let head = String::from_utf8_lossy(&git(root, &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string();
    git(root, &["clone", "-q", "--no-hardlinks", "--no-checkout", ".", &dest]);
    git(into, &["checkout", "-q", &head]);
    let diff = git(root, &["diff", "HEAD", "--binary"]).stdout;
    if !diff.is_empty() {
        let patch = into.join("..").join("working-tree.patch");
        std::fs::write(&patch, &diff).unwrap_or_else(|e| panic!("{e}"));
        let patch = patch.display().to_string();
        git(into, &["apply", "--whitespace=nowarn", &patch]);
        git(into, &["commit", "-q", "-a", "-m", "working tree"]);
    }
    String::from_utf8_lossy(&git(into, &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string()
}

#[test]
fn published_hook_fails_on_bad_and_passes_on_good_manifests() -> std::io::Result<()> {
    let Some(pre_commit) = common::tool(TEST, common::Tool::PreCommit) else {
        return Ok(());
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir()?;
    let hook_repo = tmp.path().join("kvet");
    let rev = snapshot_of_checkout(root, &hook_repo);

    // The user's project, with the hook configured as the README says.
    let project = tmp.path().join("project");
    std::fs::create_dir(&project)?;
    git(&project, &["init", "-q"]);
    std::fs::write(
        project.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n- repo: {}\n  rev: {rev}\n  hooks:\n  - id: kvet\n",
            hook_repo.display()
        ),
    )?;
    std::fs::copy(
        root.join("fixtures/selector-mismatch/bad.yaml"),
        project.join("deploy.yaml"),
    )?;
    git(&project, &["add", "."]);
    let run = || {
        Command::new(&pre_commit)
            .args(["run", "--files", "deploy.yaml", "--color", "never"])
            .current_dir(&project)
            .env("PRE_COMMIT_HOME", tmp.path().join("cache"))
            .env("CARGO_TARGET_DIR", root.join("target/pre-commit-cargo"))
            .output()
            .unwrap_or_else(|e| panic!("pre-commit: {e}"))
    };
    let both = |o: &Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };

    let out = run();
    let text = both(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the hook must fail on a bad manifest:\n{text}"
    );
    assert!(text.contains("kvet....") && text.contains("Failed"), "{text}");
    assert!(text.contains("error[selector-mismatch]"), "{text}");
    assert!(text.contains("deploy.yaml:8:7"), "{text}");

    std::fs::copy(
        root.join("fixtures/selector-mismatch/good.yaml"),
        project.join("deploy.yaml"),
    )?;
    git(&project, &["add", "."]);
    let out = run();
    let text = both(&out);
    assert!(out.status.success(), "the hook must pass on a good manifest:\n{text}");
    assert!(text.contains("kvet....") && text.contains("Passed"), "{text}");
    Ok(())
}
