//! `--format sarif`: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure
//! DevOps). The driver lists every rule with its docs; each result has a
//! physical location with a region, related locations for labels, and the
//! fix when there is one.

use std::collections::HashMap;
use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use crate::diagnostic::{Diagnostic, ObjectMeta, Severity};
use crate::rules::{Registry, RuleDoc};
use crate::source::SourceFile;
use crate::yaml::Span;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A file name as a relative URI (forward slashes, no `./`, percent-encoded).
pub fn artifact_uri(name: &str) -> String {
    let name = name.replace('\\', "/");
    let name = name.trim_start_matches("./");
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[derive(Serialize)]
struct Text<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region<'a> {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
    char_offset: u32,
    char_length: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    snippet: Option<Text<'a>>,
}

fn region(file: &SourceFile, span: Span) -> Region<'_> {
    let s = file.line_col(span.start);
    let e = file.line_col(span.end.max(span.start));
    Region {
        start_line: s.line,
        start_column: s.column,
        end_line: e.line,
        end_column: e.column,
        char_offset: span.start,
        char_length: span.len(),
        snippet: file
            .text
            .get(span.start as usize..span.end as usize)
            .map(|text| Text { text }),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation<'a> {
    uri: &'a str,
    uri_base_id: &'static str,
}

impl<'a> ArtifactLocation<'a> {
    /// A file named relative to the folder kvet was run from.
    fn new(uri: &'a str) -> Self {
        ArtifactLocation {
            uri,
            uri_base_id: "%SRCROOT%",
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: ArtifactLocation<'a>,
    region: Region<'a>,
}

/// A location; a related location (a label) adds its number and message.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location<'a> {
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

/// The artifact URI of each input, made once per file (not per location).
struct Uris<'a> {
    sources: &'a [SourceFile],
    uris: Vec<String>,
    empty: SourceFile,
    empty_uri: String,
}

impl<'a> Uris<'a> {
    fn new(sources: &'a [SourceFile]) -> Self {
        Uris {
            sources,
            uris: sources.iter().map(|s| artifact_uri(&s.name)).collect(),
            empty: SourceFile::from_text("", None, String::new()),
            empty_uri: artifact_uri(""),
        }
    }

    /// File `id`'s source and URI; `or` (a diagnostic's own file) when
    /// `id` names no input.
    fn file(&self, id: u32, or: Option<u32>) -> (&SourceFile, &str) {
        let pick = |i: u32| Some((self.sources.get(i as usize)?, self.uris.get(i as usize)?.as_str()));
        pick(id)
            .or_else(|| or.and_then(pick))
            .unwrap_or((&self.empty, &self.empty_uri))
    }

    fn location(&self, id: u32, or: Option<u32>, span: Span) -> Location<'_> {
        let (file, uri) = self.file(id, or);
        Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation::new(uri),
                region: region(file, span),
            },
            id: None,
            message: None,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeletedRegion {
    char_offset: u32,
    char_length: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: DeletedRegion,
    inserted_content: Text<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation<'a>,
    replacements: [Replacement<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FixOut<'a> {
    description: Text<'a>,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
struct Properties<'a> {
    object: &'a ObjectMeta,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Message,
    locations: [Location<'a>; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixes: Option<[FixOut<'a>; 1]>,
}

/// A result's message: the finding's, and its help.
#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<Value>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    original_uri_base_ids: Value,
    results: Results<'a>,
}

/// The results, each made as it is written: the log is never held whole
/// (holding them cost 7 MB of the corpus run's peak).
struct Results<'a> {
    diags: &'a [Diagnostic],
    uris: &'a Uris<'a>,
    index: &'a HashMap<&'a str, usize>,
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.diags.iter().map(|d| result(d, self.uris, self.index)))
    }
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

fn rule_descriptor(d: &RuleDoc) -> Value {
    let markdown = d.markdown();
    let text = format!(
        "{}\n\n{}\n\nHow to fix: {}",
        d.summary.trim(),
        d.why.trim(),
        d.fix.trim()
    );
    let mut tags = vec![d.category.clone()];
    if d.category == "rbac" {
        tags.push("security".into());
    }
    json!({
        "id": d.id,
        "name": d.id.split('-').map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }).collect::<String>(),
        "shortDescription": { "text": d.summary.trim() },
        "fullDescription": { "text": d.why.trim() },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": level(d.severity), "enabled": d.enabled_by_default },
        "properties": { "category": d.category, "tags": tags },
    })
}

/// A finding's SARIF result.
fn result<'a>(d: &'a Diagnostic, uris: &'a Uris<'a>, index: &HashMap<&str, usize>) -> ResultOut<'a> {
    let related: Vec<Location<'_>> = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| Location {
            id: Some(i + 1),
            message: Some(Text { text: &l.message }),
            ..uris.location(l.file, Some(d.file), l.span)
        })
        .collect();
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(h);
    }
    ResultOut {
        rule_id: &d.rule,
        level: level(d.severity),
        message: Message { text },
        locations: [uris.location(d.file, None, d.span)],
        rule_index: index.get(d.rule.as_ref()).copied(),
        related_locations: related,
        properties: d.object.as_deref().map(|object| Properties { object }),
        fixes: d.fix.as_ref().map(|fix| {
            [FixOut {
                description: Text { text: &fix.title },
                artifact_changes: fix
                    .edits
                    .iter()
                    .map(|e| ArtifactChange {
                        artifact_location: ArtifactLocation::new(uris.file(e.file, Some(d.file)).1),
                        replacements: [Replacement {
                            deleted_region: DeletedRegion {
                                char_offset: e.span.start,
                                char_length: e.span.len(),
                            },
                            inserted_content: Text { text: &e.replacement },
                        }],
                    })
                    .collect(),
            }]
        }),
    }
}

/// The SARIF log, streamed from borrowed structs (building it as a
/// `serde_json::Value` first took as many instructions as the rest of a
/// corpus run).
pub fn render(
    out: &mut dyn Write,
    diags: &[Diagnostic],
    sources: &[SourceFile],
    registry: &Registry,
) -> io::Result<()> {
    let docs: Vec<&RuleDoc> = registry.entries().map(|e| &e.doc).collect();
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(docs.len());
    for (i, d) in docs.iter().enumerate() {
        index.entry(d.id.as_str()).or_insert(i);
    }
    let uris = Uris::new(sources);
    let results = Results {
        diags,
        uris: &uris,
        index: &index,
    };
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "kvet",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: docs.iter().map(|d| rule_descriptor(d)).collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            original_uri_base_ids: json!({ "%SRCROOT%": { "description": { "text": "The folder kvet was run from." } } }),
            results,
        }],
    };
    super::json::write_json(out, &log)
}
