use super::*;

fn s(v: &str) -> &'static VersionSchema {
    schema(v).unwrap_or_else(|| panic!("no schema for {v}: {:?}", load_error()))
}

fn at(v: &str, api_version: &str, kind: &str, path: &str) -> &'static Type {
    let vs = s(v);
    let root = vs
        .lookup(api_version, kind)
        .unwrap_or_else(|| panic!("{v}: {api_version} {kind} not served"));
    let id = vs
        .resolve(root, path)
        .unwrap_or_else(|| panic!("{v}: {api_version} {kind} has no {path}"));
    vs.ty(id)
}

#[test]
fn every_version_loads_and_matches_the_table() {
    assert_eq!(load_error(), None);
    let l = loaded().expect("blob decodes");
    for (info, raw) in versions().iter().zip(&l.catalog.versions) {
        assert_eq!(info.name, raw.name);
        assert_eq!(info.approximate, raw.approximate, "{}", info.name);
        assert_eq!(info.source, raw.source, "{}", info.name);
        let vs = s(info.name);
        assert_eq!(vs.name(), info.name);
        assert!(vs.kinds().count() > 15, "{} has few kinds", info.name);
        // Every type reference is in range and every object is sorted.
        for (_, _, t) in vs.kinds() {
            assert!(vs.ty(t).as_object().is_some());
        }
    }
    assert_eq!(versions().len(), 38);
    assert_eq!(newest(), "1.37");
    let approx: Vec<&str> = versions().iter().filter(|v| v.approximate).map(|v| v.name).collect();
    assert_eq!(approx, ["1.1", "1.4", "1.5", "1.6"]);
}

#[test]
fn version_parsing() {
    assert_eq!(parse_version("1.25").map(|v| v.name), Some("1.25"));
    assert_eq!(parse_version("v1.25").map(|v| v.name), Some("1.25"));
    assert_eq!(parse_version("1.25.3").map(|v| v.name), Some("1.25"));
    assert_eq!(parse_version("v1.6.0-beta.3").map(|v| v.name), Some("1.6"));
    assert_eq!(parse_version("1.0").map(|v| v.name), Some("1.0"));
    assert!(parse_version("1.38").is_none());
    assert!(parse_version("2.1").is_none());
    assert!(parse_version("1.").is_none());
    assert!(parse_version("1.2x").is_none());
    assert!(parse_version("latest").is_none());
    assert!(schema("v1.30.2").is_some());
}

#[test]
fn well_known_kinds() {
    for v in versions() {
        assert!(s(v.name).lookup("v1", "Pod").is_some(), "v1 Pod in {}", v.name);
        assert!(s(v.name).lookup("v1", "Service").is_some(), "v1 Service in {}", v.name);
    }
    // apps/v1 Deployment from 1.9 on.
    for v in versions() {
        let served = s(v.name).lookup("apps/v1", "Deployment").is_some();
        assert_eq!(served, v.minor >= 9, "apps/v1 Deployment in {}", v.name);
    }
    // extensions/v1beta1 Deployment: 1.1 (alpha, restored) to 1.15.
    for v in versions() {
        let served = s(v.name).lookup("extensions/v1beta1", "Deployment").is_some();
        assert_eq!(
            served,
            (1..=15).contains(&v.minor),
            "extensions/v1beta1 Deployment in {}",
            v.name
        );
    }
    // policy/v1beta1 PodDisruptionBudget gone in 1.25; policy/v1 from 1.21.
    assert!(s("1.24").lookup("policy/v1beta1", "PodDisruptionBudget").is_some());
    assert!(s("1.25").lookup("policy/v1beta1", "PodDisruptionBudget").is_none());
    assert!(s("1.25").lookup("policy/v1", "PodDisruptionBudget").is_some());
    // PodSecurityPolicy removed in 1.25.
    assert!(s("1.24").lookup("policy/v1beta1", "PodSecurityPolicy").is_some());
    assert!(s("1.25").kinds_named("PodSecurityPolicy").next().is_none());
    // Subresource-only kinds are not served kinds.
    assert!(s("1.30").lookup("autoscaling/v1", "Scale").is_none());
    assert!(s("1.30").lookup("policy/v1", "Eviction").is_none());
    assert!(s("1.30").lookup("v1", "PodList").is_none());
    // Create-only kinds are.
    assert!(s("1.30").lookup("authentication.k8s.io/v1", "TokenReview").is_some());
    assert!(
        s("1.30")
            .lookup("authorization.k8s.io/v1", "SubjectAccessReview")
            .is_some()
    );
    assert!(s("1.30").lookup("v1", "Binding").is_some());
    // "Did you mean apps/v1?"
    let named: Vec<&str> = s("1.16").kinds_named("Deployment").map(|(av, _)| av).collect();
    assert_eq!(named, ["apps/v1"]);
    let named: Vec<&str> = s("1.9").kinds_named("Deployment").map(|(av, _)| av).collect();
    assert_eq!(named, ["apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1"]);
    let names: Vec<&str> = s("1.30").kind_names().collect();
    assert!(names.windows(2).all(|w| w[0] < w[1]));
    assert!(names.contains(&"Deployment") && names.contains(&"Pod"));
    assert!(s("1.30").serves_api_version("apps/v1"));
    assert!(!s("1.30").serves_api_version("extensions/v1beta1"));
    let range: Vec<&str> = versions_serving("batch/v1beta1", "CronJob")
        .iter()
        .map(|v| v.name)
        .collect();
    assert_eq!(range.first().copied(), Some("1.8"));
    assert_eq!(range.last().copied(), Some("1.24"));
}

