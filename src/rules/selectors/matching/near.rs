//! Whether one object is near another (the same namespace, or files in
//! related folders), and an index that answers it for a set of objects.

use crate::hash::Set;
use crate::model::Object;
use crate::source::SourceFile;

fn folder<'a>(sources: &'a [SourceFile], o: &Object) -> &'a str {
    let name = sources.get(o.file as usize).map_or("", |s| s.name.as_str());
    last_separator(name).map_or("", |i| &name[..i])
}

/// Where the last `/` or `\` of a path is (a byte search: a `char`
/// pattern's is several times slower, and this runs for every pair of
/// objects the cross-object rules relate).
fn last_separator(path: &str) -> Option<usize> {
    memchr::memrchr2(b'/', b'\\', path.as_bytes())
}

/// Whether folder `dir` is `other` or contains it.
pub(super) fn within(dir: &str, other: &str) -> bool {
    dir.is_empty()
        || (other.starts_with(dir) && (other.len() == dir.len() || other[dir.len()..].starts_with(['/', '\\'])))
}

/// Whether `other` tells something about what surrounds `near`, as evidence
/// that the run holds the objects `near` could refer to. Both name the same
/// namespace; or neither names one (each may be applied anywhere) and their
/// files share a folder or one's folder contains the other's; or only one
/// names a namespace and they share a folder. A folder of unrelated
/// examples is thus not one application, and a namespace-less example is
/// no evidence about a system namespace elsewhere.
pub(crate) fn nearby(sources: &[SourceFile], near: &Object, other: &Object) -> bool {
    match (near.namespace, other.namespace) {
        (Some(a), Some(b)) => a == b,
        _ if near.file == other.file => true,
        (None, None) => {
            let (a, b) = (folder(sources, near), folder(sources, other));
            within(a, b) || within(b, a)
        }
        _ => folder(sources, near) == folder(sources, other),
    }
}

/// Folders holding some objects, and every folder above them.
#[derive(Default)]
pub(super) struct Dirs<'s> {
    dirs: Set<&'s str>,
    above: Set<&'s str>,
}

impl<'s> Dirs<'s> {
    pub(super) fn add(&mut self, dir: &'s str) {
        if !self.dirs.insert(dir) {
            return;
        }
        let mut d = dir;
        while let Some(i) = last_separator(d) {
            d = &d[..i];
            if !self.above.insert(d) {
                break;
            }
        }
        if !dir.is_empty() {
            self.above.insert("");
        }
    }

    /// Whether some folder is `dir`, above it or below it.
    pub(super) fn related(&self, dir: &str) -> bool {
        if self.above.contains(dir) {
            return true;
        }
        let mut d = dir;
        loop {
            if self.dirs.contains(d) {
                return true;
            }
            match last_separator(d) {
                Some(i) => d = &d[..i],
                None => return self.dirs.contains(""),
            }
        }
    }
}

/// A set of objects (evidence, such as the run's Services), indexed to
/// answer "is one of them [`nearby`] this object?" without a scan.
pub(crate) struct NearbyIndex<'s> {
    sources: &'s [SourceFile],
    namespaces: Set<&'s str>,
    /// Folders of the objects without a namespace.
    open: Dirs<'s>,
    /// Folders of the objects with a namespace.
    named: Set<&'s str>,
}

impl<'s> NearbyIndex<'s> {
    pub fn new<'o>(sources: &'s [SourceFile], objects: impl IntoIterator<Item = &'o Object<'s>>) -> Self
    where
        's: 'o,
    {
        let mut idx = NearbyIndex {
            sources,
            namespaces: Set::default(),
            open: Dirs::default(),
            named: Set::default(),
        };
        for o in objects {
            let dir = folder(sources, o);
            match o.namespace {
                Some(ns) => {
                    idx.namespaces.insert(ns);
                    idx.named.insert(dir);
                }
                None => idx.open.add(dir),
            }
        }
        idx
    }

    /// Whether any of the objects is [`nearby`] `near`.
    pub fn any(&self, near: &Object) -> bool {
        let dir = folder(self.sources, near);
        match near.namespace {
            Some(ns) => self.namespaces.contains(ns) || self.open.dirs.contains(dir),
            None => self.open.related(dir) || self.named.contains(dir),
        }
    }
}
