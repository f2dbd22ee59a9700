//! `value-out-of-range`: a number the API server's validation of the core
//! workload types rejects (a negative count or duration, a port outside
//! 1–65535, a pod deadline below 1, a Deployment's progress deadline not
//! above its `minReadySeconds`, a probe's grace period below 1), or a
//! `procMount` other than `Default` and `Unmasked` (the schema lists no
//! values for it).

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::Node;

pub struct ValueOutOfRange;

/// Smallest and largest accepted value.
#[derive(Clone, Copy)]
struct Range(i64, i64);

const NON_NEGATIVE: Range = Range(0, i64::MAX);
const POSITIVE: Range = Range(1, i64::MAX);
const PORT: Range = Range(1, 65535);
/// 1 to the largest 32-bit integer.
const INT32_POSITIVE: Range = Range(1, i32::MAX as i64);

/// Fields of an object's `spec`, by kind (`apps`, `batch`, core).
fn spec_fields(kind: &str) -> &'static [(&'static str, Range)] {
    match kind {
        "Deployment" => &[
            ("replicas", NON_NEGATIVE),
            ("minReadySeconds", NON_NEGATIVE),
            ("revisionHistoryLimit", NON_NEGATIVE),
            ("progressDeadlineSeconds", NON_NEGATIVE),
        ],
        "ReplicaSet" | "ReplicationController" => &[("replicas", NON_NEGATIVE), ("minReadySeconds", NON_NEGATIVE)],
        "StatefulSet" => &[
            ("replicas", NON_NEGATIVE),
            ("minReadySeconds", NON_NEGATIVE),
            ("revisionHistoryLimit", NON_NEGATIVE),
        ],
        "DaemonSet" => &[
            ("minReadySeconds", NON_NEGATIVE),
            ("revisionHistoryLimit", NON_NEGATIVE),
        ],
        "Job" => JOB,
        "CronJob" => &[
            ("startingDeadlineSeconds", NON_NEGATIVE),
            ("successfulJobsHistoryLimit", NON_NEGATIVE),
            ("failedJobsHistoryLimit", NON_NEGATIVE),
        ],
        _ => &[],
    }
}

const JOB: &[(&str, Range)] = &[
    ("parallelism", NON_NEGATIVE),
    ("completions", NON_NEGATIVE),
    ("backoffLimit", NON_NEGATIVE),
    ("activeDeadlineSeconds", NON_NEGATIVE),
    ("ttlSecondsAfterFinished", NON_NEGATIVE),
];

const PROBE: &[(&str, Range)] = &[
    ("initialDelaySeconds", NON_NEGATIVE),
    ("timeoutSeconds", NON_NEGATIVE),
    ("periodSeconds", NON_NEGATIVE),
    ("successThreshold", NON_NEGATIVE),
    ("failureThreshold", NON_NEGATIVE),
    // The probe-level override of the pod's grace period.
    ("terminationGracePeriodSeconds", POSITIVE),
];

/// The values the API server accepts for a container's `procMount`.
const PROC_MOUNTS: &[&str] = &["Default", "Unmasked"];

fn describe(r: Range) -> String {
    match r {
        Range(0, i64::MAX) => "must not be negative".into(),
        Range(1, i64::MAX) => "must be at least 1".into(),
        Range(lo, hi) => format!("must be between {lo} and {hi}"),
    }
}

fn check_field(object: &Object, ctx: &mut Ctx, map: &Node, key: &str, range: Range, at: &str) {
    let Some(n) = map.get(key) else { return };
    let Some(v) = n.as_i64() else { return };
    if v < range.0 || v > range.1 {
        ctx.report(object, n.span, format!("{at}`{key}` is {v}: it {}", describe(range)))
            .help("the API server rejects the object with this value");
    }
}

/// A Deployment's `progressDeadlineSeconds` must be greater than its
/// `minReadySeconds` (the API server rejects it otherwise); reported at the
/// deadline.
fn progress_deadline(object: &Object, ctx: &mut Ctx, spec: &Node) {
    let Some(deadline) = spec.get("progressDeadlineSeconds") else {
        return;
    };
    let (Some(d), Some(min_ready)) = (deadline.as_i64(), spec.get("minReadySeconds").and_then(Node::as_i64)) else {
        return;
    };
    if d >= 0 && min_ready >= 0 && d <= min_ready {
        ctx.report(
            object,
            deadline.span,
            format!("`progressDeadlineSeconds` is {d}: it must be greater than `minReadySeconds` ({min_ready})"),
        )
        .help("the API server rejects the object: a rollout could never make progress within the deadline; raise `progressDeadlineSeconds` (default 600) or lower `minReadySeconds`");
    }
}

