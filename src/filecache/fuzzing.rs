//! Entry points for the `pack` fuzz target (`fuzz/fuzz_targets/pack.rs`):
//! a pack's index and its entries' compact-load and record parts, read
//! from any bytes (what a damaged or foreign cache file holds), and a
//! text's compact load written and read back.

use std::io::{Seek, SeekFrom, Write};

use super::format::{read_early, read_index, read_record, write_early};
use crate::schema::crd::{DecodedCrds, Encoded, SchemaCache};
use crate::source::SourceFile;
use crate::yaml::{Limits, parse_source};

/// Reads `bytes` as every part of a pack would be read: as a compact
/// load, as a memo record, and (written to `file`, which it truncates) as
/// a pack's index. Whatever they hold, this returns.
pub fn read_parts(bytes: &[u8], file: &mut std::fs::File) {
    let crds = DecodedCrds::default();
    if let Some(early) = read_early(bytes, "fuzz.yaml", &crds) {
        // What was read writes out and reads back again.
        let again = write_early(&early, &Encoded::default());
        assert!(
            read_early(&again, "fuzz.yaml", &DecodedCrds::default()).is_some(),
            "a compact load read back does not read again once written"
        );
    }
    let _ = read_record(bytes);
    let written = file.set_len(0).is_ok()
        && file.seek(SeekFrom::Start(0)).is_ok()
        && file.write_all(bytes).is_ok()
        && file.flush().is_ok();
    if written {
        for check in [
            0,
            u64::from_le_bytes(bytes.get(..8).and_then(|b| b.try_into().ok()).unwrap_or_default()),
        ] {
            let _ = read_index(file, check);
        }
    }
}

/// A text's compact load (its CRDs compiled and cut, its placeholders)
/// written, read back and written again gives the same bytes.
pub fn round_trip(text: &str, json: bool) {
    let source = SourceFile::from_text(if json { "fuzz.json" } else { "fuzz.yaml" }, None, text.to_string());
    let mut stream = parse_source(text, json, Limits::default());
    let mut early = crate::compact::context(&source, &mut stream, &SchemaCache::default());
    early.placeholders = crate::placeholder::find_in(&source, &stream);
    let once = write_early(&early, &Encoded::default());
    let Some(back) = read_early(&once, &source.name, &DecodedCrds::default()) else {
        panic!("a compact load does not read back");
    };
    assert_eq!(back.objects.len(), early.objects.len());
    assert_eq!(
        write_early(&back, &Encoded::default()),
        once,
        "a compact load read back writes the same bytes"
    );
}
