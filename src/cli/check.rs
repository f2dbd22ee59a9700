//! `kvet check`: discover inputs, find their configuration, lint, render,
//! and choose the exit code.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use kvet::config::{Config, find_config, load_config};
use kvet::diagnostic::{Diagnostic, Severity, Summary};
use kvet::fix::{apply_edits, select_fixes, write_atomically};
use kvet::lint::{LintOutput, lint_with_progress};
use kvet::report::{self, HumanOptions};
use kvet::rules::Registry;
use kvet::source::{DiscoverOptions, Input, SourceFile, discover, io_message};

use super::progress::Progress;
use super::{CheckArgs, ColorChoice, FailOn, Format, validate_selectors};

/// Whether fixing `before` into `after` introduced a syntax error: the
/// last line of defence for an edit that does not fit the file's format.
fn breaks_syntax(before: &SourceFile, after: &SourceFile) -> bool {
    let syntax = |f: &SourceFile| {
        kvet::yaml::parse_source(&f.text, f.looks_like_json(), kvet::yaml::Limits::default())
            .diagnostics
            .iter()
            .filter(|d| d.rule == "yaml-syntax")
            .count()
    };
    syntax(after) > syntax(before)
}

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
    if let Some(v) = &args.kubernetes_version {
        config.kubernetes_version = Some(v.clone());
    }
    if let Some(v) = &args.target_version {
        config.target_version = Some(v.clone());
    }
    config.crds.extend(args.crd.iter().cloned());
    kvet::schema::check::Versions::from_config(&config)?;
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
    check_crd_paths(&args.crd)?;
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
                stdin = Some(SourceFile::read_stdin(stdin_name.clone()));
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
    let mut sources: Vec<SourceFile> = Vec::with_capacity(slots.len());
    let mut plan: Vec<Group> = Vec::new();
    for (path, members) in &groups {
        let config = effective_config(path.as_deref(), &args)?;
        let registry = (!config.custom_rules.is_empty()).then(|| Registry::with_custom(&config.custom_rules));
        validate_selectors(
            &config.select,
            "select",
            registry.as_ref().unwrap_or_else(|| Registry::builtin()),
        )?;
        let start = sources.len();
        sources.extend(members.iter().filter_map(|&i| slots[i].take()));
        plan.push(Group {
            range: start..sources.len(),
            config,
            registry,
        });
    }
    let fail_on_config = plan.iter().find_map(|g| g.config.fail_on);
    let custom_docs: Vec<_> = plan
        .iter()
        .flat_map(|g| g.config.custom_rules.iter().cloned())
        .collect();

    let mut output = lint_plan(&plan, &sources, &progress);
    progress.finish();

    // --fix / --diff: apply fixes in rounds (a fix can enable another)
    // until none is left, then write the files or print the diffs.
    let originals: Vec<String> = if args.fix || args.diff {
        sources.iter().map(|s| s.text.clone()).collect()
    } else {
        Vec::new()
    };
    let mut fixed = 0usize;
    if args.fix || args.diff {
        // Files whose fixes would have made them unreadable: left alone.
        let mut refused: std::collections::BTreeSet<u32> = std::collections::BTreeSet::new();
        for _ in 0..8 {
            let mut selected = select_fixes(&output.diagnostics, args.unsafe_fixes);
            selected.edits.retain(|fid, _| !refused.contains(fid));
            if selected.edits.is_empty() {
                break;
            }
            for (fid, edits) in &selected.edits {
                let f = &sources[*fid as usize];
                let text = apply_edits(&f.text, edits);
                let fresh = SourceFile::from_text(f.name.clone(), f.path.clone(), text);
                if breaks_syntax(f, &fresh) {
                    eprintln!(
                        "kvet: {}: not fixed: the fixes would leave the file unreadable (please report this)",
                        f.name
                    );
                    refused.insert(*fid);
                    continue;
                }
                sources[*fid as usize] = fresh;
            }
            fixed += selected
                .fixed
                .iter()
                .filter(|d| {
                    d.fix
                        .as_ref()
                        .is_some_and(|f| f.edits.iter().all(|e| !refused.contains(&e.file)))
                })
                .count();
            output = lint_plan(&plan, &sources, &Progress::new(0, true));
        }
    }
    let changed: Vec<usize> = (0..originals.len())
        .filter(|&i| originals[i] != sources[i].text)
        .collect();
    if args.diff {
        let mut out = io::stdout().lock();
        for &i in &changed {
            let _ = out.write_all(report::diff::unified(&sources[i].name, &originals[i], &sources[i].text).as_bytes());
        }
        eprintln!(
            "kvet: {fixed} fix{} would change {} file{}",
            if fixed == 1 { "" } else { "es" },
            changed.len(),
            if changed.len() == 1 { "" } else { "s" }
        );
        return Ok(u8::from(!changed.is_empty()));
    }
    if args.fix {
        let mut written = 0;
        for &i in &changed {
            let s = &sources[i];
            match &s.path {
                Some(path) => match write_atomically(path, &originals[i], &s.text) {
                    Ok(()) => written += 1,
                    Err(e) => eprintln!("kvet: {}: {e}", s.name),
                },
                // stdin: the fixed document goes to stdout, findings to stderr.
                None => {
                    print!("{}", s.text);
                }
            }
        }
        if fixed > 0 {
            eprintln!(
                "kvet: fixed {fixed} finding{} in {written} file{}",
                if fixed == 1 { "" } else { "s" },
                if written == 1 { "" } else { "s" }
            );
        }
    }

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

    let to_stderr = args.fix && sources.iter().any(|s| s.path.is_none());
    let mut out: Box<dyn Write> = if to_stderr {
        Box::new(io::BufWriter::new(io::stderr().lock()))
    } else {
        Box::new(io::BufWriter::new(io::stdout().lock()))
    };
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

/// A set of files linted with one configuration.
struct Group {
    range: std::ops::Range<usize>,
    config: Config,
    registry: Option<Registry>,
}

/// Lints every group and merges the results (file ids of the whole run).
fn lint_plan(plan: &[Group], sources: &[SourceFile], progress: &Progress) -> LintOutput {
    let mut output = LintOutput::default();
    for g in plan {
        let registry = g.registry.as_ref().unwrap_or_else(|| Registry::builtin());
        let mut out = lint_with_progress(&sources[g.range.clone()], &g.config, registry, &|| progress.inc(), true);
        let by = g.range.start as u32;
        for d in out.diagnostics.iter_mut().chain(out.suppressed.iter_mut()) {
            shift(d, by);
        }
        for o in &mut out.objects {
            o.file += by;
        }
        output.objects.append(&mut out.objects);
        output.diagnostics.append(&mut out.diagnostics);
        output.suppressed.append(&mut out.suppressed);
        add_summary(&mut output.summary, &out.summary);
    }
    output
}

fn add_summary(total: &mut Summary, part: &Summary) {
    total.files += part.files;
    total.objects += part.objects;
    total.errors += part.errors;
    total.warnings += part.warnings;
    total.infos += part.infos;
    total.suppressed += part.suppressed;
}
