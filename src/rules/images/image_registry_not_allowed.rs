//! `image-registry-not-allowed`: an image from outside the registries and
//! repositories the `allowed` option lists.

use super::{ImageRef, images};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct ImageRegistryNotAllowed;

/// Whether `name` is `prefix` or lies under it at a path boundary (a prefix
/// ending in `/` matches anything that starts with it).
fn under(name: &str, prefix: &str) -> bool {
    if prefix.ends_with('/') {
        return name.starts_with(prefix);
    }
    name == prefix || name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('/'))
}

/// Whether the image matches an allowed prefix, in its canonical form
/// (`docker.io/library/nginx`) or as written (`nginx`).
fn allowed(image: &ImageRef, prefixes: &[&str]) -> bool {
    let canonical = image.canonical_name();
    let written = image.written_name();
    prefixes.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).any(|p| {
        // Docker Hub's other names mean docker.io.
        let p = match p.split_once('/') {
            Some((host, rest)) if super::DOCKER_HUB.contains(&host) => format!("docker.io/{rest}"),
            None if super::DOCKER_HUB.contains(&p) => "docker.io".to_string(),
            _ => p.to_string(),
        };
        under(&canonical, &p) || under(&written, &p)
    })
}

impl Rule for ImageRegistryNotAllowed {
    fn id(&self) -> &str {
        "image-registry-not-allowed"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let prefixes = ctx.option_strings("allowed");
        if prefixes.is_empty() {
            return;
        }
        let prefixes: Vec<String> = prefixes.into_iter().map(str::to_string).collect();
        let prefixes: Vec<&str> = prefixes.iter().map(String::as_str).collect();
        let Some(w) = Workload::of(object) else { return };
        for (c, node, image) in images(&w) {
            if allowed(&image, &prefixes) {
                continue;
            }
            ctx.report(
                object,
                node.span,
                format!(
                    "{} uses `{}` from `{}`, which is not an allowed registry",
                    c.display(),
                    node.as_str().unwrap_or_default(),
                    image.registry_host()
                ),
            )
            .help(format!(
                "use an image from an allowed registry or repository ({}), e.g. a mirrored copy, or add its prefix to the rule's `allowed` option",
                prefixes.join(", ")
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{ImageRef, allowed};

    fn ok(image: &str, prefixes: &[&str]) -> bool {
        ImageRef::parse(image).is_some_and(|i| allowed(&i, prefixes))
    }

    #[test]
    fn prefixes() {
        assert!(ok("nginx:1.27", &["docker.io/library"]));
        assert!(ok("nginx:1.27", &["docker.io"]));
        assert!(ok("nginx:1.27", &["index.docker.io/library/"]));
        assert!(ok("nginx:1.27", &["nginx"]));
        assert!(ok("myorg/app:1", &["myorg"]));
        assert!(ok("ghcr.io/acme/app:1", &["ghcr.io/acme"]));
        assert!(!ok("ghcr.io/acme-evil/app:1", &["ghcr.io/acme"]));
        assert!(ok("registry.example.com:5000/team/app", &["registry.example.com:5000"]));
        assert!(!ok("registry.example.com.evil.io/app", &["registry.example.com"]));
        assert!(!ok("quay.io/org/app", &["docker.io", "ghcr.io"]));
    }

    #[test]
    fn option_drives_the_rule() {
        use crate::config::Config;
        use crate::lint::lint;
        use crate::source::SourceFile;

        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: 'quay.io/org/app:1'}\n  - {name: b, image: 'ghcr.io/acme/b:1'}\n";
        let run = |allowed: serde_json::Value| {
            let mut config = Config {
                select: vec!["image-registry-not-allowed".to_string()],
                ..Config::default()
            };
            let mut opts = serde_json::Map::new();
            opts.insert("allowed".to_string(), allowed);
            config.options.insert("image-registry-not-allowed".to_string(), opts);
            let sources = vec![SourceFile::from_text("test.yaml", None, text.to_string())];
            lint(&sources, &config).diagnostics
        };
        assert!(run(serde_json::json!([])).is_empty());
        let d = run(serde_json::json!(["ghcr.io/acme"]));
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "container `a` uses `quay.io/org/app:1` from `quay.io`, which is not an allowed registry"
        );
    }
}
