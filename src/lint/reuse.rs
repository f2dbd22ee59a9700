//! A lint that reads unchanged files back from the cache of unchanged
//! files ([`crate::filecache`]) instead of parsing and checking them again.

use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::model::{DocObjects, doc_objects};
use crate::rules::{self, Registry};
use crate::source::{FileId, SourceFile};
use crate::yaml::Stream;

use super::{LintOutput, LintProgress, Loaded, lint_inner, parse_file};

/// What a run takes from the cache of unchanged files ([`crate::filecache`]).
pub struct Reuse<'c> {
    pub cache: &'c crate::filecache::FileCache,
    /// Each source's key ([`crate::filecache::Key::of`]).
    pub keys: &'c [crate::filecache::Key],
    /// Whether these are the last inputs the cache serves in this run:
    /// the previous pack is freed once they are read.
    pub last: bool,
}

/// [`super::lint_with_progress`] with the cache of unchanged files: a file whose
/// entry is found is read back instead of parsed, and its objects' own
/// findings are taken from it; every file's entry is written to the new
/// pack as the run goes. The findings are those of a run without it
/// (`tests/cache.rs`).
pub fn lint_reusing(
    sources: &[SourceFile],
    config: &Config,
    registry: &Registry,
    progress: &dyn LintProgress,
    exiting: bool,
    reuse: &Reuse<'_>,
) -> LintOutput {
    let keys = reuse.keys;
    // The objects' own findings, read back for the files found and
    // written out for every file (the memo hands them to the pack).
    let cacheable: Vec<bool> = sources.iter().map(|s| s.load_error.is_none()).collect();
    let recorder = reuse.cache.recorder();
    let sink_keys = keys.to_vec();
    let memo = Arc::new(crate::memo::ObjectMemo::persisting(Box::new(
        move |file: FileId, record: &crate::memo::Record| {
            if cacheable.get(file as usize) == Some(&true)
                && let Some(key) = sink_keys.get(file as usize)
            {
                recorder.put(*key, record);
            }
        },
    )));
    let active = rules::active(registry, config);
    let schemas = crate::schema::crd::SchemaCache::default();
    let (streams, early): (Vec<Stream>, Vec<crate::compact::Early>) = sources
        .par_iter()
        .zip(keys)
        .enumerate()
        .map(|(fid, (s, key))| {
            let entry = if s.load_error.is_none() {
                reuse.cache.reuse(*key, &s.name)
            } else {
                None
            };
            let (stream, early) = match entry {
                Some(e) => {
                    memo.import(fid as FileId, e.records);
                    (e.stream, e.early)
                }
                None => {
                    let mut stream = parse_file(s);
                    let early =
                        crate::compact::file(fid as FileId, sources, &mut stream, config, registry, &active, &schemas);
                    if s.load_error.is_none() {
                        reuse.cache.put(*key, &stream, &early);
                    }
                    (stream, early)
                }
            };
            progress.parsed();
            (stream, early)
        })
        .unzip();
    if reuse.last {
        reuse.cache.release();
    }
    crate::timings::phase("parsed or read back (and checked CRDs)");
    let mut loaded = Loaded { streams, early };
    crate::compact::release_unused(&loaded.streams, &mut loaded.early);
    if let Some(digest) = crd_digest(&loaded.streams, keys, config) {
        memo.set_crds(digest);
    }
    let out = lint_inner(sources, &loaded, None, Some(&memo), config, registry, exiting, progress);
    if exiting {
        std::mem::forget(loaded);
    }
    out
}

/// A digest of everything the run's CRDs come from, which custom
/// resources' findings depend on ([`crate::memo::ObjectMemo::set_crds`]):
/// the keys (name, path, text and configuration) of the files that hold a
/// CustomResourceDefinition, in order; the embedded catalog is the binary's,
/// which names the cache. `None` when the configuration names CRD files or
/// folders of its own (`crds:`, `--crd`): they are read anew by each run,
/// and their texts are not digested.
fn crd_digest(streams: &[Stream], keys: &[crate::filecache::Key], config: &Config) -> Option<u64> {
    if !config.crds.is_empty() {
        return None;
    }
    let holds_crd = |stream: &Stream| {
        stream.documents.iter().any(|doc| match doc_objects(doc) {
            DocObjects::Objects(items) => items.iter().any(|(_, node)| {
                node.get("kind").and_then(crate::yaml::Node::as_str) == Some("CustomResourceDefinition")
            }),
            _ => false,
        })
    };
    let mut parts = Vec::new();
    for (stream, key) in streams.iter().zip(keys) {
        if holds_crd(stream) {
            key.put(&mut parts);
        }
    }
    Some(crate::filecache::TextDigest::of_bytes(&parts).0)
}
