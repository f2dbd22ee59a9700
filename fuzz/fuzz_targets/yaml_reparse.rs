//! The language server's re-parse after an edit (`kvet::yaml::reparse`)
//! against a whole parse: the input is a text, an edit position, a length
//! to remove and bytes to insert; the re-parse of the edited text from the
//! old text's stream must equal the whole parse of the edited text.
#![no_main]

use kvet::yaml::{Limits, parse_yaml, reparse};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Layout: [at: 2 bytes][remove: 1 byte][insert len: 1 byte][insert][text]
    if data.len() < 4 {
        return;
    }
    let at = u16::from_le_bytes([data[0], data[1]]) as usize;
    let remove = data[2] as usize % 16;
    let insert_len = (data[3] as usize % 32).min(data.len() - 4);
    let insert = &data[4..4 + insert_len];
    let Ok(text) = std::str::from_utf8(&data[4 + insert_len..]) else {
        return;
    };
    let Ok(insert) = std::str::from_utf8(insert) else {
        return;
    };
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let mut end = (at + remove).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let new = format!("{}{insert}{}", &text[..at], &text[end..]);
    let limits = Limits::default();
    let old = parse_yaml(text, limits);
    let got = reparse(text, old, &new, limits);
    assert!(got == parse_yaml(&new, limits), "re-parse differs: {text:?} -> {new:?}");
});
