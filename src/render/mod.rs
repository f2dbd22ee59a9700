//! The render stage: kustomization roots built in-process, every rendered
//! node keeping the span where its value was written.
//!
//! Spans of rendered nodes live in one virtual address space per render: each
//! file read for a root gets a base offset (like a compiler's source map), so
//! [`crate::yaml::Node`] keeps its plain `Span` and [`SourceMap::locate`]
//! maps a span back to a file and a local byte range.

pub mod kustomize;
pub mod roots;

use std::path::{Path, PathBuf};

use crate::yaml::Span;

/// One file of a render, placed at `base` in the virtual address space.
#[derive(Debug, Clone)]
pub struct MappedFile {
    pub base: u32,
    pub path: PathBuf,
    pub text: String,
}

/// The files of one render, ordered by base offset.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<MappedFile>,
    next: u32,
}

impl SourceMap {
    /// Places a file after the previous ones; returns its base, or `None`
    /// when the address space (4 GiB) is exhausted.
    pub fn add(&mut self, path: &Path, text: String) -> Option<u32> {
        let base = self.next;
        let len = u32::try_from(text.len()).ok()?;
        self.next = base.checked_add(len)?.checked_add(1)?;
        self.files.push(MappedFile {
            base,
            path: path.to_path_buf(),
            text,
        });
        Some(base)
    }

    pub fn files(&self) -> &[MappedFile] {
        &self.files
    }

    /// The file holding virtual offset `offset`.
    pub fn file_at(&self, offset: u32) -> Option<&MappedFile> {
        let i = self.files.partition_point(|f| f.base <= offset).checked_sub(1)?;
        let f = &self.files[i];
        (offset <= f.base + f.text.len() as u32).then_some(f)
    }

    /// A virtual span as (file, local span).
    pub fn locate(&self, span: Span) -> Option<(&MappedFile, Span)> {
        let f = self.file_at(span.start)?;
        let end = span.end.clamp(span.start, f.base + f.text.len() as u32);
        Some((f, Span::new(span.start - f.base, end - f.base)))
    }

    /// 1-based line of a virtual offset, with its file.
    pub fn line_of(&self, offset: u32) -> Option<(&MappedFile, usize)> {
        let f = self.file_at(offset)?;
        let local = (offset - f.base) as usize;
        let line = f.text.as_bytes()[..local.min(f.text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        Some((f, line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_maps_back_to_files() {
        let mut m = SourceMap::default();
        let a = m.add(Path::new("a.yaml"), "abc\ndef".into()).unwrap_or(0);
        let b = m.add(Path::new("b.yaml"), "xyz".into()).unwrap_or(0);
        assert_eq!(a, 0);
        assert_eq!(b, 8);
        let (f, s) = m.locate(Span::new(9, 10)).expect("in b");
        assert_eq!(f.path, Path::new("b.yaml"));
        assert_eq!(s, Span::new(1, 2));
        let (f, line) = m.line_of(5).expect("in a");
        assert_eq!((f.path.as_path(), line), (Path::new("a.yaml"), 2));
    }
}
