//! The embedded CRD catalog and catalog folders, end to end: every kind
//! decodes, `kvet versions` lists the projects, `--explain-schemas` names
//! each kind's source, a CRD of the run or `--crd` overrides the catalog,
//! the Gateway API channel follows the configuration, and a kubeconform
//! style catalog folder validates with located errors for broken schemas.

use std::path::Path;

use assert_cmd::Command;

fn kvet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn write(dir: &Path, name: &str, content: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(p, content).unwrap_or_else(|e| panic!("{e}"));
}

const CERT: &str = "apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: web, namespace: shop}
spec:
  secretName: web-tls
  issuerRef: {name: le, kind: ClusterIssuer}
  renewBefor: 360h
";

#[test]
fn every_catalog_kind_decodes() {
    assert_eq!(kvet::schema::crd::catalog::load_error(), None);
    let projects = kvet::schema::crd::catalog::projects();
    assert_eq!(projects.len(), 41, "projects: {projects:?}");
    assert!(
        projects
            .iter()
            .all(|p| !p.version.is_empty() && !p.license.is_empty() && p.kinds > 0)
    );
    let (n, errors) = kvet::schema::crd::catalog::decode_all();
    assert!(errors.is_empty(), "{errors:#?}");
    // 336 kinds, Gateway API's shared by both channels stored twice.
    assert_eq!(n, kvet::schema::crd::catalog::embedded_kinds().count());
    assert!(n >= 336, "{n} kinds");
}

#[test]
fn versions_lists_the_catalog() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let human = text(&kvet(dir.path(), &["versions"]).stdout);
    assert!(human.contains("embedded CRD catalog: 41 projects"), "{human}");
    assert!(
        human
            .lines()
            .any(|l| l.trim_start().starts_with("cert-manager") && l.contains("v1.21.1") && l.contains("Apache-2.0")),
        "{human}"
    );
    let out = kvet(dir.path(), &["versions", "--catalog", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let list = v.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), 41);
    assert!(
        list.iter()
            .any(|p| p["project"] == "zalando-postgres-operator" && p["license"] == "MIT" && p["kinds"] == 4),
        "{v}"
    );
}

#[test]
fn catalog_resources_are_validated_and_explained() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "app.yaml",
        &format!(
            "{CERT}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\n---\napiVersion: example.org/v1\nkind: Thing\nmetadata: {{name: t}}\n"
        ),
    );
    let out = kvet(dir.path(), &["check", "app.yaml", "-q", "--explain-schemas"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stdout.contains("app.yaml:7:3: error[schema-unknown-field] unknown field `renewBefor` in `spec`"),
        "{stdout}"
    );
    assert!(
        stderr.contains("cert-manager.io/v1 Certificate (1 object): embedded catalog: cert-manager v1.21.1"),
        "{stderr}"
    );
    assert!(
        stderr.contains("v1 ConfigMap (1 object): built-in API, Kubernetes 1.37"),
        "{stderr}"
    );
    assert!(stderr.contains("example.org/v1 Thing (1 object): none"), "{stderr}");
}

/// A CRD that allows `renewBefor`: given in the run or with `--crd`, it
/// replaces the embedded one.
const OWN_CRD: &str = "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: certificates.cert-manager.io}
spec:
  group: cert-manager.io
  scope: Namespaced
  names: {kind: Certificate, plural: certificates}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              secretName: {type: string}
              issuerRef: {type: object, x-kubernetes-preserve-unknown-fields: true}
              renewBefor: {type: string}
";

