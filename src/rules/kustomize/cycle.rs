//! `kustomization-cycle`: an entry of `resources`, `bases` or `components`
//! leads back to its own kustomization, so `kustomize build` cannot finish.

use crate::kustomize_lint::cycle::cycles;
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct KustomizationCycle;

impl Rule for KustomizationCycle {
    fn id(&self) -> &str {
        "kustomization-cycle"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !super::applies(object, ctx) {
            return;
        }
        let Some(dir) = super::folder_of(object, ctx) else {
            return;
        };
        for c in cycles(&dir, object.root) {
            let chain: Vec<String> = c.chain.iter().map(|s| format!("`{s}`")).collect();
            ctx.report(
                object,
                c.node.span,
                format!(
                    "cycle: `{}` includes this kustomization again ({})",
                    c.chain.first().map_or("", String::as_str),
                    chain.join(" → ")
                ),
            )
            .help("`kustomize build` fails on a cycle: remove the entry that leads back, or move what both need into a shared base or component");
        }
    }
}
