//! The embedded catalog's encoding of a compiled kind.

use super::*;

/// A compiled kind survives the embedded catalog's encoding: the decoded
/// schema finds exactly what the compiled one finds.
#[test]
fn catalog_chunks_round_trip() {
    let st = parse_yaml(V1_CRD, Limits::default());
    let objs = objects(&st);
    let index = CrdIndex::build(objs.iter());
    let def = &index.kinds[0];
    let chunk = codec::encode_kind(def);
    let decoded =
        codec::decode_kind(&chunk, &def.group, &def.kind, Origin::Run(String::new())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(decoded.versions.len(), def.versions.len());
    for (a, b) in def.versions.iter().zip(&decoded.versions) {
        assert_eq!(
            (&a.name, a.served, a.storage, &a.deprecated),
            (&b.name, b.served, b.storage, &b.deprecated)
        );
        assert_eq!(a.schema.is_some(), b.schema.is_some());
    }
    let crs = [
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 3, color: red, name: abc, port: 80, tags: [a], labels: {a: b}, endpoints: [{port: x}], backend: {service: s}}\n",
        "apiVersion: example.com/v1\nkind: Widget\nspec: {size: 30, color: pink, name: ABCDEFGHIJ, port: [1], tags: [], labels: {a: 1}, endpoints: [{path: /}], backend: {service: s, resource: r}, colr: 1, extra: {known: x, other: 1}, enabled: yes}\n",
        "apiVersion: example.com/v1\nkind: Widget\nspec: {}\nstatus: {anything: 1}\n",
    ];
    let original = def
        .versions
        .iter()
        .find(|v| v.name == "v1")
        .and_then(|v| v.schema.as_deref());
    let copy = decoded
        .versions
        .iter()
        .find(|v| v.name == "v1")
        .and_then(|v| v.schema.as_deref());
    let (Some(original), Some(copy)) = (original, copy) else {
        panic!("v1 has a schema")
    };
    // Identical subtrees are merged: the copy is no larger.
    assert!(copy.nodes.len() <= original.nodes.len());
    let mut found = 0;
    for cr in crs {
        let st = parse_yaml(cr, Limits::default());
        let root = st.documents[0].root.as_ref().expect("a document");
        let a = show_all(&original.validate(root, cr, root.span));
        let b = show_all(&copy.validate(root, cr, root.span));
        assert_eq!(a, b, "{cr}");
        found += a.len();
    }
    assert!(found >= 10, "the resources exercise the checks: {found} problems");
    // Truncated or corrupted chunks are errors, never panics.
    for cut in 0..chunk.len() {
        let _ = codec::decode_kind(&chunk[..cut], "g", "k", Origin::Run(String::new()));
    }
    let mut flipped = chunk.clone();
    for i in 0..flipped.len() {
        flipped[i] ^= 0x5a;
        let _ = codec::decode_kind(&flipped, "g", "k", Origin::Run(String::new()));
        flipped[i] ^= 0x5a;
    }
}
