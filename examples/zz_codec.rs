use kvet::codec::{Reader, Writer};
use kvet::yaml::{Limits, parse_source};
use std::time::Instant;
fn main() {
    let dir = std::env::args().nth(1).unwrap();
    let mut texts = Vec::new();
    for e in walk(std::path::Path::new(&dir)) {
        if let Ok(t) = std::fs::read_to_string(&e) {
            texts.push(t);
        }
    }
    let t0 = Instant::now();
    let streams: Vec<_> = texts
        .iter()
        .map(|t| parse_source(t, false, Limits::default()))
        .collect();
    let t1 = Instant::now();
    let bufs: Vec<Vec<u8>> = streams
        .iter()
        .map(|s| {
            let mut w = Writer::new();
            w.stream(s);
            w.buf
        })
        .collect();
    let t2 = Instant::now();
    let back: Vec<_> = bufs.iter().map(|b| Reader::new(b).stream().unwrap()).collect();
    let t3 = Instant::now();
    let text: usize = texts.iter().map(|t| t.len()).sum();
    let enc: usize = bufs.iter().map(|b| b.len()).sum();
    assert!(back == streams);
    println!(
        "files {} text {} enc {} parse {:?} encode {:?} decode {:?}",
        texts.len(),
        text,
        enc,
        t1 - t0,
        t2 - t1,
        t3 - t2
    );
}
fn walk(p: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut v = Vec::new();
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap().flatten() {
            v.extend(walk(&e.path()));
        }
    } else {
        v.push(p.to_path_buf());
    }
    v
}
