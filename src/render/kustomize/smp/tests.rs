//! Unit tests of the key tuples and the list directive.

use super::directive::{Directive, seq_directive};
use super::tuples::{unify_all, valid_keys};

fn t(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn port_tuples_unify_in_kustomizes_order() {
    // Patch ports 9443, 80, 81 without protocol; base 9443/TCP, 80,
    // 81/UDP, 81/TCP (checked against kubectl kustomize).
    let mut list = vec![
        t(&["9443", ""]),
        t(&["80", ""]),
        t(&["81", ""]),
        t(&["9443", "TCP"]),
        t(&["81", "UDP"]),
        t(&["81", "TCP"]),
    ];
    unify_all(&mut list);
    assert_eq!(
        list,
        vec![
            t(&["9443", "TCP"]),
            t(&["80", ""]),
            t(&["81", "TCP"]),
            t(&["9443", "TCP"]),
            t(&["81", "UDP"]),
            t(&["81", "TCP"]),
        ]
    );
}

#[test]
fn keys_without_values_fall_away() {
    let keys = t(&["containerPort", "protocol"]);
    let all = vec![t(&["80", ""]), t(&["81", ""])];
    assert_eq!(valid_keys(&all, &all[0], &keys), (t(&["containerPort"]), t(&["80"])));
    let all = vec![t(&["80", ""]), t(&["81", "UDP"])];
    assert_eq!(valid_keys(&all, &all[0], &keys), (keys.clone(), t(&["80", ""])));
    let none = vec![t(&["", ""])];
    assert_eq!(valid_keys(&none, &none[0], &keys), (keys.clone(), t(&["", ""])));
}

#[test]
fn a_list_directive_is_its_only_key() {
    let items = |y: &str| {
        crate::yaml::parse_yaml(y, crate::yaml::Limits::default()).documents[0]
            .root
            .clone()
            .map(|n| n.items().to_vec())
            .unwrap_or_default()
    };
    let (d, kept) = seq_directive(&items("- {$patch: replace}\n- {name: a}\n- {}\n"));
    assert!(d == Directive::Replace);
    assert_eq!(kept.map(|k| k.len()), Some(1));
    let (d, kept) = seq_directive(&items("- {name: a, $patch: delete}\n- {$patch: replace}\n"));
    assert!(d == Directive::Merge && kept.is_none());
}
