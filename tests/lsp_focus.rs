//! The language server lints only its open documents' objects
//! (`kvet::lint::lint_focused`), against a whole workspace for the
//! cross-object rules. Whatever it skips must not change a finding in a
//! focused file: for every fixture file (and a sample of `../shared/corpus`)
//! as the focus, the focused run's findings equal the full run's findings
//! in that file.
//!
//! The language server also reuses the findings of objects whose text did
//! not change (`kvet::memo`): a lint with a memo, of the same texts and of
//! texts moved by an edit above them, must find what a lint without one
//! finds.

mod common;
#[path = "common/read.rs"]
mod read;

use std::collections::HashSet;
use std::path::Path;

use kvet::config::Config;
use kvet::lint::{lint, lint_focused, load};
use kvet::source::SourceFile;
use kvet::yaml::{Limits, parse_source};

/// Checks every `step`-th file of `dir` as the focus, with every rule on
/// and `object-duplicate` at `scope` (`file`, `directory` or `run`).
fn focused_equals_full(dir: &Path, step: usize, scope: &str) {
    let sources = read::manifests(dir);
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
        let out = lint_focused(&sources, &loaded, &focus, &config, registry, None);
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

/// Lints each `step`-th file of `dir` as the focus with a memo: once to
/// fill it, again unchanged, and with the file's text moved by a comment
/// line above it (so every object moves). Each must equal the lint without
/// a memo of the same texts.
fn memo_equals_no_memo(dir: &Path, step: usize) {
    let sources = read::manifests(dir);
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let registry = kvet::rules::Registry::builtin();
    let show =
        |out: &kvet::lint::LintOutput| -> Vec<String> { out.diagnostics.iter().map(|d| format!("{d:?}")).collect() };
    let mut reused = 0;
    // Parsed once; the moved file's stream is swapped in and out.
    let mut sources = sources;
    let mut loaded = load(&sources, &|| {});
    for fid in (0..sources.len()).step_by(step) {
        let memo = std::sync::Arc::new(kvet::memo::ObjectMemo::default());
        let focus: HashSet<u32> = [fid as u32].into();
        let want = show(&lint_focused(&sources, &loaded, &focus, &config, registry, None));
        let first = show(&lint_focused(&sources, &loaded, &focus, &config, registry, Some(&memo)));
        let again = show(&lint_focused(&sources, &loaded, &focus, &config, registry, Some(&memo)));
        assert_eq!(first, want, "{}: the first lint with a memo", sources[fid].name);
        assert_eq!(again, want, "{}: the lint from the memo", sources[fid].name);
        // A JSON file does not take a comment: it moves by a space.
        let f = &sources[fid];
        let prefix = if f.looks_like_json() { " " } else { "# moved\n" };
        let moved = SourceFile::from_text(f.name.clone(), f.path.clone(), format!("{prefix}{}", f.text));
        let stream = parse_source(&moved.text, moved.looks_like_json(), Limits::default());
        let original = std::mem::replace(&mut sources[fid], moved);
        let original_stream = std::mem::replace(&mut loaded.streams[fid], stream);
        let want = show(&lint_focused(&sources, &loaded, &focus, &config, registry, None));
        let hits = memo.hits();
        let got = show(&lint_focused(&sources, &loaded, &focus, &config, registry, Some(&memo)));
        assert_eq!(got, want, "{}: moved text, findings from the memo", sources[fid].name);
        if !want.is_empty() && memo.hits() > hits {
            reused += 1;
        }
        sources[fid] = original;
        loaded.streams[fid] = original_stream;
    }
    assert!(
        reused > 0,
        "no moved object's findings came from the memo under {}",
        dir.display()
    );
}

#[test]
fn findings_from_the_memo_equal_fresh_ones_on_every_fixture() {
    memo_equals_no_memo(&common::repo_root().join("fixtures"), 1);
}

#[test]
fn findings_from_the_memo_equal_fresh_ones_on_corpus_files() {
    let Some(corpus) = common::shared("findings_from_the_memo_equal_fresh_ones_on_corpus_files", "corpus") else {
        return;
    };
    memo_equals_no_memo(&corpus, 11);
}
