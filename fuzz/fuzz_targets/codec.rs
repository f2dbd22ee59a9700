//! The caches' byte format (`kvet::codec`): any bytes read as a stream or
//! a finding without a panic, and what reads back writes the same bytes
//! again; any text's loaded documents read back as they were written.
#![no_main]

use kvet::codec::{Reader, Writer};
use kvet::yaml::{Limits, Stream, parse_source};
use libfuzzer_sys::fuzz_target;

fn bytes_of(stream: &Stream) -> Vec<u8> {
    let mut w = Writer::new();
    w.stream(stream);
    w.buf
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode & 1 == 0 {
        // Bytes a damaged cache could hold.
        if let Some(stream) = Reader::new(rest).stream() {
            let once = bytes_of(&stream);
            let again = Reader::new(&once).stream().map(|s| bytes_of(&s));
            assert_eq!(again.as_ref(), Some(&once), "a stream read back writes the same bytes");
        }
        let _ = Reader::new(rest).diagnostic(&|r| r.meta().map(std::sync::Arc::new));
    } else {
        // A text's documents, written and read back (compared as bytes:
        // a NaN is not equal to itself).
        let text = String::from_utf8_lossy(rest);
        let stream = parse_source(&text, mode & 2 == 2, Limits::default());
        let once = bytes_of(&stream);
        let mut r = Reader::new(&once);
        let back = r.stream();
        assert!(r.is_empty(), "bytes left after the stream");
        assert_eq!(back.map(|s| bytes_of(&s)), Some(once), "documents read back as written");
    }
});
