//! The kind-level deprecation table and the field-level changes.
//!
//! Built from pluto's `versions.yaml` and kube-no-trouble's rules (facts
//! only), with their known errors fixed, checked against the per-version
//! schemas and completed with removals the schemas show. The field-level
//! changes are curated here and each one is checked against the schemas.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use anyhow::{Context, Result, bail};
use serde_yaml::Value as Yaml;

use super::ir::{Gvk, Shape, VersionIr, minor_of};

/// The newest minor version covered.
pub const NEWEST: u32 = 37;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KindEntry {
    pub api_version: String,
    pub kind: String,
    pub deprecated_in: Option<u32>,
    pub removed_in: Option<u32>,
    pub replacement_api_version: Option<String>,
    /// Only when the kind changes name.
    pub replacement_kind: Option<String>,
    pub note: Option<String>,
    /// Where the entry comes from: `pluto`, `kube-no-trouble`, `schemas`.
    pub sources: BTreeSet<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub api_version: &'static str,
    pub kind: &'static str,
    /// Dotted path; `[]` steps into array items.
    pub path: &'static str,
    /// `removed`, `moved` or `type-changed`.
    pub change: &'static str,
    /// Minor version where the change takes effect (for a migration: the
    /// first version where the old apiVersion is no longer served).
    pub version: u32,
    /// New path (`moved`, or where the data goes after a type change).
    pub replacement: Option<&'static str>,
    /// Set when the change happens on moving to another apiVersion.
    pub to_api_version: Option<&'static str>,
    pub note: &'static str,
}

pub struct Table {
    pub kinds: Vec<KindEntry>,
    pub fields: Vec<FieldChange>,
    /// Human-readable findings of the cross-check (deterministic order).
    pub findings: Vec<String>,
    /// The fixes applied to the source tables.
    pub fixes: Vec<String>,
}

impl Table {
    pub fn removed_in(&self, gvk: &Gvk) -> Option<u32> {
        self.kinds
            .iter()
            .find(|e| e.api_version == gvk.0 && e.kind == gvk.1)
            .and_then(|e| e.removed_in)
    }
}

fn version_field(v: Option<&Yaml>) -> Result<Option<u32>> {
    let Some(v) = v else { return Ok(None) };
    let s = match v {
        Yaml::Null => return Ok(None),
        Yaml::String(s) => s.clone(),
        Yaml::Number(n) => n.to_string(),
        other => bail!("unexpected version value {other:?}"),
    };
    let s = s.trim();
    if s.is_empty() || s == "null" {
        return Ok(None);
    }
    minor_of(s)
        .map(Some)
        .with_context(|| format!("cannot read version {s:?}"))
}

