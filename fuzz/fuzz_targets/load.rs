//! The YAML/JSON loader: any bytes decode and load without a panic, and
//! every finding and node lies inside the decoded text.
#![no_main]

use kvet::source::SourceFile;
use kvet::yaml::{Limits, Node, Value, parse_source};
use libfuzzer_sys::fuzz_target;

fn check_node(n: &Node, len: u32) {
    assert!(
        n.span.start <= n.span.end && n.span.end <= len,
        "node span {:?} past {len}",
        n.span
    );
    match &n.value {
        Value::Seq(items) => items.iter().for_each(|i| check_node(i, len)),
        Value::Map(entries) => {
            for e in entries {
                assert!(e.key_span.end <= len, "key span {:?} past {len}", e.key_span);
                check_node(&e.value, len);
            }
        }
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    let name = if data.first().is_some_and(|b| b & 1 == 1) {
        "x.json"
    } else {
        "x.yaml"
    };
    let f = SourceFile::from_bytes(name, None, data.to_vec());
    let len = f.text.len() as u32;
    if let Some(e) = &f.load_error {
        assert!(e.offset <= len, "load error at {} past {len}", e.offset);
        let _ = f.line_col(e.offset);
        return;
    }
    let st = parse_source(&f.text, f.looks_like_json(), Limits::default());
    for d in &st.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= len, "{d:?} past {len}");
        let _ = f.line_col(d.span.start);
        let _ = f.line_index().utf16_position(&f.text, d.span.end);
    }
    for doc in &st.documents {
        if let Some(root) = &doc.root {
            check_node(root, len);
        }
    }
});
