//! Argument parsing and subcommands.

mod adopt;
mod cache;
mod check;
mod docs;
mod fixing;
mod helm;
mod merge;
mod plan;
mod progress;
mod render;
mod settings;
mod shard;
mod watch;

use clap::{Args, Parser, Subcommand, ValueEnum};

use kvet::config::edit_distance;
use kvet::rules::{CATEGORIES, Registry};

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
    Check(Box<CheckArgs>),
    /// List every rule (custom rules of the configuration included): id, category, default severity, summary.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Only the rules of this category (e.g. `security`).
        #[arg(long)]
        category: Option<String>,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Show a rule's documentation (what, why, how to fix, examples), or list a category's rules.
    Explain {
        /// A rule id (e.g. `probes-identical`, or a custom rule of the configuration) or a category (e.g. `probes`).
        rule: String,
        #[command(flatten)]
        config: ConfigArg,
    },
    /// Print the effective configuration (every setting) and where each value came from:
    /// a configuration file (file:line:col), a command-line flag, or the default.
    /// Takes the flags of `kvet check`; `--format human|json`.
    Config(Box<CheckArgs>),
    /// Run the language server on stdin/stdout (for editors).
    Lsp,
    /// Print a shell completion script (e.g. `kvet completions bash > /etc/bash_completion.d/kvet`).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// List the embedded Kubernetes versions (approximate ones marked) and the embedded CRD catalog.
    Versions {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
        /// Only the embedded CRD catalog: its projects, releases, licenses and kind counts.
        #[arg(long)]
        catalog: bool,
    },
    /// Show the API delta between two Kubernetes versions.
    Diff {
        /// The version upgraded from, e.g. `1.1`.
        from: String,
        /// The version upgraded to, e.g. `1.2`.
        to: String,
        /// Only this kind (e.g. `Deployment`).
        #[arg(long)]
        kind: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Print the objects a kustomization folder renders to (YAML, in kustomize's order).
    Render {
        /// The kustomization folder.
        dir: std::path::PathBuf,
        /// End each value's line with `# from file:line`, where it was written.
        #[arg(long)]
        origins: bool,
    },
    /// Write a commented starter `.kvet.yaml` in the current folder.
    /// Join the JSON reports of several runs (e.g. the shards of a
    /// `--shard I/N` CI matrix) into one report, in any format. Run it in a
    /// checkout of the commit the reports were made on: the files they name
    /// are read again for positions and snippets.
    Merge {
        /// JSON reports (`kvet check --format json`); `-` reads one from stdin.
        #[arg(required = true)]
        reports: Vec<std::path::PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Write the report to PATH instead of stdout.
        #[arg(long, short = 'o', value_name = "PATH")]
        output_file: Option<std::path::PathBuf>,
        /// Lowest severity that makes the exit code 1.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
    },
    Init {
        /// Overwrite an existing `.kvet.yaml`.
        #[arg(long)]
        force: bool,
    },
}

/// Which configuration `kvet rules` and `kvet explain` read custom rules from.
#[derive(Args)]
struct ConfigArg {
    /// The configuration whose custom rules to include [default: the nearest .kvet.yaml above the current folder].
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Only the built-in rules.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
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
    /// Exit with 1 when a finding at or above this severity is reported
    /// [default: the config's `fail-on`, else error].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,
    /// Only run these rules or categories (comma-separated; `all` for every rule).
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY")]
    select: Vec<String>,
    /// Also run these rules or categories, on top of `--select` or the config's selection.
    #[arg(long, value_delimiter = ',', value_name = "ID|CATEGORY")]
    extend_select: Vec<String>,
    /// Never run these rules or categories (comma-separated; adds to the config's list).
    #[arg(long, alias = "extend-ignore", value_delimiter = ',', value_name = "ID|CATEGORY")]
    ignore: Vec<String>,
    /// Skip files and folders matching these globs while walking (a pattern without `/`
    /// matches any file or folder name, e.g. `vendor`, `*.tmpl.yaml`; with `/` the path
    /// as walked, e.g. `charts/**`). kvet has no built-in list, so `--extend-exclude` is the same.
    #[arg(long, alias = "extend-exclude", value_delimiter = ',', value_name = "GLOB")]
    exclude: Vec<String>,
    /// Print only the number of findings per rule (count, severity, fixable).
    #[arg(long)]
    statistics: bool,
    /// Write a report to a file: `PATH` (the `--format` report, instead of stdout) or
    /// `FORMAT:PATH` (another report, e.g. `sarif:kvet.sarif`); repeatable.
    #[arg(long, short = 'o', value_name = "[FORMAT:]PATH")]
    output_file: Vec<String>,
    /// Exit 0 even when findings are reported (usage errors and failed fixes still exit 2).
    #[arg(long)]
    exit_zero: bool,
    /// With `--fix`: list the fixes applied.
    #[arg(long)]
    show_fixes: bool,
    /// Apply the fixes, report nothing else, and exit 0 unless a fix failed.
    #[arg(long)]
    fix_only: bool,
    /// With `--fix`: exit 1 when a fix was applied, even if nothing is left to report.
    #[arg(long)]
    exit_non_zero_on_fix: bool,
    /// Report only findings that are not in this baseline (see `--write-baseline`).
    #[arg(long, value_name = "FILE")]
    baseline: Option<std::path::PathBuf>,
    /// Lint kustomization trees file by file instead of rendering their roots.
    #[arg(long)]
    no_render: bool,
    /// Lint only part I of N of the inputs (1-based), for a CI matrix: the
    /// N shards together lint every file once; each folder, and each
    /// kustomization with the files it reads, stays in one shard. Join the
    /// shards' JSON reports with `kvet merge`.
    #[arg(long, value_name = "I/N", value_parser = shard::parse)]
    shard: Option<shard::Shard>,
    /// Record every current finding in a baseline file and exit 0.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["baseline", "fix", "diff", "add_suppressions"])]
    write_baseline: Option<std::path::PathBuf>,
    /// Add a `# kvet: ignore[rule]` comment on the line of every current finding and exit 0.
    #[arg(long, conflicts_with_all = ["fix", "diff"])]
    add_suppressions: bool,
    /// The cluster's Kubernetes version, 1.0 to 1.37 [default: the config's, else the newest].
    #[arg(long, value_name = "X.Y")]
    kubernetes_version: Option<String>,
    /// Upgrade advice: report what breaks or changes going to this version.
    #[arg(long, value_name = "Y.Z")]
    target_version: Option<String>,
    /// CustomResourceDefinition files or folders that provide schemas for custom resources (not linted).
    #[arg(long, value_name = "PATH")]
    crd: Vec<std::path::PathBuf>,
    /// The configuration file [default: the nearest .kvet.yaml above each input].
    #[arg(long, value_name = "FILE")]
    config: Option<std::path::PathBuf>,
    /// Ignore every configuration file.
    #[arg(long, conflicts_with = "config")]
    no_config: bool,
    /// List the findings silenced by suppressions and `ignore-paths`.
    #[arg(long)]
    show_suppressed: bool,
    /// Apply the safe fixes to the files (atomically, only if unchanged since read).
    #[arg(long)]
    fix: bool,
    /// Also apply fixes that change behaviour (review them).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff instead of writing them (exit 1 if there are any).
    #[arg(long, conflicts_with = "fix")]
    diff: bool,
    /// The name to show (and find the config from) for stdin input.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,
    /// Print only findings, no snippets or summary.
    #[arg(long, short)]
    quiet: bool,
    /// Do not respect .gitignore and .ignore files when walking folders.
    #[arg(long)]
    no_ignore: bool,
    /// Print the effective configuration and where each value came from (as `kvet config`), and lint nothing.
    #[arg(long)]
    show_settings: bool,
    /// Lint again whenever an input, a configuration file, a CRD or the baseline changes
    /// (polled twice a second; the screen is cleared between runs on a terminal). Stop with Ctrl-C.
    #[arg(long, conflicts_with_all = ["write_baseline", "add_suppressions", "diff", "fix_only", "stdin_filename"])]
    watch: bool,
    /// Lint everything again, reusing nothing from earlier runs: neither an unchanged run's
    /// findings (the result cache) nor unchanged files' documents and findings (the cache of
    /// unchanged files); store nothing (also `KVET_NO_CACHE=1`).
    #[arg(long)]
    no_cache: bool,
    /// The caches' folder [default: $KVET_CACHE_DIR, else $XDG_CACHE_HOME/kvet, else
    /// ~/.cache/kvet].
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<std::path::PathBuf>,
    /// Say, per kind, where its schema came from (built-in API version, embedded CRD catalog
    /// project and release, a CRD file, a catalog folder), on stderr.
    #[arg(long)]
    explain_schemas: bool,
}

pub fn run() -> Result<u8, String> {
    // Limits raised or lowered by environment variables (README "Limits"):
    // a value that does not parse is an error before anything is read.
    kvet::yaml::Limits::from_env()?;
    kvet::yaml::env_limit("KVET_MAX_FILE_BYTES", kvet::source::MAX_FILE_BYTES)?;
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return Ok(code);
        }
    };
    match cli.command {
        Command::Check(args) if args.show_settings => settings::show(&args),
        Command::Check(args) => check::check(*args),
        Command::Config(args) => settings::show(&args),
        Command::Rules {
            format,
            category,
            config,
        } => docs::rules(format, category.as_deref(), &config),
        Command::Explain { rule, config } => docs::explain(&rule, &config),
        Command::Init { force } => docs::init(force),
        Command::Versions { format, catalog } => docs::versions(format, catalog),
        Command::Diff { from, to, kind, format } => docs::diff(&from, &to, kind.as_deref(), format),
        Command::Lsp => kvet::lsp::run_stdio().map(|()| 0),
        Command::Render { dir, origins } => render::run(&dir, origins),
        Command::Merge {
            reports,
            format,
            output_file,
            fail_on,
        } => merge::merge(merge::MergeArgs {
            reports: &reports,
            format,
            output: output_file.as_deref(),
            fail_on,
        }),
        Command::Completions { shell } => {
            use clap::CommandFactory;
            clap_complete::generate(shell, &mut Cli::command(), "kvet", &mut std::io::stdout());
            Ok(0)
        }
    }
}

/// The closest rule id or category, if any is close.
fn suggest(input: &str, registry: &Registry) -> Option<String> {
    registry
        .entries()
        .map(|e| e.doc.id.as_str())
        .chain(CATEGORIES.iter().copied())
        .map(|id| (edit_distance(input, id), id))
        .filter(|(d, id)| *d <= (id.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, id)| id.to_string())
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

/// `--select`, `--extend-select` and `--ignore` name rules of the registry
/// (custom rules of the configuration included), categories or `all`.
fn validate_cli_selectors(args: &CheckArgs, registry: &Registry) -> Result<(), String> {
    validate_selectors(&args.select, "--select", registry)?;
    validate_selectors(&args.extend_select, "--extend-select", registry)?;
    validate_selectors(&args.ignore, "--ignore", registry)
}