fn str_field(m: &Yaml, key: &str) -> Option<String> {
    m.get(key)
        .and_then(Yaml::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn read_yaml(path: &Path) -> Result<Yaml> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_yaml::from_str(&text).with_context(|| format!("{} is not valid YAML", path.display()))
}

/// pluto's `deprecated-versions` (Kubernetes entries only).
fn load_pluto(path: &Path, fixes: &mut Vec<String>) -> Result<Vec<KindEntry>> {
    let doc = read_yaml(path)?;
    let list = doc
        .get("deprecated-versions")
        .and_then(Yaml::as_sequence)
        .with_context(|| format!("{}: no deprecated-versions list", path.display()))?;
    let mut out: Vec<KindEntry> = Vec::new();
    let mut skipped_components = BTreeSet::new();
    let mut lists = 0;
    for item in list {
        let component = str_field(item, "component").unwrap_or_default();
        if component != "k8s" {
            skipped_components.insert(component);
            continue;
        }
        let (Some(api_version), Some(kind)) = (str_field(item, "version"), str_field(item, "kind")) else {
            bail!("{}: entry without version or kind: {item:?}", path.display());
        };
        if kind.ends_with("List") {
            lists += 1;
            continue;
        }
        let e = KindEntry {
            api_version,
            kind,
            deprecated_in: version_field(item.get("deprecated-in")).with_context(|| format!("{item:?}"))?,
            removed_in: version_field(item.get("removed-in")).with_context(|| format!("{item:?}"))?,
            replacement_api_version: str_field(item, "replacement-api"),
            replacement_kind: None,
            note: None,
            sources: BTreeSet::from(["pluto"]),
        };
        if let Some(prev) = out.iter().find(|p| p.api_version == e.api_version && p.kind == e.kind) {
            if *prev == e {
                fixes.push(format!(
                    "pluto lists {} {} twice; one entry kept.",
                    e.api_version, e.kind
                ));
                continue;
            }
            bail!("pluto has two different entries for {} {}", e.api_version, e.kind);
        }
        out.push(e);
    }
    fixes.push(format!(
        "pluto entries for other products ({}) and {lists} `*List` kinds are left out: list kinds are not written as manifests, and the other products use their own version numbers.",
        skipped_components.into_iter().collect::<Vec<_>>().join(", ")
    ));
    Ok(out)
}

/// kube-no-trouble rows.
fn load_kubent(path: &Path) -> Result<Vec<KindEntry>> {
    let doc = read_yaml(path)?;
    let list = doc
        .as_sequence()
        .with_context(|| format!("{}: expected a list", path.display()))?;
    let mut out = Vec::new();
    for item in list {
        let (Some(api_version), Some(kind)) = (str_field(item, "apiVersion"), str_field(item, "kind")) else {
            bail!("{}: row without apiVersion or kind: {item:?}", path.display());
        };
        let replacement = str_field(item, "replacement").filter(|r| !r.starts_with('<'));
        out.push(KindEntry {
            api_version,
            kind,
            deprecated_in: version_field(item.get("deprecatedSince")).with_context(|| format!("{item:?}"))?,
            removed_in: version_field(item.get("removedIn")).with_context(|| format!("{item:?}"))?,
            replacement_api_version: replacement,
            replacement_kind: None,
            note: None,
            sources: BTreeSet::from(["kube-no-trouble"]),
        });
    }
    Ok(out)
}

fn fmt_minor(v: Option<u32>) -> String {
    v.map_or_else(|| "-".to_string(), |m| format!("1.{m}"))
}

/// Explicit corrections: (apiVersion, kind, deprecated_in, removed_in,
/// replacement apiVersion, why). `None` leaves a value as merged.
type Correction = (
    &'static str,
    &'static str,
    Option<u32>,
    Option<u32>,
    Option<&'static str>,
    &'static str,
);

const CORRECTIONS: &[Correction] = &[
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "FlowSchema",
        Some(23),
        Some(26),
        Some("flowcontrol.apiserver.k8s.io/v1beta2"),
        "v1beta1 was deprecated when v1beta2 arrived (1.23) and is gone from the 1.26 schema (pluto: deprecated 1.24, removed 1.29, replacement v1beta3 — v1beta3 did not exist before the removal)",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta1",
        "PriorityLevelConfiguration",
        Some(23),
        Some(26),
        Some("flowcontrol.apiserver.k8s.io/v1beta2"),
        "as for v1beta1 FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "FlowSchema",
        Some(26),
        Some(29),
        None,
        "v1beta2 was deprecated when v1beta3 arrived (1.26), not in 1.24 (pluto)",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta2",
        "PriorityLevelConfiguration",
        Some(26),
        Some(29),
        None,
        "as for v1beta2 FlowSchema",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "FlowSchema",
        Some(29),
        Some(32),
        Some("flowcontrol.apiserver.k8s.io/v1"),
        "v1beta3 was introduced in 1.26, deprecated in 1.29 when v1 arrived, removed in 1.32 (pluto: deprecated 1.24)",
    ),
    (
        "flowcontrol.apiserver.k8s.io/v1beta3",
        "PriorityLevelConfiguration",
        Some(29),
        Some(32),
        Some("flowcontrol.apiserver.k8s.io/v1"),
        "deprecated in 1.29 with v1beta3 FlowSchema (pluto: 1.31)",
    ),
];

