//! `kvet check`: discover inputs, find their configuration, lint, render,
//! and choose the exit code.

use std::collections::{BTreeMap, HashMap};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use kvet::config::{Config, find_config, load_config};
use kvet::diagnostic::{Diagnostic, Severity, Summary};
use kvet::fix::{apply_edits, select_fixes, verify, write_fixed};
use kvet::lint::{LintOutput, lint_with_progress};
use kvet::report::{self, HumanOptions};
use kvet::rules::Registry;
use kvet::source::{DiscoverOptions, Input, SourceFile, discover, io_message};

use super::progress::Progress;
use super::{CheckArgs, ColorChoice, FailOn, Format, shard, validate_cli_selectors, validate_selectors};

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
pub(super) fn effective_config(path: Option<&Path>, args: &CheckArgs) -> Result<Config, String> {
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
    config.extend_select.extend(args.extend_select.iter().cloned());
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
    let mut charts = HelmCharts::default();
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
        render_charts(args, files, &mut charts)?
    };
    let progress = Progress::new(args.quiet);
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
    let configs = config_paths(args, &sources);
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
        let config = effective_config(path.as_deref(), args)?;
        let registry = (!config.custom_rules.is_empty()).then(|| Registry::with_custom(&config.custom_rules));
        let known = registry.as_ref().unwrap_or_else(|| Registry::builtin());
        validate_cli_selectors(args, known)?;
        validate_selectors(&config.select, "select", known)?;
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

    // The result cache: an unchanged run replays its findings (not when
    // kvet edits files: fixes need the whole run).
    let cache_dir = if edits_files {
        None
    } else {
        super::cache::folder(args.no_cache, args.cache_dir.as_deref())
    };
    let digests: Vec<kvet::filecache::TextDigest> = if cache_dir.is_some() {
        use rayon::prelude::*;
        sources
            .par_iter()
            .map(|s| kvet::filecache::TextDigest::of(&s.text))
            .collect()
    } else {
        Vec::new()
    };
    let cache_key = cache_dir.as_ref().map(|_| {
        let configs: Vec<_> = plan.iter().map(|g| (&g.config, g.range.clone())).collect();
        super::cache::key(&sources, &digests, &configs)
    });
    let replay = cache_dir
        .as_deref()
        .zip(cache_key)
        .and_then(|(dir, key)| super::cache::load(dir, key));
    if replay.is_none() && cache_dir.is_some() {
        kvet::deps::record();
    }
    // Kustomization roots: rendered and linted as the cluster sees them.
    // Rendered again after fixes, from the fixed texts (a fix may edit the
    // origin of a rendered value).
    let rendering = !(args.no_render || plan.iter().any(|g| g.config.render == Some(false)));
    let render_now = |sources: &mut Vec<SourceFile>, originals: &[String]| {
        if !rendering {
            return kvet::render::roots::RenderedRoots::default();
        }
        let config_of = |i: usize| {
            let g = plan.iter().find(|g| g.range.contains(&i)).unwrap_or(&plan[0]);
            (&g.config, g.registry.as_ref())
        };
        let overlay: std::collections::HashMap<PathBuf, String> = sources
            .iter()
            .zip(originals)
            .filter(|(s, o)| s.text != **o)
            .filter_map(|(s, _)| {
                let p = s.path.as_deref()?;
                Some((p.canonicalize().unwrap_or_else(|_| p.to_path_buf()), s.text.clone()))
            })
            .collect();
        let opts = kvet::render::roots::RenderOptions {
            overlay: (!overlay.is_empty()).then(|| std::sync::Arc::new(overlay)),
            only: None,
        };
        kvet::render::roots::render_roots(sources, &config_of, &opts)
    };
    let (mut output, mut warnings) = match replay {
        Some(hit) => (hit.output, hit.warnings),
        None => {
            // The cache of unchanged files: what this run can read back
            // instead of parsing and checking again.
            let files = cache_dir.as_deref().map(super::cache::files);
            let mut output = lint_plan(&plan, &sources, &progress, files.as_ref().map(|f| (f, &digests[..])));
            if let Some(f) = files {
                f.finish();
            }
            if rendering {
                progress.phase("rendering kustomizations", 0);
            }
            let rendered = render_now(&mut sources, &[]);
            kvet::render::roots::apply(&mut output, &rendered);
            let warnings = kvet::schema::crd::catalog::take_warnings();
            if let Some((dir, key)) = cache_dir.as_deref().zip(cache_key) {
                super::cache::store(dir, key, &output, &warnings, &kvet::deps::take());
            }
            (output, warnings)
        }
    };
    progress.finish();

    // --fix / --diff: apply fixes in rounds (a fix can enable another)
    // until none is left, then write the files or print the diffs.
    let originals: Vec<String> = if args.fix || args.fix_only || args.diff {
        sources.iter().map(|s| s.text.clone()).collect()
    } else {
        Vec::new()
    };
    // Fixes applied to each file, and files whose fixes were refused.
    let mut fixed_in: BTreeMap<u32, usize> = BTreeMap::new();
    let mut refused: BTreeMap<u32, String> = BTreeMap::new();
    // What each applied fix did (`--show-fixes`): positions as found.
    let mut applied: Vec<(u32, String)> = Vec::new();
    let fixing = args.fix || args.fix_only;
    if fixing || args.diff {
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
            output = lint_plan(&plan, &sources, &Progress::new(true), None);
            let rendered = render_now(&mut sources, &originals);
            kvet::render::roots::apply(&mut output, &rendered);
        }
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
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if args.diff {
        let mut out = io::stdout().lock();
        for &i in &changed {
            let _ = out.write_all(report::diff::unified(&sources[i].name, &originals[i], &sources[i].text).as_bytes());
        }
        let fixed: usize = fixed_in.values().sum();
        eprintln!(
            "kvet: {} would change {}",
            plural(fixed, "fix", "fixes"),
            plural(changed.len(), "file", "files")
        );
        return Ok(if refused.is_empty() {
            u8::from(!changed.is_empty())
        } else {
            2
        });
    }
    // Files kvet could not write: reported with their original findings.
    let mut not_written: Vec<(usize, String)> = Vec::new();
    if fixing {
        let mut out = io::stdout().lock();
        for (i, s) in sources.iter().enumerate() {
            match &s.path {
                Some(path) if changed.contains(&i) => {
                    if let Err(e) = write_fixed(path, &originals[i], &s.text) {
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
            fixed_in.remove(&(*i as u32));
            sources[*i] = SourceFile::from_text(
                sources[*i].name.clone(),
                sources[*i].path.clone(),
                originals[*i].clone(),
            );
        }
        if !refused.is_empty() || !not_written.is_empty() {
            output = lint_plan(&plan, &sources, &Progress::new(true), None);
            let rendered = render_now(&mut sources, &originals);
            kvet::render::roots::apply(&mut output, &rendered);
        }
        for (i, why) in &not_written {
            let d = Diagnostic::new("io-error", Severity::Error, *i as u32, Default::default(), format!("fixes not written: {why}"))
                .with_help("the findings of this file are still present; make the file writable (or stop editing it) and run `kvet check --fix` again");
            output.summary.errors += 1;
            output.diagnostics.push(d);
        }
        kvet::diagnostic::sort_findings(&mut output.diagnostics);
        if args.show_fixes {
            for (fid, line) in &applied {
                if fixed_in.contains_key(fid) {
                    eprintln!("kvet: fixed {line}");
                }
            }
        }
        let fixed: usize = fixed_in.values().sum();
        let files = fixed_in.len();
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
    }
    let fix_failed = !refused.is_empty() || !not_written.is_empty();

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
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let suppressed: &[Diagnostic] = if args.show_suppressed { &output.suppressed } else { &[] };
    let report = Report {
        output: &output,
        sources: &sources,
        suppressed,
        show_suppressed: args.show_suppressed,
        registry,
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
                match report.write(&mut out, args.format, color).and_then(|_| out.flush()) {
                    Ok(()) => {}
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
        explain_schemas(&plan, &sources);
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
    if args.exit_non_zero_on_fix && !fixed_in.is_empty() {
        return Ok(1);
    }
    if args.fix_only || args.exit_zero {
        return Ok(0);
    }
    let failed = threshold.is_some_and(|t| output.diagnostics.iter().any(|d| d.severity >= t));
    Ok(u8::from(failed))
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

/// Files to read: their path and the name they are shown under.
type Inputs = Vec<(PathBuf, String)>;

/// With `helm` on PATH, renders each chart whose `Chart.yaml` is among the
/// inputs (`helm template`, `--values` from the configuration's
/// `helm-values`) and returns the inputs without those `Chart.yaml`s, and
/// the rendered templates. A chart helm cannot render keeps its
/// `Chart.yaml` (and its `helm-chart` note), with a warning.
fn render_charts(
    args: &CheckArgs,
    files: Inputs,
    charts: &mut HelmCharts,
) -> Result<(Inputs, Vec<SourceFile>), String> {
    let is_chart = |p: &Path, charts: &mut HelmCharts| {
        p.file_name().is_some_and(|n| n == "Chart.yaml")
            && matches!(p.parent().map(|d| charts.place(d)), Some(ChartPlace::Root))
    };
    if !files.iter().any(|(p, _)| is_chart(p, charts)) {
        return Ok((files, Vec::new()));
    }
    let Some(helm) = super::helm::find_helm() else {
        return Ok((files, Vec::new()));
    };
    // Outer charts first: a chart packaged in another's `charts/` is
    // rendered with its parent, not alone.
    let mut chart_files: Vec<(PathBuf, String)> = files.iter().filter(|(p, _)| is_chart(p, charts)).cloned().collect();
    chart_files.sort_by_key(|(p, _)| p.components().count());
    let mut rendered = Vec::new();
    let mut rendered_dirs: Vec<PathBuf> = Vec::new();
    // The `Chart.yaml`s that are no longer linted as files.
    let mut done: Vec<PathBuf> = Vec::new();
    for (path, name) in chart_files {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if rendered_dirs.iter().any(|r| dir != r && dir.starts_with(r)) {
            done.push(path);
            continue;
        }
        let chart = Path::new(&name)
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        let config_path = if args.no_config {
            None
        } else {
            args.config.clone().or_else(|| find_config(dir))
        };
        let config = effective_config(config_path.as_deref(), args)?;
        let version = config
            .kubernetes_version
            .as_deref()
            .and_then(kvet::schema::parse_version)
            .map(|v| format!("v{}.0", v.name));
        match super::helm::render(&helm, &chart, &config.helm_values, version.as_deref()) {
            Ok(text) => {
                let file_name = |s: &str| {
                    if s.is_empty() {
                        format!("{chart}/<rendered>")
                    } else {
                        super::helm::template_path(&chart, s)
                    }
                };
                match super::helm::split_rendered(&text, &file_name) {
                    Some(split) => rendered.extend(split),
                    // Output without `# Source:` comments: one file.
                    None => rendered.push(SourceFile::from_text(format!("{chart}/<rendered>"), None, text)),
                }
                rendered_dirs.push(dir.to_path_buf());
                done.push(path);
            }
            Err(why) => eprintln!("kvet: warning: {why}; linting the chart's Chart.yaml only"),
        }
    }
    let kept = files.into_iter().filter(|(p, _)| !done.contains(p)).collect();
    Ok((kept, rendered))
}

/// Helm charts met while walking: a folder with a `Chart.yaml`. Its
/// values files, `values.schema.json`, `templates/`, packaged `charts/`,
/// chart-testing `ci/` values and helm-unittest `tests/` are not manifests; `Chart.yaml` itself is kept (it gets the
/// `helm-chart` note) and so are the chart's plain manifests (`crds/`).
#[derive(Default)]
struct HelmCharts {
    /// Each folder's place relative to the chart around it, worked out
    /// once per folder (from its parent's): one lookup per file.
    place: HashMap<PathBuf, ChartPlace>,
}

/// A folder's place relative to the nearest chart above it.
#[derive(Clone, Copy)]
enum ChartPlace {
    /// No `Chart.yaml` in it or above it.
    Outside,
    /// The chart folder itself.
    Root,
    /// Below a chart: whether under a folder whose files are chart sources.
    Below(bool),
}

impl HelmCharts {
    fn place(&mut self, folder: &Path) -> ChartPlace {
        if let Some(&p) = self.place.get(folder) {
            return p;
        }
        let here = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let place = if here.join("Chart.yaml").is_file() {
            ChartPlace::Root
        } else {
            match folder.parent().filter(|_| !folder.as_os_str().is_empty()) {
                None => ChartPlace::Outside,
                Some(parent) => match self.place(parent) {
                    ChartPlace::Outside => ChartPlace::Outside,
                    // Templates, packaged subcharts, chart-testing values
                    // (`ci/`) and helm-unittest suites (`tests/`).
                    ChartPlace::Root => ChartPlace::Below(matches!(
                        folder.file_name().and_then(|c| c.to_str()),
                        Some("templates" | "charts" | "ci" | "tests")
                    )),
                    below => below,
                },
            }
        };
        self.place.insert(folder.to_path_buf(), place);
        place
    }

    fn is_chart_source(&mut self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        let Some(folder) = path.parent() else {
            return false;
        };
        match self.place(folder) {
            ChartPlace::Outside => false,
            // Directly in the chart folder.
            ChartPlace::Root => {
                (name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml")))
                    || name == "values.schema.json"
            }
            ChartPlace::Below(source) => source,
        }
    }
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
    pub registry: &'a Registry,
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
            Format::Sarif => report::sarif::render(out, &o.diagnostics, self.sources, self.registry),
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

/// A set of files linted with one configuration.
struct Group {
    range: std::ops::Range<usize>,
    config: Config,
    registry: Option<Registry>,
}

/// Lints every group and merges the results (file ids of the whole run).
fn lint_plan(
    plan: &[Group],
    sources: &[SourceFile],
    progress: &Progress,
    files: Option<(&kvet::filecache::FileCache, &[kvet::filecache::TextDigest])>,
) -> LintOutput {
    let mut output = LintOutput::default();
    // Each input's entry in the cache of unchanged files; the previous
    // pack's entries of no input of this run are carried over first.
    let keys: Vec<kvet::filecache::Key> = match files {
        Some((cache, digests)) => {
            let mut keys = Vec::with_capacity(sources.len());
            for g in plan {
                let config = kvet::filecache::config_digest(&g.config);
                for (s, d) in sources[g.range.clone()]
                    .iter()
                    .zip(digests.get(g.range.clone()).unwrap_or(&[]))
                {
                    keys.push(kvet::filecache::Key::of(config, s, *d));
                }
            }
            cache.carry_over(&keys);
            keys
        }
        None => Vec::new(),
    };
    for (i, g) in plan.iter().enumerate() {
        let registry = g.registry.as_ref().unwrap_or_else(|| Registry::builtin());
        progress.phase("parsing files", g.range.len());
        let group = &sources[g.range.clone()];
        let mut out = match files.zip(keys.get(g.range.clone())) {
            Some(((cache, _), keys)) => {
                let reuse = kvet::lint::Reuse {
                    cache,
                    keys,
                    last: i + 1 == plan.len(),
                };
                kvet::lint::lint_reusing(group, &g.config, registry, progress, true, &reuse)
            }
            None => lint_with_progress(group, &g.config, registry, progress, true),
        };
        let by = g.range.start as u32;
        for d in out.diagnostics.iter_mut().chain(out.suppressed.iter_mut()) {
            shift(d, by);
        }
        for o in &mut out.objects {
            o.file += by;
        }
        if output.objects.is_empty() && output.diagnostics.is_empty() && output.suppressed.is_empty() {
            // The first group's lists are taken whole, not copied (a second
            // copy of every finding would be the run's peak of memory).
            add_summary(&mut out.summary, &output.summary);
            output = out;
            continue;
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

/// `--explain-schemas`: where the schema of each kind of the run came from
/// (on stderr, so that machine-readable reports stay intact).
fn explain_schemas(plan: &[Group], sources: &[SourceFile]) {
    let mut lines = Vec::new();
    for g in plan {
        for s in kvet::schema::crd::catalog::explain_schemas(&sources[g.range.clone()], &g.config) {
            let n = if s.objects == 1 { "object" } else { "objects" };
            lines.push(format!(
                "  {} {} ({} {n}): {}",
                s.api_version, s.kind, s.objects, s.source
            ));
        }
    }
    lines.sort();
    lines.dedup();
    eprintln!("kvet: schemas used:");
    for l in lines {
        eprintln!("{l}");
    }
}
