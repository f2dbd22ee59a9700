//! The result cache of `kvet check`: an unchanged run replays its findings,
//! and anything the run depended on (an input, a file a kustomization reads
//! or looks for, a configuration, a `--crd` file, the command line) makes it
//! lint again.
//!
//! A replay is told apart from a fresh run by editing the stored entry: a
//! replayed run prints the edited message.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const DEPLOY: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
";

struct Repo {
    dir: tempfile::TempDir,
    cache: PathBuf,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Repo {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cache = dir.path().join("cache");
        let repo = Repo { dir, cache };
        for (p, t) in files {
            repo.write(p, t);
        }
        repo
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join("repo").join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(p, text).unwrap_or_else(|e| panic!("{e}"));
    }

    /// `kvet check ARGS --format json` in the repository: (stdout, stderr).
    fn run(&self, args: &[&str]) -> (String, String) {
        let out = Command::cargo_bin("kvet")
            .unwrap_or_else(|e| panic!("{e}"))
            .current_dir(self.dir.path().join("repo"))
            .env("KVET_CACHE_DIR", &self.cache)
            .env_remove("KVET_NO_CACHE")
            .arg("check")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr))
    }

    fn entries(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.cache)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.retain(|p| p.extension().is_some_and(|x| x == "bin"));
        v
    }

    /// Replaces `from` by `to` (same length) in every stored entry, so a
    /// replay shows `to` where a fresh run says `from`.
    fn tamper(&self, from: &str, to: &str) {
        assert_eq!(from.len(), to.len());
        let entries = self.entries();
        assert!(!entries.is_empty(), "nothing stored in {}", self.cache.display());
        for p in entries {
            let mut bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{e}"));
            let mut found = false;
            while let Some(at) = find(&bytes, from.as_bytes()) {
                bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
                found = true;
            }
            assert!(found, "`{from}` is not in {}", p.display());
            std::fs::write(&p, bytes).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Stores a run, tampers with its entry, and says whether the next run
/// (after `change`) replayed it.
fn replayed_after(repo: &Repo, args: &[&str], change: impl FnOnce(&Repo)) -> bool {
    replayed_with(repo, args, "requests", change)
}

/// [`replayed_after`] with another word of a finding's message.
fn replayed_with(repo: &Repo, args: &[&str], word: &str, change: impl FnOnce(&Repo)) -> bool {
    let (first, _) = repo.run(args);
    assert!(first.contains(word), "the run has a finding with `{word}`:\n{first}");
    let upper = word.to_uppercase();
    repo.tamper(word, &upper);
    change(repo);
    let (again, _) = repo.run(args);
    again.contains(&upper)
}

#[test]
fn an_unchanged_run_is_replayed_and_equals_a_fresh_one() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    let (fresh, _) = repo.run(&["--no-cache"]);
    assert!(repo.entries().is_empty(), "--no-cache writes nothing");
    let (first, _) = repo.run(&[]);
    let (second, _) = repo.run(&[]);
    assert_eq!(first, fresh);
    assert_eq!(second, fresh, "a replay prints what a fresh run prints");
    assert_eq!(repo.entries().len(), 1);
    repo.tamper("requests", "REQUESTS");
    assert!(repo.run(&[]).0.contains("REQUESTS"), "the second run was a replay");
    assert!(!repo.run(&["--no-cache"]).0.contains("REQUESTS"));
}

#[test]
fn an_edited_input_is_linted_again() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    assert!(!replayed_after(&repo, &[], |r| r.write("app.yaml", &format!("{DEPLOY}# edited\n"))));
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    assert!(
        !replayed_after(&repo, &[], |r| r.write("other.yaml", DEPLOY)),
        "a new file"
    );
}

#[test]
fn another_command_line_or_configuration_is_linted_again() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    assert!(!replayed_after(&repo, &[], |r| r.write(".kvet.yaml", "kubernetes-version: \"1.30\"\n")));
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    let (_, _) = repo.run(&[]);
    repo.tamper("requests", "REQUESTS");
    assert!(!repo.run(&["--kubernetes-version", "1.29"]).0.contains("REQUESTS"));
}

#[test]
fn a_kustomization_base_outside_the_inputs_is_a_dependency() {
    let files = [
        ("base/kustomization.yaml", "resources: [app.yaml]\n"),
        ("base/app.yaml", DEPLOY),
        (
            "overlay/kustomization.yaml",
            "resources: [../base]\nnamePrefix: prod-\n",
        ),
    ];
    // Linting only the overlay: the base is read by the render, not an input.
    let repo = Repo::new(&files);
    assert!(replayed_after(&repo, &["overlay"], |_| {}));
    let repo = Repo::new(&files);
    assert!(!replayed_after(&repo, &["overlay"], |r| r
        .write("base/app.yaml", &DEPLOY.replace("nginx:1.27", "nginx:1.28"))));
}

#[test]
fn a_missing_file_that_appears_is_a_dependency() {
    let files = [
        ("k/kustomization.yaml", "resources: [app.yaml, extra.yaml]\n"),
        ("k/app.yaml", DEPLOY),
    ];
    let repo = Repo::new(&files);
    assert!(replayed_with(
        &repo,
        &["k/kustomization.yaml"],
        "does not exist",
        |_| {}
    ));
    let repo = Repo::new(&files);
    assert!(!replayed_with(
        &repo,
        &["k/kustomization.yaml"],
        "does not exist",
        |r| r.write("k/extra.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    ));
    let (now, _) = repo.run(&["k/kustomization.yaml"]);
    assert!(!now.contains("does not exist"), "{now}");
}

#[test]
fn a_crd_file_is_a_dependency() {
    let crd = |plural: &str| {
        format!(
            "apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {{name: {plural}.example.com}}
spec:
  group: example.com
  names: {{kind: Widget, plural: {plural}}}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {{type: object}}
"
        )
    };
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("crds/w.yaml", &crd("widgets"))]);
    let crds = repo.path("crds");
    let crds = crds.to_string_lossy().into_owned();
    assert!(replayed_after(&repo, &["app.yaml", "--crd", &crds], |_| {}));
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("crds/w.yaml", &crd("widgets"))]);
    let crds = repo.path("crds").to_string_lossy().into_owned();
    assert!(!replayed_after(&repo, &["app.yaml", "--crd", &crds], |r| r
        .write("crds/w.yaml", &crd("widgetz"))));
}

#[test]
fn fixes_never_use_the_cache() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    let _ = repo.run(&["--fix"]);
    let _ = repo.run(&["--diff"]);
    assert!(repo.entries().is_empty());
}

#[test]
fn an_unwritable_cache_folder_is_no_error() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    // A file where the folder should be: nothing can be stored.
    std::fs::write(&repo.cache, "not a folder").unwrap_or_else(|e| panic!("{e}"));
    let (out, err) = repo.run(&[]);
    assert!(out.contains("requests"), "{out}");
    assert!(err.is_empty(), "{err}");
    assert!(Path::new(&repo.cache).is_file());
}