/// Merges the two tables, applies the corrections and cross-checks against
/// the schemas (`versions` before the removal table is applied).
pub fn build(source: &Path, versions: &[VersionIr]) -> Result<Table> {
    let mut fixes = Vec::new();
    let mut findings = Vec::new();
    let dep = source.join("deprecations");
    let pluto = load_pluto(&dep.join("pluto-versions.yaml"), &mut fixes)?;
    let kubent = load_kubent(&dep.join("kube-no-trouble.yaml"))?;

    // Merge: pluto first, kube-no-trouble fills gaps; disagreements noted.
    let mut merged: BTreeMap<Gvk, KindEntry> = BTreeMap::new();
    for e in pluto {
        if e.kind == "FlowControl" {
            fixes.push(format!(
                "pluto's {} `FlowControl` is not a kind; the group's kinds are FlowSchema and PriorityLevelConfiguration, which have their own entries. Dropped.",
                e.api_version
            ));
            continue;
        }
        merged.insert((e.api_version.clone(), e.kind.clone()), e);
    }
    for k in kubent {
        let key = (k.api_version.clone(), k.kind.clone());
        match merged.get_mut(&key) {
            None => {
                merged.insert(key, k);
            }
            Some(e) => {
                e.sources.insert("kube-no-trouble");
                let mut diffs = Vec::new();
                if e.deprecated_in != k.deprecated_in {
                    if e.deprecated_in.is_none() {
                        e.deprecated_in = k.deprecated_in;
                        fixes.push(format!(
                            "{} {}: deprecated-in is empty in pluto; 1.{} from kube-no-trouble.",
                            key.0,
                            key.1,
                            k.deprecated_in.unwrap_or_default()
                        ));
                    } else if k.deprecated_in.is_some() {
                        diffs.push(format!(
                            "deprecated in {} (pluto) vs {} (kube-no-trouble)",
                            fmt_minor(e.deprecated_in),
                            fmt_minor(k.deprecated_in)
                        ));
                    }
                }
                if e.removed_in != k.removed_in {
                    if e.removed_in.is_none() {
                        e.removed_in = k.removed_in;
                    } else {
                        diffs.push(format!(
                            "removed in {} (pluto) vs {} (kube-no-trouble)",
                            fmt_minor(e.removed_in),
                            fmt_minor(k.removed_in)
                        ));
                    }
                }
                if e.replacement_api_version.is_none() {
                    e.replacement_api_version = k.replacement_api_version.clone();
                } else if k.replacement_api_version.is_some() && e.replacement_api_version != k.replacement_api_version
                {
                    diffs.push(format!(
                        "replacement {} (pluto) vs {} (kube-no-trouble)",
                        e.replacement_api_version.as_deref().unwrap_or("-"),
                        k.replacement_api_version.as_deref().unwrap_or("-")
                    ));
                }
                if !diffs.is_empty() {
                    findings.push(format!("sources disagree on {} {}: {}", key.0, key.1, diffs.join("; ")));
                }
            }
        }
    }
    for (av, kind, d, r, repl, why) in CORRECTIONS {
        let key = (av.to_string(), kind.to_string());
        let Some(e) = merged.get_mut(&key) else {
            bail!("correction for {av} {kind}: no such entry");
        };
        let before = (e.deprecated_in, e.removed_in, e.replacement_api_version.clone());
        if d.is_some() {
            e.deprecated_in = *d;
        }
        if r.is_some() {
            e.removed_in = *r;
        }
        if let Some(repl) = repl {
            e.replacement_api_version = Some(repl.to_string());
        }
        let mut changed = Vec::new();
        if before.0 != e.deprecated_in {
            changed.push(format!(
                "deprecated {} → {}",
                fmt_minor(before.0),
                fmt_minor(e.deprecated_in)
            ));
        }
        if before.1 != e.removed_in {
            changed.push(format!("removed {} → {}", fmt_minor(before.1), fmt_minor(e.removed_in)));
        }
        if before.2 != e.replacement_api_version {
            changed.push(format!(
                "replacement {} → {}",
                before.2.as_deref().unwrap_or("-"),
                e.replacement_api_version.as_deref().unwrap_or("-")
            ));
        }
        if !changed.is_empty() {
            fixes.push(format!("{av} {kind}: {}: {why}.", changed.join(", ")));
        }
    }

    // Presence of every kind in the published schemas.
    let mut present: BTreeMap<Gvk, BTreeSet<u32>> = BTreeMap::new();
    for v in versions {
        for gvk in v.kinds.keys() {
            present.entry(gvk.clone()).or_default().insert(v.minor());
        }
    }
    let first = versions.first().map_or(0, VersionIr::minor);
    let served_api_versions: BTreeSet<&str> = present.keys().map(|g| g.0.as_str()).collect();
    let mut never_served = Vec::new();
    for (key, e) in merged.iter_mut() {
        let Some(seen) = present.get(key) else {
            if served_api_versions.contains(key.0.as_str()) {
                never_served.push(key.clone());
                continue;
            }
            e.note = Some("Not a served API kind in any published schema (a configuration file kind or a CRD); not checked against the schemas.".into());
            findings.push(format!(
                "{} {}: not in any published schema; kept as listed",
                key.0, key.1
            ));
            continue;
        };
        let (lo, hi) = (*seen.iter().next().unwrap_or(&0), *seen.iter().last().unwrap_or(&0));
        let gaps: Vec<u32> = (lo..=hi).filter(|m| !seen.contains(m)).collect();
        if !gaps.is_empty() {
            findings.push(format!(
                "{} {}: missing from the schemas of {:?} between 1.{lo} and 1.{hi}",
                key.0, key.1, gaps
            ));
        }
        match e.removed_in {
            None if hi < NEWEST => {
                e.removed_in = Some(hi + 1);
                e.sources.insert("schemas");
                fixes.push(format!(
                    "{} {}: removed-in was empty; the schemas drop it in 1.{} (last seen in 1.{hi}).",
                    key.0,
                    key.1,
                    hi + 1
                ));
            }
            // Every published schema through the newest still has it: the
            // tables' removal is a forecast the schemas do not show yet.
            Some(r) if r <= hi && hi >= NEWEST => {
                e.removed_in = None;
                e.sources.insert("schemas");
                fixes.push(format!(
                    "{} {}: removed in 1.{r} per the tables, but every published schema through 1.{hi} still has it; not removed.",
                    key.0, key.1
                ));
            }
            Some(r) if r <= hi => findings.push(format!(
                "{} {}: removed in 1.{r} per the table, but the published schema still lists it up to 1.{hi} (the removal table wins: not served from 1.{r})",
                key.0, key.1
            )),
            Some(r) if r > hi + 1 => {
                e.removed_in = Some(hi + 1);
                e.sources.insert("schemas");
                fixes.push(format!(
                    "{} {}: removed in 1.{r} per the tables, but no schema lists it after 1.{hi}; removed in 1.{} (a kind missing from the full published schema is not served).",
                    key.0,
                    key.1,
                    hi + 1
                ));
            }
            _ => {}
        }
        if let Some(d) = e.deprecated_in
            && d < lo
            && lo > first
        {
            findings.push(format!(
                "{} {}: deprecated in 1.{d} per the table, before it first appears in the schemas (1.{lo})",
                key.0, key.1
            ));
        }
        // The replacement to advise is the most stable version of the
        // group serving the kind where this one stops (or in the newest):
        // a GA version over another beta.
        if let Some(repl) = e.replacement_api_version.clone() {
            let kind = e.replacement_kind.clone().unwrap_or_else(|| key.1.clone());
            let group = |av: &str| av.rsplit_once('/').map_or("", |(g, _)| g).to_string();
            let at = e.removed_in.map_or(NEWEST, |r| r.min(NEWEST));
            let best = present
                .iter()
                .filter(|(k, s)| k.1 == kind && group(&k.0) == group(&repl) && k.0 != key.0 && s.contains(&at))
                .map(|(k, _)| k.0.clone())
                .min_by_key(|av| stability_rank(av));
            if let Some(best) = best
                && stability_rank(&best).0 < stability_rank(&repl).0
            {
                fixes.push(format!(
                    "{} {}: replacement {repl} → {best}: {best} is served in 1.{at} and more stable.",
                    key.0, key.1
                ));
                e.replacement_api_version = Some(best);
            }
        }
        if let Some(repl) = &e.replacement_api_version {
            let rk = (
                repl.clone(),
                e.replacement_kind.clone().unwrap_or_else(|| key.1.clone()),
            );
            let at = e.removed_in.map_or(NEWEST, |r| r.min(NEWEST));
            let ok = present
                .get(&rk)
                .is_some_and(|s| s.contains(&at) || s.contains(&(at - 1)));
            if !ok && present.contains_key(&rk) {
                findings.push(format!(
                    "{} {}: replacement {} {} is not served around 1.{at}",
                    key.0, key.1, rk.0, rk.1
                ));
            } else if !present.contains_key(&rk) && present.contains_key(key) {
                findings.push(format!(
                    "{} {}: replacement {} {} is not in any schema",
                    key.0, key.1, rk.0, rk.1
                ));
            }
        }
    }

    for key in never_served {
        merged.remove(&key);
        fixes.push(format!(
            "{} {} is listed by the tables but no schema of any version has it (its group-version serves other kinds); dropped.",
            key.0, key.1
        ));
    }

    // Kinds that disappear from the schemas without an entry.
    for (key, seen) in &present {
        if merged.contains_key(key) {
            continue;
        }
        let hi = *seen.iter().last().unwrap_or(&0);
        let lo = *seen.iter().next().unwrap_or(&0);
        if hi >= NEWEST {
            continue;
        }
        if (lo..=hi).any(|m| !seen.contains(&m)) {
            findings.push(format!(
                "{} {}: comes and goes in the schemas; no removal entry derived",
                key.0, key.1
            ));
            continue;
        }
        let removed = hi + 1;
        let replacement = present
            .iter()
            .filter(|(k, s)| k.1 == key.1 && k.0 != key.0 && s.contains(&removed.min(NEWEST)))
            .map(|(k, _)| k.0.clone())
            .min_by_key(|av| stability_rank(av));
        merged.insert(
            key.clone(),
            KindEntry {
                api_version: key.0.clone(),
                kind: key.1.clone(),
                deprecated_in: None,
                removed_in: Some(removed),
                replacement_api_version: replacement,
                replacement_kind: None,
                note: Some(format!("Derived from the published schemas: last in 1.{hi}.")),
                sources: BTreeSet::from(["schemas"]),
            },
        );
    }

    let fields = field_changes();
    check_field_changes(&fields, versions, &merged)?;
    Ok(Table {
        kinds: merged.into_values().collect(),
        fields,
        findings,
        fixes,
    })
}

