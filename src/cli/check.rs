//! `kvet check`: discover inputs, find their configuration, lint, render,
//! and choose the exit code.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use kvet::config::{Config, find_config, load_config};
use kvet::diagnostic::{Diagnostic, Severity, Summary};
use kvet::lint::{LintOutput, lint_with_progress};
use kvet::report::{self, HumanOptions};
use kvet::rules::Registry;
use kvet::source::{DiscoverOptions, Input, LoadError, SourceFile, discover, io_message};

use super::progress::Progress;
use super::{CheckArgs, ColorChoice, FailOn, Format, validate_selectors};

fn read_stdin(name: String) -> SourceFile {
    let mut bytes = Vec::new();
    match io::stdin().lock().read_to_end(&mut bytes) {
        Ok(_) => SourceFile::from_bytes(name, None, bytes),
        Err(e) => {
            let mut f = SourceFile::from_text(name, None, String::new());
            f.load_error = Some(LoadError {
                rule: "io-error",
                message: format!("cannot read standard input: {}", io_message(&e)),
                offset: 0,
            });
            f
        }
    }
}

/// The configuration file for each source: `--config`, or the nearest
/// `.kvet.yaml` above it (looked up once per folder).
fn config_paths(args: &CheckArgs, sources: &[SourceFile]) -> Vec<Option<PathBuf>> {
    if args.no_config {
        return vec![None; sources.len()];
    }
    if let Some(c) = &args.config {
        return vec![Some(c.clone()); sources.len()];
    }
    let mut cache: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    sources
        .iter()
        .map(|s| {
            let p = s.path.clone().unwrap_or_else(|| PathBuf::from(&s.name));
            let dir = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf();
            cache.entry(dir.clone()).or_insert_with(|| find_config(&dir)).clone()
        })
        .collect()
}

/// The configuration file, with the command line's overrides applied.
fn effective_config(path: Option<&Path>, args: &CheckArgs) -> Result<Config, String> {
    let mut config = match path {
        Some(p) => load_config(p).map_err(|errs| {
            let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
            format!("invalid configuration:\n{}", lines.join("\n"))
        })?,
        None => Config::default(),
    };
    if !args.select.is_empty() {
        config.select = args.select.clone();
    }
    config.ignore.extend(args.ignore.iter().cloned());
    Ok(config)
}

/// Moves file ids of a group's findings to their place in the whole run.
fn shift(d: &mut Diagnostic, by: u32) {
    d.file += by;
    for l in &mut d.labels {
        l.file += by;
    }
    if let Some(f) = &mut d.fix {
        for e in &mut f.edits {
            e.file += by;
        }
    }
}

