//! `kvet rules`, `kvet explain`, `kvet init`.

use std::io::{self, Write};

use kvet::config::edit_distance;
use kvet::config::{CONFIG_NAMES, STARTER};
use kvet::rules::{CATEGORIES, Registry};

use super::{ConfigArg, ListFormat, suggest};

/// The custom rules of the configuration (`--config`, else the nearest
/// `.kvet.yaml` above the current folder). A configuration that cannot be
/// read is a warning: the built-in rules are still listed.
fn custom_rules(arg: &ConfigArg) -> Result<Vec<kvet::rules::RuleDoc>, String> {
    if arg.no_config {
        return Ok(Vec::new());
    }
    let path = match &arg.config {
        Some(p) => p.clone(),
        None => match kvet::config::find_config(std::path::Path::new(".")) {
            Some(p) => p,
            None => return Ok(Vec::new()),
        },
    };
    match kvet::config::load_config(&path) {
        Ok(c) => Ok(c.custom_rules),
        Err(errs) => {
            let lines: Vec<String> = errs.iter().map(ToString::to_string).collect();
            let message = format!("invalid configuration:\n{}", lines.join("\n"));
            if arg.config.is_some() {
                return Err(message);
            }
            eprintln!("kvet: warning: {message}\nkvet: warning: showing the built-in rules only");
            Ok(Vec::new())
        }
    }
}

pub fn rules(format: ListFormat, category: Option<&str>, config: &ConfigArg) -> Result<u8, String> {
    let custom = custom_rules(config)?;
    list_rules(format, category, &custom)
}

