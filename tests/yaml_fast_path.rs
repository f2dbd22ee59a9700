//! The YAML fast path (`src/yaml/fast.rs`) against the full parser: on
//! every fixture, every corpus file and mutated copies of them, the fast
//! path either declines or gives exactly the full parser's documents, spans
//! and findings. Needs `../shared/corpus` for the corpus part (see
//! `common`).

mod common;

use std::path::{Path, PathBuf};

use kvet::yaml::{Limits, parse_yaml_fast, parse_yaml_full};

/// Whether the fast path took `text`; panics when it took it and differs.
fn same(text: &str, what: &str) -> bool {
    let Some(fast) = parse_yaml_fast(text, Limits::default()) else {
        return false;
    };
    let full = parse_yaml_full(text, Limits::default());
    if fast == full {
        return true;
    }
    if format!("{fast:?}") != format!("{full:?}") {
        let (a, b) = common::debug_difference(&fast, &full, 12, 16);
        panic!("fast path differs on {what}\n--- fast\n{a}\n--- full\n{b}\n--- text\n{text}");
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
    common::files_with_ext(Path::new("fixtures"), &["yaml", "yml"], &mut files);
    common::files_with_ext(Path::new("tests/data"), &["yaml", "yml"], &mut files);
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
    common::files_with_ext(&root, &["yaml", "yml"], &mut files);
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
    common::files_with_ext(Path::new("fixtures"), &["yaml", "yml"], &mut files);
    if let Some(root) = common::shared("fast_path_matches_full_parser_on_mutations", "corpus") {
        let mut corpus = Vec::new();
        common::files_with_ext(&root, &["yaml", "yml"], &mut corpus);
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

/// A `...` in column 0 ends the document wherever it stands, and the full
/// parser rejects anything after it on its line; inside a block collection
/// the fast path took it for a key or a value (the two inputs the
/// `yaml_fast_path` fuzz target had found, minimized).
#[test]
fn fast_path_declines_document_end_inside_a_collection() {
    for text in [
        "a: 1\n... x\n",
        "a: 1\n... x: 1\n",
        "a:\n  b: 1\n... x\n",
        "- a\n... x\n",
        "a:\n- x\n... y\n",
        "a: |\n  x\n... y\n",
        "---\na: 1\n... x\n---\nb: 1\n",
    ] {
        assert!(!same(text, &format!("{text:?}")), "fast path took {text:?}");
    }
    // Valid uses of `...`: declined or read alike.
    for text in ["a: 1\n...\nb: 2\n", "a: 1\n... # c\n", "- a\n...\n"] {
        same(text, &format!("{text:?}"));
    }
    for name in ["doc-end-in-map", "doc-end-in-map-2"] {
        let path = format!("{}/fuzz/corpus/yaml_fast_path/{name}", env!("CARGO_MANIFEST_DIR"));
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let text = String::from_utf8_lossy(&bytes);
        assert!(!same(&text, name), "fast path took {name}");
    }
}

/// A finding the tree builder makes (a merge key without a mapping) in a
/// file written as a template gets the full parser's "render it first"
/// help from the fast path too (found by a generated-input check).
#[test]
fn fast_path_gives_template_help_like_the_full_parser() {
    for text in ["<<: |\n {{\n", "a: {{ x }}\n<<: 1\n"] {
        same(text, &format!("{text:?}"));
    }
}

/// A plain key followed by many spaces before its `:` runs past YAML's
/// simple-key limit, which counts up to the `:`; the full parser rejects it.
#[test]
fn fast_path_declines_plain_key_padded_past_the_limit() {
    let text = format!("a{}: v\n", " ".repeat(1100));
    assert!(!same(&text, "a padded plain key"), "fast path took a padded key");
    let text = format!("- a{}: v\n", " ".repeat(1100));
    assert!(!same(&text, "a padded plain key in a sequence"));
}

/// A small deterministic random source (xorshift).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SCALARS: &[&str] = &[
    "a",
    "b c",
    "\"q\"",
    "'s'",
    "\"x\\\"y\"",
    "'it''s'",
    "1",
    "true",
    "on",
    "~",
    "",
    "-x",
    "x:y",
    "a#b",
    "\"\"",
    "''",
    "[a, b]",
    "[]",
    "{}",
    "{a: 1}",
    "{\"k\": v, b: 'c'}",
    "[\"a\", 'b']",
    "-1",
    "0x1F",
    ".5",
    "é ü",
    "a   ",
    "?x",
    ":x",
    "x # c",
    "\"multi\n@line\"",
    "'multi\n\n@line'",
    "plain\n@cont",
    "plain\n\n@cont",
    "\"a\\ b\\\\\"",
    "{a: [b]}",
];
const KEYS: &[&str] = &[
    "a", "key", "k k", "\"q\"", "'s'", "<<", "on", "-k", "?k", ":k", "1", "\"\"", "a b :c", "x",
];
/// Inserted at random places: tokens that move text in and out of the
/// subset or make it invalid.
const NOISE: &[&str] = &[
    "- ", "-", "a: ", ":", ": ", "?", "? ", "#", " #", "'", "\"", "|", "|-", "|+", "|2", "[", "]", "{", "}", ",", "\n",
    "\n  ", "\n- ", "---", "...", "--- ", "... ", "&a ", "*a", "!t ", ">", "%", "@", "`", "\\", " ", "  ", "x",
    "{{ x }}", "\u{a0}", "\u{feff}", "\u{85}",
];

/// A block node in column `col`: a scalar (`inline`: on its parent's line),
/// a mapping or a sequence, with the indentation slips and comments that
/// real manifests have.
fn gen_node(r: &mut Rng, s: &mut String, col: usize, depth: usize, inline: bool, scalar_only: bool) {
    let kind = match (depth, scalar_only) {
        (_, true) | (4.., _) => 0,
        (0, _) => 1 + r.below(2),
        _ => r.below(4).saturating_sub(1),
    };
    let newline = |s: &mut String, col: usize| {
        s.push('\n');
        s.push_str(&" ".repeat(col));
    };
    match kind {
        0 => {
            if !inline {
                newline(s, col);
            }
            if r.below(6) == 0 {
                s.push_str(r.pick(&["|", "|-", "|+", "|2", "|1", "|-2", "|+1"]));
                if r.below(4) == 0 {
                    s.push_str(" # c");
                }
                let indent = col + 1 + r.below(3);
                for _ in 0..r.below(4) {
                    s.push('\n');
                    match r.below(5) {
                        0 => {}
                        1 => s.push_str(&" ".repeat(r.below(indent + 3))),
                        _ => {
                            s.push_str(&" ".repeat(indent + if r.below(4) == 0 { r.below(3) } else { 0 }));
                            s.push_str(r.pick(SCALARS).lines().next().unwrap_or("x"));
                        }
                    }
                }
            } else {
                let cont = " ".repeat(col + r.below(3));
                s.push_str(&r.pick(SCALARS).replace('@', &cont));
            }
        }
        1 => {
            for i in 0..1 + r.below(3) {
                if i > 0 || !inline {
                    newline(s, col);
                }
                s.push_str(r.pick(KEYS));
                s.push_str(if r.below(8) == 0 { "  :" } else { ":" });
                match r.below(6) {
                    0 => {
                        s.push_str(" # c");
                        let c = col + 1 + r.below(3);
                        gen_node(r, s, c, depth + 1, false, false);
                    }
                    1 | 2 => {
                        let c = if r.below(4) == 0 { col } else { col + 1 + r.below(3) };
                        gen_node(r, s, c, depth + 1, false, false);
                    }
                    _ => {
                        s.push(' ');
                        gen_node(r, s, col + 1, depth + 1, true, true);
                    }
                }
            }
        }
        _ => {
            for i in 0..1 + r.below(3) {
                if i > 0 || !inline {
                    newline(s, col);
                }
                s.push('-');
                if r.below(5) == 0 {
                    let c = col + 1 + r.below(3);
                    gen_node(r, s, c, depth + 1, false, false);
                } else {
                    s.push(' ');
                    gen_node(r, s, col + 2, depth + 1, true, false);
                }
            }
        }
    }
    if r.below(25) == 0 {
        s.push_str(r.pick(&[
            "  # c",
            "\n# c",
            "\n\n",
            "\n   # c",
            "\n---",
            "\n--- # x",
            "\n...",
            "\n",
        ]));
    }
}

/// A stream of one or two generated documents with up to three random
/// insertions or cuts.
fn gen_stream(r: &mut Rng) -> String {
    let mut s = String::new();
    for d in 0..1 + r.below(2) {
        if d > 0 || r.below(3) == 0 {
            s.push_str("---\n");
        }
        let mut body = String::new();
        let col = r.below(2);
        gen_node(r, &mut body, col, 0, false, false);
        s.push_str(body.trim_start_matches('\n'));
        s.push('\n');
    }
    for _ in 0..[0, 0, 1, 1, 2, 3][r.below(6)] {
        let mut at = r.below(s.len() + 1);
        while !s.is_char_boundary(at) {
            at -= 1;
        }
        if r.below(3) == 0 {
            let mut end = (at + 1 + r.below(3)).min(s.len());
            while !s.is_char_boundary(end) {
                end += 1;
            }
            s.replace_range(at..end, "");
        } else {
            let noise = r.pick(NOISE);
            s.insert_str(at, noise);
        }
    }
    s
}

/// Generated block-style streams, valid and broken: the fast path must
/// decline or agree (the same property as the fuzz target, aimed at the
/// subset's structure: indentation, block scalars, multi-line scalars,
/// markers).
#[test]
fn fast_path_matches_full_parser_on_generated_streams() {
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    let (mut taken, tried) = (0, 60_000);
    for i in 0..tried {
        let text = gen_stream(&mut r);
        if same(&text, &format!("generated stream {i}")) {
            taken += 1;
        }
    }
    eprintln!("generated: fast path took {taken}/{tried}");
    assert!(taken > tried / 10, "fast path took only {taken}/{tried}");
}
