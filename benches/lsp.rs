//! Language-server latency: an edit to a 5,000-line manifest and the
//! re-lint that follows, through the server's own code path (incremental
//! change, lint, publish).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use kvet::lsp::Server;
use lsp_server::Notification;
use serde_json::json;

/// Just over 5,000 lines: 103 Deployments of 49 lines each.
fn manifest() -> String {
    let mut s = String::new();
    for i in 0..103 {
        s.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: shop\n  labels:\n    app: app-{i}\n    tier: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n        tier: web\n    spec:\n      containers:\n      - name: app\n        image: example/app:{i}.0\n        ports:\n        - name: http\n          containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            cpu: 500m\n            memory: 256Mi\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: http\n        livenessProbe:\n          httpGet:\n            path: /live\n            port: http\n          failureThreshold: 6\n        env:\n        - name: MODE\n          value: production\n        - name: LEVEL\n          value: info\n      securityContext:\n        runAsNonRoot: true\n"
        ));
    }
    s
}

fn bench(c: &mut Criterion) {
    let text = manifest();
    assert!(text.lines().count() >= 5000);
    let params: lsp_types::InitializeParams =
        serde_json::from_value(json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}"));
    let mut server = Server::new(&params);
    let uri = "file:///bench/big.yaml";
    server.notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    ));
    server.take_outbox();
    let mut version = 1;
    c.bench_function("lsp_edit_and_relint_5000_lines", |b| {
        b.iter(|| {
            version += 1;
            // Change a replica count in the middle of the file, as typing would.
            let replicas = if version % 2 == 0 { "5" } else { "3" };
            server.notification(Notification::new(
                "textDocument/didChange".into(),
                json!({
                    "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "range": { "start": { "line": 2510, "character": 12 }, "end": { "line": 2510, "character": 13 } }, "text": replicas }],
                }),
            ));
            server.lint_and_publish();
            black_box(server.take_outbox());
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
