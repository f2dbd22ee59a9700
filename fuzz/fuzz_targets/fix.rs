//! `--fix` as the command line runs it (safe fixes, up to 8 passes, each
//! pass written only when `kvet::fix::verify` accepts it), checking after
//! each accepted pass, independently of `verify`, that the syntax is no
//! worse and the re-parsed documents are the same outside the nodes the
//! edits touched, and at the end that another run would change nothing.
#![no_main]

use kvet::config::Config;
use kvet::fix::{apply_edits, select_fixes, verify};
use kvet::lint::lint;
use kvet::source::SourceFile;
use kvet::yaml::{Limits, Node, Span, Stream, Value, parse_source};
use libfuzzer_sys::fuzz_target;

/// Scalar leaves by path (`/`-separated keys and indices) per document.
fn leaves(n: &Node, path: &mut String, out: &mut Vec<(String, String)>) {
    match &n.value {
        Value::Seq(items) => {
            for (i, it) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("/{i}"));
                leaves(it, path, out);
                path.truncate(len);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                let len = path.len();
                path.push('/');
                path.push_str(&e.key.replace('~', "~0").replace('/', "~1"));
                leaves(&e.value, path, out);
                path.truncate(len);
            }
        }
        other => out.push((path.clone(), format!("{other:?}"))),
    }
}

/// The path of the deepest node whose span covers `edit`.
fn covering_path(n: &Node, edit: Span, path: &mut String) {
    let covers = |s: Span| s.start <= edit.start && edit.end <= s.end;
    match &n.value {
        Value::Seq(items) => {
            if let Some((i, it)) = items.iter().enumerate().find(|(_, it)| covers(it.span)) {
                path.push_str(&format!("/{i}"));
                covering_path(it, edit, path);
            }
        }
        Value::Map(entries) => {
            if let Some(e) = entries.iter().find(|e| covers(e.value.span)) {
                path.push('/');
                path.push_str(&e.key.replace('~', "~0").replace('/', "~1"));
                covering_path(&e.value, edit, path);
            }
        }
        _ => {}
    }
}

fn parse(f: &SourceFile) -> Stream {
    parse_source(&f.text, f.looks_like_json(), Limits::default())
}

fn syntax_errors(s: &Stream) -> usize {
    s.diagnostics.iter().filter(|d| d.rule == "yaml-syntax").count()
}

fuzz_target!(|data: &[u8]| {
    let name = if data.first().is_some_and(|b| b & 1 == 1) {
        "x.json"
    } else {
        "x.yaml"
    };
    let mut file = SourceFile::from_bytes(name, None, data.to_vec());
    if file.load_error.is_some() {
        return;
    }
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let mut sources = vec![file.clone()];
    for pass in 0..8 {
        let out = lint(&sources, &config);
        let selected = select_fixes(&out.diagnostics, false);
        let Some(edits) = selected.edits.get(&0) else {
            return;
        };
        let before = parse(&file);
        let text = apply_edits(&file.text, edits);
        if verify(&file.text, &text, file.looks_like_json(), edits).is_err() {
            // The `--fix` contract refuses the edit: the command line does
            // not write this file.
            return;
        }
        let fresh = SourceFile::from_text(name, None, text);
        let after = parse(&fresh);
        // What `verify` accepted is checked again independently: no new
        // syntax error, and the same values outside the fixed paths.
        assert!(
            syntax_errors(&after) <= syntax_errors(&before),
            "pass {pass}: the contract let a fix break the syntax"
        );
        assert_ne!(
            fresh.text, file.text,
            "pass {pass}: fixes selected but nothing changed: {:?}",
            selected.fixed
        );
        if before.documents.len() == after.documents.len() {
            for (d0, d1) in before.documents.iter().zip(&after.documents) {
                let (Some(r0), Some(r1)) = (&d0.root, &d1.root) else {
                    continue;
                };
                let fixed: Vec<String> = edits
                    .iter()
                    .filter(|e| {
                        d0.span.cover(r0.span).start <= e.span.start && e.span.end <= r0.span.end.max(d0.span.end)
                    })
                    .map(|e| {
                        let mut p = String::new();
                        covering_path(r0, e.span, &mut p);
                        if e.span.is_empty() {
                            // An insertion adds a sibling of the node it
                            // touches: the parent changes.
                            p.truncate(p.rfind('/').unwrap_or(0));
                        }
                        p
                    })
                    .collect();
                if fixed.is_empty() {
                    continue;
                }
                let outside = |(p, _): &(String, String)| {
                    !fixed
                        .iter()
                        .any(|f| p == f || p.starts_with(&format!("{f}/")) || f.is_empty())
                };
                let (mut l0, mut l1) = (Vec::new(), Vec::new());
                leaves(r0, &mut String::new(), &mut l0);
                leaves(r1, &mut String::new(), &mut l1);
                l0.retain(outside);
                l1.retain(outside);
                // Mapping order does not matter (a duplicate key's fix moves
                // the kept entry); sequence order is in the paths.
                l0.sort();
                l1.sort();
                assert_eq!(l0, l1, "pass {pass}: fixes at {fixed:?} changed other values");
            }
        }
        file = fresh;
        sources = vec![file.clone()];
    }
    let out = lint(&sources, &config);
    let again = select_fixes(&out.diagnostics, false);
    assert!(again.edits.is_empty(), "still fixing after 8 passes: {:?}", again.fixed);
});
