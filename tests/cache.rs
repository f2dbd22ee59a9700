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

/// A kustomization overlay whose base is outside it.
const OVERLAY: [(&str, &str); 3] = [
    ("base/kustomization.yaml", "resources: [app.yaml]\n"),
    ("base/app.yaml", DEPLOY),
    (
        "overlay/kustomization.yaml",
        "resources: [../base]\nnamePrefix: prod-\n",
    ),
];

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
        let (out, err, _) = self.run_status(args);
        (out, err)
    }

    /// [`Repo::run`], with the exit code.
    fn run_status(&self, args: &[&str]) -> (String, String, Option<i32>) {
        let out = self.output(&[], args);
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        (text(&out.stdout), text(&out.stderr), out.status.code())
    }

    /// `kvet check ARGS --format json` in the repository, with `env` set.
    fn output(&self, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
        Command::cargo_bin("kvet")
            .unwrap_or_else(|e| panic!("{e}"))
            .current_dir(self.dir.path().join("repo"))
            .env("KVET_CACHE_DIR", &self.cache)
            .env_remove("KVET_NO_CACHE")
            .envs(env.iter().copied())
            .arg("check")
            .args(args)
            .args(["--format", "json"])
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The files of the cache folder named `*.{ext}`.
    fn stored(&self, ext: &str) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(&self.cache)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        v.retain(|p| p.extension().is_some_and(|x| x == ext));
        v
    }

    /// The result cache's entries.
    fn entries(&self) -> Vec<PathBuf> {
        self.stored("bin")
    }

    /// The packs of the cache of unchanged files.
    fn packs(&self) -> Vec<PathBuf> {
        self.stored("pack")
    }

    /// The reports the result cache keeps.
    fn reports(&self) -> Vec<PathBuf> {
        self.stored("report")
    }

    /// Replaces `from` by `to` (same length) in every stored entry and
    /// kept report, so a replay shows `to` where a fresh run says `from`.
    fn tamper(&self, from: &str, to: &str) {
        let entries = self.entries();
        assert!(!entries.is_empty(), "nothing stored in {}", self.cache.display());
        tamper_files(&entries, from, to);
        tamper_files(&self.reports(), from, to);
    }

    /// Like [`Repo::tamper`], in the packs of the cache of unchanged files.
    fn tamper_packs(&self, from: &str, to: &str) {
        let packs = self.packs();
        assert_eq!(packs.len(), 1, "one pack per working folder");
        tamper_files(&packs, from, to);
    }
}

