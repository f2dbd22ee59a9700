//! The CI output formats: SARIF validates against the official 2.1.0
//! schema (shipped in `fixtures/`), JUnit XML parses with the right
//! counts, GitHub workflow commands carry lines and columns.

use std::path::Path;

use assert_cmd::Command;

fn kvet(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("kvet")
        .unwrap_or_else(|e| panic!("kvet binary: {e}"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

const INPUTS: &[&str] = &[
    "fixtures/selector-mismatch/bad.yaml",
    "fixtures/probes-identical/bad.yaml",
    "fixtures/yaml-syntax/bad.yaml",
    "fixtures/probes-identical/good.yaml",
];

/// The official schema's `language` pattern ends in a stray `]`, a literal
/// in ECMAScript regexes (Annex B) that Rust regex engines reject. Escaping
/// it keeps the meaning; the file in `fixtures/` stays as published.
fn escape_stray_brackets(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k == "pattern" {
                    if let Some(p) = val.as_str().filter(|p| p.ends_with("]?$") && p.contains("{2}]?")) {
                        *val = serde_json::Value::String(p.replace("{2}]?$", "{2}\\]?$"));
                    }
                } else {
                    escape_stray_brackets(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(escape_stray_brackets),
        _ => {}
    }
}

#[test]
fn sarif_validates_against_the_2_1_0_schema() {
    let mut args = vec!["check", "--format", "sarif"];
    args.extend(INPUTS);
    let out = kvet(&args);
    let sarif: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("SARIF is not JSON: {e}"));
    let schema_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sarif-schema-2.1.0.json");
    let mut schema: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(schema_path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("schema: {e}"));
    escape_stray_brackets(&mut schema);
    // This copy keeps the log object's schema in `definitions/Root` and
    // references it from nowhere, so the file alone accepts any JSON:
    // validate against the root definition.
    assert!(
        schema["definitions"]["Root"].is_object(),
        "the schema's root definition moved"
    );
    schema["allOf"] = serde_json::json!([{ "$ref": "#/definitions/Root" }]);
    let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("schema does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output does not validate:\n{}",
        errors.join("\n")
    );
    // The validator has teeth: a result with a made-up level, a missing
    // version or an unknown top-level property are rejected.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    assert!(!validator.is_valid(&serde_json::json!({ "runs": [] })));
    let mut extra = sarif.clone();
    extra["kvet"] = true.into();
    assert!(!validator.is_valid(&extra));

    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    let registry = kvet::rules::Registry::builtin();
    assert_eq!(rules.len(), registry.len(), "every rule is described");
    for r in &rules {
        assert!(
            r["help"]["markdown"]
                .as_str()
                .is_some_and(|m| m.contains("**Why it matters**"))
        );
        // No link to documentation that does not exist: the help is inline.
        assert!(r.get("helpUri").is_none(), "{r}");
        assert!(
            !r["help"]["markdown"]
                .as_str()
                .unwrap_or_default()
                .contains("domain fact")
        );
    }
    let results = run["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty());
    let first = &results[0];
    let region = &first["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().is_some_and(|l| l > 0));
    assert!(region["startColumn"].as_u64().is_some_and(|c| c > 0));
    for r in &results {
        let idx = r["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
    }
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"fixtures/selector-mismatch/bad.yaml"));
}

#[test]
fn junit_parses_with_one_case_per_object() {
    let mut args = vec![
        "check",
        "--format",
        "junit",
        "--select",
        "selector-mismatch,yaml-syntax,probes-identical",
    ];
    args.extend(INPUTS);
    let out = kvet(&args);
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let doc = roxmltree::Document::parse(&xml).unwrap_or_else(|e| panic!("JUnit XML does not parse: {e}\n{xml}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.has_tag_name("testsuite")).collect();
    assert_eq!(suites.len(), INPUTS.len());
    let attr = |n: &roxmltree::Node, a: &str| n.attribute(a).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let cases: usize = suites
        .iter()
        .map(|s| s.children().filter(|c| c.has_tag_name("testcase")).count())
        .sum();
    assert_eq!(cases, attr(&root, "tests"));
    let failing_cases = root
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.children().any(|c| c.has_tag_name("failure")))
        .count();
    assert_eq!(failing_cases, attr(&root, "failures"));
    // selector-mismatch: 3 objects, each failing (errors); probes-identical: warnings, not failures at --fail-on error.
    let sm = suites
        .iter()
        .find(|s| s.attribute("name") == Some("fixtures/selector-mismatch/bad.yaml"));
    assert!(sm.is_some_and(|s| attr(s, "failures") == 3 && attr(s, "tests") == 3));
    let pi = suites
        .iter()
        .find(|s| s.attribute("name") == Some("fixtures/probes-identical/bad.yaml"));
    assert!(pi.is_some_and(|s| attr(s, "failures") == 0 && s.descendants().any(|n| n.has_tag_name("system-out"))));
    // The syntax error has no object: a file-level case.
    let ys = suites
        .iter()
        .find(|s| s.attribute("name") == Some("fixtures/yaml-syntax/bad.yaml"));
    assert!(ys.is_some_and(|s| {
        s.descendants()
            .any(|n| n.attribute("name") == Some("fixtures/yaml-syntax/bad.yaml (file)"))
    }));
}

#[test]
fn github_commands_carry_positions() {
    let out = kvet(&[
        "check",
        "--format",
        "github",
        "--select",
        "selector-mismatch",
        "fixtures/selector-mismatch/bad.yaml",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("");
    assert!(
        first.starts_with("::error file=fixtures/selector-mismatch/bad.yaml,line=8,col=7,endLine=8,endColumn=10,title=kvet selector-mismatch::the selector"),
        "{first}"
    );
    assert!(!first.contains('\n'));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn github_annotations_name_related_locations() {
    let out = kvet(&[
        "check",
        "--format",
        "github",
        "--select",
        "service-selector-no-match",
        "fixtures/service-selector-no-match/bad-operator.yaml",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text.lines().next().unwrap_or("");
    assert!(first.starts_with("::notice file="), "{first}");
    assert!(
        first.contains("%0Anote: fixtures/service-selector-no-match/bad-operator.yaml:7:9: postgresql `acid-orders`"),
        "{first}"
    );
}