#[test]
fn field_types() {
    for v in ["1.9", "1.16", "1.30", "1.37"] {
        assert!(
            matches!(at(v, "apps/v1", "Deployment", "spec.replicas"), Type::Integer),
            "{v}"
        );
        let port = at(
            v,
            "apps/v1",
            "Deployment",
            "spec.template.spec.containers[].ports[].containerPort",
        );
        assert!(matches!(port, Type::Integer), "{v}");
        let limits = at(
            v,
            "apps/v1",
            "Deployment",
            "spec.template.spec.containers[].resources.limits",
        );
        let Type::Map(value) = limits else {
            panic!("{v}: limits is {limits:?}")
        };
        assert!(matches!(s(v).ty(*value), Type::Quantity), "{v}");
        let labels = at(v, "apps/v1", "Deployment", "metadata.labels.*");
        assert!(matches!(labels, Type::String { .. }), "{v}");
    }
    for v in ["1.0", "1.2", "1.5", "1.6", "1.7", "1.13", "1.14", "1.30", "1.37"] {
        let tp = at(v, "v1", "Service", "spec.ports[].targetPort");
        assert!(matches!(tp, Type::IntOrString), "{v}: targetPort is {tp:?}");
        let limits = at(v, "v1", "Pod", "spec.containers[].resources.limits.*");
        assert!(matches!(limits, Type::Quantity), "{v}: limits values are {limits:?}");
        let port = at(v, "v1", "Pod", "spec.containers[].ports[].containerPort");
        assert!(matches!(port, Type::Integer), "{v}");
    }
    assert!(matches!(
        at(
            "1.2",
            "extensions/v1beta1",
            "Deployment",
            "spec.strategy.rollingUpdate.maxSurge"
        ),
        Type::IntOrString
    ));
    // Required fields and closed objects.
    let vs = s("1.30");
    let svc_port = vs.resolve(vs.lookup("v1", "Service").unwrap(), "spec.ports[]").unwrap();
    let o = vs.ty(svc_port).as_object().unwrap();
    assert!(o.field("port").unwrap().required);
    assert!(!o.field("name").unwrap().required);
    assert!(o.field("bogus").is_none());
    assert_eq!(o.name(), Some("ServicePort"));
    let container = vs
        .resolve(vs.lookup("v1", "Pod").unwrap(), "spec.containers[]")
        .unwrap();
    let names: Vec<&str> = vs
        .ty(container)
        .as_object()
        .unwrap()
        .required()
        .map(|f| f.name)
        .collect();
    assert_eq!(names, ["name"]);
    // Enums (curated, 1.23+).
    let Type::String { enums: Some(e), .. } = at("1.30", "v1", "Pod", "spec.containers[].imagePullPolicy") else {
        panic!("imagePullPolicy has no enum in 1.30");
    };
    assert_eq!(&e[..], ["Always", "IfNotPresent", "Never"]);
    assert!(matches!(
        at("1.22", "v1", "Pod", "spec.containers[].imagePullPolicy"),
        Type::String { enums: None, .. }
    ));
    // Free-form content.
    assert!(matches!(at("1.30", "apps/v1", "ControllerRevision", "data"), Type::Any));
    // Deprecation notes.
    let vs = s("1.30");
    let spec = vs.resolve(vs.lookup("v1", "Pod").unwrap(), "spec").unwrap();
    let sa = vs.ty(spec).as_object().unwrap().field("serviceAccount").unwrap();
    assert!(
        sa.deprecated.is_some_and(|n| n.contains("serviceAccountName")),
        "{sa:?}"
    );
    // Recursive types resolve.
    assert!(matches!(
        at(
            "1.30",
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            "spec.versions[].schema.openAPIV3Schema.properties.*.properties.*.type"
        ),
        Type::String { .. }
    ));
}

