//! `kvet check`: discover inputs, find their configuration, lint, render,
//! and choose the exit code.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use kvet::diagnostic::{Diagnostic, Severity};
use kvet::lint::LintOutput;
use kvet::report::{self, HumanOptions};
use kvet::rules::Registry;
use kvet::source::{DiscoverOptions, Input, SourceFile, discover, io_message};

use super::plan::effective_config;
use super::progress::Progress;
use super::{CheckArgs, ColorChoice, FailOn, Format, shard, validate_cli_selectors};

/// `--crd` paths must exist, and be folders or regular files.
fn check_crd_paths(paths: &[PathBuf]) -> Result<(), String> {
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_dir() || m.is_file() => {}
            Ok(_) => return Err(format!("--crd {}: not a regular file or folder", p.display())),
            Err(e) => return Err(format!("--crd {}: {}", p.display(), io_message(&e))),
        }
    }
    Ok(())
}

pub fn check(args: CheckArgs) -> Result<u8, String> {
    if args.watch {
        return super::watch::run(&args);
    }
    check_once(&args)
}

pub(super) fn check_once(args: &CheckArgs) -> Result<u8, String> {
    // `--select` and `--ignore` are checked against each configuration's
    // rules (its custom rules included) once it is read.
    check_crd_paths(&args.crd)?;
    let outputs = parse_outputs(&args.output_file)?;
    let baseline = args
        .baseline
        .as_deref()
        .map(kvet::baseline::Baseline::read)
        .transpose()?;
    let exclude = Exclude::new(&args.exclude)?;
    let opts = DiscoverOptions {
        respect_ignore_files: !args.no_ignore,
        ..DiscoverOptions::default()
    };
    let mut found = discover(&args.paths, &opts);
    kvet::timings::phase("found the files");
    let mut charts = super::helm::HelmCharts::default();
    found.inputs.retain(|i| match i {
        Input::File { name, path } => !exclude.excludes(name) && !charts.is_chart_source(path),
        Input::Stdin => true,
    });
    kvet::timings::phase("left out chart sources and excluded files");
    if let Some(shard) = args.shard {
        let before = found.inputs.len();
        shard::retain(&mut found.inputs, shard);
        if found.inputs.is_empty() && before > 0 {
            eprintln!(
                "kvet: shard {}/{} has no files (the inputs make fewer units than shards)",
                shard.index, shard.count
            );
            return Ok(0);
        }
    }
    if found.inputs.is_empty() && found.missing.is_empty() {
        // Nothing to lint, but a typo in a flag is still an error.
        for path in super::settings::config_files(args)? {
            let config = effective_config(path.as_deref(), args)?;
            validate_cli_selectors(args, &Registry::with_custom(&config.custom_rules))?;
        }
        eprintln!(
            "kvet: warning: no manifest found in {} (kvet reads .yaml, .yml and .json files)",
            if args.paths.is_empty() {
                ".".to_string()
            } else {
                args.paths.join(", ")
            }
        );
        return Ok(0);
    }
    let stdin_name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
    let mut stdin = None;
    let files: Vec<(PathBuf, String)> = found
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::Stdin => {
                stdin = Some(SourceFile::read_stdin(stdin_name.clone()));
                None
            }
            Input::File { path, name } => Some((path.clone(), name.clone())),
        })
        .collect();
    // Helm: rendered output on stdin is split by its `# Source:` templates,
    // and charts are rendered when helm is on PATH. Not when kvet edits
    // files: a rendered template is not a file it could write.
    let edits_files = args.fix || args.fix_only || args.diff || args.add_suppressions;
    let mut stdin_sources: Vec<SourceFile> = Vec::new();
    if let Some(f) = stdin {
        match (&f.load_error, edits_files) {
            (None, false) => {
                let name = |s: &str| {
                    if s.is_empty() {
                        stdin_name.clone()
                    } else {
                        s.to_string()
                    }
                };
                match super::helm::split_rendered(&f.text, &name) {
                    Some(split) => stdin_sources = split,
                    None => stdin_sources.push(f),
                }
            }
            _ => stdin_sources.push(f),
        }
    }
    let (files, rendered_charts) = if edits_files {
        (files, Vec::new())
    } else {
        super::helm::render_charts(args, files, &mut charts)?
    };
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    // The result cache keeps the report a run prints on stdout (what else
    // shapes it is on the command line), unless it depends on more than
    // the findings: a baseline file, fixes, or other reports to write.
    let keeps_report = !edits_files && baseline.is_none() && args.write_baseline.is_none() && outputs.is_empty();
    let report_variant = keeps_report.then(|| super::cache::report_variant(color));
    let progress = Progress::new(args.quiet);
    // A run whose files all kept their stamps is replayed without reading
    // them (not with standard input or rendered charts, which have none).
    let unread = match report_variant {
        Some(v) if stdin_sources.is_empty() && rendered_charts.is_empty() && !args.explain_schemas => {
            super::plan::replay_unread(args, &files, v)
        }
        _ => None,
    };
    let (mut sources, plan, replayed_unread) = match unread {
        Some(super::plan::Unread::Replayed {
            sources,
            plan,
            linted,
            read,
        }) => {
            kvet::timings::phase(&format!(
                "replayed, {read} of {} files read (the others' stamps were unchanged)",
                sources.len()
            ));
            (sources, plan, Some(*linted))
        }
        Some(super::plan::Unread::Missed { mut sources, plan }) => {
            // The plan made for the replay holds; the files it did not
            // read are read now.
            progress.phase("reading files", sources.len());
            super::plan::read_the_rest(&mut sources, &progress);
            kvet::timings::phase("read the files");
            (sources, plan, None)
        }
        None => {
            progress.phase("reading files", files.len());
            let mut sources: Vec<SourceFile> = stdin_sources;
            sources.extend(rendered_charts);
            sources.par_extend(files.into_par_iter().map(|(p, n)| {
                let f = SourceFile::read(&p, n);
                progress.inc();
                f
            }));
            kvet::timings::phase("read the files");
            // One lint run per configuration (usually one for the whole run).
            let (sources, plan) = super::plan::make_plan(args, sources)?;
            (sources, plan, None)
        }
    };
    let fail_on_config = plan.iter().find_map(|g| g.config.fail_on);
    let custom_docs: Vec<_> = plan
        .iter()
        .flat_map(|g| g.config.custom_rules.iter().cloned())
        .collect();

    let renderer = super::plan::Renderer::new(args, &plan);
    let super::plan::Linted {
        mut output,
        mut warnings,
        cached,
        report: mut replayed,
    } = match replayed_unread {
        Some(linted) => linted,
        None => super::plan::lint_with_caches(
            args,
            &plan,
            &mut sources,
            &progress,
            &renderer,
            edits_files,
            report_variant,
        ),
    };
    progress.finish();

    // --fix / --diff: apply fixes in rounds (a fix can enable another)
    // until none is left, then write the files or print the diffs.
    let fixing = args.fix || args.fix_only;
    let mut fixes = super::fixing::Fixes::default();
    if fixing || args.diff {
        fixes = super::fixing::rounds(args, &plan, &mut sources, &mut output, &renderer);
        if args.diff {
            return Ok(super::fixing::print_diff(&sources, &fixes));
        }
        super::fixing::write(args, &plan, &mut sources, &mut output, &renderer, &mut fixes);
    }
    let fix_failed = !fixes.refused.is_empty() || !fixes.not_written.is_empty();

    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => fail_on_config.unwrap_or(Some(Severity::Error)),
    };

    if let Some(path) = &args.write_baseline {
        let n = kvet::baseline::write(path, &output.diagnostics, &sources)?;
        eprintln!(
            "kvet: wrote {n} finding{} to {}",
            if n == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(0);
    }
    if args.add_suppressions {
        let added = super::adopt::add_suppressions(&output.diagnostics, &sources);
        for e in &added.errors {
            eprintln!("kvet: {e}");
        }
        eprintln!(
            "kvet: added suppressions for {} finding{} in {} file{}{}",
            added.comments,
            if added.comments == 1 { "" } else { "s" },
            added.files,
            if added.files == 1 { "" } else { "s" },
            if added.skipped > 0 {
                format!(
                    "; {} could not carry a comment (JSON files, block scalars, stdin): use --write-baseline for them",
                    added.skipped
                )
            } else {
                String::new()
            }
        );
        return Ok(if added.errors.is_empty() { 0 } else { 2 });
    }
    if let Some(b) = &baseline {
        let (new, known) = b.split(std::mem::take(&mut output.diagnostics), &sources);
        output.diagnostics = new;
        let summary = &mut output.summary;
        (summary.errors, summary.warnings, summary.infos) = (0, 0, 0);
        summary.count(&output.diagnostics);
        summary.suppressed += known.len();
        output.suppressed.extend(known);
        kvet::diagnostic::sort_findings(&mut output.suppressed);
    }
    let suppressed: &[Diagnostic] = if args.show_suppressed { &output.suppressed } else { &[] };
    // The line index of each file with a finding, built in parallel here
    // rather than one by one as the report first asks a position of it.
    let with_findings: std::collections::HashSet<u32> =
        output.diagnostics.iter().chain(suppressed).map(|d| d.file).collect();
    sources
        .par_iter()
        .enumerate()
        .filter(|(i, _)| with_findings.contains(&(*i as u32)))
        .for_each(|(_, s)| {
            s.line_index();
        });
    let max_severity = match &replayed {
        Some(r) => r.max_severity,
        None => output.diagnostics.iter().map(|d| d.severity).max(),
    };
    let report = Report {
        output: &output,
        sources: &sources,
        suppressed,
        show_suppressed: args.show_suppressed,
        custom_docs: &custom_docs,
        threshold,
        quiet: args.quiet,
        statistics: args.statistics,
    };
    kvet::timings::phase("done linting");
    if !args.fix_only {
        // The main report goes to stdout (stderr when stdout carries the
        // fixed stdin document), or to the `-o PATH` file.
        let main_file = outputs.iter().find(|o| o.format.is_none()).map(|o| &o.path);
        match main_file {
            Some(path) => report.write_file(path, args.format)?,
            None => {
                let to_stderr = fixing && sources.iter().any(|s| s.path.is_none());
                let mut out: Box<dyn Write> = if to_stderr {
                    Box::new(io::BufWriter::new(io::stderr().lock()))
                } else {
                    Box::new(io::BufWriter::new(io::stdout().lock()))
                };
                // A replay prints the report the stored run printed; a run
                // stored in the result cache also keeps the report it prints.
                let mut sink = None;
                let written = match &mut replayed {
                    Some(r) if !to_stderr => r.write_to_stdout(&mut out),
                    Some(r) => r.write_to(&mut out),
                    None => {
                        sink = report_variant
                            .zip(cached.as_ref())
                            .and_then(|(v, (dir, key))| super::cache::ReportSink::new(dir, *key, v, max_severity));
                        match &mut sink {
                            Some(sink) => report.write(&mut Tee { out: &mut out, sink }, args.format, color),
                            None => report.write(&mut out, args.format, color),
                        }
                    }
                };
                match written.and_then(|_| out.flush()) {
                    Ok(()) => {
                        if let Some(sink) = sink {
                            sink.finish();
                        }
                    }
                    // A closed pipe (`kvet check | head`) is not an error.
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
                    Err(e) => return Err(format!("cannot write the report: {e}")),
                }
            }
        }
        for o in &outputs {
            if let Some(format) = o.format {
                report.write_file(&o.path, format)?;
            }
        }
        kvet::timings::phase("wrote the report");
    }

    if args.explain_schemas {
        super::plan::explain_schemas(&plan, &sources);
    }
    warnings.extend(kvet::schema::crd::catalog::take_warnings());
    for w in warnings {
        eprintln!("kvet: warning: {w}");
    }
    for (path, why) in &found.walk_errors {
        eprintln!("kvet: warning: {path}: {why}");
    }
    if !found.missing.is_empty() {
        for (path, why) in &found.missing {
            eprintln!("kvet: error: {path}: {why}");
        }
        return Ok(2);
    }
    if fix_failed {
        // A fix kvet could not write or refused to apply: never a success.
        return Ok(2);
    }
    if args.exit_non_zero_on_fix && !fixes.fixed_in.is_empty() {
        return Ok(1);
    }
    if args.fix_only || args.exit_zero {
        return Ok(0);
    }
    let failed = threshold.is_some_and(|t| max_severity.is_some_and(|m| m >= t));
    Ok(u8::from(failed))
}