/// Replaces `from` by `to` (same length) in each file.
fn tamper_files(files: &[PathBuf], from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    for p in files {
        let mut bytes = std::fs::read(p).unwrap_or_else(|e| panic!("{e}"));
        let mut found = false;
        while let Some(at) = find(&bytes, from.as_bytes()) {
            bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
            found = true;
        }
        assert!(found, "`{from}` is not in {}", p.display());
        std::fs::write(p, bytes).unwrap_or_else(|e| panic!("{e}"));
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
fn a_replay_prints_the_report_kept_and_exits_as_the_run_did() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    let strict = ["--fail-on", "warning"];
    let (fresh, _, fresh_code) = repo.run_status(&["--no-cache", "--fail-on", "warning"]);
    assert_eq!(fresh_code, Some(1), "the deployment has warnings:\n{fresh}");
    assert_eq!(repo.run_status(&strict), (fresh.clone(), String::new(), Some(1)));
    assert_eq!(repo.reports().len(), 1, "the report is kept with the run");
    // Only the entry's findings are edited: a replay prints the report
    // kept, not the findings rendered again.
    tamper_files(&repo.entries(), "requests", "REQUESTS");
    assert_eq!(repo.run_status(&strict), (fresh.clone(), String::new(), Some(1)));
    // A damaged report is not used: the findings are rendered again, and
    // the report is kept whole again.
    for report in repo.reports() {
        let bytes = std::fs::read(&report).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(&report, &bytes[..bytes.len() - 1]).unwrap_or_else(|e| panic!("{e}"));
    }
    let (again, _, code) = repo.run_status(&strict);
    assert_eq!(code, Some(1));
    assert_eq!(again, fresh.replace("requests", "REQUESTS"));
    assert_eq!(repo.run_status(&strict).0, again, "the report was kept again");
    // Another command line is another run, with its own report.
    let (c, _, code) = repo.run_status(&["--fail-on", "warning", "--color", "always"]);
    assert_eq!((c, code), (fresh, Some(1)));
    assert_eq!(repo.reports().len(), 2);
    // No report is kept when it depends on more than the findings.
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    let report = repo.path("report.json").to_string_lossy().into_owned();
    let _ = repo.run(&["-o", &report]);
    let baseline = repo.path("baseline.json").to_string_lossy().into_owned();
    let _ = repo.run(&["--write-baseline", &baseline]);
    let _ = repo.run(&["--baseline", &baseline]);
    assert!(repo.reports().is_empty(), "{:?}", repo.reports());
    assert_eq!(repo.entries().len(), 3);
}

#[test]
fn a_human_report_replays_as_printed_with_or_without_colours() {
    let repo = Repo::new(&[("app.yaml", DEPLOY)]);
    for color in ["never", "always"] {
        let run = |extra: &[&str]| {
            let out = Command::cargo_bin("kvet")
                .unwrap_or_else(|e| panic!("{e}"))
                .current_dir(repo.path(""))
                .env("KVET_CACHE_DIR", &repo.cache)
                .env_remove("KVET_NO_CACHE")
                .args(["check", "--color", color])
                .args(extra)
                .output()
                .unwrap_or_else(|e| panic!("{e}"));
            (out.stdout, out.status.code())
        };
        let fresh = run(&["--no-cache"]);
        assert!(!fresh.0.is_empty());
        assert_eq!(run(&[]), fresh, "--color {color}: first run");
        assert_eq!(run(&[]), fresh, "--color {color}: replay");
    }
    assert_eq!(repo.reports().len(), 2);
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
    let files = OVERLAY;
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

/// A CRD of the kind `Widget` (group `example.com`), named by its plural,
/// whose `openAPIV3Schema:` is `schema`.
fn widget_crd(plural: &str, schema: &str) -> String {
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
        openAPIV3Schema: {schema}
"
    )
}

#[test]
fn a_crd_file_is_a_dependency() {
    let crd = |plural: &str| widget_crd(plural, "{type: object}");
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

// The cache of unchanged files: a run in which some inputs changed reads
// the others back from the previous run's pack.

impl Repo {
    /// A run with the cache equals one without it.
    fn assert_as_fresh(&self, args: &[&str], step: &str) {
        let (cached, _) = self.run(args);
        let mut fresh_args = args.to_vec();
        fresh_args.push("--no-cache");
        let (fresh, _) = self.run(&fresh_args);
        assert_eq!(cached, fresh, "after {step}");
    }
}

const CONFIG_MAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: b}\n";

#[test]
fn an_unchanged_file_is_read_back_when_another_changes() {
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("settings.yaml", CONFIG_MAP)]);
    let (first, _) = repo.run(&[]);
    assert!(first.contains("requests"), "{first}");
    assert!(
        repo.cache.join("CACHEDIR.TAG").is_file(),
        "the folder is marked as a cache"
    );
    // The pack holds app.yaml's own findings: edited there, they show in
    // the next run, which had to lint again (another file changed).
    repo.tamper_packs("requests", "REQUESTS");
    repo.write("settings.yaml", &CONFIG_MAP.replace("a: b", "a: c"));
    let (second, _) = repo.run(&[]);
    assert!(second.contains("REQUESTS"), "app.yaml was read back:\n{second}");
    // Once app.yaml changes, it is checked again.
    repo.write("app.yaml", &format!("{DEPLOY}# edited\n"));
    let (third, _) = repo.run(&[]);
    assert!(third.contains("requests") && !third.contains("REQUESTS"), "{third}");
    // Another configuration reads nothing back.
    repo.tamper_packs("requests", "REQUESTS");
    repo.write(".kvet.yaml", "kubernetes-version: \"1.30\"\n");
    let (fourth, _) = repo.run(&[]);
    assert!(!fourth.contains("REQUESTS"), "{fourth}");
}

