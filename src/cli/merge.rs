//! `kvet merge`: joins the JSON reports of several runs (the shards of a
//! `--shard I/N` CI matrix) into one report in any format. The files the
//! reports name are read again, so it runs in a checkout of the same
//! commit; a finding whose position no longer matches its file is an
//! error rather than a report pointing at the wrong line.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use kvet::diagnostic::{Applicability, Diagnostic, Edit, Fix, Label, ObjectMeta, Severity, Summary};
use kvet::lint::LintOutput;
use kvet::report::json::JSON_VERSION;
use kvet::source::{SourceFile, io_message};
use kvet::yaml::Span;

use super::check::Report;
use super::{FailOn, Format};

#[derive(Deserialize)]
struct Pos {
    line: u32,
    column: u32,
    offset: u32,
}

#[derive(Deserialize)]
struct LabelIn {
    message: String,
    file: String,
    start: Pos,
    end: Pos,
}

#[derive(Deserialize)]
struct EditIn {
    file: String,
    start: Pos,
    end: Pos,
    replacement: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum ApplicabilityIn {
    Safe,
    Unsafe,
}

#[derive(Deserialize)]
struct FixIn {
    title: String,
    applicability: ApplicabilityIn,
    edits: Vec<EditIn>,
}

#[derive(Deserialize)]
struct ObjectIn {
    #[serde(rename = "apiVersion")]
    api_version: String,
    kind: String,
    name: Option<String>,
    namespace: Option<String>,
}

#[derive(Deserialize)]
struct DiagIn {
    rule: String,
    severity: Severity,
    message: String,
    help: Option<String>,
    file: String,
    start: Pos,
    end: Pos,
    object: Option<ObjectIn>,
    #[serde(default)]
    labels: Vec<LabelIn>,
    fix: Option<FixIn>,
}

#[derive(Deserialize)]
struct SummaryIn {
    files: usize,
    objects: usize,
    #[serde(default)]
    suppressed: usize,
}

#[derive(Deserialize)]
struct ReportIn {
    version: u32,
    diagnostics: Vec<DiagIn>,
    summary: SummaryIn,
}

/// The files the reports name, read once each.
struct Files {
    ids: BTreeMap<String, u32>,
    sources: Vec<SourceFile>,
}

impl Files {
    fn id(&mut self, name: &str, report: &Path) -> Result<u32, String> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let path = PathBuf::from(name);
        // A file that is not there (or not readable) can still carry its
        // `io-error` finding at its first byte; any other position in it
        // fails the check in `span`.
        let file = if path.is_file() {
            SourceFile::read(&path, name.to_string())
        } else {
            SourceFile::from_text(name.to_string(), None, String::new())
        };
        if name == "<stdin>" {
            return Err(format!(
                "{}: has findings on standard input, which cannot be read again: lint stdin in a run of its own",
                report.display()
            ));
        }
        let id = self.sources.len() as u32;
        self.sources.push(file);
        self.ids.insert(name.to_string(), id);
        Ok(id)
    }

    /// The span of `start..end` in `file`, checked against the file as it
    /// is now.
    fn span(&self, id: u32, start: &Pos, end: &Pos, report: &Path) -> Result<Span, String> {
        let f = &self.sources[id as usize];
        for p in [start, end] {
            let at = f.line_col(p.offset);
            if p.offset as usize > f.text.len() || at.line != p.line || at.column != p.column {
                return Err(format!(
                    "{}: `{}` {} (line {}, column {} is not there): merge reports in a checkout of the commit they were made on",
                    report.display(),
                    f.name,
                    if f.text.is_empty() && f.load_error.is_none() {
                        "is not a file here"
                    } else {
                        "changed since the report was made"
                    },
                    p.line,
                    p.column
                ));
            }
        }
        Ok(Span::new(start.offset, end.offset))
    }
}

fn read_report(path: &Path) -> Result<ReportIn, String> {
    let text = if path == Path::new("-") {
        let mut s = String::new();
        io::Read::read_to_string(&mut io::stdin(), &mut s).map_err(|e| format!("<stdin>: {e}"))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {}", path.display(), io_message(&e)))?
    };
    let report: ReportIn = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: not a kvet JSON report (`kvet check --format json`): {e}",
            path.display()
        )
    })?;
    if report.version != JSON_VERSION {
        return Err(format!(
            "{}: JSON report version {} (this kvet reads version {JSON_VERSION})",
            path.display(),
            report.version
        ));
    }
    Ok(report)
}

