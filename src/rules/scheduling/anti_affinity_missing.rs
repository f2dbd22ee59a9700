//! `anti-affinity-missing`: replicas that may all land on one node
//! (domain fact C6).

use super::{replicated, spread_terms};
use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};

pub struct AntiAffinityMissing;

impl Rule for AntiAffinityMissing {
    fn id(&self) -> &str {
        "anti-affinity-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        let Some((replicas, n)) = replicated(&w) else { return };
        // Any spreading term, effective or not: ineffective ones are
        // `anti-affinity-ineffective`'s to report.
        if !spread_terms(&w).is_empty() {
            return;
        }
        ctx.report(
            object,
            replicas.span,
            format!("{n} replicas with no pod anti-affinity or topology spread constraint: they may all run on one node"),
        )
        .help("add `affinity.podAntiAffinity` on `kubernetes.io/hostname` (preferred or required) or a `topologySpreadConstraints` entry whose labelSelector matches the pod template's labels");
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\nSPREAD      containers: [{name: web, image: 'nginx:1.27'}]\n";

    #[test]
    fn no_spreading() {
        let text = DEPLOY.replace("SPREAD", "");
        let d = assert_fires("anti-affinity-missing", &text);
        assert_eq!(spanned(&text, &d[0]), "3");
    }

    #[test]
    fn spread_or_single_replica() {
        assert_quiet("anti-affinity-missing", &DEPLOY.replace("SPREAD", "      topologySpreadConstraints:\n      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}\n"));
        assert_quiet(
            "anti-affinity-missing",
            &DEPLOY.replace("SPREAD", "").replace("replicas: 3", "replicas: 1"),
        );
    }
}
