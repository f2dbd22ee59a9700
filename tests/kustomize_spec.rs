//! The kustomization key set kvet checks (`kvet::kustomize_lint::spec`) is
//! Kustomize's: `kubectl kustomize` accepts every key of it, at every
//! level, rejects an unknown key at every level where kvet reports one, and
//! rejects a value of another type wherever kvet expects a string, an
//! integer, a boolean, a list or a mapping.
//!
//! Without kubectl the test says so on stderr and passes, except with `CI`
//! set, where it fails.

use std::process::Command;

use kvet::kustomize_lint::spec::{KUSTOMIZATION, Shape};

fn have_kubectl() -> bool {
    let ok = Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "kubectl is required in CI for the kustomization key-set test"
        );
        eprintln!("SKIPPED: kubectl not found; the kustomization key set was not checked against Kustomize");
    }
    ok
}

/// What Kustomize must say about a case.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Want {
    Accepted,
    UnknownField,
    WrongType,
}

type Cases = Vec<(String, String, Want)>;

/// Builds one kustomization per key (`{images: [{newTag: null}]}`), one
/// per mapping with a key Kustomize does not have, and one per value with
/// a value of another type.
fn cases(fields: &[(&str, Shape)], wrap: &dyn Fn(String) -> String, path: &str, out: &mut Cases) {
    out.push((
        format!("{path}.zzzUnknown"),
        wrap("{zzzUnknown: null}".to_string()),
        Want::UnknownField,
    ));
    for (k, shape) in fields {
        let here = if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        };
        out.push((here.clone(), wrap(format!("{{{k}: null}}")), Want::Accepted));
        let inner = |v: String| wrap(format!("{{{k}: {v}}}"));
        let wrong = match shape {
            Shape::Str | Shape::MapOf(_) | Shape::Obj(_) => Some("[]"),
            Shape::Int | Shape::Bool => Some("x"),
            Shape::ListOf(_) => Some("{}"),
            Shape::Any => None,
        };
        if let Some(v) = wrong {
            out.push((format!("{here} = {v}"), inner(v.to_string()), Want::WrongType));
        }
        nested(shape, &inner, &here, out);
    }
}

fn nested(shape: &Shape, wrap: &dyn Fn(String) -> String, path: &str, out: &mut Cases) {
    match shape {
        Shape::Obj(fields) => cases(fields, wrap, path, out),
        Shape::ListOf(inner) => {
            let w = |v: String| wrap(format!("[{v}]"));
            nested(inner, &w, &format!("{path}[]"), out);
        }
        Shape::MapOf(inner) => {
            let w = |v: String| wrap(format!("{{x: {v}}}"));
            nested(inner, &w, &format!("{path}.x"), out);
        }
        Shape::Str | Shape::Bool | Shape::Int | Shape::Any => {}
    }
}

#[test]
fn kustomize_decodes_keys_and_types_as_kvet_checks_them() {
    if !have_kubectl() {
        return;
    }
    let mut all = Vec::new();
    cases(KUSTOMIZATION, &|v| v, "", &mut all);
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let mut wrong = Vec::new();
    for (path, doc, want) in &all {
        std::fs::write(dir.path().join("kustomization.yaml"), format!("{doc}\n"))
            .unwrap_or_else(|e| panic!("write: {e}"));
        let out = Command::new("kubectl")
            .args(["kustomize", "."])
            .current_dir(dir.path())
            .output()
            .unwrap_or_else(|e| panic!("kubectl: {e}"));
        let err = String::from_utf8_lossy(&out.stderr);
        let said = if err.contains("unknown field") {
            Want::UnknownField
        } else if err.contains("cannot unmarshal") {
            Want::WrongType
        } else {
            // Decoded: later errors (an empty kustomization, a replacement
            // without source) are not about keys and types.
            Want::Accepted
        };
        if said != *want {
            wrong.push(format!(
                "{path}: kvet expects {want:?}, kustomize says {said:?} ({doc}) {err}"
            ));
        }
    }
    assert!(all.len() > 250, "{} cases", all.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