/// What `kvet merge` was asked.
pub struct MergeArgs<'a> {
    pub reports: &'a [PathBuf],
    pub format: Format,
    pub output: Option<&'a Path>,
    pub fail_on: FailOn,
}

pub fn merge(args: MergeArgs<'_>) -> Result<u8, String> {
    if args.reports.is_empty() {
        return Err("kvet merge: no report given".into());
    }
    let mut files = Files {
        ids: BTreeMap::new(),
        sources: Vec::new(),
    };
    let mut output = LintOutput {
        objects: Vec::new(),
        diagnostics: Vec::new(),
        suppressed: Vec::new(),
        summary: Summary::default(),
    };
    let reports: Vec<(&PathBuf, ReportIn)> = args
        .reports
        .iter()
        .map(|p| read_report(p).map(|r| (p, r)))
        .collect::<Result<_, _>>()?;
    // Files in name order, so the merged report is ordered the same
    // whatever the order of the reports.
    let mut names: Vec<(&str, &PathBuf)> = Vec::new();
    for (path, r) in &reports {
        for d in &r.diagnostics {
            names.push((&d.file, path));
            names.extend(d.labels.iter().map(|l| (l.file.as_str(), *path)));
            if let Some(f) = &d.fix {
                names.extend(f.edits.iter().map(|e| (e.file.as_str(), *path)));
            }
        }
    }
    names.sort();
    names.dedup_by(|a, b| a.0 == b.0);
    for (name, path) in names {
        files.id(name, path)?;
    }
    let mut seen = HashSet::new();
    for (path, report) in reports {
        output.summary.files += report.summary.files;
        output.summary.objects += report.summary.objects;
        output.summary.suppressed += report.summary.suppressed;
        for d in report.diagnostics {
            let file = files.id(&d.file, path)?;
            let span = files.span(file, &d.start, &d.end, path)?;
            let mut diag = Diagnostic::new(d.rule, d.severity, file, span, d.message);
            diag.help = d.help;
            diag.object = d.object.map(|o| {
                Arc::new(ObjectMeta {
                    api_version: o.api_version,
                    kind: o.kind,
                    name: o.name,
                    namespace: o.namespace,
                })
            });
            for l in d.labels {
                let lf = files.id(&l.file, path)?;
                let span = files.span(lf, &l.start, &l.end, path)?;
                diag.labels.push(Label {
                    file: lf,
                    span,
                    message: l.message,
                });
            }
            if let Some(f) = d.fix {
                let mut edits = Vec::new();
                for e in f.edits {
                    let ef = files.id(&e.file, path)?;
                    let span = files.span(ef, &e.start, &e.end, path)?;
                    edits.push(Edit {
                        file: ef,
                        span,
                        replacement: e.replacement,
                    });
                }
                diag.fix = Some(Fix {
                    title: f.title,
                    applicability: match f.applicability {
                        ApplicabilityIn::Safe => Applicability::Safe,
                        ApplicabilityIn::Unsafe => Applicability::Unsafe,
                    },
                    edits,
                });
            }
            // The same finding from two shards (a file both read) once.
            let key = (
                diag.rule.to_string(),
                diag.file,
                diag.span.start,
                diag.span.end,
                diag.message.clone(),
            );
            if seen.insert(key) {
                output.diagnostics.push(diag);
            }
        }
    }
    kvet::diagnostic::sort_findings(&mut output.diagnostics);
    output.summary.count(&output.diagnostics);
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let report = Report {
        output: &output,
        sources: &files.sources,
        suppressed: &[],
        show_suppressed: false,
        custom_docs: &[],
        threshold,
        quiet: false,
        statistics: false,
    };
    match args.output {
        Some(path) => report.write_file(path, args.format)?,
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            match report.write(&mut out, args.format, false).and_then(|_| out.flush()) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                Err(e) => return Err(format!("cannot write the report: {e}")),
            }
        }
    }
    let failed = threshold.is_some_and(|t| output.diagnostics.iter().any(|d| d.severity >= t));
    Ok(u8::from(failed))
}
