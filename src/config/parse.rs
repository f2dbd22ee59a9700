//! The `.kvet.yaml` parser: [`parse_config`], the YAML `Reader` helper it
//! reads values with, and the checks of rule option values against their
//! documented defaults and values.

use std::path::Path;

use globset::{Glob, GlobSetBuilder};

use super::distance::suggest;
use super::rule_files::load_rule_files;
use super::{Config, ConfigError, PathIgnore};
use crate::diagnostic::Severity;
use crate::rules::{CATEGORIES, Registry, builtin_ids};
use crate::source::LineIndex;
use crate::yaml::{Limits, Node, Value, parse_yaml};

const KEYS: &[&str] = &[
    "kubernetes-version",
    "target-version",
    "select",
    "ignore",
    "severity",
    "options",
    "required-labels",
    "ignore-paths",
    "custom-rules",
    "crds",
    "fail-on",
    "gateway-api-channel",
    "render",
    "helm-values",
];

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    index: LineIndex,
    errors: Vec<ConfigError>,
}

impl Reader<'_> {
    fn error(&mut self, at: u32, message: impl Into<String>) {
        let p = self.index.line_col(self.text, at);
        self.errors.push(ConfigError {
            file: self.file.to_string(),
            line: p.line,
            column: p.column,
            message: message.into(),
        });
    }

    /// A string, or a plain scalar read as written (`1.30` stays `1.30`).
    fn text_of(&mut self, node: &Node) -> Option<String> {
        match &node.value {
            Value::Str(s) => Some(s.to_string()),
            Value::Int(_) | Value::Float(_) => self
                .text
                .get(node.span.start as usize..node.span.end as usize)
                .map(str::to_string),
            _ => {
                self.error(
                    node.span.start,
                    format!("expected a string, found {}", node.type_name()),
                );
                None
            }
        }
    }

    /// A list of strings; a single string or a comma-separated one also works.
    fn strings(&mut self, node: &Node) -> Vec<(String, u32)> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|n| self.text_of(n).map(|s| (s, n.span.start)))
                .collect(),
            Value::Str(s) => s
                .split(',')
                .map(|p| (p.trim().to_string(), node.span.start))
                .filter(|(p, _)| !p.is_empty())
                .collect(),
            _ => {
                self.error(
                    node.span.start,
                    format!("expected a list of strings, found {}", node.type_name()),
                );
                Vec::new()
            }
        }
    }

    fn version(&mut self, node: &Node) -> Option<String> {
        let v = self.text_of(node)?;
        let trimmed = v.trim_start_matches('v');
        let mut parts = trimmed.split('.');
        let ok = parts.next().is_some_and(|m| m.parse::<u32>().is_ok())
            && parts.next().is_some_and(|m| m.parse::<u32>().is_ok());
        if !ok {
            self.error(
                node.span.start,
                format!("`{v}` is not a Kubernetes version like `1.30`"),
            );
            return None;
        }
        if crate::schema::parse_version(trimmed).is_none() {
            let all = crate::schema::versions();
            let range = match (all.first(), all.last()) {
                (Some(a), Some(b)) => format!("{} to {}", a.name, b.name),
                _ => "none".to_string(),
            };
            self.error(
                node.span.start,
                format!("unknown Kubernetes version `{v}`: kvet embeds {range} (`kvet versions` lists them)"),
            );
            return None;
        }
        Some(trimmed.to_string())
    }

    /// One of a fixed set of words; a typo gets the closest one.
    fn one_of(&mut self, node: &Node, setting: &str, allowed: &[&str]) -> Option<String> {
        let word = match &node.value {
            Value::Str(s) => s.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => self
                .text
                .get(node.span.start as usize..node.span.end as usize)
                .unwrap_or_default()
                .to_string(),
        };
        if allowed.contains(&word.as_str()) {
            return Some(word);
        }
        let hint = suggest(&word, allowed.iter().copied());
        self.error(
            node.span.start,
            format!("`{word}` is not a `{setting}` value: {}{hint}", or_list(allowed)),
        );
        None
    }
}

