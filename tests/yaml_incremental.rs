//! `kvet::yaml::reparse` (the language server's re-parse after an edit)
//! against parsing the whole text: on every fixture and a slice of
//! `../shared/corpus`, chains of pseudo-random edits (characters, lines,
//! document markers, anchors, broken syntax) must give exactly the stream
//! that parsing the edited text whole gives.

mod common;
#[path = "../fuzz/reparse_input.rs"]
mod reparse_input;

use std::path::{Path, PathBuf};

use kvet::yaml::{Limits, parse_yaml, try_reparse};

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&str] = &[
    "a",
    "5",
    " ",
    "\n",
    "---\n",
    "\n---\n",
    "--- ",
    "x: 1\n",
    "  y: [1, 2]\n",
    "- ",
    "#",
    ":",
    "\"",
    "'",
    "{",
    "&a ",
    "*a",
    "\t",
    "é",
    "...\n",
    "%YAML 1.1\n",
    "|\n  text\n",
    "? ",
    "\r\n",
];

/// One edit of `text` at a character boundary: half of them change one
/// letter or digit (as typing does), the others insert or delete anything.
fn edit(text: &str, rng: &mut Rng) -> String {
    if rng.below(2) == 0 {
        let from = rng.below(text.len() + 1);
        if let Some(i) = text.bytes().skip(from).position(|b| b.is_ascii_alphanumeric()) {
            let at = from + i;
            let with = if rng.below(2) == 0 { "7" } else { "zq" };
            return format!("{}{with}{}", &text[..at], &text[at + 1..]);
        }
    }
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    // Half of the edits land at a line start, where structure changes.
    if rng.below(2) == 0 {
        at = text[..at].rfind('\n').map_or(0, |i| i + 1);
    }
    let mut end = (at + rng.below(6)).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let insert = match rng.below(3) {
        0 => "",
        _ => INSERTS[rng.below(INSERTS.len())],
    };
    let end = if insert.is_empty() {
        end.max((at + 1).min(text.len()))
    } else {
        end
    };
    let mut end = end;
    while !text.is_char_boundary(end) {
        end += 1;
    }
    format!("{}{insert}{}", &text[..at], &text[end..])
}

/// Edits `path` `edits` times; returns (edits re-parsed in part, edits).
fn check_file(path: &Path, edits: usize, rng: &mut Rng) -> (usize, usize) {
    let Ok(mut text) = std::fs::read_to_string(path) else {
        return (0, 0);
    };
    let mut taken = 0;
    let limits = Limits::default();
    let mut stream = parse_yaml(&text, limits);
    for _ in 0..edits {
        let new = edit(&text, rng);
        let want = parse_yaml(&new, limits);
        // A broken text is parsed whole; the chain goes on from the last
        // text that parsed cleanly.
        let broken = !want.diagnostics.is_empty();
        let Some(got) = try_reparse(&text, stream.clone(), &new, limits) else {
            if !broken {
                (text, stream) = (new, want);
            }
            continue;
        };
        taken += 1;
        if got != want {
            let (a, b) = common::debug_difference(&got, &want, 8, 12);
            panic!(
                "{}: re-parse differs from a whole parse after an edit\n--- before\n{text:?}\n--- after\n{new:?}\n--- re-parse\n{}\n--- whole\n{}",
                path.display(),
                a,
                b
            );
        }
        text = new;
        stream = got;
    }
    (taken, edits)
}

/// The share of edits taken in part must stay substantial, or the test
/// proves nothing.
fn assert_taken(files: &[PathBuf], (taken, total): (usize, usize)) {
    eprintln!("{taken} of {total} edits re-parsed in part over {} files", files.len());
    assert!(
        taken * 4 >= total,
        "only {taken} of {total} edits were re-parsed in part"
    );
}

#[test]
fn reparse_equals_a_whole_parse_on_every_fixture() {
    let mut files = Vec::new();
    common::files_with_ext(&common::repo_root().join("fixtures"), &["yaml", "yml"], &mut files);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut sum = (0, 0);
    for f in &files {
        let (t, n) = check_file(f, 12, &mut rng);
        sum = (sum.0 + t, sum.1 + n);
    }
    assert_taken(&files, sum);
}

#[test]
fn reparse_equals_a_whole_parse_on_corpus_files() {
    let Some(corpus) = common::shared("reparse_equals_a_whole_parse_on_corpus_files", "corpus") else {
        return;
    };
    let mut files = Vec::new();
    common::files_with_ext(&corpus, &["yaml", "yml"], &mut files);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut sum = (0, 0);
    for f in files.iter().step_by(3) {
        let (t, n) = check_file(f, 6, &mut rng);
        sum = (sum.0 + t, sum.1 + n);
    }
    assert_taken(&files, sum);
}

/// Edits the stress runs found: each re-parse must equal the whole parse.
#[test]
fn reparse_regressions() {
    let limits = Limits::default();
    for (old, new) in [
        // A one-line document whose span sits at the end of the text.
        ("-- --- a", "-- --- zq"),
        (
            ">+\nM\n\n\n\n \ni\n---\napiVp   ,y    ",
            ">+\nM\n\n\n\n \ni\n---\napiVp   ,y    ",
        ),
        (
            ">+\n\n\n\n\n\n :\\\\\\\\\\\\ kwwwwcmemory: 128Mi\n---\napiVersi mn:or1\n #wk\": {\u{c}  p   ,y    ",
            ">+\n\n\n\n\n\n :\\\\\\\\\\\\ kwwwwcmemory: 128Mi\n---\napiVersi mn:or1\n #wk\": {\u{c}  p   ,y    ",
        ),
        // A marker typed into a document ends it with an empty one.
        (
            "a: 1\n---\nb: 10Gi\n---\nc: 3\n",
            "a: 1\n---\nb: 10\n---\n\n---\nc: 3\n",
        ),
        // A document that is a block scalar: what follows decides whether
        // the full parser reads a `---` line after it as text (found by the
        // yaml_reparse fuzz target).
        (
            "################# |\n  \n  |\n---\n - |\n  \n  ",
            "################# |\n  \n  |\n---\n - |\n  \n  \n    33333 -33333 - |\n---\n -",
        ),
    ] {
        let got = kvet::yaml::reparse(old, parse_yaml(old, limits), new, limits);
        assert_eq!(got, parse_yaml(new, limits), "{old:?} -> {new:?}");
    }
}

/// Every input of the `yaml_reparse` fuzz target's corpus, read as that
/// target reads it (`fuzz/fuzz_targets/yaml_reparse.rs`), including the
/// divergences it found.
#[test]
fn reparse_replays_the_fuzz_corpus() {
    let dir = common::repo_root().join("fuzz/corpus/yaml_reparse");
    let mut files = Vec::new();
    if let Ok(entries) = std::fs::read_dir(&dir) {
        files.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
    }
    assert!(!files.is_empty(), "no corpus in {}", dir.display());
    let limits = Limits::default();
    for p in files {
        let Ok(data) = std::fs::read(&p) else { continue };
        let Some((text, new)) = reparse_input::decode(&data) else {
            continue;
        };
        let got = kvet::yaml::reparse(text, parse_yaml(text, limits), &new, limits);
        assert!(got == parse_yaml(&new, limits), "{}: {text:?} -> {new:?}", p.display());
    }
}
