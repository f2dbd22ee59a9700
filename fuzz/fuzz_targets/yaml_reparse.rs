//! The language server's re-parse after an edit (`kvet::yaml::reparse`)
//! against a whole parse: the input is a text, an edit position, a length
//! to remove and bytes to insert; the re-parse of the edited text from the
//! old text's stream must equal the whole parse of the edited text.
#![no_main]

use kvet::yaml::{Limits, parse_yaml, reparse};
use libfuzzer_sys::fuzz_target;

#[path = "../reparse_input.rs"]
mod reparse_input;

fuzz_target!(|data: &[u8]| {
    let Some((text, new)) = reparse_input::decode(data) else {
        return;
    };
    let limits = Limits::default();
    let old = parse_yaml(text, limits);
    let got = reparse(text, old, &new, limits);
    assert!(got == parse_yaml(&new, limits), "re-parse differs: {text:?} -> {new:?}");
});
