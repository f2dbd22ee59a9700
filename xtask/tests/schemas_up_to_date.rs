//! The committed `schemas/` must be what the generator produces from the raw
//! definitions (byte for byte, which also shows the output is deterministic:
//! the committed files come from another run). Skipped (passes) when
//! `../shared/k8s-api` is not there.

use std::path::Path;

#[test]
fn committed_schemas_match_the_generator() {
    let xtask_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = xtask_dir.parent().expect("xtask lives in the workspace root");
    let source = xtask::schemas::default_source(root);
    if !source.is_dir() {
        eprintln!(
            "skipping: raw API definitions not found at {} (schemas/ is not regenerated)",
            source.display()
        );
        return;
    }
    let generated = match xtask::schemas::generate(&source) {
        Ok(g) => g,
        Err(e) => panic!("the generator failed: {e:#}"),
    };
    let tmp = tempfile::tempdir().expect("temporary directory");
    xtask::schemas::write(&generated, tmp.path()).expect("writing the generated files");
    let mut stale = Vec::new();
    for name in xtask::schemas::OUTPUT_FILES {
        let fresh = std::fs::read(tmp.path().join(name)).expect("generated file");
        let committed = std::fs::read(root.join("schemas").join(name)).unwrap_or_default();
        if fresh != committed {
            stale.push(*name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas/{{{}}} differ from the generator's output: run `cargo xtask schemas` and commit the result",
        stale.join(",")
    );
}
