//! The Kubernetes versions a run checks against, as the configuration
//! chooses them, and the version lookups findings use: a version's label,
//! the last version before the target that had a field.

use std::sync::OnceLock;

use super::bracketless;
use crate::config::Config;
use crate::model::Object;
use crate::schema::{VersionSchema, schema, versions};

/// The versions a run checks against.
#[derive(Clone, Copy)]
pub struct Versions {
    /// The cluster's version (`--kubernetes-version`, default the newest).
    pub current: &'static VersionSchema,
    /// Whether the user chose `current` (in upgrade mode, only differences
    /// from it are reported).
    pub explicit_current: bool,
    /// The version an upgrade goes to (`--target-version`).
    pub target: Option<&'static VersionSchema>,
}

impl Versions {
    pub fn from_config(config: &Config) -> Result<Versions, String> {
        Self::check_config(config)?;
        // Known versions: only an unreadable embedded blob fails here.
        let pick = |v: &str| {
            schema(v).ok_or_else(|| {
                super::super::load_error()
                    .unwrap_or("the embedded schemas cannot be read")
                    .to_string()
            })
        };
        let current = pick(config.kubernetes_version.as_deref().unwrap_or(super::super::newest()))?;
        let target = config.target_version.as_deref().map(pick).transpose()?;
        Ok(Versions {
            current,
            explicit_current: config.kubernetes_version.is_some(),
            target,
        })
    }

    /// Whether the configuration's versions are known and in order,
    /// without reading the embedded schemas (a run that the caches answer
    /// never needs them).
    pub fn check_config(config: &Config) -> Result<(), String> {
        let pick = |v: &str| {
            super::super::parse_version(v)
                .ok_or_else(|| format!("unknown Kubernetes version `{v}`; `kvet versions` lists them"))
        };
        let current = pick(config.kubernetes_version.as_deref().unwrap_or(super::super::newest()))?;
        let target = config.target_version.as_deref().map(pick).transpose()?;
        if let Some(t) = target
            && config.kubernetes_version.is_some()
            && t.minor < current.minor
        {
            return Err(format!(
                "--target-version {} is older than --kubernetes-version {}: an upgrade goes to a newer version",
                t.name, current.name
            ));
        }
        Ok(())
    }

    /// The version findings are about: the target when there is one.
    pub(super) fn effective(&self) -> &'static VersionSchema {
        self.target.unwrap_or(self.current)
    }
}

/// A run's [`Versions`], read from the embedded schemas when a check first
/// needs them: a run whose objects' findings all come from its caches
/// (custom resources' included) never decodes the schemas.
pub(super) struct LazyVersions<'c> {
    config: &'c Config,
    versions: OnceLock<Option<Versions>>,
}

impl<'c> LazyVersions<'c> {
    /// `None` when the configuration's versions are unknown or out of
    /// order (the command line says so before linting).
    pub(super) fn new(config: &'c Config) -> Option<Self> {
        Versions::check_config(config).ok()?;
        Some(LazyVersions {
            config,
            versions: OnceLock::new(),
        })
    }

    /// The versions (`None` only when the embedded schemas cannot be read).
    pub(super) fn get(&self) -> Option<Versions> {
        *self.versions.get_or_init(|| Versions::from_config(self.config).ok())
    }

    /// An upgrade from a version the user chose (`target` set and
    /// `explicit_current`), known without the schemas.
    pub(super) fn upgrade_from_chosen(&self) -> bool {
        self.config.target_version.is_some() && self.config.kubernetes_version.is_some()
    }
}

/// `1.25` or `1.1 (approximate)`.
pub fn version_label(s: &VersionSchema) -> String {
    if s.info().approximate {
        format!("{} (approximate)", s.name())
    } else {
        s.name().to_string()
    }
}

/// The newest version before `target` whose schema for this kind has the
/// field at `path` (so its absence now is a removal, not a typo).
pub(super) fn known_before(object: &Object, target: &VersionSchema, path: &str) -> Option<&'static str> {
    let path = bracketless(path);
    versions()
        .iter()
        .rev()
        .filter(|info| info.minor < target.info().minor)
        .find(|info| {
            schema(info.name)
                .and_then(|s| {
                    s.lookup(object.api_version, object.kind)
                        .and_then(|t| s.resolve(t, &path))
                })
                .is_some()
        })
        .map(|info| info.name)
}

#[cfg(test)]
mod tests {
    use super::Versions;
    use crate::config::Config;

    fn versions(current: Option<&str>, target: Option<&str>) -> Result<Versions, String> {
        Versions::from_config(&Config {
            kubernetes_version: current.map(str::to_string),
            target_version: target.map(str::to_string),
            ..Config::default()
        })
    }

    #[test]
    fn a_target_older_than_the_cluster_is_a_usage_error() {
        let err = versions(Some("1.25"), Some("1.24")).err().unwrap_or_default();
        assert!(err.contains("older than --kubernetes-version 1.25"), "{err}");
        assert!(versions(Some("1.24"), Some("1.25")).is_ok());
        assert!(versions(Some("1.25"), Some("1.25")).is_ok());
        assert!(versions(None, Some("1.20")).is_ok());
    }
}