#[test]
fn a_crd_of_the_run_or_crd_flag_overrides_the_catalog() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(dir.path(), "cert.yaml", CERT);
    write(dir.path(), "crds/cert-crd.yaml", OWN_CRD);
    let out = kvet(
        dir.path(),
        &["check", "cert.yaml", "--crd", "crds", "-q", "--explain-schemas"],
    );
    assert!(
        !text(&out.stdout).contains("schema-unknown-field"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("CustomResourceDefinition in crds/cert-crd.yaml (--crd/crds:)"),
        "{}",
        text(&out.stderr)
    );
    // A CRD file that does not load: a located warning, the rest still used.
    write(
        dir.path(),
        "crds/broken.yaml",
        "apiVersion: apiextensions.k8s.io/v1\nkind: [\n",
    );
    let out = kvet(dir.path(), &["check", "cert.yaml", "--crd", "crds", "-q"]);
    assert!(
        !text(&out.stdout).contains("schema-unknown-field"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("kvet: warning: crds/broken.yaml:3:1:"),
        "{}",
        text(&out.stderr)
    );
    write(dir.path(), "both.yaml", &format!("{OWN_CRD}---\n{CERT}"));
    let out = kvet(dir.path(), &["check", "both.yaml", "-q", "--explain-schemas"]);
    assert!(
        !text(&out.stdout).contains("schema-unknown-field"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("Certificate (1 object): CustomResourceDefinition in both.yaml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn gateway_api_channel_is_configurable() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // `retry` is only in the experimental channel's HTTPRoute.
    write(
        dir.path(),
        "route.yaml",
        "apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web}
spec:
  parentRefs: [{name: public}]
  rules:
  - backendRefs: [{name: web, port: 80}]
    retry: {attempts: 2}
",
    );
    let out = kvet(dir.path(), &["check", "route.yaml", "-q", "--explain-schemas"]);
    assert!(
        text(&out.stdout).contains("unknown field `retry` in `spec.rules[0]`"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("gateway-api v1.6.1, standard channel"),
        "{}",
        text(&out.stderr)
    );
    write(dir.path(), ".kvet.yaml", "gateway-api-channel: experimental\n");
    let out = kvet(dir.path(), &["check", "route.yaml", "-q", "--explain-schemas"]);
    assert!(
        !text(&out.stdout).contains("schema-unknown-field"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        text(&out.stderr).contains("experimental channel"),
        "{}",
        text(&out.stderr)
    );
    write(dir.path(), ".kvet.yaml", "gateway-api-channel: beta\n");
    let out = kvet(dir.path(), &["check", "route.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("`beta` is not a `gateway-api-channel` value: standard or experimental"));
}

#[test]
fn a_catalog_folder_validates_and_reports_broken_schemas() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "schemas/example.com/widget_v1.json",
        r#"{
  "type": "object",
  "properties": {
    "apiVersion": {"type": "string"},
    "kind": {"type": "string"},
    "metadata": {"type": "object"},
    "spec": {
      "type": "object",
      "additionalProperties": false,
      "required": ["size"],
      "properties": {"size": {"type": "integer"}, "color": {"type": "string", "enum": ["red", "blue"]}}
    }
  }
}"#,
    );
    write(
        dir.path(),
        "schemas/example.com/gadget_v1.json",
        "{\"type\": \"object\",\n  \"properties\": {\n}}}",
    );
    std::fs::write(dir.path().join("schemas/example.com/gizmo_v1.json"), b"\xff\xfe\x00")
        .unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "app.yaml",
        "apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  colour: red
---
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g}
---
apiVersion: example.com/v1
kind: Gizmo
metadata: {name: z}
",
    );
    write(dir.path(), ".kvet.yaml", "crds: [schemas]\n");
    let out = kvet(dir.path(), &["check", "app.yaml", "-q", "--explain-schemas"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        stdout.contains("app.yaml:5:3: error[schema-unknown-field] unknown field `colour` in `spec`"),
        "{stdout}"
    );
    assert!(
        stdout.contains("error[schema-missing-required] `spec.size` is required"),
        "{stdout}"
    );
    assert!(
        stderr.contains("example.com/v1 Widget (1 object): JSON schema")
            && stderr.contains("widget_v1.json (catalog folder)"),
        "{stderr}"
    );
    // The broken schemas: located warnings, their kinds unchecked.
    assert!(
        stderr.contains("gadget_v1.json:3:3: malformed JSON schema, skipped"),
        "{stderr}"
    );
    assert!(stderr.contains("gizmo_v1.json: cannot read the schema"), "{stderr}");
    assert!(stderr.contains("example.com/v1 Gadget (1 object): none"), "{stderr}");
}

/// Only the kinds a run meets are decoded (the only in-process lint of this
/// test binary: the other tests run `kvet` as a child process).
#[test]
fn only_the_kinds_a_run_uses_are_decoded() {
    assert_eq!(kvet::schema::crd::catalog::decoded_kinds(), 0);
    let text = format!("{CERT}---\n{}", CERT.replace("renewBefor", "renewBefore"));
    let sources = vec![kvet::SourceFile::from_text("cert.yaml", None, text)];
    let out = kvet::lint(&sources, &kvet::Config::default());
    let unknown: Vec<_> = out
        .diagnostics
        .iter()
        .filter(|d| d.rule == "schema-unknown-field")
        .collect();
    assert_eq!(unknown.len(), 1, "{unknown:?}");
    assert_eq!(kvet::schema::crd::catalog::decoded_kinds(), 1);
}

/// A custom resource whose CRD, given with `--crd`, declares
/// `spec.template` as a pod template: the pod rules see its containers;
/// without the CRD (and outside the catalog) they do not.
#[test]
fn a_crd_given_with_crd_makes_its_pod_template_a_workload() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    write(
        dir.path(),
        "crds/worker.yaml",
        "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: workers.example.com}
spec:
  group: example.com
  names: {kind: Worker, plural: workers}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
        properties:
          spec:
            type: object
            x-kubernetes-preserve-unknown-fields: true
            properties:
              template:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  spec:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
                    properties:
                      containers:
                        type: array
                        items:
                          type: object
                          x-kubernetes-preserve-unknown-fields: true
                          properties:
                            name: {type: string}
                            image: {type: string}
",
    );
    write(
        dir.path(),
        "worker.yaml",
        "apiVersion: example.com/v1
kind: Worker
metadata: {name: queue}
spec:
  template:
    spec:
      containers:
      - name: queue
        image: example/queue:3.1
        securityContext: {privileged: true}
",
    );
    let rules = |extra: &[&str]| {
        let mut args = vec![
            "check",
            "worker.yaml",
            "--select",
            "privileged-container",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        let out = kvet(dir.path(), &args);
        let v: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stdout)));
        v["diagnostics"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|d| {
                        (
                            d["rule"].as_str().unwrap_or("").to_string(),
                            d["start"]["line"].as_u64(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        rules(&["--crd", "crds/worker.yaml"]),
        vec![("privileged-container".to_string(), Some(10))]
    );
    assert!(rules(&[]).is_empty());
}
