//! Decoder for `schemas/k8s-api.bin.zst` (format: `schemas/README.md`,
//! writer: `xtask/src/schemas/encode.rs`).

use std::io::Read;

use super::{Field, ObjectType, Type, TypeId};

const MAGIC: &[u8; 8] = b"KVETAPI1";

/// One version's kinds as stored: `(apiVersion, kind, type)`, sorted.
pub(super) struct RawVersion {
    pub name: &'static str,
    pub approximate: bool,
    pub source: &'static str,
    pub kinds: Vec<(&'static str, &'static str, TypeId)>,
}

/// Everything in the blob: the deduplicated types of all versions, and
/// each version's served kinds.
pub(super) struct Catalog {
    pub types: Vec<Type>,
    pub versions: Vec<RawVersion>,
}

/// Reads an unsigned LEB128 number at `*pos` (the encoding of every
/// number in the embedded schemas and the CRD catalog), moving `*pos` past it.
pub(crate) fn read_varint(buf: &[u8], pos: &mut usize, end_of_data: &str) -> Result<u64, String> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or(end_of_data)?;
        *pos += 1;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("varint too long".into())
}

/// The `n` bytes at `*pos`, moving `*pos` past them.
pub(crate) fn read_bytes<'b>(buf: &'b [u8], pos: &mut usize, n: usize, end_of_data: &str) -> Result<&'b [u8], String> {
    let end = pos.checked_add(n).filter(|&e| e <= buf.len()).ok_or(end_of_data)?;
    let s = &buf[*pos..end];
    *pos = end;
    Ok(s)
}

struct Reader {
    buf: &'static [u8],
    pos: usize,
}

impl Reader {
    fn byte(&mut self) -> Result<u8, String> {
        let b = *self.buf.get(self.pos).ok_or("unexpected end of data")?;
        self.pos += 1;
        Ok(b)
    }

    fn varint(&mut self) -> Result<u64, String> {
        read_varint(self.buf, &mut self.pos, "unexpected end of data")
    }

    fn index(&mut self, len: usize, what: &str) -> Result<usize, String> {
        let v = self.varint()?;
        usize::try_from(v)
            .ok()
            .filter(|&i| i < len)
            .ok_or_else(|| format!("{what} index {v} out of range ({len})"))
    }

    fn bytes(&mut self, n: usize) -> Result<&'static [u8], String> {
        read_bytes(self.buf, &mut self.pos, n, "unexpected end of data")
    }
}

/// Decompresses and decodes the blob. The decompressed bytes are leaked:
/// they live as long as the process, like the static data they come from,
/// so names can be `&'static str` without copies.
pub(super) fn decode(compressed: &[u8]) -> Result<Catalog, String> {
    let mut raw = Vec::with_capacity(compressed.len() * 3);
    ruzstd::decoding::StreamingDecoder::new(compressed)
        .map_err(|e| format!("bad zstd frame: {e}"))?
        .read_to_end(&mut raw)
        .map_err(|e| format!("zstd: {e}"))?;
    let buf: &'static [u8] = Box::leak(raw.into_boxed_slice());
    let mut r = Reader { buf, pos: 0 };
    if r.bytes(MAGIC.len())? != MAGIC {
        return Err("bad magic".into());
    }

    let n_strings = r.varint()? as usize;
    let mut strings: Vec<&'static str> = Vec::with_capacity(n_strings);
    for _ in 0..n_strings {
        let len = r.varint()? as usize;
        let s = std::str::from_utf8(r.bytes(len)?).map_err(|e| format!("bad string: {e}"))?;
        strings.push(s);
    }
    let ns = strings.len();
    let string = |r: &mut Reader| -> Result<&'static str, String> { Ok(strings[r.index(ns, "string")?]) };
    let opt_string = |r: &mut Reader| -> Result<Option<&'static str>, String> {
        match r.varint()? {
            0 => Ok(None),
            v => strings
                .get((v - 1) as usize)
                .copied()
                .map(Some)
                .ok_or_else(|| format!("string index {v} out of range")),
        }
    };

    let n_types = r.varint()? as usize;
    let ty = |r: &mut Reader| -> Result<TypeId, String> { Ok(TypeId(r.index(n_types, "type")? as u32)) };
    let mut types = Vec::with_capacity(n_types);
    for _ in 0..n_types {
        let t = match r.byte()? {
            0 => {
                let name = opt_string(&mut r)?;
                let n = r.varint()? as usize;
                let mut fields = Vec::with_capacity(n);
                for _ in 0..n {
                    let name = string(&mut r)?;
                    let ty = ty(&mut r)?;
                    let flags = r.byte()?;
                    let deprecated = if flags & 2 != 0 { Some(string(&mut r)?) } else { None };
                    fields.push(Field {
                        name,
                        ty,
                        required: flags & 1 != 0,
                        deprecated,
                    });
                }
                // Sorted by the writer; make sure, since lookups rely on it.
                if !fields.windows(2).all(|w| w[0].name < w[1].name) {
                    fields.sort_by(|a, b| a.name.cmp(b.name));
                }
                Type::Object(ObjectType {
                    name,
                    fields: fields.into_boxed_slice(),
                })
            }
            1 => Type::Array(ty(&mut r)?),
            2 => Type::Map(ty(&mut r)?),
            3 => {
                let n = r.varint()? as usize;
                let mut enums = Vec::with_capacity(n);
                for _ in 0..n {
                    enums.push(string(&mut r)?);
                }
                let format = opt_string(&mut r)?;
                Type::String {
                    enums: (!enums.is_empty()).then(|| enums.into_boxed_slice()),
                    format,
                }
            }
            4 => Type::Integer,
            5 => Type::Number,
            6 => Type::Boolean,
            7 => Type::IntOrString,
            8 => Type::Quantity,
            9 => Type::Any,
            t => return Err(format!("unknown type tag {t}")),
        };
        types.push(t);
    }

    let n_versions = r.varint()? as usize;
    let mut versions = Vec::with_capacity(n_versions);
    for _ in 0..n_versions {
        let name = string(&mut r)?;
        let approximate = r.byte()? != 0;
        let source = string(&mut r)?;
        let n = r.varint()? as usize;
        let mut kinds = Vec::with_capacity(n);
        for _ in 0..n {
            let av = string(&mut r)?;
            let kind = string(&mut r)?;
            kinds.push((av, kind, ty(&mut r)?));
        }
        kinds.sort_unstable();
        versions.push(RawVersion {
            name,
            approximate,
            source,
            kinds,
        });
    }
    if r.pos != buf.len() {
        return Err(format!("{} trailing bytes", buf.len() - r.pos));
    }
    Ok(Catalog { types, versions })
}
