//! The README's rule table is generated from `rules/*.yaml`; this test fails
//! when it is stale. `KVET_BLESS=1 cargo test --test readme` rewrites it.

use std::path::Path;

const BEGIN: &str = "<!-- rules:begin (generated from rules/*.yaml; KVET_BLESS=1 cargo test --test readme) -->\n";
const END: &str = "<!-- rules:end -->";

#[test]
fn readme_rule_table_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("README.md: {e}"));
    let registry = kvet::rules::Registry::builtin();
    let table = kvet::rules::markdown_table(registry.entries().map(|e| &e.doc));
    let (Some(b), Some(e)) = (readme.find(BEGIN), readme.find(END)) else {
        panic!("README.md lacks the rule table markers");
    };
    let current = &readme[b + BEGIN.len()..e];
    if current != table {
        if std::env::var_os("KVET_BLESS").is_some() {
            let updated = format!("{}{BEGIN}{table}{}", &readme[..b], &readme[e..]);
            std::fs::write(&path, updated).unwrap_or_else(|e| panic!("write README.md: {e}"));
        } else {
            panic!("the README rule table is stale: run `KVET_BLESS=1 cargo test --test readme`");
        }
    }
    let count = registry.len();
    assert!(
        readme.contains(&format!("{count} rules")),
        "README should state the rule count ({count} rules)"
    );
}