/// `a, b or c`.
fn or_list(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Checks a rule option's value against its documented default (same
/// JSON type), its documented `values`, and quantities for options whose
/// default is one (`min-cpu: 10m`).
fn check_option_value(opt: &crate::rules::RuleOption, value: &serde_json::Value) -> Result<(), String> {
    use serde_json::Value as J;
    let kind = |v: &J| match v {
        J::Null => "null",
        J::Bool(_) => "a boolean",
        J::Number(_) => "a number",
        J::String(_) => "a string",
        J::Array(_) => "a list",
        J::Object(_) => "a mapping",
    };
    let same = matches!(
        (&opt.default, value),
        (J::Bool(_), J::Bool(_))
            | (J::Number(_), J::Number(_))
            | (J::String(_), J::String(_))
            | (J::Array(_), J::Array(_))
            | (J::Object(_), J::Object(_))
    );
    if !same {
        return Err(format!("expected {}, found {}", kind(&opt.default), kind(value)));
    }
    match value {
        J::Array(items) => {
            if opt.default.as_array().is_some_and(|d| d.iter().all(J::is_string))
                && let Some(bad) = items.iter().find(|i| !i.is_string())
            {
                return Err(format!("expected a list of strings, found {}", kind(bad)));
            }
        }
        J::String(s) => {
            if !opt.values.is_empty() && !opt.values.iter().any(|v| v == s) {
                let allowed: Vec<&str> = opt.values.iter().map(String::as_str).collect();
                let hint = suggest(s, allowed.iter().copied());
                return Err(format!("`{s}` is not one of {}{hint}", or_list(&allowed)));
            }
            if let Some(d) = opt.default.as_str()
                && crate::model::Quantity::parse(d).is_ok()
                && crate::model::Quantity::parse(s).is_err()
            {
                return Err(format!("`{s}` is not a quantity like `{d}`"));
            }
        }
        J::Number(n) if opt.default.as_u64().is_some() && n.as_u64().is_none() => {
            return Err(format!("expected a whole number, found `{n}`"));
        }
        _ => {}
    }
    Ok(())
}

/// Parses configuration text; `base` is the folder relative paths resolve against.
pub fn parse_config(file: &str, text: &str, base: &Path) -> Result<Config, Vec<ConfigError>> {
    let mut r = Reader {
        file,
        text,
        index: LineIndex::new(text),
        errors: Vec::new(),
    };
    let stream = parse_yaml(text, Limits::default());
    for d in &stream.diagnostics {
        r.error(d.span.start, d.message.clone());
    }
    let mut config = Config::default();
    let root = stream.documents.iter().find_map(|d| d.root.as_ref());
    let Some(root) = root else {
        return if r.errors.is_empty() { Ok(config) } else { Err(r.errors) };
    };
    if !root.is_map() {
        r.error(root.span.start, "the configuration is a mapping of settings");
        return Err(r.errors);
    }

    // Custom rules first: other settings may name them.
    if let Some(list) = root.get("custom-rules") {
        for (p, at) in r.strings(list) {
            let full = base.join(&p);
            match load_rule_files(&full) {
                Ok(docs) => config.custom_rules.extend(docs),
                Err(e) => r.error(at, format!("custom rules `{p}`: {e}")),
            }
        }
    }
    // The built-in rules' ids come from their files' names; their docs
    // are parsed only for the options they take.
    let builtin: Vec<&str> = builtin_ids().collect();
    let mut known_ids = builtin.clone();
    known_ids.extend(config.custom_rules.iter().map(|d| d.id.as_str()));
    for c in &config.custom_rules {
        if builtin.contains(&c.id.as_str()) {
            r.error(0, format!("custom rule `{}` has the id of a built-in rule", c.id));
        }
    }
    let check_selector = |r: &mut Reader, s: &str, at: u32| {
        if s != "all" && !CATEGORIES.contains(&s) && !known_ids.contains(&s) {
            let hint = suggest(s, known_ids.iter().copied().chain(CATEGORIES.iter().copied()));
            r.error(at, format!("unknown rule or category `{s}`{hint}"));
        }
    };
    let check_rule = |r: &mut Reader, s: &str, at: u32| -> bool {
        if known_ids.contains(&s) {
            return true;
        }
        let hint = suggest(s, known_ids.iter().copied());
        r.error(at, format!("unknown rule `{s}`{hint}"));
        false
    };

    for e in root.entries() {
        let v = &e.value;
        if KEYS.contains(&&*e.key) {
            let p = r.index.line_col(text, e.key_span.start);
            config.locations.insert(e.key.to_string(), (p.line, p.column));
        }
        match &*e.key {
            "kubernetes-version" => config.kubernetes_version = r.version(v),
            "target-version" => config.target_version = r.version(v),
            "select" | "ignore" => {
                let list = r.strings(v);
                for (s, at) in &list {
                    check_selector(&mut r, s, *at);
                }
                let list = list.into_iter().map(|(s, _)| s).collect();
                if &*e.key == "select" {
                    config.select = list;
                } else {
                    config.ignore = list;
                }
            }
            "severity" => {
                for s in v.entries() {
                    if !check_rule(&mut r, &s.key, s.key_span.start) {
                        continue;
                    }
                    // `off` (and `no`, `false`) is a YAML 1.1 boolean.
                    if s.value.as_bool() == Some(false) {
                        config.ignore.push(s.key.to_string());
                        continue;
                    }
                    match s.value.as_str() {
                        Some("off") => config.ignore.push(s.key.to_string()),
                        Some(t) => match Severity::parse(t) {
                            Some(sev) => {
                                config.severity.insert(s.key.to_string(), sev);
                            }
                            None => {
                                let hint = suggest(t, ["error", "warning", "info", "off"].into_iter());
                                r.error(
                                    s.value.span.start,
                                    format!("`{t}` is not a severity: error, warning, info or off{hint}"),
                                );
                            }
                        },
                        None => r.error(s.value.span.start, "a severity: error, warning, info or off"),
                    }
                }
                if !v.is_map() {
                    r.error(v.span.start, "`severity` maps rule ids to error, warning, info or off");
                }
            }
            "options" => {
                if !v.is_map() {
                    r.error(v.span.start, "`options` maps rule ids to their options");
                }
                for s in v.entries() {
                    if !check_rule(&mut r, &s.key, s.key_span.start) {
                        continue;
                    }
                    let custom = config.custom_rules.iter().find(|d| d.id == *s.key);
                    let Some(doc) = custom.or_else(|| Registry::builtin().doc(&s.key)) else {
                        continue;
                    };
                    let mut map = serde_json::Map::new();
                    if !s.value.is_map() {
                        r.error(
                            s.value.span.start,
                            format!("the options of `{}` are a mapping of option names to values", doc.id),
                        );
                    }
                    for o in s.value.entries() {
                        if let Some(opt) = doc.options.iter().find(|x| x.name == *o.key) {
                            let value = o.value.to_json();
                            match check_option_value(opt, &value) {
                                Ok(()) => {
                                    map.insert(o.key.to_string(), value);
                                }
                                Err(why) => {
                                    r.error(o.value.span.start, format!("`{}` option `{}`: {why}", doc.id, o.key))
                                }
                            }
                        } else {
                            let names: Vec<&str> = doc.options.iter().map(|x| x.name.as_str()).collect();
                            let list = if names.is_empty() {
                                "it has none".to_string()
                            } else {
                                names.join(", ")
                            };
                            r.error(
                                o.key_span.start,
                                format!("`{}` has no option `{}` ({list})", doc.id, o.key),
                            );
                        }
                    }
                    config.options.insert(s.key.to_string(), map);
                }
            }
            "required-labels" => {
                let labels: Vec<serde_json::Value> = r.strings(v).into_iter().map(|(s, _)| s.into()).collect();
                let rule = "recommended-labels-missing";
                if known_ids.contains(&rule) {
                    config
                        .options
                        .entry(rule.to_string())
                        .or_default()
                        .insert("labels".into(), serde_json::Value::Array(labels));
                    config.select.push(rule.to_string());
                }
            }
            "ignore-paths" => {
                if !v.is_map() {
                    r.error(
                        v.span.start,
                        "`ignore-paths` maps glob patterns to lists of rules (or `all`)",
                    );
                }
                for p in v.entries() {
                    let rules: Vec<(String, u32)> = r.strings(&p.value);
                    for (s, at) in &rules {
                        check_selector(&mut r, s, *at);
                    }
                    match Glob::new(&p.key) {
                        Ok(g) => {
                            let mut b = GlobSetBuilder::new();
                            b.add(g);
                            if let Ok(glob) = b.build() {
                                config.ignore_paths.push(PathIgnore {
                                    pattern: p.key.to_string(),
                                    glob,
                                    rules: rules.into_iter().map(|(s, _)| s).collect(),
                                });
                            }
                        }
                        Err(err) => r.error(p.key_span.start, format!("invalid glob: {}", err.kind())),
                    }
                }
            }
            "custom-rules" => {}
            "crds" => {
                for (s, at) in r.strings(v) {
                    let path = base.join(&s);
                    // Like `--crd`: a path that is missing or not a file or
                    // folder (a FIFO would block) is an error, not a no-op.
                    match std::fs::metadata(&path) {
                        Ok(m) if m.is_dir() || m.is_file() => config.crds.push(path),
                        Ok(_) => r.error(at, format!("`{s}` is not a regular file or folder")),
                        Err(e) => r.error(at, format!("`{s}`: {}", crate::source::io_message(&e))),
                    }
                }
            }
            "helm-values" => {
                for (s, at) in r.strings(v) {
                    let path = base.join(&s);
                    if path.is_file() {
                        config.helm_values.push(path);
                    } else {
                        r.error(at, format!("`{s}` is not a values file"));
                    }
                }
            }
            "gateway-api-channel" => match r
                .one_of(v, "gateway-api-channel", &["standard", "experimental"])
                .as_deref()
            {
                Some("experimental") => config.gateway_api_experimental = true,
                Some(_) => config.gateway_api_experimental = false,
                None => {}
            },
            "render" => match &v.value {
                crate::yaml::Value::Bool(b) => config.render = Some(*b),
                _ => {
                    r.one_of(v, "render", &["true", "false"]);
                }
            },
            "fail-on" => match r
                .one_of(v, "fail-on", &["error", "warning", "info", "never"])
                .as_deref()
            {
                Some("never") => config.fail_on = Some(None),
                Some(t) => config.fail_on = Some(Severity::parse(t)),
                None => {}
            },
            other => {
                let hint = suggest(other, KEYS.iter().copied());
                r.error(e.key_span.start, format!("unknown setting `{other}`{hint}"));
            }
        }
    }
    if r.errors.is_empty() { Ok(config) } else { Err(r.errors) }
}

#[cfg(test)]
mod tests {
    use super::super::STARTER;
    use super::*;

    fn parse(text: &str) -> Result<Config, Vec<ConfigError>> {
        parse_config(".kvet.yaml", text, Path::new("."))
    }

    #[test]
    fn reads_settings() {
        let c = parse(
            "kubernetes-version: 1.30\ntarget-version: v1.33\nselect: [probes, requests-missing]\nignore: qos-not-guaranteed\nseverity: {requests-missing: error, probes-identical: off}\noptions:\n  requests-too-low: {min-cpu: 50m}\nignore-paths:\n  'legacy/**': [all]\nfail-on: warning\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(c.kubernetes_version.as_deref(), Some("1.30"));
        assert_eq!(c.target_version.as_deref(), Some("1.33"));
        assert_eq!(c.select, vec!["probes", "requests-missing"]);
        assert_eq!(c.ignore, vec!["qos-not-guaranteed", "probes-identical"]);
        assert_eq!(c.severity.get("requests-missing"), Some(&Severity::Error));
        assert_eq!(c.options["requests-too-low"]["min-cpu"], "50m");
        assert_eq!(c.fail_on, Some(Some(Severity::Warning)));
        assert_eq!(c.ignored_for(Path::new("legacy/a/b.yaml")), vec!["all"]);
        assert!(c.ignored_for(Path::new("current/b.yaml")).is_empty());
    }

    #[test]
    fn errors_are_located_with_hints() {
        let e = parse("selct: [probes]\nseverity:\n  requests-mising: error\n  probes-identical: loud\noptions:\n  requests-too-low: {min-gpu: 1}\nkubernetes-version: latest\n")
            .err()
            .unwrap_or_default();
        let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
        assert!(
            msgs.contains(&".kvet.yaml:1:1: unknown setting `selct` (did you mean `select`?)".to_string()),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m
                    .starts_with(".kvet.yaml:3:3: unknown rule `requests-mising` (did you mean `requests-missing`?)")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with(".kvet.yaml:4:21: `loud` is not a severity")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with(".kvet.yaml:6:22: `requests-too-low` has no option `min-gpu`")),
            "{msgs:#?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with(".kvet.yaml:7:21: `latest` is not a Kubernetes version")),
            "{msgs:#?}"
        );
    }

    #[test]
    fn enum_values_option_values_and_versions_are_located_with_hints() {
        let e = parse("fail-on: warnings\nseverity:\n  requests-missing: eror\ngateway-api-channel: experimantal\nrender: yes please\nkubernetes-version: 1.40\noptions:\n  requests-too-low: {min-cpu: lots, min-memory: 4}\n  object-duplicate: {scope: directry}\n  replicas-low: {min: two}\n  image-registry-not-allowed: {allowed: [1]}\n")
            .err()
            .unwrap_or_default();
        let msgs: Vec<String> = e.iter().map(ToString::to_string).collect();
        for want in [
            ".kvet.yaml:1:10: `warnings` is not a `fail-on` value: error, warning, info or never (did you mean `warning`?)",
            ".kvet.yaml:3:21: `eror` is not a severity: error, warning, info or off (did you mean `error`?)",
            ".kvet.yaml:4:22: `experimantal` is not a `gateway-api-channel` value: standard or experimental (did you mean `experimental`?)",
            ".kvet.yaml:5:9: `yes please` is not a `render` value: true or false",
            ".kvet.yaml:6:21: unknown Kubernetes version `1.40`: kvet embeds 1.0 to 1.37 (`kvet versions` lists them)",
            ".kvet.yaml:8:31: `requests-too-low` option `min-cpu`: `lots` is not a quantity like `10m`",
            ".kvet.yaml:8:49: `requests-too-low` option `min-memory`: expected a string, found a number",
            ".kvet.yaml:9:29: `object-duplicate` option `scope`: `directry` is not one of file, directory or run (did you mean `directory`?)",
            ".kvet.yaml:10:23: `replicas-low` option `min`: expected a number, found a string",
            ".kvet.yaml:11:41: `image-registry-not-allowed` option `allowed`: expected a list of strings, found a number",
        ] {
            assert!(msgs.iter().any(|m| m == want), "missing {want}\n{msgs:#?}");
        }
        assert_eq!(msgs.len(), 10, "{msgs:#?}");
        let ok = parse(
            "fail-on: warning\noptions:\n  object-duplicate: {scope: run}\n  requests-too-low: {min-cpu: 50m}\n  replicas-low: {min: 3}\n",
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

    #[test]
    fn settings_remember_where_they_were_written() {
        let c = parse("# a comment\nfail-on: warning\nselect:\n  - probes\n").unwrap_or_default();
        assert_eq!(c.locations.get("fail-on"), Some(&(2, 1)));
        assert_eq!(c.locations.get("select"), Some(&(3, 1)));
        assert_eq!(c.locations.get("ignore"), None);
    }

    #[test]
    fn starter_config_is_valid() {
        let c = parse(STARTER);
        assert!(c.is_ok(), "{c:?}");
    }
}
