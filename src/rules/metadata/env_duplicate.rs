//! `env-duplicate`: the same environment variable twice in one container.

use crate::hash::Map;

use crate::model::{Object, Workload};
use crate::rules::{Ctx, Rule};
use crate::yaml::{Node, Span};

pub struct EnvDuplicate;

impl Rule for EnvDuplicate {
    fn id(&self) -> &str {
        "env-duplicate"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        let Some(w) = Workload::of(object) else { return };
        for c in w.all_containers() {
            let mut seen: Map<&str, Span> = Map::default();
            for item in c.get(&["env"]).map(Node::items).unwrap_or(&[]) {
                let Some(name_node) = item.get("name") else { continue };
                let Some(name) = name_node.as_str() else { continue };
                match seen.get(name) {
                    None => {
                        seen.insert(name, name_node.span);
                    }
                    Some(first) => {
                        ctx.report(
                            object,
                            name_node.span,
                            format!("{} sets the environment variable `{name}` twice", c.display()),
                        )
                        .label(*first, "first set here")
                        .help("only the last entry takes effect, and `kubectl apply` merges env entries by name, so the two can mix unpredictably; keep one entry");
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{assert_fires, assert_quiet, spanned};

    const RULE: &str = "env-duplicate";

    #[test]
    fn duplicate() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: app\n    env:\n    - {name: LOG_LEVEL, value: info}\n    - {name: PORT, value: '80'}\n    - {name: LOG_LEVEL, value: debug}\n";
        let d = assert_fires(RULE, text);
        assert_eq!(d.len(), 1);
        assert_eq!(spanned(text, &d[0]), "LOG_LEVEL");
        assert!(d[0].span.start > d[0].labels[0].span.start);
    }

    #[test]
    fn distinct_or_other_containers() {
        assert_quiet(
            RULE,
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    env: [{name: X, value: '1'}, {name: x, value: '2'}]\n  - name: b\n    env: [{name: X, value: '1'}]\n",
        );
    }
}