/// Orders apiVersions by stability: GA first, then beta, then alpha.
fn stability_rank(api_version: &str) -> (u8, String) {
    let v = api_version.rsplit('/').next().unwrap_or(api_version);
    let rank = if v.contains("alpha") {
        2
    } else if v.contains("beta") {
        1
    } else {
        0
    };
    (rank, api_version.to_string())
}

/// The curated field-level changes. Every entry is checked against the
/// schemas by `check_field_changes`.
pub fn field_changes() -> Vec<FieldChange> {
    let c = |api_version, kind, path, change, version, replacement, note| FieldChange {
        api_version,
        kind,
        path,
        change,
        version,
        replacement,
        to_api_version: None,
        note,
    };
    let mut v = vec![
        c(
            "extensions/v1beta1",
            "Deployment",
            "spec.uniqueLabelKey",
            "removed",
            2,
            None,
            "Removed without replacement: the label that tells a Deployment's pods apart is always pod-template-hash.",
        ),
        c(
            "extensions/v1beta1",
            "Deployment",
            "spec.strategy.rollingUpdate.minReadySeconds",
            "moved",
            2,
            Some("spec.minReadySeconds"),
            "minReadySeconds moved from the rolling-update parameters to the Deployment spec.",
        ),
        c(
            "extensions/v1beta1",
            "Deployment",
            "spec.selector",
            "type-changed",
            2,
            Some("spec.selector.matchLabels"),
            "The selector changed from a map of labels to a LabelSelector: put the labels under matchLabels.",
        ),
        c(
            "extensions/v1beta1",
            "DaemonSet",
            "spec.selector",
            "type-changed",
            2,
            Some("spec.selector.matchLabels"),
            "The selector changed from a map of labels to a LabelSelector: put the labels under matchLabels.",
        ),
    ];
    v.extend(extra_field_changes());
    v
}

