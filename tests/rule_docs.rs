//! Every built-in rule has a documentation page, `docs/rules/<id>.md`,
//! generated from its `rules/<id>.yaml`. This test fails when a page is
//! stale, missing, or left over from a removed rule;
//! `KVET_BLESS=1 cargo test --test rule_docs` rewrites them.

use std::collections::BTreeMap;
use std::path::Path;

#[test]
fn rule_doc_pages_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    let bless = std::env::var_os("KVET_BLESS").is_some();
    let registry = kvet::rules::Registry::builtin();
    let want: BTreeMap<String, String> = registry
        .entries()
        .map(|e| (format!("{}.md", e.doc.id), e.doc.doc_page()))
        .collect();
    if bless {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    let mut problems = Vec::new();
    let existing: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".md"))
                .collect()
        })
        .unwrap_or_default();
    for name in &existing {
        if !want.contains_key(name) {
            if bless {
                std::fs::remove_file(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            } else {
                problems.push(format!("{name}: no rule has this id"));
            }
        }
    }
    for (name, page) in &want {
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if &current != page {
            if bless {
                std::fs::write(&path, page).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            } else {
                problems.push(format!(
                    "{name}: {}",
                    if current.is_empty() { "missing" } else { "stale" }
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "docs/rules is out of date ({}): run `KVET_BLESS=1 cargo test --test rule_docs`",
        problems.join(", ")
    );
}

#[test]
fn rule_pages_show_no_internal_references() {
    for e in kvet::rules::Registry::builtin().entries() {
        let page = e.doc.doc_page();
        assert!(
            !page.contains("domain fact") && !page.contains("Source:"),
            "{}",
            e.doc.id
        );
        assert!(page.starts_with("<!-- generated from rules/"), "{}", e.doc.id);
    }
}
