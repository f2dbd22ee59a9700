//! Argument parsing and subcommands.

use std::io::{self, IsTerminal, Read, Write};

use clap::{Args, Parser, Subcommand, ValueEnum};

use kvet::config::Config;
use kvet::diagnostic::Severity;
use kvet::lint::lint;
use kvet::report::{self, HumanOptions};
use kvet::rules::{CATEGORIES, Registry, RuleDoc};
use kvet::source::{DiscoverOptions, Input, SourceFile, discover};

#[derive(Parser)]
#[command(
    name = "kvet",
    version,
    about = "Kubernetes manifest linter and upgrade advisor",
    long_about = "kvet reads Kubernetes YAML and JSON manifests and reports schema errors, upgrade \
                  problems and best-practice findings at the exact line and column."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files, folders, glob patterns or stdin (`-`); default: the current folder.
    Check(CheckArgs),
    /// List every rule: id, category, default severity, summary.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show a rule's documentation: what, why, how to fix, examples, source.
    Explain {
        /// The rule id, e.g. `probes-identical`.
        rule: String,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Args)]
struct CheckArgs {
    /// Files, folders, glob patterns, or `-` for stdin.
    paths: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Color in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Exit with 1 when a finding at or above this severity is reported.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    fail_on: FailOn,
    /// Only run these rules or categories (comma-separated; `all` for every rule).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY")]
    select: Vec<String>,
    /// Never run these rules or categories (comma-separated).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY")]
    ignore: Vec<String>,
    /// The name to show (and match config against) for stdin input.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Print only findings, no snippets or summary.
    #[arg(long, short)]
    quiet: bool,
    /// Do not respect .gitignore and .ignore files when walking folders.
    #[arg(long)]
    no_ignore: bool,
}

pub fn run() -> Result<u8, String> {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(code);
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => rules(format),
        Command::Explain { rule } => explain(&rule),
    }
}

fn validate_selectors(list: &[String], flag: &str, registry: &Registry) -> Result<(), String> {
    for s in list {
        if s == "all" || CATEGORIES.contains(&s.as_str()) || registry.get(s).is_some() {
            continue;
        }
        let hint = suggest(s, registry)
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        return Err(format!("{flag}: unknown rule or category `{s}`{hint}"));
    }
    Ok(())
}

/// The closest rule id, if any is close.
fn suggest(input: &str, registry: &Registry) -> Option<String> {
    registry
        .entries()
        .map(|e| (strsim(input, &e.doc.id), e.doc.id.clone()))
        .filter(|(d, id)| *d <= (id.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id)
}

/// Levenshtein distance.
fn strsim(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn read_stdin(name: String) -> SourceFile {
    let mut bytes = Vec::new();
    match io::stdin().lock().read_to_end(&mut bytes) {
        Ok(_) => SourceFile::from_bytes(name, None, bytes),
        Err(e) => {
            let mut f = SourceFile::from_text(name, None, String::new());
            f.load_error = Some(kvet::source::LoadError {
                rule: "io-error",
                message: format!("cannot read standard input: {}", kvet::source::io_message(&e)),
                offset: 0,
            });
            f
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, String> {
    let registry = Registry::builtin();
    validate_selectors(&args.select, "--select", registry)?;
    validate_selectors(&args.ignore, "--ignore", registry)?;
    let config = Config {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        ..Config::default()
    };
    let opts = DiscoverOptions {
        respect_ignore_files: !args.no_ignore,
        ..DiscoverOptions::default()
    };
    let found = discover(&args.paths, &opts);
    let stdin_name = args.stdin_filename.clone().unwrap_or_else(|| "<stdin>".into());
    let sources: Vec<SourceFile> = {
        use rayon::prelude::*;
        let mut stdin = None;
        let files: Vec<(std::path::PathBuf, String)> = found
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
        let mut v: Vec<SourceFile> = stdin.into_iter().collect();
        v.par_extend(files.into_par_iter().map(|(p, n)| SourceFile::read(&p, n)));
        v
    };

    let output = lint(&sources, &config);

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
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
        ),
        Format::Json => report::json::render(&mut out, &output.diagnostics, &sources, &output.summary),
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
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| output.diagnostics.iter().any(|d| d.severity >= t));
    Ok(u8::from(failed))
}

fn rules(format: ListFormat) -> Result<u8, String> {
    let registry = Registry::builtin();
    let mut out = io::stdout().lock();
    let res = match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = registry
                .entries()
                .map(|e| {
                    serde_json::json!({
                        "id": e.doc.id,
                        "category": e.doc.category,
                        "severity": e.doc.severity,
                        "summary": e.doc.summary,
                        "enabled_by_default": e.doc.enabled_by_default,
                        "source": e.doc.source,
                        "fixable": false,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)
                .map_err(io::Error::from)
                .and_then(|_| writeln!(out))
        }
        ListFormat::Human => {
            let w = registry.entries().map(|e| e.doc.id.len()).max().unwrap_or(10);
            let mut r = Ok(());
            for e in registry.entries() {
                let d = &e.doc;
                let off = if d.enabled_by_default { "" } else { " (opt-in)" };
                r = writeln!(
                    out,
                    "{:<w$}  {:<12} {:<8} {}{off}",
                    d.id,
                    d.category,
                    d.severity.as_str(),
                    d.summary
                );
                if r.is_err() {
                    break;
                }
            }
            r
        }
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(0),
    }
}

fn indent(text: &str) -> String {
    text.trim_end()
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("    {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text of `kvet explain`.
pub fn explain_text(d: &RuleDoc) -> String {
    let mut s = format!("{} ({}, {})\n\n{}\n", d.id, d.category, d.severity, d.summary.trim());
    s.push_str(&format!("\nWhy it matters\n{}\n", indent(&d.why)));
    s.push_str(&format!("\nHow to fix\n{}\n", indent(&d.fix)));
    s.push_str(&format!("\nExample that triggers it\n{}\n", indent(&d.bad)));
    s.push_str(&format!("\nFixed\n{}\n", indent(&d.good)));
    if !d.options.is_empty() {
        s.push_str("\nOptions\n");
        for o in &d.options {
            s.push_str(&format!(
                "    {} (default {}): {}\n",
                o.name,
                o.default,
                o.description.trim()
            ));
        }
    }
    if let Some(src) = &d.source {
        s.push_str(&format!("\nSource: domain fact {src}\n"));
    }
    if !d.enabled_by_default {
        s.push_str("\nOff by default: enable with `--select ");
        s.push_str(&d.id);
        s.push_str("`\n");
    }
    s
}

fn explain(rule: &str) -> Result<u8, String> {
    let registry = Registry::builtin();
    let Some(doc) = registry.doc(rule) else {
        let hint = suggest(rule, registry)
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        return Err(format!("unknown rule `{rule}`{hint}; `kvet rules` lists them"));
    };
    let mut out = io::stdout().lock();
    let _ = out.write_all(explain_text(doc).as_bytes());
    Ok(0)
}
