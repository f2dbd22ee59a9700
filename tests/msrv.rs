//! The minimum Rust version the README and `Cargo.toml` state is the one
//! the locked dependencies need: the highest `rust-version` among the
//! packages kvet builds with.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::process::Command;

fn version(v: &str) -> Vec<u32> {
    v.split('.').filter_map(|x| x.parse().ok()).collect()
}

#[test]
fn stated_rust_version_is_what_the_locked_dependencies_need() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(root)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .output()
        .unwrap_or_else(|e| panic!("cargo metadata: {e}"));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}"));
    let packages: HashMap<&str, &serde_json::Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: HashMap<&str, &serde_json::Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let kvet = packages
        .values()
        .find(|p| p["name"] == "kvet")
        .unwrap_or_else(|| panic!("no kvet package"));
    let stated = kvet["rust_version"].as_str().unwrap_or_default().to_string();
    // Normal (not dev or build) dependencies, transitively.
    let mut seen: HashSet<&str> = HashSet::new();
    let mut stack = vec![kvet["id"].as_str().unwrap_or_default()];
    let mut needed = (Vec::new(), String::new());
    while let Some(id) = stack.pop() {
        if !seen.insert(id) {
            continue;
        }
        if let Some(v) = packages.get(id).and_then(|p| p["rust_version"].as_str())
            && version(v) > needed.0
        {
            needed = (
                version(v),
                packages[id]["name"].as_str().unwrap_or_default().to_string(),
            );
        }
        for dep in nodes.get(id).and_then(|n| n["deps"].as_array()).into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal {
                stack.push(dep["pkg"].as_str().unwrap_or_default());
            }
        }
    }
    assert_eq!(
        version(&stated),
        needed.0,
        "Cargo.toml says rust-version {stated}, but {} needs {:?}",
        needed.1,
        needed.0
    );
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    assert!(
        readme.contains(&format!("Rust toolchain ({stated} or newer")),
        "the README states another minimum Rust version than {stated}"
    );
}