#[test]
fn a_custom_resource_is_read_back_while_the_crd_files_are_unchanged() {
    let crd = widget_crd(
        "widgets",
        "\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {type: string}",
    );
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n";
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("crd.yaml", &crd), ("widget.yaml", widget)]);
    let (first, _) = repo.run(&[]);
    assert!(first.contains("`spec.size` must be string"), "{first}");
    // Another file changes: the widget's findings come from the pack.
    repo.tamper_packs("must be string", "MUST BE STRING");
    repo.write("app.yaml", &format!("{DEPLOY}# edited\n"));
    let (second, _) = repo.run(&[]);
    assert!(
        second.contains("MUST BE STRING"),
        "widget.yaml was read back:\n{second}"
    );
    // The CRD's file changes (a comment only): every custom resource is
    // checked again (the pack still holds the record read back).
    repo.write("crd.yaml", &format!("{crd}# edited\n"));
    let (third, _) = repo.run(&[]);
    assert!(
        third.contains("must be string") && !third.contains("MUST BE STRING"),
        "{third}"
    );
    // CRDs named by the command line are read anew each run: custom
    // resources are always checked again.
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("crds/w.yaml", &crd), ("widget.yaml", widget)]);
    let crds = repo.path("crds").to_string_lossy().into_owned();
    let args = ["app.yaml", "widget.yaml", "--crd", crds.as_str()];
    let (first, _) = repo.run(&args);
    assert!(first.contains("`spec.size` must be string"), "{first}");
    let packs = repo.packs();
    assert!(!packs.is_empty());
    for pack in packs {
        let bytes = std::fs::read(&pack).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            find(&bytes, b"must be string").is_none(),
            "no custom resource's findings are kept in {}",
            pack.display()
        );
    }
}

#[test]
fn runs_with_the_file_cache_equal_fresh_runs_after_each_change() {
    let crd = |field_type: &str| {
        widget_crd(
            "widgets",
            &format!(
                "\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {{type: {field_type}}}"
            ),
        )
    };
    let widget = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 3}\n";
    let service = |app: &str| {
        format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
        )
    };
    let repo = Repo::new(&[
        ("app.yaml", DEPLOY),
        ("svc.yaml", &service("web")),
        ("crd.yaml", &crd("integer")),
        ("widget.yaml", widget),
        (
            "list.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"nginx\"}]}}]}",
        ),
        ("broken.yaml", "a: [\n"),
        (
            "dup.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: b, a: c}\n",
        ),
    ]);
    repo.assert_as_fresh(&[], "the first run");
    type Step<'a> = (&'a str, Box<dyn Fn(&Repo) + 'a>);
    let steps: Vec<Step> = vec![
        (
            "a selector that matches nothing",
            Box::new(move |r: &Repo| r.write("svc.yaml", &service("api"))),
        ),
        (
            "a CRD whose field type changes",
            Box::new(move |r: &Repo| r.write("crd.yaml", &crd("string"))),
        ),
        (
            "a new file",
            Box::new(|r: &Repo| {
                r.write("more/pdb.yaml", "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  minAvailable: 1\n  selector: {matchLabels: {app: web}}\n")
            }),
        ),
        (
            "a removed file",
            Box::new(|r: &Repo| {
                std::fs::remove_file(r.path("svc.yaml")).unwrap_or_else(|e| panic!("{e}"));
            }),
        ),
        (
            "an object moved down its file",
            Box::new(|r: &Repo| r.write("app.yaml", &format!("# moved\n---\n{DEPLOY}"))),
        ),
        (
            "a suppression comment",
            Box::new(|r: &Repo| r.write("widget.yaml", &format!("# kvet-ignore-file\n{widget}"))),
        ),
        (
            "a configuration",
            Box::new(|r: &Repo| r.write(".kvet.yaml", "select: [all]\n")),
        ),
        ("nothing (a replay)", Box::new(|_: &Repo| {})),
    ];
    for (step, change) in steps {
        change(&repo);
        repo.assert_as_fresh(&[], step);
        if step == "a new file" {
            // The run above read crd.yaml back (its CRD compiled from the
            // pack) and equals a fresh run: one in which the CRD types the
            // widget's field.
            let (out, _) = repo.run(&[]);
            assert!(out.contains("`spec.size` must be string"), "{out}");
        }
    }
    // Other inputs, same folder: the pack serves both.
    repo.assert_as_fresh(&["app.yaml", "widget.yaml"], "fewer inputs");
    repo.assert_as_fresh(&[], "all inputs again");
}

