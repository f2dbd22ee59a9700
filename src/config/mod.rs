//! Run configuration: which rules run, at which severity, with which
//! options; read from `.kvet.yaml` (found by walking up from the inputs, or
//! named with `--config`) and overridden by command-line flags.
//!
//! This module holds the [`Config`] struct and its rule-selection methods,
//! [`PathIgnore`], [`ConfigError`], finding and loading configuration files
//! ([`find_config`], [`load_config`]) and the starter configuration
//! ([`STARTER`]). The parser is in `parse`, the "did you mean" helpers in
//! `distance`, and custom rule files are read in `rule_files`.

mod distance;
mod parse;
mod rule_files;

pub use distance::{MAX_SUGGEST_LEN, distance_within, edit_distance, edit_distance_within};
pub use parse::parse_config;
pub use rule_files::load_rule_files;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use globset::GlobSet;

use crate::diagnostic::Severity;
use crate::rules::RuleDoc;
use crate::source::io_message;

/// File names a configuration is found under, in order of preference.
pub const CONFIG_NAMES: &[&str] = &[".kvet.yaml", ".kvet.yml"];

/// Findings are silenced for files matching the globs.
#[derive(Debug, Clone)]
pub struct PathIgnore {
    pub pattern: String,
    pub glob: GlobSet,
    /// Rule ids, categories, or `all`.
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Rule ids or categories to run (`all` for every rule). Empty: the
    /// rules enabled by default.
    pub select: Vec<String>,
    /// Rule ids or categories run on top of `select` (or the defaults).
    pub extend_select: Vec<String>,
    /// Rule ids or categories never to run.
    pub ignore: Vec<String>,
    /// Per-rule severity overrides.
    pub severity: HashMap<String, Severity>,
    /// Per-rule options, by rule id.
    pub options: HashMap<String, serde_json::Map<String, serde_json::Value>>,
    /// The cluster's Kubernetes version (`1.30`).
    pub kubernetes_version: Option<String>,
    /// The version an upgrade goes to.
    pub target_version: Option<String>,
    /// Default for `--fail-on`: `Some(None)` means never.
    pub fail_on: Option<Option<Severity>>,
    pub ignore_paths: Vec<PathIgnore>,
    /// Rules written by the user (declarative, `template:`).
    pub custom_rules: Vec<RuleDoc>,
    /// Files or folders of CustomResourceDefinitions that provide schemas.
    pub crds: Vec<PathBuf>,
    /// `gateway-api-channel: experimental`: Gateway API resources are
    /// checked against the experimental channel's CRDs of the embedded
    /// catalog (default: the standard channel).
    pub gateway_api_experimental: bool,
    /// `render: false`: kustomization trees are linted file by file (as
    /// `--no-render`).
    pub render: Option<bool>,
    /// Values files passed to `helm template` (`--values`) when kvet
    /// renders a chart.
    pub helm_values: Vec<PathBuf>,
    /// The configuration file this came from.
    pub path: Option<PathBuf>,
    /// Where each top-level setting was written: key -> (line, column).
    pub locations: BTreeMap<String, (u32, u32)>,
}

/// A problem in a configuration file, at a position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.file, self.line, self.column, self.message)
    }
}

impl Config {
    fn matches(list: &[String], doc: &RuleDoc) -> bool {
        list.iter().any(|s| s == "all" || *s == doc.id || *s == doc.category)
    }

    /// Whether a rule runs: selected (explicitly, or by default) and not
    /// ignored. An explicit id beats a category in the other list.
    pub fn rule_enabled(&self, doc: &RuleDoc) -> bool {
        if self.ignore.contains(&doc.id) {
            return false;
        }
        if self.select.contains(&doc.id) || self.extend_select.contains(&doc.id) {
            return true;
        }
        let selected = if self.select.is_empty() {
            doc.enabled_by_default
        } else {
            Self::matches(&self.select, doc)
        } || Self::matches(&self.extend_select, doc);
        selected && !Self::matches(&self.ignore, doc)
    }

    pub fn severity_of(&self, doc: &RuleDoc) -> Severity {
        self.severity.get(&doc.id).copied().unwrap_or(doc.severity)
    }

    pub fn rule_options(&self, id: &str) -> Option<&serde_json::Map<String, serde_json::Value>> {
        self.options.get(id)
    }

    /// The folder relative paths in the configuration resolve against.
    pub fn root(&self) -> Option<&Path> {
        self.path.as_deref().and_then(Path::parent)
    }

