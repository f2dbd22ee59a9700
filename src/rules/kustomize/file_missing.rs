//! `kustomization-file-missing`: a kustomization names a local file or
//! folder that is not there (or a folder without a kustomization), so
//! `kustomize build` fails. URLs and Git references are not checked.

use crate::kustomize_lint::refs::{file_refs, missing};
use crate::model::Object;
use crate::rules::{Ctx, Rule};

pub struct KustomizationFileMissing;

impl Rule for KustomizationFileMissing {
    fn id(&self) -> &str {
        "kustomization-file-missing"
    }

    fn check(&self, object: &Object, ctx: &mut Ctx) {
        if !super::applies(object, ctx) {
            return;
        }
        let Some(dir) = super::folder_of(object, ctx) else {
            return;
        };
        for r in file_refs(object.root) {
            if let Some(problem) = missing(&dir, &r) {
                ctx.report(object, r.node.span, format!("{problem} (`{}`)", r.field))
                    .help("`kustomize build` fails on it; paths are relative to the kustomization's folder");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::lint::lint;
    use crate::source::SourceFile;

    fn run(text: &str) -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/kustomization-file-missing/good");
        let config = Config {
            select: vec!["kustomization-file-missing".into()],
            ..Config::default()
        };
        let sources = vec![SourceFile::from_text(
            "kustomization.yaml",
            Some(dir.join("kustomization.yaml")),
            text.to_string(),
        )];
        lint(&sources, &config)
            .diagnostics
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn missing_files_folders_and_kustomizations() {
        let got = run(
            "resources: [deployment.yaml, nope.yaml, base, ../../kustomization-file-missing, https://example.com/x.yaml]\ncomponents: [deployment.yaml]\nconfigMapGenerator:\n- name: c\n  files: [key=gone.txt]\npatches:\n- path: base\n",
        );
        assert_eq!(
            got,
            vec![
                "`nope.yaml` does not exist (`resources[1]`)",
                "the folder `../../kustomization-file-missing` has no kustomization.yaml, kustomization.yml or Kustomization (`resources[3]`)",
                "`deployment.yaml` is a file: a component is a folder with a kustomization (`components[0]`)",
                "`gone.txt` does not exist (`configMapGenerator[0].files[0]`)",
                "`base` is a folder, not a file (`patches[0].path`)",
            ]
        );
    }

    #[test]
    fn stdin_is_not_checked() {
        let config = Config {
            select: vec!["kustomization-file-missing".into()],
            ..Config::default()
        };
        let sources = vec![SourceFile::from_text("-", None, "resources: [nope.yaml]\n".into())];
        assert!(lint(&sources, &config).diagnostics.is_empty());
    }
}