#[test]
fn a_damaged_pack_is_a_fresh_run() {
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("settings.yaml", CONFIG_MAP)]);
    let (fresh, _) = repo.run(&["--no-cache"]);
    let _ = repo.run(&[]);
    let packs = repo.packs();
    assert_eq!(packs.len(), 1);
    let bytes = std::fs::read(&packs[0]).unwrap_or_else(|e| panic!("{e}"));
    for (i, cut) in [0, 10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1]
        .into_iter()
        .enumerate()
    {
        let mut damaged = bytes[..cut].to_vec();
        if i % 2 == 1 {
            damaged.extend(std::iter::repeat_n(0xa5u8, 64));
        }
        std::fs::write(&packs[0], &damaged).unwrap_or_else(|e| panic!("{e}"));
        // Another input changes, so the run is not a replay.
        repo.write("settings.yaml", &CONFIG_MAP.replace("a: b", &format!("a: v{i}")));
        let (fresh_now, _) = repo.run(&["--no-cache"]);
        let (out, err) = repo.run(&[]);
        assert_eq!(out, fresh_now, "cut at {cut}");
        assert!(err.is_empty(), "{err}");
        assert_ne!(fresh, "");
    }
}

/// Waits until the files just written are older than the time a stamp
/// needs to be trusted ([`kvet::source::Stamp::SETTLE`]).
fn settle() {
    let wait = kvet::source::Stamp::SETTLE as u64 + 200_000_000;
    std::thread::sleep(std::time::Duration::from_nanos(wait));
}

/// [`Repo::run`] with `KVET_TIMINGS`: stdout, and how many files a run
/// replayed by its files' stamps read (`None`: not such a run).
fn run_timed(repo: &Repo, args: &[&str]) -> (String, Option<usize>) {
    let out = repo.output(&[("KVET_TIMINGS", "1")], args);
    let err = String::from_utf8_lossy(&out.stderr);
    let read = err.lines().find_map(|l| {
        let rest = l.split_once("replayed, ")?.1;
        rest.split_once(" of ")?.0.parse().ok()
    });
    (String::from_utf8_lossy(&out.stdout).into_owned(), read)
}

/// Two deployments, settled: the first run keeps their stamps.
fn settled_repo() -> (Repo, String) {
    let repo = Repo::new(&[("app.yaml", DEPLOY), ("api.yaml", &DEPLOY.replace("web", "api"))]);
    settle();
    let (fresh, _) = run_timed(&repo, &["--no-cache"]);
    let (first, read) = run_timed(&repo, &[]);
    assert!(first == fresh && read.is_none(), "the first run reads its files");
    assert_eq!(repo.stored("stamps").len(), 1, "the first run keeps its files' stamps");
    (repo, fresh)
}