#[test]
fn deployment_delta_1_1_to_1_2() {
    let d = diff(s("1.1"), s("1.2"), Some("Deployment"));
    let k = d
        .changed_kinds
        .iter()
        .find(|k| k.api_version == "extensions/v1beta1" && k.kind == "Deployment")
        .expect("extensions/v1beta1 Deployment changed");
    let find = |path: &str| k.changes.iter().find(|c| c.path == path).map(|c| &c.kind);
    assert!(
        matches!(find("spec.uniqueLabelKey"), Some(ChangeKind::Removed { .. })),
        "{k:#?}"
    );
    assert!(matches!(
        find("spec.strategy.rollingUpdate.minReadySeconds"),
        Some(ChangeKind::Removed { .. })
    ));
    assert!(matches!(find("spec.minReadySeconds"), Some(ChangeKind::Added { .. })));
    match find("spec.selector") {
        Some(ChangeKind::TypeChanged { from, to }) => {
            assert!(from.starts_with("map"), "{from}");
            assert!(to.starts_with("object"), "{to}");
            assert!(to.contains("LabelSelector"), "{to}");
        }
        other => panic!("spec.selector: {other:?}"),
    }
    assert_eq!(k.notes.len(), 3);
    // No other kinds than Deployments.
    assert!(
        d.added_kinds
            .iter()
            .chain(&d.removed_kinds)
            .all(|k| k.kind == "Deployment")
    );
    let text = d.to_string();
    assert!(text.contains("- spec.uniqueLabelKey (string) removed"), "{text}");
    assert!(
        text.contains("~ spec.selector: map of string → object (LabelSelector)"),
        "{text}"
    );
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(json["from"], "1.1");
    assert!(
        json["changed_kinds"][0]["changes"]
            .as_array()
            .is_some_and(|c| !c.is_empty())
    );
}

#[test]
fn delta_kinds_and_markers() {
    let d = diff(s("1.15"), s("1.16"), None);
    let removed: Vec<String> = d
        .removed_kinds
        .iter()
        .map(|k| format!("{} {}", k.api_version, k.kind))
        .collect();
    assert!(
        removed.contains(&"extensions/v1beta1 Deployment".to_string()),
        "{removed:?}"
    );
    assert!(removed.contains(&"apps/v1beta2 StatefulSet".to_string()));
    // Same version: nothing.
    let d = diff(s("1.30"), s("1.30"), None);
    assert!(d.added_kinds.is_empty() && d.removed_kinds.is_empty() && d.changed_kinds.is_empty());
    // ObjectMeta.clusterName went away in 1.25.
    let d = diff(s("1.24"), s("1.25"), Some("ConfigMap"));
    let cm = d
        .changed_kinds
        .iter()
        .find(|k| k.api_version == "v1")
        .expect("v1 ConfigMap changed");
    assert!(
        cm.changes
            .iter()
            .any(|c| c.path == "metadata.clusterName" && matches!(c.kind, ChangeKind::Removed { .. })),
        "{cm:#?}"
    );
    // Reverse direction works and recursion through CRD schemas terminates.
    let d = diff(s("1.37"), s("1.16"), Some("CustomResourceDefinition"));
    assert!(!d.changed_kinds.is_empty() || !d.added_kinds.is_empty());
}