    /// Rules silenced for a file by `ignore-paths` (path relative to the
    /// configuration's folder, or as given).
    pub fn ignored_for(&self, path: &Path) -> Vec<&str> {
        if self.ignore_paths.is_empty() {
            return Vec::new();
        }
        let rel = match (self.root(), absolute(path)) {
            (Some(root), Some(abs)) => absolute(root)
                .and_then(|r| abs.strip_prefix(&r).ok().map(Path::to_path_buf))
                .unwrap_or(abs),
            _ => path.to_path_buf(),
        };
        self.ignore_paths
            .iter()
            .filter(|p| p.glob.is_match(&rel) || p.glob.is_match(path))
            .flat_map(|p| p.rules.iter().map(String::as_str))
            .collect()
    }
}

fn absolute(p: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(p).ok()
}

/// [`find_config`] for the folders of many files: a folder's answer is its
/// own file or its parent's answer, so each folder is looked at once
/// (the corpus's 1,266 files sit in a few hundred folders that share their
/// parents).
#[derive(Default)]
pub struct ConfigFinder {
    /// By the folder's path as written (hashed as one string: a `Path`
    /// hashes component by component), and by its canonical path.
    known: crate::hash::Map<std::ffi::OsString, Option<PathBuf>>,
    /// The canonical path of each folder looked up, by its path as written.
    canonical: crate::hash::Map<std::ffi::OsString, PathBuf>,
}

impl ConfigFinder {
    /// The nearest `.kvet.yaml` in the folder `dir` or a parent folder.
    pub fn find(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(k) = self.known.get(dir.as_os_str()) {
            return k.clone();
        }
        if let Some(answer) = self.find_below_parent(dir) {
            return answer;
        }
        let start = absolute(dir);
        if let Some(real) = &start {
            self.canonical.insert(dir.as_os_str().to_owned(), real.clone());
        }
        let start = start.unwrap_or_else(|| dir.to_path_buf());
        let mut chain = vec![dir.as_os_str().to_owned()];
        let mut at = Some(start.as_path());
        let answer = loop {
            let Some(d) = at else { break None };
            if let Some(k) = self.known.get(d.as_os_str()) {
                break k.clone();
            }
            chain.push(d.as_os_str().to_owned());
            if let Some(found) = config_in(d) {
                break Some(found);
            }
            at = d.parent();
        };
        for d in chain {
            self.known.insert(d, answer.clone());
        }
        answer
    }

    /// The answer for `dir` from its parent's (as written), when `dir` is
    /// a folder and not a symbolic link, named by a plain last component:
    /// its canonical path is then its parent's plus its name, so walking up
    /// from it finds its own file or its parent's answer. This spares
    /// resolving every folder's whole path again (a system call per
    /// component). `None` when that does not hold.
    fn find_below_parent(&mut self, dir: &Path) -> Option<Option<PathBuf>> {
        let Some(std::path::Component::Normal(name)) = dir.components().next_back() else {
            return None;
        };
        let parent = dir.parent()?;
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
            return None;
        }
        let above = self.find(parent);
        let real = self.canonical.get(parent.as_os_str())?.join(name);
        let answer = config_in(&real).or(above);
        self.canonical.insert(dir.as_os_str().to_owned(), real.clone());
        self.known.insert(dir.as_os_str().to_owned(), answer.clone());
        self.known.insert(real.into_os_string(), answer.clone());
        Some(answer)
    }
}

/// The configuration file in the folder `dir` itself.
fn config_in(dir: &Path) -> Option<PathBuf> {
    CONFIG_NAMES.iter().map(|n| dir.join(n)).find(|c| c.is_file())
}

/// The nearest `.kvet.yaml` in `start` (a folder, or a file's folder) or a
/// parent folder.
pub fn find_config(start: &Path) -> Option<PathBuf> {
    let start = absolute(start).unwrap_or_else(|| start.to_path_buf());
    let dir = if start.is_dir() {
        start.as_path()
    } else {
        start.parent()?
    };
    ConfigFinder::default().find(dir)
}

/// Reads a configuration file. Every problem is reported with its position.
pub fn load_config(path: &Path) -> Result<Config, Vec<ConfigError>> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        vec![ConfigError {
            file: name.clone(),
            line: 1,
            column: 1,
            message: format!("cannot read the configuration: {}", io_message(&e)),
        }]
    })?;
    let mut config = parse_config(&name, &text, path.parent().unwrap_or(Path::new(".")))?;
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// A commented starter configuration (`kvet init`).
pub const STARTER: &str = r#"# kvet configuration. kvet finds this file by walking up from the linted
# files; `kvet check --config FILE` names one explicitly.

