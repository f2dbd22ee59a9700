//! `liveness-without-readiness`: a liveness probe with no readiness probe
//! (domain fact C4: start with readiness; liveness is the dangerous one).

use crate::model::{ContainerKind, Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct LivenessWithoutReadiness;

impl Rule for LivenessWithoutReadiness {
    fn id(&self) -> &str {
        "liveness-without-readiness"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        if matches!(object.kind, "Job" | "CronJob") {
            return;
        }
        for c in w.containers_of(ContainerKind::Container) {
            let Some(live) = c.entry(&["livenessProbe"]) else {
                continue;
            };
            if c.get(&["readinessProbe"]).is_some() {
                continue;
            }
            ctx.report(object, live.key_span, format!("{} has a liveness probe but no readiness probe", c.display()))
                .help("without a readiness probe the pod receives traffic as soon as it starts and keeps receiving it while failing; add a readinessProbe (the liveness probe only restarts the container)");
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet};

    #[test]
    fn liveness_alone() {
        assert_fires(
            "liveness-without-readiness",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        livenessProbe: {tcpSocket: {port: 80}}\n",
        );
    }

    #[test]
    fn both_or_batch() {
        assert_quiet(
            "liveness-without-readiness",
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    livenessProbe: {tcpSocket: {port: 80}}\n    readinessProbe: {tcpSocket: {port: 80}}\n",
        );
        assert_quiet(
            "liveness-without-readiness",
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        livenessProbe: {tcpSocket: {port: 80}}\n",
        );
    }
}
