//! Turns the command line's paths, folders, globs and `-` into a list of
//! inputs, respecting `.gitignore`/`.ignore` and skipping hidden files unless
//! they are named.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobMatcher};

/// One input to read.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Input {
    /// Standard input.
    Stdin,
    /// A file, with the name to show for it.
    File { path: PathBuf, name: String },
}

#[derive(Debug, Clone)]
pub struct DiscoverOptions {
    /// Respect `.gitignore`, `.ignore` and git's global excludes.
    pub respect_ignore_files: bool,
    /// File name endings picked up when walking folders.
    pub extensions: Vec<String>,
}

impl Default for DiscoverOptions {
    fn default() -> Self {
        DiscoverOptions {
            respect_ignore_files: true,
            extensions: vec!["yaml".into(), "yml".into(), "json".into()],
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    /// Command-line paths that do not exist or match nothing, with the reason.
    pub missing: Vec<(String, String)>,
    /// Folders or entries that could not be walked (permission denied, loops).
    pub walk_errors: Vec<(String, String)>,
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '[', '{'])
}

fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

/// Expands command-line arguments into inputs. Order: stdin first if named,
/// then files sorted by path; every file at most once.
pub fn discover(args: &[String], opts: &DiscoverOptions) -> Discovered {
    let mut out = Discovered::default();
    let mut files: BTreeSet<(String, PathBuf)> = BTreeSet::new();
    let mut stdin = false;
    let default_arg = [".".to_string()];
    let args = if args.is_empty() { &default_arg[..] } else { args };
    for arg in args {
        if arg == "-" {
            stdin = true;
            continue;
        }
        let path = Path::new(arg);
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, None, opts, &mut files, &mut out),
            Ok(_) => {
                files.insert((display_name(path), path.to_path_buf()));
            }
            Err(err) if is_glob(arg) && err.kind() == std::io::ErrorKind::NotFound => {
                let before = files.len();
                // `*` stays within one folder; `**` crosses folders.
                match GlobBuilder::new(arg).literal_separator(true).build() {
                    Ok(glob) => {
                        let base = glob_base(arg);
                        let matcher = glob.compile_matcher();
                        if base.is_dir() {
                            walk(&base, Some(&matcher), opts, &mut files, &mut out);
                        }
                        if files.len() == before {
                            out.missing.push((arg.clone(), "the pattern matches no file".into()));
                        }
                    }
                    Err(e) => out
                        .missing
                        .push((arg.clone(), format!("invalid glob pattern: {}", e.kind()))),
                }
            }
            Err(err) => out.missing.push((arg.clone(), super::io_message(&err).to_string())),
        }
    }
    if stdin {
        out.inputs.push(Input::Stdin);
    }
    out.inputs
        .extend(files.into_iter().map(|(name, path)| Input::File { path, name }));
    out
}

/// The literal folder a glob starts from: its components before the first
/// one with a glob character.
fn glob_base(pattern: &str) -> PathBuf {
    let mut base = PathBuf::new();
    for comp in Path::new(pattern).components() {
        let s = comp.as_os_str().to_string_lossy();
        if is_glob(&s) {
            break;
        }
        base.push(comp);
    }
    if base.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        base
    }
}

fn walk(
    root: &Path,
    glob: Option<&GlobMatcher>,
    opts: &DiscoverOptions,
    files: &mut BTreeSet<(String, PathBuf)>,
    out: &mut Discovered,
) {
    let mut builder = ignore::WalkBuilder::new(root);
    builder
        .hidden(true)
        .git_ignore(opts.respect_ignore_files)
        .git_global(opts.respect_ignore_files)
        .git_exclude(opts.respect_ignore_files)
        .ignore(opts.respect_ignore_files)
        .parents(opts.respect_ignore_files)
        .require_git(false)
        .follow_links(true);
    // Symlinked files are read wherever they point. A symlinked folder is
    // walked only when it leads inside the walked folder and not to the
    // folder holding the link or one of its ancestors (`up -> ..` would lead
    // out of the tree, `self -> .` round in a loop).
    let root_real = std::fs::canonicalize(root).ok();
    builder.filter_entry(move |e| {
        if !e.path_is_symlink() || e.depth() == 0 || !std::fs::metadata(e.path()).is_ok_and(|m| m.is_dir()) {
            return true;
        }
        let (Some(root), Ok(target)) = (&root_real, std::fs::canonicalize(e.path())) else {
            return false;
        };
        let holder = e.path().parent().and_then(|p| std::fs::canonicalize(p).ok());
        target.starts_with(root) && !holder.is_some_and(|h| h.starts_with(&target))
    });
    // Walked on two threads (or as many as there are cores): the walk is
    // mostly system calls (listing folders, looking for ignore files). The
    // files are sorted by `files`, the errors here.
    let found = std::sync::Mutex::new((Vec::new(), Vec::new()));
    builder.build_parallel().run(|| {
        let found = &found;
        Box::new(move |entry| {
            let lock = || found.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match entry {
                Err(err) => {
                    // An entry that cannot be followed (a dangling link, a
                    // folder without permission): a located finding when
                    // it names a manifest file, else a warning.
                    match error_path(&err) {
                        Some(p) if wanted_name(p, glob, opts) => lock().0.push((display_name(p), p.to_path_buf())),
                        _ => lock().1.push((display_name(root), walk_error_message(&err))),
                    }
                }
                Ok(entry) => {
                    let path = entry.path();
                    if entry.file_type().is_some_and(|t| t.is_file()) && wanted_name(path, glob, opts) {
                        lock().0.push((display_name(path), path.to_path_buf()));
                    }
                }
            }
            ignore::WalkState::Continue
        })
    });
    let (walked, mut errors) = found.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
    files.extend(walked);
    errors.sort();
    out.walk_errors.extend(errors);
}