/// Writes the report through to `out` and keeps a copy for the result
/// cache.
struct Tee<'a> {
    out: &'a mut dyn Write,
    sink: &'a mut super::cache::ReportSink,
}

impl Write for Tee<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.sink.keep(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)?;
        self.sink.keep(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One report to write: `-o PATH` (the `--format` report) or `-o FORMAT:PATH`.
struct OutputFile {
    format: Option<Format>,
    path: PathBuf,
}

fn parse_outputs(specs: &[String]) -> Result<Vec<OutputFile>, String> {
    let mut out = Vec::new();
    for spec in specs {
        let (format, path) = match spec.split_once(':') {
            Some((f, p)) if !p.is_empty() => match <Format as clap::ValueEnum>::from_str(f, true) {
                Ok(format) => (Some(format), p),
                Err(_) => (None, spec.as_str()),
            },
            _ => (None, spec.as_str()),
        };
        if path.is_empty() {
            return Err(format!("--output-file {spec}: no path"));
        }
        out.push(OutputFile {
            format,
            path: PathBuf::from(path),
        });
    }
    if out.iter().filter(|o| o.format.is_none()).count() > 1 {
        return Err("--output-file: only one PATH without a FORMAT: prefix (the --format report)".into());
    }
    Ok(out)
}

/// `--exclude` globs.
pub(super) struct Exclude {
    names: globset::GlobSet,
    paths: globset::GlobSet,
}

impl Exclude {
    pub(super) fn new(patterns: &[String]) -> Result<Self, String> {
        let mut names = globset::GlobSetBuilder::new();
        let mut paths = globset::GlobSetBuilder::new();
        for p in patterns {
            let p = p.trim_end_matches('/');
            let glob = globset::GlobBuilder::new(p.trim_start_matches("./"))
                .literal_separator(true)
                .build()
                .map_err(|e| format!("--exclude {p}: {e}"))?;
            if p.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        Ok(Exclude {
            names: names.build().map_err(|e| e.to_string())?,
            paths: paths.build().map_err(|e| e.to_string())?,
        })
    }

    /// Whether a walked file (its name as shown) is excluded: a name
    /// pattern matching any of its components, or a path pattern matching
    /// it or a folder above it.
    pub(super) fn excludes(&self, name: &str) -> bool {
        let path = Path::new(name.trim_start_matches("./"));
        if !self.names.is_empty() && path.components().any(|c| self.names.is_match(c.as_os_str())) {
            return true;
        }
        !self.paths.is_empty()
            && path
                .ancestors()
                .any(|a| !a.as_os_str().is_empty() && self.paths.is_match(a))
    }
}

/// What the reports of a run are made of.
pub(super) struct Report<'a> {
    pub output: &'a LintOutput,
    pub sources: &'a [SourceFile],
    pub suppressed: &'a [Diagnostic],
    pub show_suppressed: bool,
    /// The configurations' custom rules (SARIF describes every rule).
    pub custom_docs: &'a [kvet::rules::RuleDoc],
    pub threshold: Option<Severity>,
    pub quiet: bool,
    pub statistics: bool,
}

impl Report<'_> {
    pub fn write(&self, out: &mut dyn Write, format: Format, color: bool) -> io::Result<()> {
        let o = self.output;
        if self.statistics {
            return match format {
                Format::Json => {
                    serde_json::to_writer_pretty(&mut *out, &report::human::by_rule(&o.diagnostics))?;
                    writeln!(out)
                }
                _ => report::human::render_statistics(out, &o.diagnostics, color),
            };
        }
        match format {
            Format::Human => report::human::render(
                out,
                &o.diagnostics,
                self.sources,
                &o.summary,
                HumanOptions {
                    color,
                    snippets: !self.quiet,
                },
            )
            .and_then(|_| report::human::render_suppressed(out, self.suppressed, self.sources, color)),
            Format::Json => report::json::render_with(
                out,
                &o.diagnostics,
                self.show_suppressed.then_some(self.suppressed),
                self.sources,
                &o.summary,
            ),
            Format::Sarif => {
                // The rules' docs are parsed only for a report that shows
                // them (a replay prints the report it kept).
                let custom;
                let registry = if self.custom_docs.is_empty() {
                    Registry::builtin()
                } else {
                    custom = Registry::with_custom(self.custom_docs);
                    &custom
                };
                report::sarif::render(out, &o.diagnostics, self.sources, registry)
            }
            Format::Junit => report::junit::render(out, &o.diagnostics, &o.objects, self.sources, self.threshold),
            Format::Github => report::github::render(out, &o.diagnostics, self.sources, &o.summary),
        }
    }

    pub fn write_file(&self, path: &Path, format: Format) -> Result<(), String> {
        let file =
            std::fs::File::create(path).map_err(|e| format!("--output-file {}: {}", path.display(), io_message(&e)))?;
        let mut out = io::BufWriter::new(file);
        self.write(&mut out, format, false)
            .and_then(|_| out.flush())
            .map_err(|e| format!("--output-file {}: {e}", path.display()))
    }
}
