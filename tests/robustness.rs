//! Mutation fuzzing of the loaders: thousands of randomly damaged variants
//! of the fixtures (bytes deleted, duplicated, swapped for YAML punctuation)
//! must load and lint without a panic, with every finding inside its file.
//! Deterministic (fixed seed), so a failure reproduces.

use std::path::Path;

use kvet::config::Config;
use kvet::lint::lint;
use kvet::source::SourceFile;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[&[u8]] = &[
    b":",
    b"-",
    b" ",
    b"\n",
    b"\t",
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b"'",
    b"\"",
    b"&a",
    b"*a",
    b"<<",
    b"|",
    b">",
    b"#",
    b"---\n",
    b"...\n",
    b"!!str ",
    b"? ",
    b"\xff",
    b"\xc3",
    b"\r\n",
    b"\xef\xbb\xbf",
    b"0644",
    b"yes",
];

fn mutate(rng: &mut Rng, base: &[u8]) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(4) {
            0 if !v.is_empty() => {
                let n = 1 + rng.below(8);
                let end = (at + n).min(v.len());
                v.drain(at.min(end)..end);
            }
            1 => {
                let tok = ALPHABET[rng.below(ALPHABET.len())];
                v.splice(at..at, tok.iter().copied());
            }
            2 if !v.is_empty() => {
                // Duplicate a line-sized chunk (duplicate keys, deep nesting).
                let start = rng.below(v.len());
                let end = (start + 1 + rng.below(40)).min(v.len());
                let chunk: Vec<u8> = v[start..end].to_vec();
                v.splice(at..at, chunk);
            }
            _ => {
                if let Some(b) = v.get_mut(at) {
                    *b = ALPHABET[rng.below(ALPHABET.len())][0];
                }
            }
        }
    }
    v
}

#[test]
fn damaged_manifests_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut seeds: Vec<Vec<u8>> = Vec::new();
    for dir in std::fs::read_dir(&root).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(dir.path()).into_iter().flatten().flatten() {
            if let Ok(b) = std::fs::read(f.path()) {
                seeds.push(b);
            }
        }
    }
    seeds
        .push(b"{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\"}]}}".to_vec());
    assert!(!seeds.is_empty());
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    for round in 0..3000 {
        let base = &seeds[round % seeds.len()];
        let bytes = mutate(&mut rng, base);
        let name = if round % 7 == 0 { "x.json" } else { "x.yaml" };
        let sources = vec![SourceFile::from_bytes(name, None, bytes)];
        let out = lint(&sources, &config);
        let len = sources[0].text.len() as u32;
        for d in &out.diagnostics {
            assert!(d.span.start <= d.span.end && d.span.end <= len, "round {round}: {d:?}");
            let _ = sources[0].line_col(d.span.start);
        }
    }
}

/// A one-line (minified) JSON manifest with findings past column 65,535:
/// the human report once panicked there.
#[test]
fn human_report_past_column_65535() {
    let pad = "x".repeat(70_000);
    let text = format!(
        "{{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{{\"name\":\"p\",\"annotations\":{{\"a\":\"{pad}\"}}}},\"spec\":{{\"containers\":[{{\"name\":\"c\",\"image\":\"nginx:latest\"}}]}}}}"
    );
    let sources = vec![SourceFile::from_text("p.json", None, text)];
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let out = lint(&sources, &config);
    assert!(
        out.diagnostics
            .iter()
            .any(|d| sources[0].line_col(d.span.start).column > 70_000)
    );
    let mut buf = Vec::new();
    let opts = kvet::report::HumanOptions {
        color: false,
        snippets: true,
    };
    kvet::report::human::render(&mut buf, &out.diagnostics, &sources, &out.summary, opts)
        .unwrap_or_else(|e| panic!("render: {e}"));
    let shown = String::from_utf8_lossy(&buf);
    assert!(shown.contains("p.json:1:700"), "{}", &shown[..shown.len().min(500)]);
}

/// A file with CR-only line endings (old Mac): findings are on their own
/// lines, not all on line 1, and the human report shows those lines.
#[test]
fn cr_only_line_numbers() {
    let text = "apiVersion: v1\rkind: Pod\rmetadata:\r  name: p\r  name: q\rspec:\r  containers:\r  - name: c\r    image: nginx\r";
    let sources = vec![SourceFile::from_text("p.yaml", None, text.to_string())];
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let out = lint(&sources, &config);
    let dup = out.diagnostics.iter().find(|d| d.rule == "yaml-duplicate-key");
    let dup = dup.unwrap_or_else(|| panic!("no duplicate-key finding: {:?}", out.diagnostics));
    let pos = sources[0].line_col(dup.span.start);
    assert_eq!((pos.line, pos.column), (5, 3));
    let header = kvet::report::human::header(dup, &sources[0], false);
    assert!(header.starts_with("p.yaml:5:3:"), "{header}");
}
