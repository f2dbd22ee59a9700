//! The committed `schemas/` must be what the generator produces from the raw
//! definitions (byte for byte, which also shows the output is deterministic:
//! the committed files come from another run). Needs `../shared/k8s-api`
//! (see `tests/common`: fails under CI without it, otherwise skips visibly).

#[path = "../../tests/common/mod.rs"]
mod common;

#[test]
fn committed_schemas_match_the_generator() {
    let root = common::repo_root();
    let Some(source) = common::shared("committed_schemas_match_the_generator", "k8s-api") else {
        return;
    };
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
