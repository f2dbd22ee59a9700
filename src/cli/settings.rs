//! `kvet config` and `kvet check --show-settings`: the effective
//! configuration of a run, setting by setting, with where each value came
//! from (a configuration file's line, a command-line flag, or the default).

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use kvet::config::{Config, find_config, load_config};
use kvet::rules::Registry;
use kvet::source::{DiscoverOptions, Input, discover};

use super::check::Exclude;
use super::plan::effective_config;
use super::{CheckArgs, FailOn, Format, validate_cli_selectors};

/// The configuration files a run with these arguments reads (`None`: no
/// file, the defaults), in path order. Without `--config`, the nearest
/// `.kvet.yaml` above each input file, or above each named path when no
/// file is found.
pub(super) fn config_files(args: &CheckArgs) -> Result<Vec<Option<PathBuf>>, String> {
    if args.no_config {
        return Ok(vec![None]);
    }
    if let Some(c) = &args.config {
        return Ok(vec![Some(c.clone())]);
    }
    let exclude = Exclude::new(&args.exclude)?;
    let opts = DiscoverOptions {
        respect_ignore_files: !args.no_ignore,
        ..DiscoverOptions::default()
    };
    let found = discover(&args.paths, &opts);
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for i in &found.inputs {
        let p = match i {
            Input::File { name, path } if !exclude.excludes(name) => path.clone(),
            Input::File { .. } => continue,
            Input::Stdin => PathBuf::from(args.stdin_filename.as_deref().unwrap_or("<stdin>")),
        };
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        dirs.insert(dir);
    }
    if dirs.is_empty() {
        if args.paths.is_empty() {
            dirs.insert(PathBuf::from("."));
        }
        for p in &args.paths {
            let p = if p == "-" {
                args.stdin_filename.as_deref().unwrap_or(".")
            } else {
                p.as_str()
            };
            // A glob: the folder before its first wildcard.
            let literal: String = p.split(['*', '?', '[', '{']).next().unwrap_or(".").to_string();
            let path = PathBuf::from(if literal.is_empty() { "." } else { &literal });
            let dir = if path.is_dir() {
                path
            } else {
                path.parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or(Path::new("."))
                    .to_path_buf()
            };
            dirs.insert(dir);
        }
    }
    let files: BTreeSet<Option<PathBuf>> = dirs.iter().map(|d| find_config(d)).collect();
    Ok(files.into_iter().collect())
}

/// A path as the user would write it: relative to the current folder when
/// it is below it.
fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}

/// One setting: its effective value and where it came from.
struct Setting {
    name: &'static str,
    value: Value,
    from: Vec<String>,
    /// How the human report shows an empty value.
    empty: &'static str,
}

fn settings_of(file: &Config, effective: &Config, args: &CheckArgs) -> Vec<Setting> {
    let file_name = file.path.as_deref().map(shown).unwrap_or_default();
    let at = |keys: &[&str]| -> Vec<String> {
        keys.iter()
            .filter_map(|k| file.locations.get(*k))
            .map(|(l, c)| format!("{file_name}:{l}:{c}"))
            .collect()
    };
    let pick = |flag: Option<&str>, keys: &[&str]| -> Vec<String> {
        match flag {
            Some(f) => vec![f.to_string()],
            None => {
                let a = at(keys);
                if a.is_empty() { vec!["default".to_string()] } else { a }
            }
        }
    };
    // A list merged from the file and a flag.
    let merged = |keys: &[&str], flag: &str, from_flag: bool| -> Vec<String> {
        let mut from = at(keys);
        if from_flag {
            from.push(flag.to_string());
        }
        if from.is_empty() {
            from.push("default".to_string());
        }
        from
    };
    let strings = |v: &[String]| Value::from(v.to_vec());
    let mut out = Vec::new();
    let mut push = |name, value, from, empty| {
        out.push(Setting {
            name,
            value,
            from,
            empty,
        })
    };

    let current = effective
        .kubernetes_version
        .clone()
        .unwrap_or_else(|| kvet::schema::newest().to_string());
    push(
        "kubernetes-version",
        Value::from(current),
        pick(
            args.kubernetes_version.as_ref().map(|_| "--kubernetes-version"),
            &["kubernetes-version"],
        ),
        "",
    );
    push(
        "target-version",
        effective.target_version.clone().map_or(Value::Null, Value::from),
        pick(
            args.target_version.as_ref().map(|_| "--target-version"),
            &["target-version"],
        ),
        "(none: no upgrade advice)",
    );
    push(
        "select",
        strings(&effective.select),
        pick(
            (!args.select.is_empty()).then_some("--select"),
            &["select", "required-labels"],
        ),
        "(the rules on by default)",
    );
    push(
        "extend-select",
        strings(&effective.extend_select),
        pick((!args.extend_select.is_empty()).then_some("--extend-select"), &[]),
        "(none)",
    );
    // `severity: {rule: off}` adds to `ignore`.
    let mut ignore_keys = vec!["ignore"];
    if file.locations.contains_key("severity") && !file.ignore.is_empty() {
        ignore_keys.push("severity");
    }
    push(
        "ignore",
        strings(&effective.ignore),
        merged(&ignore_keys, "--ignore", !args.ignore.is_empty()),
        "(none)",
    );
    let severity: serde_json::Map<String, Value> = effective
        .severity
        .iter()
        .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    push(
        "severity",
        Value::Object(severity),
        pick(None, &["severity"]),
        "(each rule's default)",
    );
    let options: serde_json::Map<String, Value> = effective
        .options
        .iter()
        .map(|(k, v)| (k.clone(), Value::Object(v.clone())))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    push(
        "options",
        Value::Object(options),
        pick(None, &["options", "required-labels"]),
        "(each rule's defaults; `kvet explain RULE` lists them)",
    );
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => "error",
        Some(FailOn::Warning) => "warning",
        Some(FailOn::Info) => "info",
        Some(FailOn::Never) => "never",
        None => match effective.fail_on {
            Some(Some(s)) => s.as_str(),
            Some(None) => "never",
            None => "error",
        },
    };
    let fail_on_flag = if args.exit_zero {
        Some("--exit-zero")
    } else {
        args.fail_on.map(|_| "--fail-on")
    };
    push(
        "fail-on",
        Value::from(if args.exit_zero { "never" } else { fail_on }),
        pick(fail_on_flag, &["fail-on"]),
        "",
    );
    push(
        "exclude",
        Value::from(args.exclude.clone()),
        pick((!args.exclude.is_empty()).then_some("--exclude"), &[]),
        "(none)",
    );
    push(
        "respect-ignore-files",
        Value::from(!args.no_ignore),
        pick(args.no_ignore.then_some("--no-ignore"), &[]),
        "",
    );
    let ignore_paths: serde_json::Map<String, Value> = effective
        .ignore_paths
        .iter()
        .map(|p| (p.pattern.clone(), Value::from(p.rules.clone())))
        .collect();
    push(
        "ignore-paths",
        Value::Object(ignore_paths),
        pick(None, &["ignore-paths"]),
        "(none)",
    );
    let custom: Vec<String> = effective.custom_rules.iter().map(|d| d.id.clone()).collect();
    push(
        "custom-rules",
        Value::from(custom),
        pick(None, &["custom-rules"]),
        "(none)",
    );
    let crds: Vec<String> = effective.crds.iter().map(|p| shown(p)).collect();
    push(
        "crds",
        Value::from(crds),
        merged(&["crds"], "--crd", !args.crd.is_empty()),
        "(none)",
    );
    push(
        "gateway-api-channel",
        Value::from(if effective.gateway_api_experimental {
            "experimental"
        } else {
            "standard"
        }),
        pick(None, &["gateway-api-channel"]),
        "",
    );
    let render = !args.no_render && effective.render != Some(false);
    push(
        "render",
        Value::from(render),
        pick(args.no_render.then_some("--no-render"), &["render"]),
        "",
    );
    let helm_values: Vec<String> = effective.helm_values.iter().map(|p| shown(p)).collect();
    push(
        "helm-values",
        Value::from(helm_values),
        pick(None, &["helm-values"]),
        "(none)",
    );
    push(
        "baseline",
        args.baseline.as_deref().map_or(Value::Null, |p| Value::from(shown(p))),
        pick(args.baseline.as_ref().map(|_| "--baseline"), &[]),
        "(none)",
    );
    out
}

