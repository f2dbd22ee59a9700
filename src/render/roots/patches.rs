//! The strategic-merge patch files a kustomization names, checked as
//! partial objects of their target.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::canonical;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::kustomize_lint::{PatchFormat, PatchSource, PatchTarget, check_fragment, patches};
use crate::rules::Registry;
use crate::source::SourceFile;
use crate::yaml::{Limits, parse_source};

/// Validates the strategic-merge patch files a kustomization names as
/// partial objects of their target's kind: unknown fields, wrong types and
/// values, removed apiVersions; never missing required fields.
pub(super) fn check_patches(
    sources: &[SourceFile],
    kid: u32,
    dir: &Path,
    by_path: &HashMap<PathBuf, u32>,
    done: &mut HashSet<u32>,
    config: &Config,
    registry: &Registry,
) -> (Vec<Diagnostic>, Vec<u32>) {
    let k = &sources[kid as usize];
    let stream = parse_source(&k.text, k.looks_like_json(), Limits::default());
    let Some(root) = stream.documents.first().and_then(|d| d.root.as_ref()) else {
        return (Vec::new(), Vec::new());
    };
    let mut out = Vec::new();
    let mut checked = Vec::new();
    for p in patches(root) {
        if p.format == PatchFormat::Json6902 {
            continue;
        }
        let PatchSource::File { path, .. } = p.source else {
            continue;
        };
        let Some(&pid) = by_path.get(&canonical(&dir.join(path))) else {
            continue;
        };
        if !done.insert(pid) {
            continue;
        }
        let f = &sources[pid as usize];
        let patch = parse_source(&f.text, f.looks_like_json(), Limits::default());
        // A patch that does not parse keeps its raw findings (the syntax
        // error); one that does is checked here instead.
        if !patch.diagnostics.iter().any(|d| d.rule != "yaml-duplicate-key") {
            checked.push(pid);
        }
        for doc in patch
            .documents
            .iter()
            .filter_map(|d| d.root.as_ref())
            .filter(|n| n.is_map())
        {
            let own = PatchTarget::of_patch_document(doc);
            let av = own
                .as_ref()
                .and_then(PatchTarget::api_version)
                .or_else(|| p.target.as_ref().and_then(PatchTarget::api_version));
            let kind = own
                .and_then(|t| t.kind)
                .or_else(|| p.target.as_ref().and_then(|t| t.kind.clone()));
            if let (Some(av), Some(kind)) = (av, kind) {
                out.extend(check_fragment(f, pid, doc, &av, &kind, config, registry));
            }
        }
    }
    (out, checked)
}
