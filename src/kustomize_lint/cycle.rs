//! Cycles between kustomizations: an entry of `resources`, `bases` or
//! `components` whose folder leads back, through the folders the
//! kustomizations on the way name, to the kustomization itself (Kustomize
//! fails to build it).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::refs::{is_remote, kustomization_in};
use crate::yaml::{Limits, Node, parse_source};

/// Folders visited at most, per entry (a bound for huge trees).
const MAX_VISITED: usize = 2000;

/// An entry that leads back to its own kustomization.
#[derive(Debug)]
pub struct Cycle<'a> {
    /// The entry's scalar.
    pub node: &'a Node,
    /// The entries followed, as written, from this one to the one that
    /// names this kustomization's folder again.
    pub chain: Vec<String>,
}

/// The folder entries (`resources`, `bases`, `components`) of a
/// kustomization: (node, path as written).
fn folder_entries(root: &Node) -> impl Iterator<Item = (&Node, &str)> {
    ["resources", "bases", "components"]
        .into_iter()
        .flat_map(|k| root.get(k).map(Node::items).unwrap_or(&[]))
        .filter_map(|n| n.as_str().map(|s| (n, s)))
        .filter(|(_, s)| !s.is_empty() && !is_remote(s))
}

/// The folders a kustomization folder's entries name, with the entry text.
fn children(dir: &Path) -> Vec<(PathBuf, String)> {
    let Some(file) = kustomization_in(dir) else {
        return Vec::new();
    };
    let Ok(text) = crate::deps::read_to_string(&file) else {
        return Vec::new();
    };
    let stream = parse_source(&text, false, Limits::default());
    let Some(root) = stream.documents.first().and_then(|d| d.root.as_ref()) else {
        return Vec::new();
    };
    folder_entries(root)
        .filter_map(|(_, s)| {
            let p = dir.join(s);
            crate::deps::is_dir(&p).then(|| (crate::deps::canonicalize(&p).unwrap_or(p), s.to_string()))
        })
        .collect()
}

/// The entries of the kustomization `root` (in folder `dir`) that lead
/// back to it.
pub fn cycles<'a>(dir: &Path, root: &'a Node) -> Vec<Cycle<'a>> {
    let Ok(home) = crate::deps::canonicalize(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (node, rel) in folder_entries(root) {
        let start = dir.join(rel);
        if !crate::deps::is_dir(&start) {
            continue;
        }
        let start = crate::deps::canonicalize(&start).unwrap_or(start);
        if let Some(chain) = path_back(&start, &home) {
            let mut full = vec![rel.to_string()];
            full.extend(chain);
            out.push(Cycle { node, chain: full });
        }
    }
    out
}

/// A folder on the search path: its children, the next to try, and the
/// entry that led to it.
type Frame = (Vec<(PathBuf, String)>, usize, String);

/// The entries followed from `from` to an entry naming `home`, depth first.
fn path_back(from: &Path, home: &Path) -> Option<Vec<String>> {
    if from == home {
        return Some(Vec::new());
    }
    let mut visited: HashSet<PathBuf> = HashSet::new();
    // (children of a folder, index of the next to try, entry that led there)
    let mut stack: Vec<Frame> = vec![(children(from), 0, String::new())];
    visited.insert(from.to_path_buf());
    while let Some((kids, next, _)) = stack.last_mut() {
        let Some((dir, text)) = kids.get(*next).cloned() else {
            stack.pop();
            continue;
        };
        *next += 1;
        if dir == home {
            let mut chain: Vec<String> = stack.iter().skip(1).map(|(_, _, t)| t.clone()).collect();
            chain.push(text);
            return Some(chain);
        }
        if visited.len() >= MAX_VISITED || !visited.insert(dir.clone()) {
            continue;
        }
        stack.push((children(&dir), 0, text));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse_yaml;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (p, t) in files {
            let p = dir.join(p);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("mkdir: {e}"));
            }
            std::fs::write(p, t).unwrap_or_else(|e| panic!("write: {e}"));
        }
    }

    fn chains(dir: &Path, text: &str) -> Vec<Vec<String>> {
        let st = parse_yaml(text, Limits::default());
        let root = st.documents[0].root.as_ref().unwrap_or_else(|| panic!("doc"));
        cycles(dir, root).into_iter().map(|c| c.chain).collect()
    }

    #[test]
    fn an_entry_that_leads_back_is_found_with_its_chain() {
        let t = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
        let a = "resources:\n- ../b\n- ../ok\n";
        write(
            t.path(),
            &[
                ("a/kustomization.yaml", a),
                ("b/kustomization.yaml", "resources:\n- ../c\n"),
                ("c/kustomization.yaml", "components:\n- ../a\n"),
                ("ok/kustomization.yaml", "resources: [cm.yaml]\n"),
            ],
        );
        assert_eq!(chains(&t.path().join("a"), a), vec![vec!["../b", "../c", "../a"]]);
        // The folder itself.
        assert_eq!(chains(&t.path().join("a"), "resources: [.]\n"), vec![vec!["."]]);
        // A cycle that does not pass through `ok` is not its own.
        write(
            t.path(),
            &[
                ("x/kustomization.yaml", "resources: [../y]\n"),
                ("y/kustomization.yaml", "resources: [../x]\n"),
            ],
        );
        assert!(chains(&t.path().join("ok"), "resources: [../x]\n").is_empty());
    }
}
