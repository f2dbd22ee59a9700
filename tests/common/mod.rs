//! What the integration tests need from outside the repository, found in one
//! place: the shared test data (`../shared`, next to the checkout) and the
//! tools `nvim`, `pre-commit` and `kubectl`.
//!
//! A test asks with [`shared`] or [`tool`] and gets `None` when the thing is
//! missing. Then:
//! - under CI (`CI` set to anything but empty, `0` or `false`) the call
//!   panics, so the test fails: `.ci/run` installs every tool and CI always
//!   has `../shared`, so a missing one is a broken CI, not a reason to pass;
//! - otherwise the test returns early and the skip is written straight to
//!   the process's stderr, one `SKIPPED <test>: ...` line. libtest captures
//!   only what goes through `print!`/`eprint!`, not writes to the stderr
//!   handle, so the line shows in `cargo test`'s normal output (it still
//!   counts the test as passed: a stable test cannot report "ignored" at run
//!   time).
//!
//! Overrides, also to simulate a missing dependency: `KVET_SHARED_DIR`
//! (instead of `../shared`), `KVET_NVIM`, `KVET_PRE_COMMIT`, `KVET_KUBECTL`
//! (the program to run; a path that does not exist means "not installed").
//!
//! Used by `tests/*.rs` as `mod common;` and by the xtask tests through
//! `#[path]`; nothing here depends on the crate under test.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root: the nearest ancestor of the including crate's
/// manifest directory that holds `Cargo.lock` (the workspace root, also for
/// `xtask/`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(manifest)
        .to_path_buf()
}

/// True when running under CI: `CI` is set to something other than empty,
/// `0` or `false`.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| {
        let v = v.trim();
        !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
    })
}

/// The shared test data directory: `KVET_SHARED_DIR`, or `../shared` next to
/// the repository (`/work/shared` for every worktree under `/work`).
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("KVET_SHARED_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => repo_root().join("..").join("shared"),
    }
}

/// `../shared/<sub>` when it is a directory; otherwise fails under CI or
/// reports the skip of `test` and returns `None`.
pub fn shared(test: &str, sub: &str) -> Option<PathBuf> {
    let dir = shared_dir().join(sub);
    if dir.is_dir() {
        return Some(dir);
    }
    missing(
        test,
        &format!(
            "the shared test data {} (not found; set KVET_SHARED_DIR to its parent)",
            dir.display()
        ),
    )
}

/// A tool the tests run.
#[derive(Clone, Copy, Debug)]
pub enum Tool {
    /// Neovim, for the editor test (`.ci/run`: apt `neovim`).
    Nvim,
    /// pre-commit, for the published hook (`.ci/run`: pip into `target/ci-venv`).
    PreCommit,
    /// kubectl, for the Kustomize comparison (`.ci/run` checks it is there).
    Kubectl,
}

impl Tool {
    fn name(self) -> &'static str {
        match self {
            Tool::Nvim => "nvim",
            Tool::PreCommit => "pre-commit",
            Tool::Kubectl => "kubectl",
        }
    }

    fn override_var(self) -> &'static str {
        match self {
            Tool::Nvim => "KVET_NVIM",
            Tool::PreCommit => "KVET_PRE_COMMIT",
            Tool::Kubectl => "KVET_KUBECTL",
        }
    }

    /// Arguments that make the tool print its version and exit 0.
    fn version_args(self) -> &'static [&'static str] {
        match self {
            Tool::Nvim | Tool::PreCommit => &["--version"],
            Tool::Kubectl => &["version", "--client"],
        }
    }

    /// Where to look, in order: the override, then (pre-commit) the CI
    /// virtualenv, then PATH.
    fn candidates(self) -> Vec<PathBuf> {
        if let Some(p) = std::env::var_os(self.override_var()).filter(|p| !p.is_empty()) {
            return vec![PathBuf::from(p)];
        }
        let mut c = Vec::new();
        if let Tool::PreCommit = self {
            c.push(repo_root().join("target/ci-venv/bin/pre-commit"));
        }
        c.push(PathBuf::from(self.name()));
        c
    }
}

/// The program to run for `tool` when it is installed and answers its
/// version query; otherwise fails under CI or reports the skip of `test`
/// and returns `None`.
pub fn tool(test: &str, tool: Tool) -> Option<PathBuf> {
    let mut tried = Vec::new();
    for program in tool.candidates() {
        let ok = Command::new(&program)
            .args(tool.version_args())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return Some(program);
        }
        tried.push(program.display().to_string());
    }
    missing(
        test,
        &format!(
            "{} (tried {}; set {} to the program)",
            tool.name(),
            tried.join(", "),
            tool.override_var()
        ),
    )
}

fn missing<T>(test: &str, what: &str) -> Option<T> {
    if in_ci() {
        panic!("{test} needs {what}; CI must provide it (.ci/run installs the tools)");
    }
    // Straight to the handle, past libtest's capture of `eprintln!`.
    let line = format!("SKIPPED {test}: needs {what}; with CI=true this fails\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    None
}

/// The files under `dir` (recursively, in name order) whose extension is
/// one of `exts`, appended to `out`.
pub fn files_with_ext(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files_with_ext(&p, exts, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(p);
        }
    }
}

/// The `{:#?}` texts of `a` and `b` around their first differing line
/// (`before` lines before it, `take` lines in all), for a failure message.
pub fn debug_difference<T: std::fmt::Debug>(a: &T, b: &T, before: usize, take: usize) -> (String, String) {
    let (a, b) = (format!("{a:#?}"), format!("{b:#?}"));
    let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
    let ctx = |s: &str| {
        s.lines()
            .skip(line.saturating_sub(before))
            .take(take)
            .collect::<Vec<_>>()
            .join("\n")
    };
    (ctx(&a), ctx(&b))
}