fn wanted_name(path: &Path, glob: Option<&GlobMatcher>, opts: &DiscoverOptions) -> bool {
    match glob {
        Some(m) => m.is_match(path) || m.is_match(display_name(path)),
        None => path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| opts.extensions.iter().any(|x| x.eq_ignore_ascii_case(e))),
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

fn walk_error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { path, err } => {
            format!("{}: {}", display_name(path), walk_error_message(err))
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => walk_error_message(err),
        ignore::Error::Io(e) => super::io_message(e),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &Discovered) -> Vec<String> {
        d.inputs
            .iter()
            .map(|i| match i {
                Input::Stdin => "-".into(),
                Input::File { name, .. } => name.clone(),
            })
            .collect()
    }

    #[test]
    fn walks_folders_globs_and_skips_hidden() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub"))?;
        std::fs::create_dir_all(root.join(".hidden"))?;
        std::fs::write(root.join("a.yaml"), "a: 1")?;
        std::fs::write(root.join("sub/b.yml"), "b: 1")?;
        std::fs::write(root.join("sub/c.json"), "{}")?;
        std::fs::write(root.join("sub/notes.txt"), "x")?;
        std::fs::write(root.join(".hidden/d.yaml"), "d: 1")?;
        std::fs::write(root.join(".e.yaml"), "e: 1")?;
        std::fs::write(root.join(".ignore"), "ignored.yaml\n")?;
        std::fs::write(root.join("ignored.yaml"), "i: 1")?;
        let r = root.to_string_lossy().to_string();

        let d = discover(std::slice::from_ref(&r), &DiscoverOptions::default());
        let n = names(&d);
        assert_eq!(n.len(), 3, "{n:?}");
        assert!(n.iter().any(|x| x.ends_with("a.yaml")));
        assert!(n.iter().any(|x| x.ends_with("sub/b.yml")));
        assert!(n.iter().any(|x| x.ends_with("sub/c.json")));

        // A hidden file named explicitly is read.
        let hidden = format!("{r}/.e.yaml");
        let d = discover(&[hidden, "-".into()], &DiscoverOptions::default());
        assert_eq!(names(&d).len(), 2);
        assert_eq!(d.inputs[0], Input::Stdin);

        let pat = format!("{r}/sub/*.yml");
        let d = discover(&[pat], &DiscoverOptions::default());
        assert_eq!(names(&d).len(), 1);

        let d = discover(
            &[format!("{r}/nope.yaml"), format!("{r}/*.nothing")],
            &DiscoverOptions::default(),
        );
        assert_eq!(d.missing.len(), 2);
        assert!(d.inputs.is_empty());
        Ok(())
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folders_stay_inside_the_tree() -> std::io::Result<()> {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("tree/real"))?;
        std::fs::create_dir_all(root.join("outside"))?;
        std::fs::write(root.join("outside.yaml"), "o: 1")?;
        std::fs::write(root.join("outside/x.yaml"), "x: 1")?;
        std::fs::write(root.join("tree/a.yaml"), "a: 1")?;
        std::fs::write(root.join("tree/real/b.yaml"), "b: 1")?;
        symlink("..", root.join("tree/up"))?;
        symlink(".", root.join("tree/real/self"))?;
        symlink("../outside", root.join("tree/out"))?;
        symlink("real", root.join("tree/inside"))?;
        symlink("../outside.yaml", root.join("tree/linked.yaml"))?;
        let tree = root.join("tree").to_string_lossy().to_string();
        let d = discover(&[tree], &DiscoverOptions::default());
        let mut n: Vec<String> = names(&d)
            .iter()
            .map(|x| x.rsplit_once("/tree/").map_or(x.clone(), |(_, r)| r.to_string()))
            .collect();
        n.sort();
        assert_eq!(n, vec!["a.yaml", "inside/b.yaml", "linked.yaml", "real/b.yaml"]);
        Ok(())
    }
}
