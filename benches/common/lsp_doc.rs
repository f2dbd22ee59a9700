//! The document the language-server benchmarks edit (shared by
//! `benches/lsp.rs` and `examples/lsp_edits.rs`).

/// Just over 5,000 lines: 103 Deployments of 49 lines each.
pub fn manifest() -> String {
    let mut s = String::new();
    for i in 0..103 {
        s.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: shop\n  labels:\n    app: app-{i}\n    tier: web\nspec:\n  replicas: 3\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n        tier: web\n    spec:\n      containers:\n      - name: app\n        image: example/app:{i}.0\n        ports:\n        - name: http\n          containerPort: 8080\n        resources:\n          requests:\n            cpu: 100m\n            memory: 128Mi\n          limits:\n            cpu: 500m\n            memory: 256Mi\n        readinessProbe:\n          httpGet:\n            path: /ready\n            port: http\n        livenessProbe:\n          httpGet:\n            path: /live\n            port: http\n          failureThreshold: 6\n        env:\n        - name: MODE\n          value: production\n        - name: LEVEL\n          value: info\n      securityContext:\n        runAsNonRoot: true\n"
        ));
    }
    s
}

/// The 0-based line of the replica count of the Deployment in the middle
/// of the document (the last one at or before the middle line), and the
/// column of its value.
pub fn middle_replicas(text: &str) -> (usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let line = (0..=lines.len() / 2)
        .rev()
        .find(|&i| lines[i] == "  replicas: 3")
        .unwrap_or_else(|| panic!("no replica count before the middle"));
    (line, "  replicas: ".len())
}