/// Further field-level changes, each visible in the schemas (the check
/// below fails the generator otherwise). `*` / `*` stands for every kind (an
/// `ObjectMeta` field); such entries are checked on v1 ConfigMap.
fn extra_field_changes() -> Vec<FieldChange> {
    let within = |api_version, kind, path, change, version, replacement, note| FieldChange {
        api_version,
        kind,
        path,
        change,
        version,
        replacement,
        to_api_version: None,
        note,
    };
    let migrate = |api_version, kind, to, version, path, change, replacement, note| FieldChange {
        api_version,
        kind,
        path,
        change,
        version,
        replacement,
        to_api_version: Some(to),
        note,
    };
    let mut v = vec![
        within(
            "v1",
            "Service",
            "spec.deprecatedPublicIPs",
            "moved",
            7,
            Some("spec.externalIPs"),
            "deprecatedPublicIPs was replaced by externalIPs, with almost the same meaning.",
        ),
        within(
            "*",
            "*",
            "metadata.initializers",
            "removed",
            16,
            None,
            "Initializers (alpha) were removed; use admission webhooks.",
        ),
        within(
            "v1",
            "Service",
            "spec.ipFamily",
            "moved",
            20,
            Some("spec.ipFamilies"),
            "The alpha single ipFamily field became the ipFamilies list (with ipFamilyPolicy) for dual-stack.",
        ),
        within(
            "v1",
            "Service",
            "spec.topologyKeys",
            "removed",
            22,
            None,
            "Alpha topologyKeys were removed; use topology-aware routing (service.kubernetes.io/topology-mode) or internalTrafficPolicy.",
        ),
        within(
            "*",
            "*",
            "metadata.clusterName",
            "removed",
            25,
            None,
            "clusterName was never used and always cleared by the API server; remove it.",
        ),
    ];
    for old in ["extensions/v1beta1", "networking.k8s.io/v1beta1"] {
        v.extend([
            migrate(
                old,
                "Ingress",
                "networking.k8s.io/v1",
                22,
                "spec.backend",
                "moved",
                Some("spec.defaultBackend"),
                "The default backend is spec.defaultBackend in networking.k8s.io/v1.",
            ),
            migrate(
                old,
                "Ingress",
                "networking.k8s.io/v1",
                22,
                "spec.rules[].http.paths[].backend.serviceName",
                "moved",
                Some("spec.rules[].http.paths[].backend.service.name"),
                "Backends name their Service under backend.service.name in networking.k8s.io/v1.",
            ),
            migrate(
                old,
                "Ingress",
                "networking.k8s.io/v1",
                22,
                "spec.rules[].http.paths[].backend.servicePort",
                "moved",
                Some("spec.rules[].http.paths[].backend.service.port"),
                "The port is backend.service.port.number (or .name for a named port) in networking.k8s.io/v1; every path also needs a pathType.",
            ),
        ]);
    }
    v.extend([
        migrate(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
            22,
            "spec.version",
            "moved",
            Some("spec.versions[].name"),
            "apiextensions.k8s.io/v1 lists every version under spec.versions.",
        ),
        migrate(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
            22,
            "spec.validation",
            "moved",
            Some("spec.versions[].schema"),
            "The schema is per version (spec.versions[].schema.openAPIV3Schema) and required in apiextensions.k8s.io/v1.",
        ),
        migrate(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
            22,
            "spec.subresources",
            "moved",
            Some("spec.versions[].subresources"),
            "Subresources are per version in apiextensions.k8s.io/v1.",
        ),
        migrate(
            "apiextensions.k8s.io/v1beta1",
            "CustomResourceDefinition",
            "apiextensions.k8s.io/v1",
            22,
            "spec.additionalPrinterColumns",
            "moved",
            Some("spec.versions[].additionalPrinterColumns"),
            "Printer columns are per version in apiextensions.k8s.io/v1, and JSONPath is spelled jsonPath.",
        ),
        migrate(
            "extensions/v1beta1",
            "Deployment",
            "apps/v1",
            16,
            "spec.rollbackTo",
            "removed",
            None,
            "apps/v1 has no rollbackTo; roll back with `kubectl rollout undo`.",
        ),
        migrate(
            "apps/v1beta1",
            "Deployment",
            "apps/v1",
            16,
            "spec.rollbackTo",
            "removed",
            None,
            "apps/v1 has no rollbackTo; roll back with `kubectl rollout undo`.",
        ),
        migrate(
            "extensions/v1beta1",
            "DaemonSet",
            "apps/v1",
            16,
            "spec.templateGeneration",
            "removed",
            None,
            "apps/v1 has no templateGeneration.",
        ),
        migrate(
            "autoscaling/v2beta1",
            "HorizontalPodAutoscaler",
            "autoscaling/v2",
            25,
            "spec.metrics[].resource.targetAverageUtilization",
            "moved",
            Some("spec.metrics[].resource.target.averageUtilization"),
            "Targets are a MetricTarget in autoscaling/v2: target.type Utilization with target.averageUtilization.",
        ),
        migrate(
            "autoscaling/v2beta1",
            "HorizontalPodAutoscaler",
            "autoscaling/v2",
            25,
            "spec.metrics[].resource.targetAverageValue",
            "moved",
            Some("spec.metrics[].resource.target.averageValue"),
            "Targets are a MetricTarget in autoscaling/v2: target.type AverageValue with target.averageValue.",
        ),
        migrate(
            "autoscaling/v2beta1",
            "HorizontalPodAutoscaler",
            "autoscaling/v2",
            25,
            "spec.metrics[].pods.targetAverageValue",
            "moved",
            Some("spec.metrics[].pods.target.averageValue"),
            "Targets are a MetricTarget in autoscaling/v2: target.type AverageValue with target.averageValue.",
        ),
        migrate(
            "autoscaling/v2beta1",
            "HorizontalPodAutoscaler",
            "autoscaling/v2",
            25,
            "spec.metrics[].object.targetValue",
            "moved",
            Some("spec.metrics[].object.target.value"),
            "Targets are a MetricTarget in autoscaling/v2: target.type Value with target.value; the object is describedObject.",
        ),
        migrate(
            "discovery.k8s.io/v1beta1",
            "EndpointSlice",
            "discovery.k8s.io/v1",
            25,
            "endpoints[].topology",
            "moved",
            Some("endpoints[].deprecatedTopology"),
            "topology became deprecatedTopology in discovery.k8s.io/v1; use endpoints[].nodeName and endpoints[].zone.",
        ),
    ]);
    v
}

