//! The curated deprecation table (`schemas/deprecations.json`, generated):
//! kind-level deprecations/removals and field-level changes. Parsed once, on
//! first use (well under a millisecond).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::parse_minor;

static JSON: &str = include_str!("../../schemas/deprecations.json");

/// A deprecated or removed `apiVersion` + `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deprecation {
    pub api_version: String,
    pub kind: String,
    /// `"1.9"`; absent when unknown (removals derived from the schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecated_in: Option<String>,
    /// First version that no longer serves it; absent: still served in the newest version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub removed_in: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Replacement>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// `pluto`, `kube-no-trouble`, `schemas`.
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    pub api_version: String,
    /// Only when the kind changes name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

impl Deprecation {
    pub fn deprecated_minor(&self) -> Option<u32> {
        self.deprecated_in.as_deref().and_then(parse_minor)
    }

    pub fn removed_minor(&self) -> Option<u32> {
        self.removed_in.as_deref().and_then(parse_minor)
    }

    /// Deprecated (and not yet removed) in `version`.
    pub fn is_deprecated_in(&self, version: &str) -> bool {
        let Some(v) = parse_minor(version) else { return false };
        self.deprecated_minor().is_some_and(|d| d <= v) && !self.is_removed_in(version)
    }

    /// No longer served in `version`.
    pub fn is_removed_in(&self, version: &str) -> bool {
        let Some(v) = parse_minor(version) else { return false };
        self.removed_minor().is_some_and(|r| r <= v)
    }

    /// The kind to use instead (same kind unless the table says otherwise).
    pub fn replacement_kind(&self) -> Option<&str> {
        let r = self.replacement.as_ref()?;
        Some(r.kind.as_deref().unwrap_or(&self.kind))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldChangeKind {
    /// Gone without a replacement.
    Removed,
    /// Moved to `replacement`.
    Moved,
    /// Same path, different type (`replacement`: where the data goes now).
    TypeChanged,
}

/// A field-level change that matters for upgrades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// `"*"` (with kind `"*"`): every kind, for `metadata.*` fields.
    pub api_version: String,
    pub kind: String,
    /// Dotted path, `[]` for array items: `spec.strategy.rollingUpdate.minReadySeconds`.
    pub path: String,
    pub change: FieldChangeKind,
    /// Version where the change takes effect (`"1.2"`); for a change that
    /// comes with a new apiVersion, the version that removed the old one.
    pub version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// Set when the change happens on moving to this apiVersion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to_api_version: Option<String>,
    pub note: String,
}

impl FieldChange {
    pub fn minor(&self) -> Option<u32> {
        parse_minor(&self.version)
    }

    /// Whether the change concerns objects of `api_version` + `kind`.
    pub fn applies_to(&self, api_version: &str, kind: &str) -> bool {
        (self.api_version == "*" || self.api_version == api_version) && (self.kind == "*" || self.kind == kind)
    }
}

#[derive(Deserialize)]
struct File {
    kinds: Vec<Deprecation>,
    fields: Vec<FieldChange>,
}

fn table() -> &'static File {
    static TABLE: OnceLock<File> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str(JSON).unwrap_or(File {
            kinds: Vec::new(),
            fields: Vec::new(),
        })
    })
}

/// Kind-level deprecations and removals, sorted by apiVersion then kind.
pub fn deprecations() -> &'static [Deprecation] {
    &table().kinds
}

/// The entry for `api_version` + `kind`, if deprecated or removed at some point.
pub fn deprecation(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    table()
        .kinds
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)
}

/// Field-level moves, removals and type changes.
pub fn field_changes() -> &'static [FieldChange] {
    &table().fields
}

#[cfg(test)]
pub(super) fn parses() -> Result<(), String> {
    serde_json::from_str::<File>(JSON)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
