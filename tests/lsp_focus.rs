//! The language server lints only its open documents' objects
//! (`kvet::lint::lint_focused`), against a whole workspace for the
//! cross-object rules. Whatever it skips must not change a finding in a
//! focused file: for every fixture file (and a sample of `../shared/corpus`)
//! as the focus, the focused run's findings equal the full run's findings
//! in that file.

mod common;

use std::collections::HashSet;
use std::path::Path;

use kvet::config::Config;
use kvet::lint::{lint, lint_focused, load};
use kvet::source::SourceFile;

/// Checks every `step`-th file of `dir` as the focus, with every rule on
/// and `object-duplicate` at `scope` (`file`, `directory` or `run`).
fn focused_equals_full(dir: &Path, step: usize, scope: &str) {
    let mut paths = Vec::new();
    common::files_with_ext(dir, &["yaml", "yml", "json"], &mut paths);
    let sources: Vec<SourceFile> = paths
        .iter()
        .map(|p| SourceFile::read(p, p.display().to_string()))
        .collect();
    let mut config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let mut options = serde_json::Map::new();
    options.insert("scope".into(), scope.into());
    config.options.insert("object-duplicate".into(), options);
    let full = lint(&sources, &config);
    let loaded = load(&sources, &|| {});
    let registry = kvet::rules::Registry::builtin();
    let mut checked = 0;
    for fid in (0..sources.len()).step_by(step) {
        let focus: HashSet<u32> = [fid as u32].into();
        let out = lint_focused(&sources, &loaded, &focus, &config, registry);
        let show = |d: &kvet::diagnostic::Diagnostic| format!("{d:?}");
        let got: Vec<String> = out
            .diagnostics
            .iter()
            .filter(|d| d.file == fid as u32)
            .map(show)
            .collect();
        let want: Vec<String> = full
            .diagnostics
            .iter()
            .filter(|d| d.file == fid as u32)
            .map(show)
            .collect();
        assert_eq!(
            got, want,
            "{}: the focused run differs from the full run",
            sources[fid].name
        );
        checked += 1;
    }
    assert!(checked > 0, "no files under {}", dir.display());
}

#[test]
fn focused_lint_equals_the_full_lint_on_every_fixture() {
    focused_equals_full(&common::repo_root().join("fixtures"), 1, "file");
}

#[test]
fn focused_lint_equals_the_full_lint_with_wider_duplicate_scopes() {
    focused_equals_full(&common::repo_root().join("fixtures"), 3, "directory");
    focused_equals_full(&common::repo_root().join("fixtures"), 3, "run");
}

#[test]
fn focused_lint_equals_the_full_lint_on_corpus_files() {
    let Some(corpus) = common::shared("focused_lint_equals_the_full_lint_on_corpus_files", "corpus") else {
        return;
    };
    focused_equals_full(&corpus, 37, "file");
}