impl Rule for ValueOutOfRange {
    fn id(&self) -> &str {
        "value-out-of-range"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if let Some(spec) = object.root.get("spec") {
            for (key, range) in spec_fields(object.kind) {
                check_field(object, ctx, spec, key, *range, "");
            }
            if object.kind == "CronJob"
                && let Some(job) = spec.path(&["jobTemplate", "spec"])
            {
                for (key, range) in JOB {
                    check_field(object, ctx, job, key, *range, "jobTemplate: ");
                }
            }
            if object.kind == "Deployment" {
                progress_deadline(object, ctx, spec);
            }
            if object.kind == "Service" && object.api_version == "v1" {
                for port in spec.get("ports").map(Node::items).unwrap_or(&[]) {
                    check_field(object, ctx, port, "port", PORT, "service port: ");
                    // 0 means the API server allocates one.
                    if port.get("nodePort").and_then(Node::as_i64) != Some(0) {
                        check_field(object, ctx, port, "nodePort", PORT, "service port: ");
                    }
                }
            }
        }
        let Some(w) = Workload::of(object) else { return };
        // A Pod's own deadline must be positive.
        check_field(
            object,
            ctx,
            w.pod_spec,
            "activeDeadlineSeconds",
            INT32_POSITIVE,
            "pod spec: ",
        );
        for c in w.all_containers() {
            let who = format!("{}: ", c.display());
            if let Some(n) = c.get(&["securityContext", "procMount"])
                && let Some(v) = n.as_str()
                && !PROC_MOUNTS.contains(&v)
            {
                ctx.report(
                    object,
                    n.span,
                    format!("{who}`procMount` is `{v}`: it must be `Default` or `Unmasked`"),
                )
                .help("the API server rejects the object with this value; remove `procMount` to keep the runtime's default masking");
            }
            for port in c.get(&["ports"]).map(Node::items).unwrap_or(&[]) {
                check_field(object, ctx, port, "containerPort", PORT, &who);
                // 0 means no host port.
                if port.get("hostPort").and_then(Node::as_i64) != Some(0) {
                    check_field(object, ctx, port, "hostPort", PORT, &who);
                }
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if let Some(p) = c.get(&[probe]) {
                    for (key, range) in PROBE {
                        // A readiness probe may not set it at all
                        // (`probe-invalid`).
                        if probe == "readinessProbe" && *key == "terminationGracePeriodSeconds" {
                            continue;
                        }
                        check_field(object, ctx, p, key, *range, &format!("{}{probe}.", who));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "value-out-of-range";

    fn deploy(spec: &str, container: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: d}}\nspec:\n{spec}  selector: {{matchLabels: {{app: d}}}}\n  template:\n    metadata: {{labels: {{app: d}}}}\n    spec:\n      containers:\n      - name: app\n        image: app:1.0\n{container}"
        )
    }

    #[test]
    fn negative_counts_ports_and_probe_fields() {
        let text = deploy("  replicas: -1\n", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "-1");
        let text = deploy("", "        ports: [{containerPort: 70000}]\n");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "70000");
        let text = deploy(
            "",
            "        readinessProbe: {periodSeconds: -5, tcpSocket: {port: 80}}\n",
        );
        assert!(
            assert_fires(RULE, &text)[0]
                .message
                .contains("readinessProbe.`periodSeconds`")
        );
        let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      backoffLimit: -2\n      template:\n        spec:\n          restartPolicy: Never\n          containers: [{name: a, image: a:1}]\n";
        assert_fires(RULE, text);
    }

    #[test]
    fn progress_deadline_probe_grace_proc_mount_and_service_ports() {
        let text = deploy("  minReadySeconds: 60\n  progressDeadlineSeconds: 10\n", "");
        let d = assert_fires(RULE, &text);
        assert_eq!(spanned(&text, &d[0]), "10");
        let text = deploy(
            "",
            "        securityContext: {procMount: Masked}\n        startupProbe: {tcpSocket: {port: 80}, terminationGracePeriodSeconds: 0}\n",
        );
        let d = assert_fires(RULE, &text);
        assert_eq!(d.len(), 2);
        assert!(d.iter().any(|d| spanned(&text, d) == "Masked"));
        let svc = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 0}\n  - {port: 80, nodePort: 0}\n";
        let d = assert_fires(RULE, svc);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(svc, &d[0]), "0");
        assert_quiet(
            RULE,
            &deploy(
                "  minReadySeconds: 5\n  progressDeadlineSeconds: 600\n",
                "        securityContext: {procMount: Unmasked}\n",
            ),
        );
    }

    #[test]
    fn valid_values_are_quiet() {
        assert_quiet(
            RULE,
            &deploy(
                "  replicas: 0\n  minReadySeconds: 5\n",
                "        ports: [{containerPort: 8080, hostPort: 0}]\n        livenessProbe: {periodSeconds: 10, tcpSocket: {port: 8080}}\n",
            ),
        );
    }
}
