//! `kvet check --shard I/N`: one of N deterministic parts of a run, for a
//! repository that outgrows one CI runner. Every shard sees the same inputs
//! and splits them the same way, so the N shards together lint every file
//! exactly once; `kvet merge` joins their JSON reports.
//!
//! What stays together: the files of one folder (the unit cross-object
//! rules mostly relate), and every kustomization with all the files it
//! reads (its root is rendered whole in one shard). Units are assigned
//! largest first to the least loaded shard (by bytes), ties broken by the
//! unit's first file name, so the split depends only on the inputs' names
//! and sizes, not on the machine or the order the walk found them in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use kvet::render::kustomize::{KUSTOMIZATION_FILES, Options, render};
use kvet::source::Input;

/// `I/N`, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

/// Parses `--shard I/N` (clap value parser).
pub fn parse(s: &str) -> Result<Shard, String> {
    let bad = || format!("`{s}` is not I/N with 1 <= I <= N (e.g. 2/4)");
    let (i, n) = s.split_once('/').ok_or_else(bad)?;
    let index: usize = i.trim().parse().map_err(|_| bad())?;
    let count: usize = n.trim().parse().map_err(|_| bad())?;
    if index == 0 || count == 0 || index > count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        // The smaller index is the root: deterministic.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi] = lo;
    }
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

fn folder(p: &Path) -> PathBuf {
    canonical(
        p.parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new(".")),
    )
}

/// The shard (0-based) of each file input, given the files' names, paths,
/// sizes and, for each kustomization among them, the files it reads.
pub fn assign(files: &[(String, PathBuf, u64)], reads: &[(usize, Vec<PathBuf>)], count: usize) -> Vec<usize> {
    let mut parent: Vec<usize> = (0..files.len()).collect();
    let mut by_folder: HashMap<PathBuf, usize> = HashMap::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for (i, (_, path, _)) in files.iter().enumerate() {
        by_path.insert(canonical(path), i);
        match by_folder.get(&folder(path)) {
            Some(&first) => union(&mut parent, first, i),
            None => {
                by_folder.insert(folder(path), i);
            }
        }
    }
    for (k, used) in reads {
        for u in used {
            if let Some(&j) = by_path.get(u) {
                union(&mut parent, *k, j);
            }
        }
    }
    // Units: (bytes, first name, members).
    let mut units: HashMap<usize, (u64, &str, Vec<usize>)> = HashMap::new();
    for (i, (name, _, size)) in files.iter().enumerate() {
        let u = units
            .entry(find(&mut parent, i))
            .or_insert((0, name.as_str(), Vec::new()));
        u.0 += size;
        u.1 = u.1.min(name.as_str());
        u.2.push(i);
    }
    let mut units: Vec<(u64, &str, Vec<usize>)> = units.into_values().collect();
    units.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut load = vec![0u64; count];
    let mut out = vec![0; files.len()];
    for (bytes, _, members) in units {
        let (shard, _) = load.iter().enumerate().min_by_key(|&(i, l)| (*l, i)).unwrap_or((0, &0));
        load[shard] += bytes.max(1);
        for m in members {
            out[m] = shard;
        }
    }
    out
}

/// Keeps the inputs of `shard`. Standard input belongs to the first shard.
pub fn retain(inputs: &mut Vec<Input>, shard: Shard) {
    let files: Vec<(String, PathBuf, u64)> = inputs
        .iter()
        .filter_map(|i| match i {
            Input::File { path, name } => Some((
                name.clone(),
                path.clone(),
                std::fs::metadata(path).map(|m| m.len()).unwrap_or(0),
            )),
            Input::Stdin => None,
        })
        .collect();
    let cwd = std::env::current_dir().ok().map(|c| canonical(&c));
    let reads: Vec<(usize, Vec<PathBuf>)> = files
        .par_iter()
        .enumerate()
        .filter(|(_, (_, p, _))| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| KUSTOMIZATION_FILES.contains(&n))
        })
        .map(|(i, (_, p, _))| {
            let dir = folder(p);
            let repository = cwd.clone().filter(|c| dir.starts_with(c));
            (
                i,
                render(
                    &dir,
                    &Options {
                        repository,
                        ..Options::default()
                    },
                )
                .used,
            )
        })
        .collect();
    let mine = assign(&files, &reads, shard.count);
    let mut next = mine.iter();
    inputs.retain(|i| match i {
        Input::Stdin => shard.index == 1,
        Input::File { .. } => next.next().is_some_and(|&s| s + 1 == shard.index),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, size: u64) -> (String, PathBuf, u64) {
        (name.to_string(), PathBuf::from(format!("/nonexistent/{name}")), size)
    }

    #[test]
    fn parses_i_of_n() {
        assert_eq!(parse("2/4"), Ok(Shard { index: 2, count: 4 }));
        for bad in ["0/4", "5/4", "1/0", "a/b", "3", "1/2/3"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn folders_and_kustomizations_stay_together_and_loads_balance() {
        let files = vec![
            file("a/x.yaml", 100),
            file("a/y.yaml", 100),
            file("b/x.yaml", 150),
            file("c/kustomization.yaml", 10),
            file("base/d.yaml", 40),
            file("e/x.yaml", 60),
        ];
        let reads = vec![(3, vec![PathBuf::from("/nonexistent/base/d.yaml")])];
        let s = assign(&files, &reads, 2);
        assert_eq!(s[0], s[1], "one folder, one shard");
        assert_eq!(s[3], s[4], "a kustomization and what it reads");
        // a/ (200) first, then b/ (150) to the other shard, then e/ (60)
        // and c+base (50) to the lighter one.
        assert_ne!(s[0], s[2]);
        assert_eq!(s[2], s[5]);
        // The order of the inputs does not change the split.
        let mut rev = files.clone();
        rev.reverse();
        let r = assign(&rev, &[(2, vec![PathBuf::from("/nonexistent/base/d.yaml")])], 2);
        for i in 0..files.len() {
            assert_eq!(s[i], r[files.len() - 1 - i]);
        }
    }
}
