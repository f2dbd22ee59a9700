//! Language-server latency: an edit to a 5,000-line manifest and the
//! re-lint that follows, through the server's own code path (incremental
//! change, lint, publish).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use kvet::lsp::Server;
use lsp_server::{Message, Notification};
use serde_json::json;

#[path = "common/lsp_doc.rs"]
mod lsp_doc;
use lsp_doc::{manifest, middle_replicas};

/// Every publishDiagnostics of `uri` in the outbox, as long as none of them
/// reports a YAML syntax error (the edit must keep the document valid).
/// Findings written as JSON text (`take_outbox_as_sent`) are checked as
/// text, as the server sends them.
fn assert_no_syntax_error(outbox: &[Message], uri: &str) -> usize {
    let mut published = 0;
    for m in outbox {
        if let Message::Notification(n) = m
            && n.method == kvet::lsp::SERIALIZED
        {
            let text = n.params.as_str().unwrap_or_default();
            if text.contains(&format!("\"uri\":\"{uri}\"")) {
                published += 1;
                assert!(
                    !text.contains("\"code\":\"yaml-syntax\""),
                    "the edit broke the document: {text}"
                );
            }
            continue;
        }
        if let Message::Notification(n) = m
            && n.method == "textDocument/publishDiagnostics"
            && n.params["uri"] == uri
        {
            published += 1;
            let diags = n.params["diagnostics"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            assert!(
                !diags.iter().any(|d| d["code"] == "yaml-syntax"),
                "the edit broke the document: {diags:?}"
            );
        }
    }
    assert_eq!(published, 1, "one publishDiagnostics per lint");
    published
}

/// Messages as sent, with the findings' JSON text read back (set-up
/// checks only: the measured loops check the text).
fn typed(outbox: Vec<Message>) -> Vec<Message> {
    outbox.into_iter().map(kvet::lsp::read_back).collect()
}

fn bench(c: &mut Criterion) {
    let text = manifest();
    assert!(text.lines().count() >= 5000);
    let (line, col) = middle_replicas(&text);
    // LSP lines are 0-based: line 2509 here is the editor's line 2510.
    assert_eq!(line, 2509, "the replica count in the middle moved");
    let params: lsp_types::InitializeParams =
        serde_json::from_value(json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::new(&params);
    let uri = "file:///bench/big.yaml";
    server.notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    ));
    assert_no_syntax_error(&server.take_outbox(), uri);
    let mut version = 1;
    // Replaces `len` characters of the replica count's value with `value`
    // and re-lints.
    let mut edit = |server: &mut Server, len: usize, value: &str| {
        version += 1;
        server.notification(Notification::new(
            "textDocument/didChange".into(),
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + len } }, "text": value }],
            }),
        ));
        server.lint_and_publish();
        server.take_outbox_as_sent()
    };
    // The range is that digit: `3: 3` there is a syntax error on that line
    // (a mapping value where a scalar is), and putting the 3 back makes the
    // document valid again.
    let broken = typed(edit(&mut server, 1, "3: 3"));
    let at_line = broken.iter().any(|m| {
        matches!(m, Message::Notification(n) if n.params["diagnostics"].as_array().is_some_and(|d| {
            d.iter().any(|d| d["code"] == "yaml-syntax" && d["range"]["start"]["line"].as_u64() == Some(line as u64))
        }))
    });
    assert!(at_line, "no syntax error after breaking line {}: {broken:?}", line + 1);
    assert_no_syntax_error(&edit(&mut server, 4, "3"), uri);
    // Then the measured edit: the replica count 3 -> 5 -> 3 -> ..., one
    // character replaced each time, as typing would, and the document must
    // still parse after each.
    let mut n = 0u64;
    c.bench_function("lsp_edit_and_relint_5000_lines", |b| {
        b.iter(|| {
            n += 1;
            let outbox = edit(&mut server, 1, if n % 2 == 1 { "5" } else { "3" });
            black_box(assert_no_syntax_error(&outbox, uri));
        })
    });
}

/// The same edit with `../shared/corpus` (1,266 real manifests) as the
/// workspace, whose objects feed the cross-object rules; and a 5 MB
/// document opened and edited. Skipped when the corpus is not there.
fn bench_workspace(c: &mut Criterion) {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let Ok(corpus) = corpus.canonicalize() else {
        eprintln!("skipped: ../shared/corpus not found");
        return;
    };
    let params: lsp_types::InitializeParams = serde_json::from_value(json!({
        "capabilities": {},
        "workspaceFolders": [{ "uri": format!("file://{}", corpus.display()), "name": "corpus" }],
    }))
    .unwrap_or_else(|e| panic!("{e}"));
    let mut group = c.benchmark_group("lsp_workspace");
    group.sample_size(10);
    group.bench_function("initialize_with_corpus_workspace", |b| {
        b.iter(|| black_box(Server::new(&params)))
    });
    let mut server = Server::new(&params);
    let text = manifest();
    let (line, col) = middle_replicas(&text);
    let uri = "file:///bench/big.yaml";
    server.notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    ));
    server.take_outbox();
    let mut version = 1;
    let mut n = 0u64;
    group.bench_function("edit_5000_lines_with_corpus_workspace", |b| {
        b.iter(|| {
            n += 1;
            version += 1;
            server.notification(Notification::new(
                "textDocument/didChange".into(),
                json!({
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 1 } }, "text": if n % 2 == 1 { "5" } else { "3" } }],
                }),
            ));
            server.lint_and_publish();
            black_box(assert_no_syntax_error(&server.take_outbox_as_sent(), uri));
        })
    });
    // A 5 MB document: the 5,000-line manifest about 20 times.
    let one = manifest();
    let big: String = (0..(5_000_000 / one.len() + 1)).map(|_| one.as_str()).collect();
    let big_uri = "file:///bench/huge.yaml";
    let mut plain =
        Server::new(&serde_json::from_value(json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}")));
    let open = |version: i32| {
        Notification::new(
            "textDocument/didOpen".into(),
            json!({ "textDocument": { "uri": big_uri, "languageId": "yaml", "version": version, "text": big } }),
        )
    };
    // A cold open: a fresh server (no findings kept from an earlier lint
    // of the same text), timed up to the publish as written to the client.
    // The message and the server are made, and dropped, outside the timing.
    group.bench_function("open_5mb_document", |b| {
        b.iter_batched(
            || {
                let server = Server::new(
                    &serde_json::from_value(json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}")),
                );
                (server, open(1))
            },
            |(mut server, message)| {
                server.notification(message);
                let sent = server.take_outbox_as_sent();
                (server, sent)
            },
            BatchSize::PerIteration,
        )
    });
    let mut v = 1;
    plain.notification(open(v));
    assert_eq!(
        assert_no_syntax_error(&plain.take_outbox_as_sent(), big_uri),
        1,
        "no publish after the open"
    );
    group.bench_function("edit_5mb_document", |b| {
        b.iter(|| {
            v += 1;
            plain.notification(Notification::new(
                "textDocument/didChange".into(),
                json!({
                    "textDocument": { "uri": big_uri, "version": v },
                    "contentChanges": [{ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 1 } }, "text": if v % 2 == 1 { "5" } else { "3" } }],
                }),
            ));
            plain.lint_and_publish();
            black_box(plain.take_outbox_as_sent())
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_workspace);
criterion_main!(benches);
