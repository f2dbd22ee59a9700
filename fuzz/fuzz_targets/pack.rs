//! The cache of unchanged files' pack (`kvet::filecache`): any bytes read
//! as its index, a compact load or a memo record without a panic (a
//! compact load that reads also writes and reads again), and any text's
//! compact load (CRDs compiled and cut, placeholders) reads back as it was
//! written.
#![no_main]

use std::cell::RefCell;

use kvet::filecache::fuzzing::{read_parts, round_trip};
use libfuzzer_sys::fuzz_target;

thread_local! {
    /// One scratch file per process, rewritten by each input.
    static PACK: RefCell<Option<std::fs::File>> = RefCell::new(
        tempfile_in_tmp().ok()
    );
}

fn tempfile_in_tmp() -> std::io::Result<std::fs::File> {
    let path = std::env::temp_dir().join(format!("kvet-fuzz-pack-{}", std::process::id()));
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)?;
    // Removed at once: the open handle is all this needs.
    let _ = std::fs::remove_file(&path);
    Ok(file)
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        PACK.with(|p| {
            if let Some(file) = p.borrow_mut().as_mut() {
                read_parts(rest, file);
            }
        });
    } else {
        round_trip(&String::from_utf8_lossy(rest), mode & 2 == 2);
    }
});
