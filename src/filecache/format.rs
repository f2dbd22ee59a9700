//! The byte layout of a pack: its entries' headers, and the compact-load
//! and memo-record parts of a file's entry (its documents are
//! [`crate::codec`]'s streams).

use crate::hash::Map;
use std::fs::File;
use std::sync::Arc;

use super::{EARLY, Key, MAGIC, MAX_HEADER, RECORD, STREAM, Slot};
use crate::codec::{Reader, Writer};
use crate::compact::Early;
use crate::diagnostic::ObjectMeta;
use crate::memo::{Pass, Record};
use crate::schema::crd::{CompiledCrd, DecodedCrds, Encoded};

/// A compact load's findings, CRDs and placeholders; the findings' object
/// is one of the CRDs' (by index) or written out.
pub(super) fn write_early(early: &Early, encoded: &Encoded) -> Vec<u8> {
    let mut w = Writer::new();
    let metas: Vec<&Arc<ObjectMeta>> = early.objects.iter().map(|(_, _, m)| m).collect();
    w.seq(&early.objects, |w, (start, compiled, meta)| {
        w.u32(*start);
        w.opt(compiled.as_ref(), |w, c| {
            let (group, kind) = c.defines();
            w.str(group);
            w.str(kind);
            w.bytes(&c.encode_once(encoded));
        });
        w.meta(meta);
    });
    w.seq(&early.findings, |w, d| {
        w.diagnostic(d, &|w, m| match metas.iter().position(|x| Arc::ptr_eq(x, m)) {
            Some(i) => w.u32(i as u32),
            None => {
                w.u32(u32::MAX);
                w.meta(m);
            }
        })
    });
    w.seq(&early.placeholders, |w, (span, text)| {
        w.span(*span);
        w.str(text);
    });
    w.buf
}

pub(super) fn read_early(bytes: &[u8], file: &str, crds: &DecodedCrds) -> Option<Early> {
    let mut r = Reader::new(bytes);
    let objects = r.seq(|r| {
        let start = r.u32()?;
        let compiled = r.opt(|r| {
            let (group, kind) = (r.str()?, r.str()?);
            CompiledCrd::decode(r.bytes()?, group, kind, file, crds)
        })?;
        Some((start, compiled, Arc::new(r.meta()?)))
    })?;
    let findings = r.seq(|r| {
        r.diagnostic(&|r| match r.u32()? {
            u32::MAX => r.meta().map(Arc::new),
            i => objects.get(i as usize).map(|(_, _, m)| Arc::clone(m)),
        })
    })?;
    let placeholders = r.seq(|r| Some((r.span()?, r.string()?)))?;
    r.is_empty().then_some(Early {
        findings,
        objects,
        placeholders,
    })
}

pub(super) fn read_record(bytes: &[u8]) -> Option<Record> {
    let mut r = Reader::new(bytes);
    let pass = Pass::from_u8(r.u8()?)?;
    let item = r.u8()? == 1;
    let base = r.u32()?;
    let len = r.u32()?;
    let dep = r.u64()?;
    let diags = r.seq(|r| r.diagnostic(&|_| Some(placeholder_meta())))?;
    r.is_empty().then_some(Record {
        pass,
        item,
        base,
        len,
        dep,
        diags,
    })
}

pub(super) fn write_record(record: &Record) -> Vec<u8> {
    let mut w = Writer::new();
    w.u8(record.pass as u8);
    w.u8(u8::from(record.item));
    w.u32(record.base);
    w.u32(record.len);
    w.u64(record.dep);
    w.seq(&record.diags, |w, d| w.diagnostic(d, &|_, _| {}));
    w.buf
}

/// `len` bytes of `file` from `start` (positioned reads: threads share the
/// file).
pub(super) fn read_at(file: &File, start: u64, len: u64) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; usize::try_from(len).ok()?];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut buf, start).ok()?;
    }
    #[cfg(windows)]
    {
        use std::os::windows::fs::FileExt;
        let mut done = 0;
        while done < buf.len() {
            match file.seek_read(&mut buf[done..], start + done as u64) {
                Ok(0) | Err(_) => return None,
                Ok(n) => done += n,
            }
        }
    }
    #[cfg(not(any(unix, windows)))]
    {
        let _ = (file, start);
        return None;
    }
    Some(buf)
}

/// Where each file's parts are in a pack, read through its headers only,
/// up to its last whole entry (a pack cut short keeps what it has).
pub(super) fn read_index(file: &File, check: u64) -> Option<Map<Key, Slot>> {
    use std::io::{BufReader, Read};
    let size = file.metadata().ok()?.len();
    let mut r = BufReader::with_capacity(1 << 16, file);
    let mut head = vec![0u8; MAGIC.len() + 8];
    r.read_exact(&mut head).ok()?;
    if head[..MAGIC.len()] != *MAGIC || head[MAGIC.len()..] != check.to_le_bytes() {
        return None;
    }
    let mut at = head.len() as u64;
    let mut index: Map<Key, Slot> = Map::default();
    let mut header = Vec::with_capacity(MAX_HEADER as usize);
    loop {
        // A header: 3 fixed 64-bit words, kind, age, a varint length.
        header.clear();
        let mut fixed = [0u8; 26];
        if r.read_exact(&mut fixed).is_err() {
            break;
        }
        header.extend_from_slice(&fixed);
        let mut len = 0u64;
        let mut done = false;
        for shift in (0..64).step_by(7) {
            let mut b = [0u8; 1];
            if r.read_exact(&mut b).is_err() {
                break;
            }
            header.push(b[0]);
            len |= u64::from(b[0] & 0x7f) << shift;
            if b[0] & 0x80 == 0 {
                done = true;
                break;
            }
        }
        let start = at + header.len() as u64;
        let Some(end) = start.checked_add(len).filter(|e| done && *e <= size) else {
            break;
        };
        let mut hr = Reader::new(&header);
        let (Some(k0), Some(k1), Some(k2), Some(kind), Some(age)) =
            (hr.fixed64(), hr.fixed64(), hr.fixed64(), hr.u8(), hr.u8())
        else {
            break;
        };
        let slot = index.entry(Key(k0, k1, k2)).or_default();
        slot.age = age;
        if matches!(kind, STREAM | EARLY | RECORD) {
            slot.parts.push((kind, start, end));
        }
        // Past the payload, without reading it.
        let skip = i64::try_from(len).ok()?;
        if r.seek_relative(skip).is_err() {
            break;
        }
        at = end;
    }
    Some(index)
}

/// The object a cached finding names: replaced by the object checked when
/// the memo hands the finding out.
fn placeholder_meta() -> std::sync::Arc<crate::diagnostic::ObjectMeta> {
    static META: std::sync::OnceLock<std::sync::Arc<crate::diagnostic::ObjectMeta>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(META.get_or_init(Default::default))
}
