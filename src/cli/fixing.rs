//! `kvet check --fix`, `--fix-only` and `--diff`: fixes applied in rounds
//! (a fix can enable another) until none is left, verified, then written
//! (only over an unchanged file, keeping links, owner and mode) or shown
//! as diffs.

use std::collections::BTreeMap;
use std::io::{self, Write};

use kvet::diagnostic::{Diagnostic, Severity};
use kvet::fix::{apply_edits, select_fixes, verify, write_fixed};
use kvet::lint::LintOutput;
use kvet::report;
use kvet::source::SourceFile;

use super::CheckArgs;
use super::plan::{Group, Renderer, lint_plan};
use super::progress::Progress;

/// What the fixes did.
#[derive(Default)]
pub(super) struct Fixes {
    /// Each file's text before any fix.
    pub(super) originals: Vec<String>,
    /// Fixes applied to each file.
    pub(super) fixed_in: BTreeMap<u32, usize>,
    /// Files whose fixes were refused, and why.
    pub(super) refused: BTreeMap<u32, String>,
    /// What each applied fix did (`--show-fixes`): positions as found.
    pub(super) applied: Vec<(u32, String)>,
    /// Files whose text changed.
    pub(super) changed: Vec<usize>,
    /// Files kvet could not write, and why.
    pub(super) not_written: Vec<(usize, String)>,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Applies fixes in rounds until none is left (at most 8), linting again
/// after each; a file whose fixed text fails verification keeps its
/// original text.
pub(super) fn rounds(
    args: &CheckArgs,
    plan: &[Group],
    sources: &mut Vec<SourceFile>,
    output: &mut LintOutput,
    renderer: &Renderer<'_>,
) -> Fixes {
    let originals: Vec<String> = sources.iter().map(|s| s.text.clone()).collect();
    let mut fixed_in: BTreeMap<u32, usize> = BTreeMap::new();
    let mut refused: BTreeMap<u32, String> = BTreeMap::new();
    let mut applied: Vec<(u32, String)> = Vec::new();
    for _ in 0..8 {
        let mut selected = select_fixes(&output.diagnostics, args.unsafe_fixes);
        selected.edits.retain(|fid, _| !refused.contains_key(fid));
        if selected.edits.is_empty() {
            break;
        }
        for (fid, edits) in &selected.edits {
            let f = &sources[*fid as usize];
            let text = apply_edits(&f.text, edits);
            if let Err(why) = verify(&f.text, &text, f.looks_like_json(), edits) {
                refused.insert(*fid, why.to_string());
                continue;
            }
            sources[*fid as usize] = SourceFile::from_text(f.name.clone(), f.path.clone(), text);
        }
        for d in &selected.fixed {
            let Some(fix) = &d.fix else { continue };
            if fix.edits.iter().all(|e| !refused.contains_key(&e.file)) {
                *fixed_in.entry(d.file).or_default() += 1;
                let f = &sources[d.file as usize];
                let at = f.line_col(d.span.start);
                applied.push((
                    d.file,
                    format!("{}:{}:{}: [{}] {}", f.name, at.line, at.column, d.rule, fix.title),
                ));
            }
        }
        *output = lint_plan(plan, sources, &Progress::new(true), None);
        let rendered = renderer.render(sources, &originals);
        kvet::render::roots::apply(output, &rendered);
    }
    // A file whose fixes were refused keeps the text it had (an earlier
    // round may have changed it): none of its fixes is applied.
    for (&fid, why) in &refused {
        let i = fid as usize;
        eprintln!("kvet: {}: not fixed: {why} (please report this)", sources[i].name);
        fixed_in.remove(&fid);
        sources[i] = SourceFile::from_text(sources[i].name.clone(), sources[i].path.clone(), originals[i].clone());
    }
    let changed: Vec<usize> = (0..originals.len())
        .filter(|&i| originals[i] != sources[i].text)
        .collect();
    Fixes {
        originals,
        fixed_in,
        refused,
        applied,
        changed,
        not_written: Vec::new(),
    }
}

/// `--diff`: prints the fixes as unified diffs; the exit code.
pub(super) fn print_diff(sources: &[SourceFile], fixes: &Fixes) -> u8 {
    let mut out = io::stdout().lock();
    for &i in &fixes.changed {
        let _ =
            out.write_all(report::diff::unified(&sources[i].name, &fixes.originals[i], &sources[i].text).as_bytes());
    }
    let fixed: usize = fixes.fixed_in.values().sum();
    eprintln!(
        "kvet: {} would change {}",
        plural(fixed, "fix", "fixes"),
        plural(fixes.changed.len(), "file", "files")
    );
    if fixes.refused.is_empty() {
        u8::from(!fixes.changed.is_empty())
    } else {
        2
    }
}

/// `--fix`: writes the fixed files (stdin's document to stdout); a file
/// that cannot be written keeps its findings, with an `io-error` finding.
pub(super) fn write(
    args: &CheckArgs,
    plan: &[Group],
    sources: &mut Vec<SourceFile>,
    output: &mut LintOutput,
    renderer: &Renderer<'_>,
    fixes: &mut Fixes,
) {
    let mut not_written: Vec<(usize, String)> = Vec::new();
    let mut out = io::stdout().lock();
    for (i, s) in sources.iter().enumerate() {
        match &s.path {
            Some(path) if fixes.changed.contains(&i) => {
                if let Err(e) = write_fixed(path, &fixes.originals[i], &s.text) {
                    not_written.push((i, e.to_string()));
                }
            }
            Some(_) => {}
            // stdin: the document goes to stdout, fixed or not, and the
            // findings to stderr.
            None => {
                let _ = out.write_all(s.text.as_bytes());
            }
        }
    }
    let _ = out.flush();
    for (i, _) in &not_written {
        fixes.fixed_in.remove(&(*i as u32));
        sources[*i] = SourceFile::from_text(
            sources[*i].name.clone(),
            sources[*i].path.clone(),
            fixes.originals[*i].clone(),
        );
    }
    if !fixes.refused.is_empty() || !not_written.is_empty() {
        *output = lint_plan(plan, sources, &Progress::new(true), None);
        let rendered = renderer.render(sources, &fixes.originals);
        kvet::render::roots::apply(output, &rendered);
    }
    for (i, why) in &not_written {
        let d = Diagnostic::new("io-error", Severity::Error, *i as u32, Default::default(), format!("fixes not written: {why}"))
            .with_help("the findings of this file are still present; make the file writable (or stop editing it) and run `kvet check --fix` again");
        output.summary.errors += 1;
        output.diagnostics.push(d);
    }
    kvet::diagnostic::sort_findings(&mut output.diagnostics);
    if args.show_fixes {
        for (fid, line) in &fixes.applied {
            if fixes.fixed_in.contains_key(fid) {
                eprintln!("kvet: fixed {line}");
            }
        }
    }
    let fixed: usize = fixes.fixed_in.values().sum();
    let files = fixes.fixed_in.len();
    if fixed > 0 || !not_written.is_empty() {
        eprintln!(
            "kvet: fixed {} in {}{}",
            plural(fixed, "finding", "findings"),
            plural(files, "file", "files"),
            if not_written.is_empty() {
                String::new()
            } else {
                format!("; {} not written", plural(not_written.len(), "file", "files"))
            }
        );
    }
    fixes.not_written = not_written;
}
