//! Reading the embedded catalog: its index (projects, kinds and where each
//! kind's compressed chunk lies) on first use, and a kind's chunk
//! decompressed and decoded when the kind is first needed.

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

use super::{BLOB, MAGIC};
use crate::schema::crd::{KindDef, Origin, codec};

/// Gateway API's release channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Standard,
    Experimental,
}

impl Channel {
    fn tag(self) -> u8 {
        match self {
            Channel::Standard => 1,
            Channel::Experimental => 2,
        }
    }
}

fn channel_name(tag: u8) -> Option<&'static str> {
    match tag {
        1 => Some("standard"),
        2 => Some("experimental"),
        _ => None,
    }
}

/// One project of the embedded catalog.
#[derive(Debug)]
pub struct Project {
    /// Folder name, e.g. `cert-manager`.
    pub name: &'static str,
    /// Release the CRDs were taken from, e.g. `v1.21.1`.
    pub version: &'static str,
    pub license: &'static str,
    /// Upstream repository, `owner/name`.
    pub repository: &'static str,
    /// Custom resource kinds (both Gateway API channels counted once).
    pub kinds: usize,
}

#[derive(Debug)]
struct Entry {
    group: &'static str,
    kind: &'static str,
    project: usize,
    /// 0: any; 1: Gateway API standard channel; 2: experimental.
    channel: u8,
    chunk: &'static [u8],
}

#[derive(Debug)]
struct Embedded {
    projects: Vec<Project>,
    /// Sorted by (group, kind, channel).
    entries: Vec<Entry>,
    decoded: Vec<OnceLock<Option<KindDef>>>,
}

struct Reader<'b> {
    buf: &'b [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or("unexpected end of the catalog")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<usize, String> {
        let v = crate::schema::decode::read_varint(self.buf, &mut self.pos, "unexpected end of the catalog")?;
        usize::try_from(v).map_err(|_| "number too large".to_string())
    }

    fn bytes(&mut self, n: usize) -> Result<&'b [u8], String> {
        crate::schema::decode::read_bytes(self.buf, &mut self.pos, n, "unexpected end of the catalog")
    }

    fn str(&mut self) -> Result<&'b str, String> {
        let n = self.varint()?;
        std::str::from_utf8(self.bytes(n)?).map_err(|e| format!("bad string: {e}"))
    }
}

fn read_index(blob: &'static [u8]) -> Result<Embedded, String> {
    let mut r = Reader { buf: blob, pos: 0 };
    if r.bytes(MAGIC.len())? != MAGIC {
        return Err("bad magic".into());
    }
    let n = r.varint()?;
    let mut projects = Vec::with_capacity(n.min(1024));
    for _ in 0..n {
        projects.push(Project {
            name: r.str()?,
            version: r.str()?,
            license: r.str()?,
            repository: r.str()?,
            kinds: 0,
        });
    }
    let n = r.varint()?;
    let mut spans = Vec::with_capacity(n.min(1 << 16));
    for _ in 0..n {
        let group = r.str()?;
        let kind = r.str()?;
        let project = r.varint()?;
        if project >= projects.len() {
            return Err(format!("project index {project} out of range"));
        }
        let channel = r.byte()?;
        let len = r.varint()?;
        spans.push((group, kind, project, channel, len));
    }
    let mut entries = Vec::with_capacity(spans.len());
    let mut counted: HashSet<(&str, &str)> = HashSet::new();
    for (group, kind, project, channel, len) in spans {
        let chunk = r.bytes(len)?;
        if counted.insert((group, kind)) {
            projects[project].kinds += 1;
        }
        entries.push(Entry {
            group,
            kind,
            project,
            channel,
            chunk,
        });
    }
    if r.pos != blob.len() {
        return Err(format!("{} trailing bytes", blob.len() - r.pos));
    }
    entries.sort_by(|a, b| (a.group, a.kind, a.channel).cmp(&(b.group, b.kind, b.channel)));
    let decoded = entries.iter().map(|_| OnceLock::new()).collect();
    Ok(Embedded {
        projects,
        entries,
        decoded,
    })
}