/// Kind of a type for the type-changed check.
fn category(shape: &Shape) -> &'static str {
    match shape {
        Shape::Object { .. } => "object",
        Shape::Array(_) => "array",
        Shape::Map(_) => "map",
        Shape::String { .. } => "string",
        Shape::Integer => "integer",
        Shape::Number => "number",
        Shape::Boolean => "boolean",
        Shape::IntOrString => "int-or-string",
        Shape::Quantity => "quantity",
        Shape::Any | Shape::Pending => "any",
    }
}

fn path_type<'a>(v: &'a VersionIr, gvk: &Gvk, path: &str) -> Option<&'a Shape> {
    let root = *v.kinds.get(gvk)?;
    let segs = split_path_steps(path);
    let id = v.arena.walk(root, &segs)?;
    Some(v.arena.get(id))
}

/// `spec.containers[].ports` → `["spec", "containers", "[]", "ports"]`.
pub fn split_path_steps(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for part in path.split('.') {
        let mut p = part;
        let mut arrays = 0;
        while let Some(stripped) = p.strip_suffix("[]") {
            p = stripped;
            arrays += 1;
        }
        out.push(p);
        out.extend(std::iter::repeat_n("[]", arrays));
    }
    out
}

fn check_field_changes(
    changes: &[FieldChange],
    versions: &[VersionIr],
    kinds: &BTreeMap<Gvk, KindEntry>,
) -> Result<()> {
    let at = |m: u32| versions.iter().find(|v| v.minor() == m);
    for c in changes {
        let what = format!("field change {} {} {}", c.api_version, c.kind, c.path);
        let gvk = if c.kind == "*" {
            ("v1".to_string(), "ConfigMap".to_string())
        } else {
            (c.api_version.to_string(), c.kind.to_string())
        };
        let before =
            at(c.version.saturating_sub(1)).with_context(|| format!("{what}: no version before 1.{}", c.version))?;
        let old = path_type(before, &gvk, c.path)
            .with_context(|| format!("{what}: the path does not exist in 1.{}", before.minor()))?;
        match c.to_api_version {
            None => {
                let after = at(c.version).with_context(|| format!("{what}: no version 1.{}", c.version))?;
                let new = path_type(after, &gvk, c.path);
                match c.change {
                    "removed" | "moved" if new.is_some() => {
                        bail!("{what}: the path still exists in 1.{}", c.version)
                    }
                    "type-changed" => {
                        let new = new.with_context(|| format!("{what}: the path is gone in 1.{}", c.version))?;
                        if category(old) == category(new) {
                            bail!(
                                "{what}: the type is {} in both 1.{} and 1.{}",
                                category(old),
                                before.minor(),
                                c.version
                            );
                        }
                    }
                    _ => {}
                }
                if let Some(repl) = c.replacement
                    && path_type(after, &gvk, repl).is_none()
                {
                    bail!("{what}: replacement {repl} does not exist in 1.{}", c.version);
                }
            }
            Some(to) => {
                let target = (to.to_string(), c.kind.to_string());
                let newest = versions.last().context("no versions")?;
                if let Some(repl) = c.replacement
                    && path_type(newest, &target, repl).is_none()
                {
                    bail!("{what}: replacement {to} {repl} does not exist in 1.{}", newest.minor());
                }
                if c.change == "removed" && path_type(newest, &target, c.path).is_some() {
                    bail!("{what}: {to} still has the path");
                }
                let removal = kinds.get(&gvk).and_then(|e| e.removed_in);
                if removal != Some(c.version) {
                    bail!(
                        "{what}: version 1.{} is not the removal version of {} {}",
                        c.version,
                        c.api_version,
                        c.kind
                    );
                }
            }
        }
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct JsonFile<'a> {
    about: &'static str,
    kinds: Vec<JsonKind<'a>>,
    fields: Vec<JsonField<'a>>,
}

#[derive(serde::Serialize)]
struct JsonKind<'a> {
    api_version: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    deprecated_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    removed_in: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacement: Option<JsonReplacement<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<&'a str>,
    sources: Vec<&'static str>,
}