fn list_rules(format: ListFormat, category: Option<&str>, custom: &[kvet::rules::RuleDoc]) -> Result<u8, String> {
    let with_custom = (!custom.is_empty()).then(|| Registry::with_custom(custom));
    let registry = with_custom.as_ref().unwrap_or_else(|| Registry::builtin());
    let is_custom = |id: &str| custom.iter().any(|c| c.id == id);
    if let Some(c) = category {
        check_category(c)?;
    }
    let in_category = |doc: &kvet::rules::RuleDoc| category.is_none_or(|c| doc.category == c);
    let mut out = io::stdout().lock();
    let res = match format {
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = registry
                .entries()
                .filter(|e| in_category(&e.doc))
                .map(|e| {
                    serde_json::json!({
                        "id": e.doc.id,
                        "category": e.doc.category,
                        "severity": e.doc.severity,
                        "summary": e.doc.summary,
                        "enabled_by_default": e.doc.enabled_by_default,
                        "declarative": e.doc.template.is_some(),
                        "custom": is_custom(&e.doc.id),
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
            for e in registry.entries().filter(|e| in_category(&e.doc)) {
                let d = &e.doc;
                let off = match (d.enabled_by_default, is_custom(&d.id)) {
                    (true, false) => "",
                    (false, false) => " (opt-in)",
                    (true, true) => " (custom)",
                    (false, true) => " (custom, opt-in)",
                };
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

/// A category name, or an error with the closest one.
fn check_category(c: &str) -> Result<(), String> {
    if CATEGORIES.contains(&c) {
        return Ok(());
    }
    let hint = CATEGORIES
        .iter()
        .map(|k| (edit_distance(c, k), *k))
        .filter(|(d, k)| *d <= (k.len() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default();
    Err(format!(
        "unknown category `{c}`{hint}; categories: {}",
        CATEGORIES.join(", ")
    ))
}

pub fn explain(rule: &str, config: &ConfigArg) -> Result<u8, String> {
    let custom = custom_rules(config)?;
    let with_custom = (!custom.is_empty()).then(|| Registry::with_custom(&custom));
    let registry = with_custom.as_ref().unwrap_or_else(|| Registry::builtin());
    if CATEGORIES.contains(&rule) {
        // A category: its rules, one line each.
        println!("Rules of the `{rule}` category (`kvet explain RULE` for one):\n");
        return list_rules(ListFormat::Human, Some(rule), &custom);
    }
    let Some(doc) = registry.doc(rule) else {
        let hint = suggest(rule, registry)
            .map(|h| format!(" (did you mean `{h}`?)"))
            .unwrap_or_default();
        return Err(format!(
            "unknown rule or category `{rule}`{hint}; `kvet rules` lists them"
        ));
    };
    let mut out = io::stdout().lock();
    let _ = out.write_all(doc.explain_text().as_bytes());
    Ok(0)
}

pub fn init(force: bool) -> Result<u8, String> {
    let path = std::path::Path::new(CONFIG_NAMES[0]);
    if path.exists() && !force {
        return Err(format!(
            "{} already exists (use --force to overwrite it)",
            path.display()
        ));
    }
    std::fs::write(path, STARTER).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(0)
}

/// `kvet versions --catalog`, and the end of `kvet versions`.
fn catalog(format: ListFormat, out: &mut impl Write) -> io::Result<()> {
    let projects = kvet::schema::crd::catalog::projects();
    match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = projects
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "project": p.name,
                        "version": p.version,
                        "license": p.license,
                        "repository": p.repository,
                        "kinds": p.kinds,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &v).map_err(io::Error::from)?;
            writeln!(out)
        }
        ListFormat::Human => {
            let kinds: usize = projects.iter().map(|p| p.kinds).sum();
            writeln!(
                out,
                "embedded CRD catalog: {} projects, {kinds} custom resource kinds (a CRD of the run or --crd overrides it)",
                projects.len()
            )?;
            for p in projects {
                writeln!(
                    out,
                    "  {:<34} {:<10} {:>3} kinds  {} ({})",
                    p.name, p.version, p.kinds, p.repository, p.license
                )?;
            }
            Ok(())
        }
    }
}

pub fn versions(format: ListFormat, only_catalog: bool) -> Result<u8, String> {
    if let Some(e) = kvet::schema::crd::catalog::load_error() {
        return Err(format!("the embedded CRD catalog cannot be read: {e}"));
    }
    if only_catalog {
        let mut out = io::stdout().lock();
        return match catalog(format, &mut out) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
            _ => Ok(0),
        };
    }
    if let Some(e) = kvet::schema::load_error() {
        return Err(format!("the embedded schemas cannot be read: {e}"));
    }
    let list = kvet::schema::versions();
    let mut out = io::stdout().lock();
    let res = match format {
        ListFormat::Json => {
            let v: Vec<serde_json::Value> = list
                .iter()
                .map(|v| {
                    serde_json::json!({
                        "version": v.name,
                        "approximate": v.approximate,
                        "source": v.source,
                        "kinds": kvet::schema::schema(v.name).map_or(0, |s| s.kinds().count()),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &v)
                .map_err(io::Error::from)
                .and_then(|_| writeln!(out))
        }
        ListFormat::Human => {
            let mut r = Ok(());
            for v in list {
                let kinds = kvet::schema::schema(v.name).map_or(0, |s| s.kinds().count());
                let approx = if v.approximate {
                    "  approximate (built from a stand-in or pre-release commit)"
                } else {
                    ""
                };
                r = r.and_then(|_| writeln!(out, "{:<5} {:>3} kinds  {}{approx}", v.name, kinds, v.source));
            }
            r.and_then(|_| writeln!(out, "default: {} (--kubernetes-version)", kvet::schema::newest()))
                .and_then(|_| writeln!(out))
                .and_then(|_| catalog(format, &mut out))
        }
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(0),
    }
}

pub fn diff(from: &str, to: &str, kind: Option<&str>, format: ListFormat) -> Result<u8, String> {
    let pick = |v: &str| {
        kvet::schema::schema(v).ok_or_else(|| format!("unknown Kubernetes version `{v}`; `kvet versions` lists them"))
    };
    let (a, b) = (pick(from)?, pick(to)?);
    if let Some(k) = kind {
        // A kind neither version has is a typo, not an empty delta.
        let mut known: Vec<&str> = a.kinds().chain(b.kinds()).map(|(_, x, _)| x).collect();
        known.sort_unstable();
        known.dedup();
        if !known.contains(&k) {
            let hint = known
                .iter()
                .map(|x| (edit_distance(&k.to_lowercase(), &x.to_lowercase()), x))
                .filter(|(d, x)| *d <= (x.len() / 3).max(2))
                .min_by_key(|(d, _)| *d)
                .map(|(_, x)| format!(" (did you mean `{x}`?)"))
                .unwrap_or_default();
            return Err(format!("unknown kind `{k}` in {from} and {to}{hint}"));
        }
    }
    let delta = kvet::schema::diff(a, b, kind);
    let mut out = io::stdout().lock();
    let res = match format {
        ListFormat::Json => serde_json::to_writer_pretty(&mut out, &delta)
            .map_err(io::Error::from)
            .and_then(|_| writeln!(out)),
        ListFormat::Human => {
            let mut notes = Vec::new();
            for v in [a, b] {
                if v.info().approximate {
                    notes.push(format!(
                        "note: {} is approximate (built from a stand-in or pre-release commit)\n",
                        v.name()
                    ));
                }
            }
            write!(out, "{}{delta}", notes.concat())
        }
    };
    match res {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(0),
    }
}