pub fn check(args: CheckArgs) -> Result<u8, String> {
    validate_selectors(&args.select, "--select", Registry::builtin())?;
    validate_selectors(&args.ignore, "--ignore", Registry::builtin())?;
    let opts = DiscoverOptions {
        respect_ignore_files: !args.no_ignore,
        ..DiscoverOptions::default()
    };
    let found = discover(&args.paths, &opts);
    let stdin_name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
    let mut stdin = None;
    let files: Vec<(PathBuf, String)> = found
        .inputs
        .iter()
        .filter_map(|i| match i {
            Input::Stdin => {
                stdin = Some(read_stdin(stdin_name.clone()));
                None
            }
            Input::File { path, name } => Some((path.clone(), name.clone())),
        })
        .collect();
    let progress = Progress::new(files.len() + usize::from(stdin.is_some()), args.quiet);
    progress.phase("reading");
    let mut sources: Vec<SourceFile> = stdin.into_iter().collect();
    sources.par_extend(files.into_par_iter().map(|(p, n)| {
        let f = SourceFile::read(&p, n);
        progress.inc();
        f
    }));
    progress.phase("checking");

    // One lint run per configuration (usually one for the whole run).
    let configs = config_paths(&args, &sources);
    let mut groups: BTreeMap<Option<PathBuf>, Vec<usize>> = BTreeMap::new();
    for (i, c) in configs.into_iter().enumerate() {
        groups.entry(c).or_default().push(i);
    }
    if groups.is_empty() {
        groups.insert(args.config.clone(), Vec::new());
    }
    let mut slots: Vec<Option<SourceFile>> = sources.into_iter().map(Some).collect();
    let mut ordered: Vec<SourceFile> = Vec::with_capacity(slots.len());
    let mut output = LintOutput::default();
    let mut fail_on_config = None;
    let mut custom_docs = Vec::new();
    for (path, members) in &groups {
        let config = effective_config(path.as_deref(), &args)?;
        fail_on_config = fail_on_config.or(config.fail_on);
        let registry_owned;
        let registry = if config.custom_rules.is_empty() {
            Registry::builtin()
        } else {
            registry_owned = Registry::with_custom(&config.custom_rules);
            &registry_owned
        };
        validate_selectors(&config.select, "select", registry)?;
        let start = ordered.len();
        ordered.extend(members.iter().filter_map(|&i| slots[i].take()));
        let mut out = lint_with_progress(&ordered[start..], &config, registry, &|| progress.inc());
        let by = start as u32;
        for d in out.diagnostics.iter_mut().chain(out.suppressed.iter_mut()) {
            shift(d, by);
        }
        for o in &mut out.objects {
            o.file += by;
        }
        output.objects.append(&mut out.objects);
        custom_docs.extend(config.custom_rules.iter().cloned());
        output.diagnostics.append(&mut out.diagnostics);
        output.suppressed.append(&mut out.suppressed);
        add_summary(&mut output.summary, &out.summary);
    }
    let sources = ordered;
    progress.finish();

    let threshold = match args.fail_on {
        Some(FailOn::Error) => Some(Severity::Error),
        Some(FailOn::Warning) => Some(Severity::Warning),
        Some(FailOn::Info) => Some(Severity::Info),
        Some(FailOn::Never) => None,
        None => fail_on_config.unwrap_or(Some(Severity::Error)),
    };
    let report_registry;
    let registry = if custom_docs.is_empty() {
        Registry::builtin()
    } else {
        report_registry = Registry::with_custom(&custom_docs);
        &report_registry
    };

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let suppressed: &[Diagnostic] = if args.show_suppressed { &output.suppressed } else { &[] };
    let written = match args.format {
        Format::Human => report::human::render(
            &mut out,
            &output.diagnostics,
            &sources,
            &output.summary,
            HumanOptions {
                color,
                snippets: !args.quiet,
            },
        )
        .and_then(|_| report::human::render_suppressed(&mut out, suppressed, &sources, color)),
        Format::Json => report::json::render_with(
            &mut out,
            &output.diagnostics,
            args.show_suppressed.then_some(suppressed),
            &sources,
            &output.summary,
        ),
        Format::Sarif => report::sarif::render(&mut out, &output.diagnostics, &sources, registry),
        Format::Junit => report::junit::render(&mut out, &output.diagnostics, &output.objects, &sources, threshold),
        Format::Github => report::github::render(&mut out, &output.diagnostics, &sources, &output.summary),
    };
    match written.and_then(|_| out.flush()) {
        Ok(()) => {}
        // A closed pipe (`kvet check | head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write the report: {e}")),
    }
    drop(out);

    for (path, why) in &found.walk_errors {
        eprintln!("kvet: warning: {path}: {why}");
    }
    if !found.missing.is_empty() {
        for (path, why) in &found.missing {
            eprintln!("kvet: error: {path}: {why}");
        }
        return Ok(2);
    }
    let failed = threshold.is_some_and(|t| output.diagnostics.iter().any(|d| d.severity >= t));
    Ok(u8::from(failed))
}

fn add_summary(total: &mut Summary, part: &Summary) {
    total.files += part.files;
    total.objects += part.objects;
    total.errors += part.errors;
    total.warnings += part.warnings;
    total.infos += part.infos;
    total.suppressed += part.suppressed;
}