fn embedded() -> Result<&'static Embedded, &'static str> {
    static LOADED: OnceLock<Result<Embedded, String>> = OnceLock::new();
    LOADED.get_or_init(|| read_index(BLOB)).as_ref().map_err(String::as_str)
}

/// Why the embedded catalog cannot be read (a build problem), if it cannot.
pub fn load_error() -> Option<&'static str> {
    embedded().err()
}

/// The projects of the embedded catalog, in catalog order.
pub fn projects() -> &'static [Project] {
    embedded().map(|e| &e.projects[..]).unwrap_or(&[])
}

fn decompress(chunk: &[u8]) -> Result<Vec<u8>, String> {
    let mut raw = Vec::with_capacity(chunk.len() * 4);
    ruzstd::decoding::StreamingDecoder::new(chunk)
        .map_err(|e| format!("bad zstd frame: {e}"))?
        .read_to_end(&mut raw)
        .map_err(|e| format!("zstd: {e}"))?;
    Ok(raw)
}

/// The embedded definition of `group` `kind`, decoded on first use. For a
/// Gateway API kind, the entry of `channel`; a kind only the experimental
/// channel has is used with the standard channel too (its resources need
/// the experimental CRDs installed anyway).
pub(in crate::schema::crd) fn embedded_kind(group: &str, kind: &str, channel: Channel) -> Option<&'static KindDef> {
    let e = embedded().ok()?;
    let start = e.entries.partition_point(|x| (x.group, x.kind) < (group, kind));
    let same = e.entries[start..]
        .iter()
        .take_while(|x| x.group == group && x.kind == kind)
        .count();
    if same == 0 {
        return None;
    }
    let candidates = start..start + same;
    let i = candidates
        .clone()
        .find(|&i| e.entries[i].channel == 0 || e.entries[i].channel == channel.tag())
        .unwrap_or(candidates.start);
    let entry = &e.entries[i];
    e.decoded[i]
        .get_or_init(|| {
            let project = &e.projects[entry.project];
            let origin = Origin::Embedded {
                project: project.name,
                version: project.version,
                channel: channel_name(entry.channel),
            };
            let raw = decompress(entry.chunk).ok()?;
            codec::decode_kind(&raw, entry.group, entry.kind, origin).ok()
        })
        .as_ref()
}

/// How many kinds of the embedded catalog this process has decoded so far
/// (kinds are decoded on first use only).
pub fn decoded_kinds() -> usize {
    embedded().map_or(0, |e| e.decoded.iter().filter(|c| c.get().is_some()).count())
}

/// Every kind of the embedded catalog: `(project, group, kind, channel)`.
pub fn embedded_kinds() -> impl Iterator<Item = (&'static str, &'static str, &'static str, Option<&'static str>)> {
    embedded().into_iter().flat_map(|e| {
        e.entries
            .iter()
            .map(|x| (e.projects[x.project].name, x.group, x.kind, channel_name(x.channel)))
    })
}

/// Decodes every kind of the embedded catalog (for tests and the
/// generator's check): the number decoded and the errors.
pub fn decode_all() -> (usize, Vec<String>) {
    let Ok(e) = embedded() else {
        return (0, vec!["the embedded catalog cannot be read".into()]);
    };
    let mut errors = Vec::new();
    for x in &e.entries {
        let decoded = decompress(x.chunk).and_then(|raw| {
            codec::decode_kind(
                &raw,
                x.group,
                x.kind,
                Origin::Run(String::new()), // not kept
            )
        });
        if let Err(err) = decoded {
            errors.push(format!("{} {}: {err}", x.group, x.kind));
        }
    }
    (e.entries.len(), errors)
}