#[test]
fn deprecation_table() {
    assert_eq!(deprecations::parses(), Ok(()));
    let t = deprecations();
    assert!(t.len() > 60, "{}", t.len());
    // No made-up kind, no duplicates.
    assert!(t.iter().all(|d| d.kind != "FlowControl"));
    let mut keys: Vec<(&str, &str)> = t.iter().map(|d| (d.api_version.as_str(), d.kind.as_str())).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate entries");
    assert!(deprecation("audit.k8s.io/v1alpha1", "Policy").is_some());
    for kind in ["FlowSchema", "PriorityLevelConfiguration"] {
        let d = deprecation("flowcontrol.apiserver.k8s.io/v1beta3", kind).unwrap();
        assert_eq!(d.deprecated_in.as_deref(), Some("1.29"), "{kind}");
        assert_eq!(d.removed_in.as_deref(), Some("1.32"), "{kind}");
        assert_eq!(
            d.replacement.as_ref().map(|r| r.api_version.as_str()),
            Some("flowcontrol.apiserver.k8s.io/v1")
        );
    }
    let d = deprecation("extensions/v1beta1", "Deployment").unwrap();
    assert_eq!((d.deprecated_minor(), d.removed_minor()), (Some(9), Some(16)));
    assert!(d.is_deprecated_in("1.15") && !d.is_deprecated_in("1.8") && d.is_removed_in("v1.16.1"));
    assert_eq!(d.replacement_kind(), Some("Deployment"));
    let psp = deprecation("policy/v1beta1", "PodSecurityPolicy").unwrap();
    assert_eq!(psp.removed_in.as_deref(), Some("1.25"));
    assert!(psp.replacement.is_none());
    // Removal versions agree with the schemas: not served from removed_in on.
    for d in t {
        let Some(r) = d.removed_minor() else { continue };
        for v in versions().iter().filter(|v| v.minor >= r) {
            assert!(
                s(v.name).lookup(&d.api_version, &d.kind).is_none(),
                "{} {} in {}",
                d.api_version,
                d.kind,
                v.name
            );
        }
    }
    // Field-level changes.
    let f = field_changes();
    let has = |kind: &str, path: &str, change: FieldChangeKind| {
        f.iter().any(|c| {
            c.api_version == "extensions/v1beta1"
                && c.kind == kind
                && c.path == path
                && c.change == change
                && c.version == "1.2"
        })
    };
    assert!(has("Deployment", "spec.uniqueLabelKey", FieldChangeKind::Removed));
    assert!(has(
        "Deployment",
        "spec.strategy.rollingUpdate.minReadySeconds",
        FieldChangeKind::Moved
    ));
    assert!(has("Deployment", "spec.selector", FieldChangeKind::TypeChanged));
    assert!(has("DaemonSet", "spec.selector", FieldChangeKind::TypeChanged));
    // Every within-apiVersion field change is visible in the schemas.
    for c in f {
        let m = c.minor().unwrap();
        let before = versions().iter().find(|v| v.minor + 1 == m).unwrap();
        let vs = s(before.name);
        let root = if c.kind == "*" {
            vs.lookup("v1", "ConfigMap")
        } else {
            vs.lookup(&c.api_version, &c.kind)
        };
        assert!(vs.resolve(root.unwrap(), &c.path).is_some(), "{c:?}");
        if c.to_api_version.is_none() {
            let after = s(versions()[m as usize].name);
            let root = if c.kind == "*" {
                after.lookup("v1", "ConfigMap")
            } else {
                after.lookup(&c.api_version, &c.kind)
            };
            let now = after.resolve(root.unwrap(), &c.path);
            match c.change {
                FieldChangeKind::TypeChanged => assert!(now.is_some(), "{c:?}"),
                _ => assert!(now.is_none(), "{c:?}"),
            }
        }
        if let (Some(to), Some(repl)) = (&c.to_api_version, &c.replacement) {
            let vs = s(newest());
            assert!(vs.resolve(vs.lookup(to, &c.kind).unwrap(), repl).is_some(), "{c:?}");
        }
    }
    // `*` entries show up in every kind's delta.
    let d = diff(s("1.24"), s("1.25"), Some("Deployment"));
    let dep = d.changed_kinds.iter().find(|k| k.api_version == "apps/v1").unwrap();
    assert!(dep.notes.iter().any(|n| n.path == "metadata.clusterName"));
}
