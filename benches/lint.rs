//! Criterion benchmarks: YAML loading and a full lint, on the largest corpus
//! files when `../shared/corpus` is present, else on a generated manifest
//! stream of similar shape.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kvet::config::Config;
use kvet::lint::lint;
use kvet::source::SourceFile;
use kvet::yaml::{Limits, parse_yaml};

/// A multi-document stream of Deployments and Services (~1 MB).
fn generated() -> String {
    let mut s = String::new();
    for i in 0..400 {
        s.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  labels: {{app: app-{i}, tier: web}}\nspec:\n  replicas: 3\n  selector:\n    matchLabels: {{app: app-{i}}}\n  template:\n    metadata:\n      labels: {{app: app-{i}, tier: web}}\n    spec:\n      containers:\n      - name: app\n        image: example/app:{i}.0\n        ports:\n        - {{name: http, containerPort: 8080}}\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{cpu: 500m, memory: 256Mi}}\n        readinessProbe:\n          httpGet: {{path: /ready, port: http}}\n        livenessProbe:\n          httpGet: {{path: /ready, port: http}}\n        env:\n        - {{name: MODE, value: \"production\"}}\n        - {{name: LEVEL, value: \"info\"}}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: app-{i}\nspec:\n  selector: {{app: app-{i}}}\n  ports:\n  - {{port: 80, targetPort: http}}\n"
        ));
    }
    s
}

fn inputs() -> Vec<SourceFile> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/argo-cd/manifests/install.yaml");
    match std::fs::read_to_string(&corpus) {
        Ok(text) => vec![SourceFile::from_text("install.yaml", None, text)],
        Err(_) => vec![SourceFile::from_text("generated.yaml", None, generated())],
    }
}

fn bench(c: &mut Criterion) {
    let sources = inputs();
    let bytes: usize = sources.iter().map(|s| s.text.len()).sum();
    let mut g = c.benchmark_group("kvet");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("parse", |b| {
        b.iter(|| {
            for s in &sources {
                black_box(parse_yaml(&s.text, Limits::default()));
            }
        })
    });
    let config = Config::default();
    g.bench_function("lint", |b| b.iter(|| black_box(lint(&sources, &config))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
