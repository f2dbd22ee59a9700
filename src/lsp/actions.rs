//! Code actions (fixes, "suppress on this line", "suppress in this file")
//! and hovers (the rule's docs) for the findings under the cursor.

use std::collections::HashMap;

use lsp_types as lsp;

use super::Server;
use super::convert::{self, offset};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::fix::{apply_edits, suppress_file, suppress_line, verify};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::Span;

fn overlaps(span: Span, start: u32, end: u32) -> bool {
    span.start <= end && start <= span.end.max(span.start)
}

/// Whether `edits` leave the file reading the same outside what they are
/// allowed to change (`--fix`'s contract): a fix may change the nodes its
/// own edits rewrite; a suppression comment may change nothing.
fn keeps_the_rest(file: &SourceFile, edits: &[&Edit], fix: bool) -> bool {
    let after = apply_edits(&file.text, edits);
    verify(
        &file.text,
        &after,
        file.looks_like_json(),
        if fix { edits } else { &[] },
    )
    .is_ok()
}

fn text_edit(file: &SourceFile, e: &Edit, enc: convert::Encoding) -> lsp::TextEdit {
    lsp::TextEdit {
        range: convert::range(file, e.span, enc),
        new_text: e.replacement.clone(),
    }
}

impl Server {
    fn registry(&self) -> &Registry {
        self.registry.as_ref().unwrap_or_else(|| Registry::builtin())
    }

    /// The latest findings of a document that touch `[start, end]`.
    fn findings_at(&self, uri: &lsp::Uri, range: lsp::Range) -> Option<(&SourceFile, Vec<&Diagnostic>)> {
        let (file, diags) = self.last.get(uri.as_str())?;
        let start = offset(file, range.start, self.enc);
        let end = offset(file, range.end, self.enc);
        Some((file, diags.iter().filter(|d| overlaps(d.span, start, end)).collect()))
    }

    pub(super) fn code_actions(&self, uri: &lsp::Uri, range: lsp::Range) -> Vec<lsp::CodeActionOrCommand> {
        let Some((file, diags)) = self.findings_at(uri, range) else {
            return Vec::new();
        };
        let enc = self.enc;
        let mut out = Vec::new();
        let edit_of = |edits: Vec<lsp::TextEdit>| lsp::WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..Default::default()
        };
        for d in diags {
            let lsp_diag = convert::diagnostic(d, std::slice::from_ref(file), |_| Some(uri.clone()), enc);
            let fix = d
                .fix
                .as_ref()
                .filter(|f| keeps_the_rest(file, &f.edits.iter().collect::<Vec<_>>(), true));
            if let Some(fix) = fix {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: fix.title.clone(),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: lsp_diag.clone().map(|x| vec![x]),
                    edit: Some(edit_of(fix.edits.iter().map(|e| text_edit(file, e, enc)).collect())),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..Default::default()
                }));
            }
            let line = suppress_line(file, 0, d.span.start, &d.rule).filter(|e| keeps_the_rest(file, &[e], false));
            if let Some(e) = line {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("Suppress {} on this line", d.rule),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: lsp_diag.clone().map(|x| vec![x]),
                    edit: Some(edit_of(vec![text_edit(file, &e, enc)])),
                    ..Default::default()
                }));
            }
            if let Some(e) = suppress_file(file, 0, &d.rule).filter(|e| keeps_the_rest(file, &[e], false)) {
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    title: format!("Suppress {} for this file", d.rule),
                    kind: Some(lsp::CodeActionKind::QUICKFIX),
                    diagnostics: lsp_diag.map(|x| vec![x]),
                    edit: Some(edit_of(vec![text_edit(file, &e, enc)])),
                    ..Default::default()
                }));
            }
        }
        out
    }

    pub(super) fn hover(&self, p: &lsp::HoverParams) -> Option<lsp::Hover> {
        let pos = p.text_document_position_params.position;
        let (file, diags) = self.findings_at(
            &p.text_document_position_params.text_document.uri,
            lsp::Range { start: pos, end: pos },
        )?;
        let first = diags.first()?;
        let mut parts = Vec::new();
        let mut seen = Vec::new();
        for d in &diags {
            if seen.contains(&d.rule) {
                continue;
            }
            seen.push(d.rule.clone());
            let docs = self
                .registry()
                .doc(&d.rule)
                .map(|doc| doc.markdown())
                .unwrap_or_default();
            parts.push(format!("{}\n\n{}", d.message, docs));
        }
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: parts.join("\n\n---\n\n"),
            }),
            range: Some(convert::range(file, first.span, self.enc)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_suppression_inside_a_block_scalar_is_not_offered() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  run: |\n    echo hi\n  other: x\n";
        let file = SourceFile::from_text("a.yaml", None, text.to_string());
        let inside = text.find("echo").unwrap_or(0) as u32;
        let e = suppress_line(&file, 0, inside, "some-rule").unwrap_or_else(|| panic!("edit"));
        assert!(!keeps_the_rest(&file, &[&e], false));
        let outside = text.find("other").unwrap_or(0) as u32;
        let e = suppress_line(&file, 0, outside, "some-rule").unwrap_or_else(|| panic!("edit"));
        assert!(keeps_the_rest(&file, &[&e], false));
    }
}
