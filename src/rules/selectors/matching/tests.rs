//! Tests of the folder index and the name distances.

use super::near::{Dirs, within};
use super::*;

#[test]
fn folders_contain_each_other() {
    assert!(within("", "a/b"));
    assert!(within("a", "a/b"));
    assert!(within("a/b", "a/b"));
    assert!(!within("a/b", "a/bc"));
    assert!(!within("a/b", "a/c"));
}

#[test]
fn folder_index() {
    let mut d = Dirs::default();
    d.add("a/b/c");
    d.add("x");
    assert!(d.related("a/b/c") && d.related("a/b/c/d") && d.related("a") && d.related(""));
    assert!(!d.related("a/b/x") && !d.related("y"));
    let mut root = Dirs::default();
    root.add("");
    assert!(root.related("anything/below"));
}

#[test]
fn distances() {
    assert_eq!(distance("web", "webb"), 1);
    assert_eq!(distance("", "abc"), 3);
    assert_eq!(distance("wbe", "web"), 1);
    assert!(similar("frontend", "fronted"));
    assert!(!similar("web", "api"));
    assert!(similar("redis-config", "redis-conf"));
    assert!(similar("myapp", "myapp-service"));
    assert!(!similar("app", "application"));
    assert!(!similar("istio", "istio-cni-config"));
    assert!(!similar(
        "argocd-application-controller",
        "argocd-applicationset-controller"
    ));
}
