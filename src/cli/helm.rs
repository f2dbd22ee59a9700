//! Helm: rendered output is split by helm's `# Source: CHART/templates/FILE`
//! comments, so that findings name the template that produced them; and a
//! chart folder is rendered with `helm template` when `helm` is on PATH.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use kvet::config::find_config;
use kvet::source::SourceFile;

use super::CheckArgs;

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

/// Files to read: their path and the name they are shown under.
type Inputs = Vec<(PathBuf, String)>;

/// With `helm` on PATH, renders each chart whose `Chart.yaml` is among the
/// inputs (`helm template`, `--values` from the configuration's
/// `helm-values`) and returns the inputs without those `Chart.yaml`s, and
/// the rendered templates. A chart helm cannot render keeps its
/// `Chart.yaml` (and its `helm-chart` note), with a warning.
pub(super) fn render_charts(
    args: &CheckArgs,
    files: Inputs,
    charts: &mut HelmCharts,
) -> Result<(Inputs, Vec<SourceFile>), String> {
    let is_chart = |p: &Path, charts: &mut HelmCharts| {
        p.file_name().is_some_and(|n| n == "Chart.yaml")
            && matches!(p.parent().map(|d| charts.place(d)), Some(ChartPlace::Root))
    };
    if !files.iter().any(|(p, _)| is_chart(p, charts)) {
        return Ok((files, Vec::new()));
    }
    let Some(helm) = find_helm() else {
        return Ok((files, Vec::new()));
    };
    // Outer charts first: a chart packaged in another's `charts/` is
    // rendered with its parent, not alone.
    let mut chart_files: Vec<(PathBuf, String)> = files.iter().filter(|(p, _)| is_chart(p, charts)).cloned().collect();
    chart_files.sort_by_key(|(p, _)| p.components().count());
    let mut rendered = Vec::new();
    let mut rendered_dirs: Vec<PathBuf> = Vec::new();
    // The `Chart.yaml`s that are no longer linted as files.
    let mut done: Vec<PathBuf> = Vec::new();
    for (path, name) in chart_files {
        let dir = path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if rendered_dirs.iter().any(|r| dir != r && dir.starts_with(r)) {
            done.push(path);
            continue;
        }
        let chart = Path::new(&name)
            .parent()
            .map(|p| p.display().to_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| ".".into());
        let config_path = if args.no_config {
            None
        } else {
            args.config.clone().or_else(|| find_config(dir))
        };
        let config = super::plan::effective_config(config_path.as_deref(), args)?;
        let version = config
            .kubernetes_version
            .as_deref()
            .and_then(kvet::schema::parse_version)
            .map(|v| format!("v{}.0", v.name));
        match render(&helm, &chart, &config.helm_values, version.as_deref()) {
            Ok(text) => {
                let file_name = |s: &str| {
                    if s.is_empty() {
                        format!("{chart}/<rendered>")
                    } else {
                        template_path(&chart, s)
                    }
                };
                match split_rendered(&text, &file_name) {
                    Some(split) => rendered.extend(split),
                    // Output without `# Source:` comments: one file.
                    None => rendered.push(SourceFile::from_text(format!("{chart}/<rendered>"), None, text)),
                }
                rendered_dirs.push(dir.to_path_buf());
                done.push(path);
            }
            Err(why) => eprintln!("kvet: warning: {why}; linting the chart's Chart.yaml only"),
        }
    }
    let kept = files.into_iter().filter(|(p, _)| !done.contains(p)).collect();
    Ok((kept, rendered))
}

/// Helm charts met while walking: a folder with a `Chart.yaml`. Its
/// values files, `values.schema.json`, `templates/`, packaged `charts/`,
/// chart-testing `ci/` values and helm-unittest `tests/` are not manifests; `Chart.yaml` itself is kept (it gets the
/// `helm-chart` note) and so are the chart's plain manifests (`crds/`).
#[derive(Default)]
pub(super) struct HelmCharts {
    /// Each folder's place relative to the chart around it, worked out
    /// once per folder (from its parent's): one lookup per file. By the
    /// folder's path as written, hashed as one string (a `Path` hashes
    /// component by component).
    place: kvet::hash::Map<std::ffi::OsString, ChartPlace>,
}

/// A folder's place relative to the nearest chart above it.
#[derive(Clone, Copy)]
enum ChartPlace {
    /// No `Chart.yaml` in it or above it.
    Outside,
    /// The chart folder itself.
    Root,
    /// Below a chart: whether under a folder whose files are chart sources.
    Below(bool),
}

impl HelmCharts {
    fn place(&mut self, folder: &Path) -> ChartPlace {
        if let Some(&p) = self.place.get(folder.as_os_str()) {
            return p;
        }
        let here = if folder.as_os_str().is_empty() {
            Path::new(".")
        } else {
            folder
        };
        let place = if here.join("Chart.yaml").is_file() {
            ChartPlace::Root
        } else {
            match folder.parent().filter(|_| !folder.as_os_str().is_empty()) {
                None => ChartPlace::Outside,
                Some(parent) => match self.place(parent) {
                    ChartPlace::Outside => ChartPlace::Outside,
                    // Templates, packaged subcharts, chart-testing values
                    // (`ci/`) and helm-unittest suites (`tests/`).
                    ChartPlace::Root => ChartPlace::Below(matches!(
                        folder.file_name().and_then(|c| c.to_str()),
                        Some("templates" | "charts" | "ci" | "tests")
                    )),
                    below => below,
                },
            }
        };
        self.place.insert(folder.as_os_str().to_owned(), place);
        place
    }

    pub(super) fn is_chart_source(&mut self, path: &Path) -> bool {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            return false;
        };
        let Some(folder) = path.parent() else {
            return false;
        };
        match self.place(folder) {
            ChartPlace::Outside => false,
            // Directly in the chart folder.
            ChartPlace::Root => {
                (name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml")))
                    || name == "values.schema.json"
            }
            ChartPlace::Below(source) => source,
        }
    }
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