/// Writes `text` to `rel` and puts its modification time back to what
/// it was (the status-change time cannot be put back).
fn write_keeping_mtime(repo: &Repo, rel: &str, text: &str, by_rename: bool) {
    let path = repo.path(rel);
    let modified = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .unwrap_or_else(|e| panic!("{e}"));
    let target = if by_rename {
        repo.path(&format!("{rel}.tmp"))
    } else {
        path.clone()
    };
    std::fs::write(&target, text).unwrap_or_else(|e| panic!("{e}"));
    let file = std::fs::File::options()
        .write(true)
        .open(&target)
        .unwrap_or_else(|e| panic!("{e}"));
    file.set_modified(modified).unwrap_or_else(|e| panic!("{e}"));
    drop(file);
    if by_rename {
        std::fs::rename(&target, &path).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn files_that_kept_their_stamps_are_not_read_for_a_replay() {
    let (repo, fresh) = settled_repo();
    let (second, read) = run_timed(&repo, &[]);
    assert!(second == fresh, "a replay prints what a fresh run prints");
    assert_eq!(read, Some(0), "no file read");
    repo.tamper("requests", "REQUESTS");
    assert!(run_timed(&repo, &[]).0.contains("REQUESTS"), "a replay");

    // An edit of the same size, with the modification time put back: the
    // status-change time tells it.
    write_keeping_mtime(&repo, "app.yaml", &DEPLOY.replace("nginx:1.27", "nginx:1.28"), false);
    let (edited, read) = run_timed(&repo, &[]);
    assert!(!edited.contains("REQUESTS"), "the edited run was linted again");
    assert_eq!(read, None);
    assert!(edited == run_timed(&repo, &["--no-cache"]).0);
    // Right after that run, the edited file is too new for its stamp to be
    // trusted: it alone is read, and the run is replayed.
    let (again, read) = run_timed(&repo, &[]);
    assert!(again == edited);
    assert_eq!(read, Some(1));
}

#[test]
fn a_file_replaced_by_rename_is_read_again() {
    let (repo, _) = settled_repo();
    assert_eq!(run_timed(&repo, &[]).1, Some(0));
    repo.tamper("requests", "REQUESTS");
    // An editor's save: a new file renamed over the old one (a new inode),
    // same size, modification time put back.
    write_keeping_mtime(&repo, "app.yaml", &DEPLOY.replace("nginx:1.27", "nginx:1.28"), true);
    let (renamed, read) = run_timed(&repo, &[]);
    assert!(!renamed.contains("REQUESTS"), "linted again");
    assert_eq!(read, None);
}

#[test]
fn a_changed_configuration_is_seen_in_a_replay_by_stamps() {
    let (repo, _) = settled_repo();
    assert_eq!(run_timed(&repo, &[]).1, Some(0));
    repo.tamper("requests", "REQUESTS");
    repo.write(".kvet.yaml", "kubernetes-version: \"1.30\"\n");
    let (configured, read) = run_timed(&repo, &[]);
    assert!(!configured.contains("REQUESTS"), "linted again");
    assert_eq!(read, None);
}

#[test]
fn a_dependency_outside_the_inputs_counts_in_a_replay_by_stamps() {
    let files = OVERLAY;
    let repo = Repo::new(&files);
    settle();
    let (first, _) = run_timed(&repo, &["overlay"]);
    assert!(first.contains("prod-web"), "the overlay is rendered");
    assert_eq!(run_timed(&repo, &["overlay"]).1, Some(0));
    repo.tamper("requests", "REQUESTS");
    repo.write("base/app.yaml", &DEPLOY.replace("nginx:1.27", "nginx:1.28"));
    let (again, read) = run_timed(&repo, &["overlay"]);
    assert!(!again.contains("REQUESTS"), "the base changed: linted again");
    assert_eq!(read, None);
}
