//! `kvet check --watch`: lint, then poll the inputs, and lint again when
//! something changed. Polling (no file-system notification crate): the
//! inputs are walked again twice a second, which costs a few milliseconds
//! on a repository of a thousand manifests.

use std::collections::BTreeMap;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use kvet::config::find_config;
use kvet::source::{DiscoverOptions, Input, discover};

use super::CheckArgs;
use super::check::check_once;

const POLL: Duration = Duration::from_millis(500);

/// What a run depends on: every input file, the configuration files above
/// them, `--config`, `--crd` and `--baseline` paths, with their size and
/// modification time (a missing file is recorded as missing).
type Fingerprint = BTreeMap<PathBuf, Option<(u64, SystemTime)>>;

fn fingerprint(args: &CheckArgs) -> Fingerprint {
    let opts = DiscoverOptions {
        respect_ignore_files: !args.no_ignore,
        ..DiscoverOptions::default()
    };
    let found = discover(&args.paths, &opts);
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for i in &found.inputs {
        if let Input::File { path, .. } = i {
            paths.push(path.clone());
            if let Some(d) = path.parent() {
                let d = if d.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    d.to_path_buf()
                };
                if !dirs.contains(&d) {
                    dirs.push(d);
                }
            }
        }
    }
    // Missing paths named on the command line: their appearance counts.
    paths.extend(found.missing.iter().map(|(p, _)| PathBuf::from(p)));
    if !args.no_config && args.config.is_none() {
        paths.extend(dirs.iter().filter_map(|d| find_config(d)));
    }
    paths.extend(args.config.iter().cloned());
    paths.extend(args.baseline.iter().cloned());
    for c in &args.crd {
        let walked = discover(&[c.display().to_string()], &opts);
        paths.extend(walked.inputs.into_iter().filter_map(|i| match i {
            Input::File { path, .. } => Some(path),
            Input::Stdin => None,
        }));
    }
    paths
        .into_iter()
        .map(|p| {
            let stamp = std::fs::metadata(&p)
                .ok()
                .map(|m| (m.len(), m.modified().unwrap_or(SystemTime::UNIX_EPOCH)));
            (p, stamp)
        })
        .collect()
}

pub fn run(args: &CheckArgs) -> Result<u8, String> {
    if args.paths.iter().any(|p| p == "-") {
        return Err("--watch: stdin (`-`) cannot be watched; name files or folders".into());
    }
    let clear = io::stdout().is_terminal();
    loop {
        let before = fingerprint(args);
        if clear {
            // Clear the screen and move to the top (only on a terminal:
            // a file or a pipe gets the reports one after another).
            let mut out = io::stdout().lock();
            let _ = out.write_all(b"\x1b[2J\x1b[H");
            let _ = out.flush();
        }
        match check_once(args) {
            Ok(code) => eprintln!("kvet: exit code {code}; watching for changes (Ctrl-C to stop)"),
            Err(e) => eprintln!("kvet: error: {e}\nkvet: watching for changes (Ctrl-C to stop)"),
        }
        loop {
            std::thread::sleep(POLL);
            if fingerprint(args) != before {
                break;
            }
        }
    }
}
