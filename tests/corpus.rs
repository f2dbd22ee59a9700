//! Robustness on real manifests: every file of `../shared/corpus` loads and
//! lints without a panic, no valid file gets a load error, and every
//! finding has a location inside its file. Needs `../shared/corpus`
//! (see `common`: fails under CI without it, otherwise skips visibly).

mod common;

use kvet::config::Config;
use kvet::lint::lint;
use kvet::source::{DiscoverOptions, Input, SourceFile, discover};

#[test]
fn corpus_loads_and_lints_cleanly() {
    let Some(root) = common::shared("corpus_loads_and_lints_cleanly", "corpus") else {
        return;
    };
    let found = discover(&[root.display().to_string()], &DiscoverOptions::default());
    assert!(found.missing.is_empty() && found.walk_errors.is_empty());
    let sources: Vec<SourceFile> = found
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, name } => Some(SourceFile::read(path, name.clone())),
            Input::Stdin => None,
        })
        .collect();
    assert!(
        sources.len() > 1000,
        "expected the whole corpus, found {} files",
        sources.len()
    );
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let out = lint(&sources, &config);
    let load_errors: Vec<String> = out
        .diagnostics
        .iter()
        .filter(|d| {
            matches!(
                &*d.rule,
                "yaml-syntax" | "yaml-limits" | "io-error" | "type-meta-missing"
            )
        })
        .map(|d| {
            let f = &sources[d.file as usize];
            let p = f.line_col(d.span.start);
            format!("{}:{}:{}: {} {}", f.name, p.line, p.column, d.rule, d.message)
        })
        .collect();
    assert!(
        load_errors.is_empty(),
        "valid corpus files got load errors:\n{}",
        load_errors.join("\n")
    );
    for d in &out.diagnostics {
        let len = sources[d.file as usize].text.len() as u32;
        assert!(
            d.span.start <= d.span.end && d.span.end <= len,
            "span out of range: {d:?}"
        );
        for l in &d.labels {
            assert!(l.span.end <= sources[l.file as usize].text.len() as u32);
        }
    }
    assert!(out.summary.objects > 2000, "objects: {}", out.summary.objects);
    eprintln!(
        "corpus: {} files, {} objects, {} findings",
        out.summary.files,
        out.summary.objects,
        out.diagnostics.len()
    );
}
