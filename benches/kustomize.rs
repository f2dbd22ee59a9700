//! Criterion benchmark: a generated tree of 200 overlays over 20 bases,
//! every overlay rendered in-process (rayon, one root per task), and the
//! rendered objects linted.

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use kvet::config::Config;
use kvet::lint::lint;
use kvet::render::kustomize::{Options, render, to_yaml};
use kvet::source::SourceFile;
use rayon::prelude::*;

const BASES: usize = 20;
const OVERLAYS: usize = 200;

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// Writes the tree and returns the overlay folders.
fn generate(root: &Path) -> Vec<PathBuf> {
    for b in 0..BASES {
        let dir = root.join(format!("bases/app-{b}"));
        write(
            &dir.join("kustomization.yaml"),
            "resources: [deploy.yaml, service.yaml]\ncommonLabels:\n  app.kubernetes.io/part-of: shop\nconfigMapGenerator:\n- name: settings\n  literals: [LEVEL=info, MODE=base]\n",
        );
        write(
            &dir.join("deploy.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{b}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: app-{b}}}\n  template:\n    metadata:\n      labels: {{app: app-{b}}}\n    spec:\n      serviceAccountName: default\n      containers:\n      - name: app\n        image: example/app-{b}:1.0\n        ports: [{{name: http, containerPort: 8080}}]\n        envFrom: [{{configMapRef: {{name: settings}}}}]\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{memory: 256Mi}}\n        readinessProbe:\n          httpGet: {{path: /ready, port: http}}\n"
            ),
        );
        write(
            &dir.join("service.yaml"),
            &format!(
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: app-{b}\nspec:\n  selector: {{app: app-{b}}}\n  ports: [{{port: 80, targetPort: http}}]\n"
            ),
        );
    }
    (0..OVERLAYS)
        .map(|o| {
            let dir = root.join(format!("overlays/env-{o}"));
            let b = o % BASES;
            write(
                &dir.join("kustomization.yaml"),
                &format!(
                    "namespace: env-{o}\nnamePrefix: e{o}-\nresources: [../../bases/app-{b}]\nlabels:\n- pairs: {{env: e{o}}}\n  includeSelectors: true\nimages:\n- name: example/app-{b}\n  newTag: \"2.{o}\"\nreplicas:\n- name: app-{b}\n  count: 3\nconfigMapGenerator:\n- name: settings\n  behavior: merge\n  literals: [MODE=env-{o}]\npatches:\n- path: patch.yaml\n"
                ),
            );
            write(
                &dir.join("patch.yaml"),
                &format!(
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{b}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        env: [{{name: OVERLAY, value: \"{o}\"}}]\n        resources:\n          limits: {{memory: 512Mi}}\n"
                ),
            );
            dir
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let overlays = generate(tmp.path());
    let config = Config::default();
    let mut g = c.benchmark_group("kustomize");
    g.sample_size(10);
    g.bench_function("render 200 overlays over 20 bases", |b| {
        b.iter(|| {
            let n: usize = overlays
                .par_iter()
                .map(|d| render(d, &Options::default()).objects.len())
                .sum();
            black_box(n)
        })
    });
    g.bench_function("render and lint 200 overlays over 20 bases", |b| {
        b.iter(|| {
            let n: usize = overlays
                .par_iter()
                .map(|d| {
                    let r = render(d, &Options::default());
                    let text = to_yaml(&r.objects, None);
                    let src = SourceFile::from_text("rendered.yaml", None, text);
                    lint(&[src], &config).diagnostics.len()
                })
                .sum();
            black_box(n)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
