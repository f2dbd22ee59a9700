//! Position conversions and loading stay linear on large non-ASCII input:
//! each case runs at two sizes, and the time per byte (criterion's
//! throughput) must stay about the same when the input doubles. Before the
//! line index had checkpoints these were quadratic: a one-line 2 MB JSON
//! List with one "é" took 10.8 s, 60k broken documents plus one "é" 30 s,
//! and each LSP edit of a 1 MB one-line file 41 s.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use kvet::source::{LineIndex, SourceFile};
use kvet::yaml::{Limits, parse_source, parse_yaml};

/// A one-line JSON List of about `bytes` bytes with one "é" at the start.
fn json_list(bytes: usize) -> String {
    let item = r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"k":"v"}}"#;
    let n = bytes / (item.len() + 1);
    format!(
        r#"{{"apiVersion":"v1","kind":"List","metadata":{{"name":"é"}},"items":[{}]}}"#,
        vec![item; n].join(",")
    )
}

/// `docs` broken YAML documents and one "é" at the start.
fn broken_docs(docs: usize) -> String {
    let mut s = String::from("# é\n");
    for _ in 0..docs {
        s.push_str("a: [1, 2\n---\n");
    }
    s
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("positions");
    g.sample_size(10);
    for size in [1 << 20, 2 << 20] {
        let text = json_list(size);
        g.throughput(Throughput::Bytes(text.len() as u64));
        // Every node's line and column, as the reports ask for them.
        g.bench_with_input(BenchmarkId::new("load_one_line_json", size), &text, |b, t| {
            b.iter(|| {
                let st = parse_source(black_box(t), true, Limits::default());
                let idx = LineIndex::new(t);
                let mut sum = 0u32;
                if let Some(root) = st.documents.first().and_then(|d| d.root.as_ref()) {
                    for item in root.get("items").map(|i| i.items()).unwrap_or(&[]) {
                        sum = sum.wrapping_add(idx.line_col(t, item.span.end).column);
                        sum = sum.wrapping_add(idx.utf16_position(t, item.span.start).1);
                    }
                }
                sum
            })
        });
        // An LSP edit: position → offset → position at the end of the line.
        let file = SourceFile::from_text("x.json", None, text.clone());
        g.bench_with_input(BenchmarkId::new("lsp_conversions", size), &file, |b, f| {
            b.iter(|| {
                let mut sum = 0u32;
                for k in 0..1000u32 {
                    let col = (k * 997) % (f.text.len() as u32);
                    let off = f.line_index().offset_of_utf16(&f.text, 0, black_box(col));
                    sum = sum.wrapping_add(f.line_index().utf16_position(&f.text, off).1);
                }
                sum
            })
        });
    }
    for docs in [30_000, 60_000] {
        let text = broken_docs(docs);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::new("broken_documents", docs), &text, |b, t| {
            b.iter(|| parse_yaml(black_box(t), Limits::default()).diagnostics.len())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
