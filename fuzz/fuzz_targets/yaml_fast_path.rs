//! The YAML fast path against the full parser: whenever the fast path takes
//! a text, its documents, spans and findings must be exactly the full
//! parser's (see `tests/yaml_fast_path.rs` for the corpus-wide check).
#![no_main]

use kvet::yaml::{Limits, parse_yaml_fast, parse_yaml_full};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(fast) = parse_yaml_fast(text, Limits::default()) {
        let full = parse_yaml_full(text, Limits::default());
        assert_eq!(fast, full, "fast path differs on {text:?}");
    }
});
