//! The YAML fast path (`src/yaml/fast.rs`) against the full parser: on
//! every fixture, every corpus file and mutated copies of them, the fast
//! path either declines or gives exactly the full parser's documents, spans
//! and findings. Needs `../shared/corpus` for the corpus part (see
//! `common`).

mod common;

use std::path::{Path, PathBuf};

use kvet::yaml::{Limits, parse_yaml_fast, parse_yaml_full};

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(p);
        }
    }
}

/// Whether the fast path took `text`; panics when it took it and differs.
fn same(text: &str, what: &str) -> bool {
    let Some(fast) = parse_yaml_fast(text, Limits::default()) else {
        return false;
    };
    let full = parse_yaml_full(text, Limits::default());
    if fast == full {
        return true;
    }
    let (a, b) = (format!("{fast:#?}"), format!("{full:#?}"));
    if a != b {
        let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
        let ctx = |s: &str| {
            s.lines()
                .skip(line.saturating_sub(12))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "fast path differs on {what}\n--- fast\n{}\n--- full\n{}\n--- text\n{text}",
            ctx(&a),
            ctx(&b)
        );
    }
    true
}

/// Every file in `files`: (files, bytes) taken by the fast path, and total.
fn check_files(files: &[PathBuf]) -> ((usize, usize), (usize, usize)) {
    let (mut taken, mut total) = ((0, 0), (0, 0));
    for p in files {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        total.0 += 1;
        total.1 += text.len();
        if same(&text, &p.display().to_string()) {
            taken.0 += 1;
            taken.1 += text.len();
        }
    }
    (taken, total)
}

#[test]
fn fast_path_matches_full_parser_on_fixtures() {
    let mut files = Vec::new();
    yaml_files(Path::new("fixtures"), &mut files);
    yaml_files(Path::new("tests/data"), &mut files);
    assert!(files.len() > 100, "fixtures not found");
    let (taken, total) = check_files(&files);
    eprintln!("fixtures: fast path took {}/{} files", taken.0, total.0);
    assert!(
        taken.0 > total.0 / 2,
        "fast path took only {}/{} fixtures",
        taken.0,
        total.0
    );
}

#[test]
fn fast_path_matches_full_parser_on_corpus() {
    let Some(root) = common::shared("fast_path_matches_full_parser_on_corpus", "corpus") else {
        return;
    };
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    let (taken, total) = check_files(&files);
    eprintln!(
        "corpus: fast path took {}/{} files, {}/{} bytes",
        taken.0, total.0, taken.1, total.1
    );
    // Most manifests are in the subset; a drop here means a regression.
    assert!(
        taken.1 * 10 >= total.1 * 8,
        "fast path took only {}/{} bytes",
        taken.1,
        total.1
    );
}

/// Small edits that move text in and out of the subset: the fast path must
/// still decline or agree.
#[test]
fn fast_path_matches_full_parser_on_mutations() {
    let mut files = Vec::new();
    yaml_files(Path::new("fixtures"), &mut files);
    if let Some(root) = common::shared("fast_path_matches_full_parser_on_mutations", "corpus") {
        let mut corpus = Vec::new();
        yaml_files(&root, &mut corpus);
        files.extend(corpus.into_iter().step_by(7));
    }
    const EDITS: &[&str] = &[
        "", " ", "  ", "\n", "- ", ": ", ":", "#", " #", "'", "\"", "|", "|-", "|+", "[", "]", "{", "}", ",", "---\n",
        "-", "a", "\\", "''", "x: ", "\n  ", "\n- ", "&a ", "*a", "!t ", ">", "...\n", "? ",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut rand = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    };
    let (mut tried, mut taken) = (0, 0);
    for p in &files {
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        if text.len() > 20_000 || !text.is_ascii() {
            continue;
        }
        for _ in 0..12 {
            let at = rand(text.len() + 1);
            let cut = if rand(3) == 0 { rand(4) } else { 0 };
            let edit = EDITS[rand(EDITS.len())];
            let mut m = String::with_capacity(text.len() + 8);
            m.push_str(&text[..at]);
            m.push_str(edit);
            m.push_str(&text[(at + cut).min(text.len())..]);
            tried += 1;
            if same(&m, &format!("{} with {edit:?} at {at} (cut {cut})", p.display())) {
                taken += 1;
            }
        }
    }
    eprintln!("mutations: fast path took {taken}/{tried}");
    assert!(tried > 1000);
}

#[test]
fn fast_path_cases() {
    for text in [
        "",
        "# only\n",
        "---\n",
        "a: 1\n---\n",
        "a: 1\n---\n\n",
        "---\n---\n# c\n---\na: 1\n",
        "--- # c\na: 1\n",
        "a:\n- x\n-\n- y\nb: 2\n",
        "a:\n  - x\n  -   # c\n  - 'it''s'\n",
        "- a\n- b: 1\n  c: 2\n-\n  - x\n",
        "a: |\n  x\n\n  y\nb: |-\n    x\n     y\nc: |+\n  z\n\nd: x\n",
        "a:\n  b: |\n    x\n  # c\n  d: 1\n",
        "a: |\n\n  x\n",
        "a: [x, \"y\", 1]\nb: {}\nc: []\nd: {k: v, \"q\": 2}\n",
        "a: \"x\\\"y\\\\z\\n\"  # c\n",
        "e:   # c\nf: x   # c\nkey  : v\n",
        "a: 1\na: 2\n",
        "y: 1\non: 2\n",
        "<<: {a: 1}\nb: 2\n",
        "  a: 1\n  b:\n    c: 2\n",
    ] {
        let took = same(text, &format!("{text:?}"));
        assert!(took || text.contains("<<"), "fast path declined {text:?}");
    }
}

/// Implicit keys the full parser rejects (longer than YAML's simple-key
/// limit, or spread over lines) must not be taken by the fast path (found
/// by the `yaml_fast_path` fuzz target: a 1,200-byte quoted key).
#[test]
fn fast_path_declines_keys_the_full_parser_rejects() {
    let long = "r".repeat(1100);
    for text in [
        format!("\"{long}\": 1\n"),
        format!("'{long}': 1\n"),
        format!("a: {{\"{long}\": 1}}\n"),
        format!("a: {{{long}: 1}}\n"),
        "\"a\n b\": 1\n".to_string(),
        // A plain `-` before a flow indicator (found by the fuzz target).
        "n: [-] ".to_string(),
        "n: [a, -, b]\n".to_string(),
        "n: {-: 1}\n".to_string(),
        "n: -]\n".to_string(),
        "0 {: {a b -M - O: c#d -}".to_string(),
        "n: [a -, b]\n".to_string(),
        "a: {\"x\n y\": 1}\n".to_string(),
    ] {
        // Declined, or taken with exactly the full parser's result.
        same(&text, &format!("{:?}", &text[..text.len().min(40)]));
    }
    let crash = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fuzz/corpus/yaml_fast_path/long-quoted-key"
    ))
    .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&crash);
    same(&text, "the fuzzer's long quoted key");
}
