//! Helm: rendered output is split by helm's `# Source: CHART/templates/FILE`
//! comments, so that findings name the template that produced them; and a
//! chart folder is rendered with `helm template` when `helm` is on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kvet::source::SourceFile;

/// The template a rendered document came from: its `# Source:` comment,
/// among the comment lines that open the document.
fn source_of(chunk: &str) -> Option<&str> {
    for line in chunk.lines() {
        let t = line.trim();
        if t.is_empty() || t == "---" || t.starts_with("--- ") {
            continue;
        }
        let comment = t.strip_prefix('#')?;
        if let Some(path) = comment.trim_start().strip_prefix("Source:") {
            let path = path.trim();
            return (!path.is_empty()).then_some(path);
        }
    }
    None
}

/// A document separator at the start of a line (`---`, `--- # c`).
fn is_separator(line: &str) -> bool {
    let line = line.trim_end_matches(['\n', '\r']);
    line == "---" || line.starts_with("--- ") || line.starts_with("---\t")
}

/// Splits rendered Helm output into one file per template, in the order
/// the templates first appear; `name` turns a `# Source:` path into the
/// file's name (`""` for documents before the first `# Source:`). Each file holds its template's documents as helm printed
/// them (separator and `# Source:` line included), so its lines are those
/// of `helm template --show-only TEMPLATE`. `None` when the text has no
/// `# Source:` comment (not Helm output).
pub fn split_rendered(text: &str, name: &dyn Fn(&str) -> String) -> Option<Vec<SourceFile>> {
    // Chunks: each starts at a separator line (the first may not).
    let mut chunks: Vec<&str> = Vec::new();
    let mut start = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if is_separator(line) && at > start {
            chunks.push(&text[start..at]);
            start = at;
        }
        at += line.len();
    }
    if at > start {
        chunks.push(&text[start..at]);
    }
    let mut files: Vec<(String, String)> = Vec::new();
    let mut any = false;
    for chunk in chunks {
        let key = match source_of(chunk) {
            Some(s) => {
                any = true;
                s.to_string()
            }
            // A document without a `# Source:` stays with the one before it.
            None => files.last().map(|(k, _)| k.clone()).unwrap_or_default(),
        };
        match files.iter_mut().find(|(k, _)| *k == key) {
            Some((_, t)) => t.push_str(chunk),
            None => files.push((key, chunk.to_string())),
        }
    }
    if !any {
        return None;
    }
    Some(
        files
            .into_iter()
            .filter(|(_, t)| {
                !t.trim().is_empty()
                    && t.lines()
                        .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && !is_separator(l))
            })
            .map(|(k, t)| SourceFile::from_text(name(&k), None, t))
            .collect(),
    )
}

/// `podinfo/templates/a.yaml` rendered from the chart at `chart/` (as the
/// user named it): `chart/templates/a.yaml`, the file in the repository.
pub fn template_path(chart: &str, source: &str) -> String {
    let rest = source.split_once('/').map_or(source, |(_, r)| r);
    let chart = chart.trim_end_matches('/');
    if chart.is_empty() || chart == "." {
        rest.to_string()
    } else {
        format!("{chart}/{rest}")
    }
}

/// `helm` on PATH, if any.
pub fn find_helm() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("helm"))
        .find(|p| p.is_file())
}

/// Runs `helm template CHART` (with `--values` for each values file and
/// `--kube-version` when the version is known) and returns its output.
pub fn render(helm: &Path, chart: &str, values: &[PathBuf], kube_version: Option<&str>) -> Result<String, String> {
    let mut cmd = Command::new(helm);
    cmd.arg("template").arg(chart);
    for v in values {
        cmd.arg("--values").arg(v);
    }
    if let Some(v) = kube_version {
        cmd.arg("--kube-version").arg(v);
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", helm.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().find(|l| !l.trim().is_empty()).unwrap_or("no message");
        return Err(format!("`helm template {chart}` failed: {}", first.trim()));
    }
    String::from_utf8(out.stdout).map_err(|_| format!("`helm template {chart}` printed invalid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RENDERED: &str = "---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-headless\n";

    #[test]
    fn splits_by_source_in_order() {
        let files = split_rendered(RENDERED, &|s| template_path("charts/web", s)).unwrap_or_default();
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            vec![
                "charts/web/templates/service.yaml",
                "charts/web/templates/deployment.yaml"
            ]
        );
        assert_eq!(
            files[0].text,
            "---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n# Source: web/templates/service.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web-headless\n"
        );
        assert!(files.iter().all(|f| f.path.is_none()));
    }

    #[test]
    fn not_helm_output() {
        assert!(split_rendered("apiVersion: v1\nkind: ConfigMap\n", &|s| s.to_string()).is_none());
        assert_eq!(template_path(".", "web/templates/a.yaml"), "templates/a.yaml");
        assert_eq!(
            template_path("web/", "web/charts/db/templates/a.yaml"),
            "web/charts/db/templates/a.yaml"
        );
    }
}