/// A value as the human report shows it (YAML flow style).
fn flow(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => format!("[{}]", a.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{k}: {}", flow(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

pub fn show(args: &CheckArgs) -> Result<u8, String> {
    let json = match args.format {
        Format::Human => false,
        Format::Json => true,
        other => {
            return Err(format!(
                "kvet config: --format is human or json, not {}",
                format!("{other:?}").to_lowercase()
            ));
        }
    };
    let mut configurations = Vec::new();
    let mut human = String::new();
    for path in config_files(args)? {
        let file = match &path {
            Some(p) => load_config(p).map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
                format!("invalid configuration:\n{}", lines.join("\n"))
            })?,
            None => Config::default(),
        };
        let effective = effective_config(path.as_deref(), args)?;
        let custom;
        let registry = if effective.custom_rules.is_empty() {
            Registry::builtin()
        } else {
            custom = Registry::with_custom(&effective.custom_rules);
            &custom
        };
        validate_cli_selectors(args, registry)?;
        let enabled = registry.entries().filter(|e| effective.rule_enabled(&e.doc)).count();
        let settings = settings_of(&file, &effective, args);
        let name = path.as_deref().map(shown);
        if json {
            let map: serde_json::Map<String, Value> = settings
                .iter()
                .map(|s| (s.name.to_string(), json!({"value": s.value, "from": s.from})))
                .collect();
            configurations.push(json!({
                "file": name,
                "settings": map,
                "rules_enabled": enabled,
                "rules": registry.len(),
            }));
        } else {
            if !human.is_empty() {
                human.push('\n');
            }
            human.push_str(&format!(
                "# configuration file: {}\n",
                name.as_deref().unwrap_or("none (defaults)")
            ));
            for s in &settings {
                let from = s.from.join(", ");
                match &s.value {
                    Value::Object(m) if !m.is_empty() => {
                        human.push_str(&format!("{}:  # {from}\n", s.name));
                        for (k, v) in m {
                            human.push_str(&format!("  {k}: {}\n", flow(v)));
                        }
                    }
                    v => {
                        let text = if is_empty(v) { s.empty.to_string() } else { flow(v) };
                        human.push_str(&format!("{}: {text}  # {from}\n", s.name));
                    }
                }
            }
            human.push_str(&format!(
                "# {enabled} of {} rules enabled (`kvet rules` lists them)\n",
                registry.len()
            ));
        }
    }
    let mut out = io::stdout().lock();
    let res = if json {
        serde_json::to_writer_pretty(&mut out, &json!({"version": 1, "configurations": configurations}))
            .map_err(io::Error::from)
            .and_then(|_| writeln!(out))
    } else {
        out.write_all(human.as_bytes())
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(0),
    }
}