# The Kubernetes version of the cluster the manifests are for (schemas), and
# the version an upgrade goes to (upgrade advice).
# kubernetes-version: "1.30"
# target-version: "1.33"

# Rules or categories to run; default: every rule that is on by default.
# `kvet rules` lists them. `all` selects every rule, opt-in ones included.
# select: [all]

# Rules or categories never to run.
# ignore: [qos-not-guaranteed]

# Severity per rule: error, warning, info, or off.
# severity:
#   requests-missing: error

# Options per rule (`kvet explain <rule>` lists a rule's options).
# options:
#   requests-too-low:
#     min-cpu: 50m

# Labels every object must carry (turns on `recommended-labels-missing`).
# required-labels: [app.kubernetes.io/name, app.kubernetes.io/part-of]

# Rules silenced per path (globs relative to this file).
# ignore-paths:
#   "legacy/**": [all]
#   "examples/**": [requests-missing, probes]

# Your own declarative rules (files or folders; see README, "Custom rules").
# custom-rules: [policies/]

# CustomResourceDefinitions that provide schemas for custom resources.
# crds: [crds/]

# Values files for `helm template --values` when kvet renders a Helm chart
# (helm on PATH; paths relative to this file).
# helm-values: [deploy/values-prod.yaml]

# The default for --fail-on: error, warning, info or never.
# fail-on: error
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: &str, category: &str, on: bool) -> RuleDoc {
        RuleDoc {
            id: id.into(),
            category: category.into(),
            severity: Severity::Warning,
            summary: String::new(),
            why: String::new(),
            fix: String::new(),
            bad: String::new(),
            good: String::new(),
            source: None,
            enabled_by_default: on,
            options: vec![],
            template: None,
            compiled: None,
        }
    }

    #[test]
    fn selection() {
        let a = doc("probes-identical", "probes", true);
        let b = doc("image-digest-missing", "images", false);
        let c = Config::default();
        assert!(c.rule_enabled(&a) && !c.rule_enabled(&b));
        let c = Config {
            select: vec!["images".into()],
            ..Config::default()
        };
        assert!(!c.rule_enabled(&a) && c.rule_enabled(&b));
        let c = Config {
            ignore: vec!["probes".into()],
            select: vec!["probes-identical".into()],
            ..Config::default()
        };
        assert!(c.rule_enabled(&a));
        let c = Config {
            ignore: vec!["all".into()],
            ..Config::default()
        };
        assert!(!c.rule_enabled(&a));
    }
}

#[cfg(all(test, unix))]
mod finder_tests {
    use super::{ConfigFinder, find_config};
    use std::path::PathBuf;

    #[test]
    fn the_finder_answers_as_a_walk_up_from_each_folders_canonical_path() -> std::io::Result<()> {
        let tmp = tempfile::tempdir()?;
        let root = tmp.path().canonicalize()?;
        for d in ["a/sub/deep", "b", "c/inner"] {
            std::fs::create_dir_all(root.join(d))?;
        }
        std::fs::write(root.join("a/.kvet.yaml"), "select: [all]\n")?;
        std::fs::write(root.join("c/.kvet.yml"), "select: [all]\n")?;
        // A link in b to a folder under a: its configuration is a's.
        std::os::unix::fs::symlink(root.join("a/sub"), root.join("b/link"))?;
        // A link in a to c's folder: c's.
        std::os::unix::fs::symlink(root.join("c/inner"), root.join("a/to-c"))?;
        let dirs = [
            "a/sub/deep",
            "a/sub",
            "a",
            "b",
            "b/link",
            "b/link/deep",
            "a/to-c",
            "c/inner",
            "a/sub/../../c",
        ];
        let mut finder = ConfigFinder::default();
        for d in dirs {
            let dir = root.join(d);
            assert_eq!(finder.find(&dir), find_config(&dir), "{d}");
        }
        let expect = |d: &str| Some(root.join(d));
        assert_eq!(finder.find(&root.join("b/link/deep")), expect("a/.kvet.yaml"));
        assert_eq!(finder.find(&root.join("a/to-c")), expect("c/.kvet.yml"));
        assert_eq!(finder.find(&root.join("a/sub/../../c")), expect("c/.kvet.yml"));
        assert_eq!(finder.find(&root.join("b")), None::<PathBuf>);
        Ok(())
    }
}
