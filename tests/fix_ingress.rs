//! The Ingress move to `networking.k8s.io/v1` (`--fix`): the backends and
//! paths are rewritten so that the result validates against the 1.22
//! schema (checked here with kvet's own schema check), or no fix is
//! offered.

use std::path::Path;

use assert_cmd::Command;

/// The rules of the schema check and the API moves.
const SCHEMA_RULES: &str = "schema-unknown-field,schema-missing-required,schema-invalid-type,schema-invalid-value,api-removed,api-deprecated,field-removed";

fn kvet(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("{e}"))
        .current_dir(dir)
        .args(["check", "--select", SCHEMA_RULES])
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Fixes `text` (as `name`) at `version`, then checks the result at 1.22.
/// Returns the fixed text and the JSON report of the check after it.
fn fix_then_check(name: &str, text: &str, version: &str) -> std::io::Result<(String, String)> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join(name);
    std::fs::write(&file, text)?;
    let fixed = kvet(dir.path(), &["--kubernetes-version", version, "--fix", name]);
    assert!(fixed.status.code().is_some(), "{fixed:?}");
    let after = std::fs::read_to_string(&file)?;
    let check = kvet(
        dir.path(),
        &["--kubernetes-version", "1.22", "--format", "json", "--exit-zero", name],
    );
    let report = String::from_utf8_lossy(&check.stdout).to_string();
    Ok((after, report))
}

fn findings(report: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(report).unwrap_or_else(|e| panic!("{e}: {report}"));
    v.get("diagnostics")
        .and_then(serde_json::Value::as_array)
        .map_or_else(|| panic!("no findings list in {report}"), Vec::len)
}

const BLOCK: &str = "\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  backend:
    serviceName: default-http
    servicePort: 80
  tls:
  - hosts: [example.com]
    secretName: web-tls
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        backend:
          serviceName: web
          servicePort: http
      - path: /api
        pathType: Prefix
        backend: {serviceName: api, servicePort: '8080'}
";

#[test]
fn block_and_flow_backends_are_rewritten_and_validate_at_1_22() -> std::io::Result<()> {
    let (after, report) = fix_then_check("ingress.yaml", BLOCK, "1.22")?;
    assert_eq!(
        after,
        "\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  defaultBackend:
    service:
      name: default-http
      port:
        number: 80
  tls:
  - hosts: [example.com]
    secretName: web-tls
  rules:
  - host: example.com
    http:
      paths:
      - path: /
        backend:
          service:
            name: web
            port:
              name: http
        pathType: ImplementationSpecific
      - path: /api
        pathType: Prefix
        backend: {service: {name: api, port: {number: 8080}}}
"
    );
    assert_eq!(findings(&report), 0, "{report}");
    Ok(())
}

#[test]
fn a_deprecated_networking_v1beta1_ingress_in_json_is_moved_too() -> std::io::Result<()> {
    let text = r#"{"apiVersion": "networking.k8s.io/v1beta1", "kind": "Ingress", "metadata": {"name": "j"},
 "spec": {"backend": {"serviceName": "d", "servicePort": 80},
  "rules": [{"http": {"paths": [{"path": "/", "backend": {"serviceName": "w", "servicePort": "web"}}]}}]}}
"#;
    // At 1.19 the old apiVersion is only deprecated: the fix is offered.
    let (after, report) = fix_then_check("ingress.json", text, "1.19")?;
    assert!(after.contains(r#""apiVersion": "networking.k8s.io/v1""#), "{after}");
    assert!(after.contains(r#""defaultBackend""#), "{after}");
    assert_eq!(findings(&report), 0, "{report}");
    Ok(())
}

#[test]
fn a_backend_that_is_not_mechanical_gets_no_fix() -> std::io::Result<()> {
    // A comment inside the backend would be lost by the rewrite: the move
    // is left to the author rather than offered half-done.
    let text = "\
apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  rules:
  - http:
      paths:
      - path: /
        backend:
          serviceName: web # the front end
          servicePort: 80
";
    let dir = tempfile::tempdir()?;
    std::fs::write(dir.path().join("i.yaml"), text)?;
    let out = kvet(
        dir.path(),
        &["--kubernetes-version", "1.22", "--unsafe-fixes", "--fix", "i.yaml"],
    );
    assert!(out.status.code().is_some());
    assert_eq!(std::fs::read_to_string(dir.path().join("i.yaml"))?, text);
    Ok(())
}