#[derive(serde::Serialize)]
struct JsonReplacement<'a> {
    api_version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<&'a str>,
}

#[derive(serde::Serialize)]
struct JsonField<'a> {
    api_version: &'a str,
    kind: &'a str,
    path: &'a str,
    change: &'a str,
    version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    replacement: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    to_api_version: Option<&'a str>,
    note: &'a str,
}

const ABOUT: &str = "Kubernetes API deprecations and removals. GENERATED by `cargo xtask schemas` from \
pluto and kube-no-trouble (facts), with the fixes listed in schemas/README.md, checked against the published \
schemas; edit xtask/src/schemas/deprecations.rs, not this file. kinds[]: deprecated_in / removed_in are minor \
versions (removed_in absent: still served in 1.37; removed_in is the first version that no longer serves it); \
replacement.kind only when the kind changes name; sources: pluto, kube-no-trouble, schemas (removal seen in the \
schemas). fields[]: kind `*` = every kind (an ObjectMeta field); change: removed | moved | type-changed; \
replacement: the new path; to_api_version: the change comes with moving to that apiVersion, and version is then \
the version that stopped serving the old one.";

/// Renders `schemas/deprecations.json`.
pub fn render_json(t: &Table) -> Result<String> {
    let minor = |m: Option<u32>| m.map(|m| format!("1.{m}"));
    let file = JsonFile {
        about: ABOUT,
        kinds: t
            .kinds
            .iter()
            .map(|e| JsonKind {
                api_version: &e.api_version,
                kind: &e.kind,
                deprecated_in: minor(e.deprecated_in),
                removed_in: minor(e.removed_in),
                replacement: e.replacement_api_version.as_deref().map(|r| JsonReplacement {
                    api_version: r,
                    kind: e.replacement_kind.as_deref(),
                }),
                note: e.note.as_deref(),
                sources: e.sources.iter().copied().collect(),
            })
            .collect(),
        fields: t
            .fields
            .iter()
            .map(|c| JsonField {
                api_version: c.api_version,
                kind: c.kind,
                path: c.path,
                change: c.change,
                version: format!("1.{}", c.version),
                replacement: c.replacement,
                to_api_version: c.to_api_version,
                note: c.note,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&file).context("serializing the deprecation table")?;
    text.push('\n');
    Ok(text)
}
