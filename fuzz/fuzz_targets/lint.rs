//! The whole pipeline: load, every rule, and the human and JSON
//! reports; no panic, every finding inside its file.
#![no_main]

use kvet::config::Config;
use kvet::lint::lint;
use kvet::report::{self, HumanOptions};
use kvet::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let name = if data.first().is_some_and(|b| b & 1 == 1) {
        "x.json"
    } else {
        "x.yaml"
    };
    let sources = vec![SourceFile::from_bytes(name, None, data.to_vec())];
    let config = Config {
        select: vec!["all".into()],
        ..Config::default()
    };
    let out = lint(&sources, &config);
    let len = sources[0].text.len() as u32;
    for d in &out.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= len, "{d:?} past {len}");
        for l in &d.labels {
            assert!(
                l.span.start <= l.span.end && l.span.end <= len,
                "label {l:?} past {len}"
            );
        }
    }
    let mut sink = Vec::new();
    let opts = HumanOptions {
        color: false,
        snippets: true,
    };
    report::human::render(&mut sink, &out.diagnostics, &sources, &out.summary, opts).expect("human report");
    sink.clear();
    report::json::render(&mut sink, &out.diagnostics, &sources, &out.summary).expect("JSON report");
});
