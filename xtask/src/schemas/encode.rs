//! The embedded binary format (`schemas/k8s-api.bin.zst`), documented in
//! `schemas/README.md`. Read by `src/schema/decode.rs`.

use std::collections::{BTreeMap, BTreeSet};

use super::dedup::Dedup;
use super::ir::Shape;

pub const MAGIC: &[u8; 8] = b"KVETAPI1";

pub mod tag {
    pub const OBJECT: u8 = 0;
    pub const ARRAY: u8 = 1;
    pub const MAP: u8 = 2;
    pub const STRING: u8 = 3;
    pub const INTEGER: u8 = 4;
    pub const NUMBER: u8 = 5;
    pub const BOOLEAN: u8 = 6;
    pub const INT_OR_STRING: u8 = 7;
    pub const QUANTITY: u8 = 8;
    pub const ANY: u8 = 9;
}

pub struct VersionMeta<'a> {
    pub name: &'a str,
    pub approximate: bool,
    pub source: &'a str,
}

fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// Serializes (uncompressed).
pub fn encode(d: &Dedup, versions: &[VersionMeta<'_>]) -> Vec<u8> {
    // String table, sorted.
    let mut strings: BTreeSet<&str> = BTreeSet::new();
    for t in &d.types {
        match t {
            Shape::Object { name, fields } => {
                strings.insert(name);
                for f in fields {
                    strings.insert(&f.name);
                    if let Some(n) = &f.deprecated {
                        strings.insert(n);
                    }
                }
            }
            Shape::String { enums, format } => {
                strings.extend(enums.iter().map(String::as_str));
                if let Some(f) = format {
                    strings.insert(f);
                }
            }
            _ => {}
        }
    }
    for (v, kinds) in versions.iter().zip(&d.kinds) {
        strings.insert(v.name);
        strings.insert(v.source);
        for (av, k) in kinds.keys() {
            strings.insert(av);
            strings.insert(k);
        }
    }
    let sid: BTreeMap<&str, u64> = strings.iter().enumerate().map(|(i, s)| (*s, i as u64)).collect();

    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    varint(&mut out, strings.len() as u64);
    for s in &strings {
        varint(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    varint(&mut out, d.types.len() as u64);
    for t in &d.types {
        match t {
            Shape::Object { name, fields } => {
                out.push(tag::OBJECT);
                varint(&mut out, if name.is_empty() { 0 } else { sid[name.as_str()] + 1 });
                varint(&mut out, fields.len() as u64);
                for f in fields {
                    varint(&mut out, sid[f.name.as_str()]);
                    varint(&mut out, f.ty as u64);
                    let flags = u8::from(f.required) | (u8::from(f.deprecated.is_some()) << 1);
                    out.push(flags);
                    if let Some(n) = &f.deprecated {
                        varint(&mut out, sid[n.as_str()]);
                    }
                }
            }
            Shape::Array(e) => {
                out.push(tag::ARRAY);
                varint(&mut out, *e as u64);
            }
            Shape::Map(v) => {
                out.push(tag::MAP);
                varint(&mut out, *v as u64);
            }
            Shape::String { enums, format } => {
                out.push(tag::STRING);
                varint(&mut out, enums.len() as u64);
                for e in enums {
                    varint(&mut out, sid[e.as_str()]);
                }
                varint(&mut out, format.as_ref().map_or(0, |f| sid[f.as_str()] + 1));
            }
            Shape::Integer => out.push(tag::INTEGER),
            Shape::Number => out.push(tag::NUMBER),
            Shape::Boolean => out.push(tag::BOOLEAN),
            Shape::IntOrString => out.push(tag::INT_OR_STRING),
            Shape::Quantity => out.push(tag::QUANTITY),
            Shape::Any | Shape::Pending => out.push(tag::ANY),
        }
    }
    varint(&mut out, versions.len() as u64);
    for (v, kinds) in versions.iter().zip(&d.kinds) {
        varint(&mut out, sid[v.name]);
        out.push(u8::from(v.approximate));
        varint(&mut out, sid[v.source]);
        varint(&mut out, kinds.len() as u64);
        for ((av, k), ty) in kinds {
            varint(&mut out, sid[av.as_str()]);
            varint(&mut out, sid[k.as_str()]);
            varint(&mut out, *ty as u64);
        }
    }
    out
}

pub fn compress(raw: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(raw, ruzstd::encoding::CompressionLevel::Fastest)
}
