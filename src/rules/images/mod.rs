//! Container images: tags, digests, pull policy, registries.
//!
//! Image references are parsed here once, the way the container runtimes
//! read them: `registry:5000/app` has no tag (the colon belongs to the
//! host), `app@sha256:...` and `app:1.2@sha256:...` are pinned by digest.

mod image_digest_missing;
mod image_missing;
mod image_pull_policy_latest;
mod image_registry_not_allowed;
mod image_tag_latest;

pub use image_digest_missing::ImageDigestMissing;
pub use image_missing::ImageMissing;
pub use image_pull_policy_latest::ImagePullPolicyLatest;
pub use image_registry_not_allowed::ImageRegistryNotAllowed;
pub use image_tag_latest::ImageTagLatest;

use crate::model::{Container, Workload};
use crate::yaml::Node;

/// A parsed image reference. Parts borrow from the written text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ImageRef<'a> {
    /// The registry host (with port) when written; `None` means Docker Hub.
    pub registry: Option<&'a str>,
    /// The repository path after the registry (`library/nginx` is written
    /// `nginx`).
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    /// `algorithm:hex`.
    pub digest: Option<&'a str>,
}

/// Docker Hub's names for itself.
const DOCKER_HUB: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

impl<'a> ImageRef<'a> {
    /// Parses an image reference; `None` for text that is not one (empty,
    /// templated such as `${IMAGE}` or `{{ .Values.image }}`, or malformed),
    /// which the image rules leave alone.
    pub fn parse(text: &'a str) -> Option<ImageRef<'a>> {
        let text = text.trim();
        if text.is_empty() || text.contains(['$', '{', '}', ' ', '\t', '<', '>']) {
            return None;
        }
        let (name, digest) = match text.split_once('@') {
            Some((name, digest)) => {
                let (algo, hex) = digest.split_once(':')?;
                if algo.is_empty() || hex.is_empty() {
                    return None;
                }
                (name, Some(digest))
            }
            None => (text, None),
        };
        // A tag is a colon after the last slash: before it, the colon
        // belongs to the registry host's port.
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match name[last_slash..].rfind(':') {
            Some(i) => {
                let tag = &name[last_slash + i + 1..];
                if tag.is_empty() {
                    return None;
                }
                (&name[..last_slash + i], Some(tag))
            }
            None => (name, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
            _ => (None, name),
        };
        if repository.is_empty() || repository.split('/').any(str::is_empty) {
            return None;
        }
        Some(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// Without a digest and with no tag or the `latest` tag: the image the
    /// name points at changes over time.
    pub fn is_latest(&self) -> bool {
        self.digest.is_none() && self.tag.is_none_or(|t| t == "latest")
    }

    /// The registry host, `docker.io` for Docker Hub (under any of its names).
    pub fn registry_host(&self) -> &'a str {
        match self.registry {
            Some(r) if !DOCKER_HUB.contains(&r) => r,
            _ => "docker.io",
        }
    }

    /// `registry/repository` in full: `nginx` is `docker.io/library/nginx`.
    pub fn canonical_name(&self) -> String {
        let host = self.registry_host();
        if host == "docker.io" && !self.repository.contains('/') {
            format!("docker.io/library/{}", self.repository)
        } else {
            format!("{host}/{}", self.repository)
        }
    }

    /// The name as written, without tag and digest.
    pub fn written_name(&self) -> String {
        match self.registry {
            Some(r) => format!("{r}/{}", self.repository),
            None => self.repository.to_string(),
        }
    }
}

/// Containers with a parsed image: every container (ephemeral ones too).
pub(crate) fn images<'a>(w: &Workload<'a>) -> impl Iterator<Item = (Container<'a>, &'a Node, ImageRef<'a>)> + 'a {
    w.all_containers().filter_map(|c| {
        let node = c.get(&["image"])?;
        let image = ImageRef::parse(node.as_str()?)?;
        Some((c, node, image))
    })
}

/// The checks of this category.
pub fn checks() -> Vec<Box<dyn crate::rules::Rule>> {
    vec![
        Box::new(ImageTagLatest),
        Box::new(ImagePullPolicyLatest),
        Box::new(ImageDigestMissing),
        Box::new(ImageRegistryNotAllowed),
        Box::new(ImageMissing),
    ]
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    /// Registry, repository, tag, digest.
    type Parts<'a> = (Option<&'a str>, &'a str, Option<&'a str>, Option<&'a str>);

    fn parts(s: &str) -> Option<Parts<'_>> {
        ImageRef::parse(s).map(|i| (i.registry, i.repository, i.tag, i.digest))
    }

    #[test]
    fn plain_names_and_tags() {
        assert_eq!(parts("nginx"), Some((None, "nginx", None, None)));
        assert_eq!(parts("nginx:1.27"), Some((None, "nginx", Some("1.27"), None)));
        assert_eq!(
            parts("library/nginx:latest"),
            Some((None, "library/nginx", Some("latest"), None))
        );
        assert_eq!(
            parts("bitnami/redis:7.2"),
            Some((None, "bitnami/redis", Some("7.2"), None))
        );
    }

    #[test]
    fn registry_ports_are_not_tags() {
        assert_eq!(
            parts("registry:5000/app"),
            Some((Some("registry:5000"), "app", None, None))
        );
        assert_eq!(
            parts("registry.example.com:5000/team/app:2.1"),
            Some((Some("registry.example.com:5000"), "team/app", Some("2.1"), None))
        );
        assert_eq!(parts("localhost/app"), Some((Some("localhost"), "app", None, None)));
        assert_eq!(
            parts("quay.io/org/app:v1"),
            Some((Some("quay.io"), "org/app", Some("v1"), None))
        );
    }

    #[test]
    fn digests() {
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        assert_eq!(parts(&format!("app@{d}")), Some((None, "app", None, Some(d))));
        assert_eq!(
            parts(&format!("app:1.2@{d}")),
            Some((None, "app", Some("1.2"), Some(d)))
        );
        assert_eq!(
            parts(&format!("registry:5000/app@{d}")),
            Some((Some("registry:5000"), "app", None, Some(d)))
        );
        assert!(ImageRef::parse(&format!("app:latest@{d}")).is_some_and(|i| !i.is_latest()));
    }

    #[test]
    fn latest() {
        let latest = |s: &str| ImageRef::parse(s).is_some_and(|i| i.is_latest());
        assert!(latest("nginx"));
        assert!(latest("nginx:latest"));
        assert!(latest("registry:5000/app"));
        assert!(!latest("nginx:1.27"));
        assert!(!latest("nginx:LATEST-1"));
    }

    #[test]
    fn not_references() {
        for s in [
            "",
            "  ",
            "${IMAGE}",
            "{{ .Values.image }}",
            "app:",
            "app@sha256",
            "/app",
            "app//x",
            "a b",
        ] {
            assert_eq!(ImageRef::parse(s), None, "{s:?}");
        }
    }

    #[test]
    fn canonical_names() {
        let c = |s: &str| ImageRef::parse(s).map(|i| i.canonical_name()).unwrap_or_default();
        assert_eq!(c("nginx:1.27"), "docker.io/library/nginx");
        assert_eq!(c("bitnami/redis"), "docker.io/bitnami/redis");
        assert_eq!(c("index.docker.io/library/nginx"), "docker.io/library/nginx");
        assert_eq!(c("ghcr.io/org/app:1"), "ghcr.io/org/app");
        assert_eq!(c("registry:5000/app"), "registry:5000/app");
    }
}
