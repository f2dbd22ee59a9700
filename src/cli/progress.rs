//! A progress bar on stderr for long runs: shown only on a terminal, only
//! after the run has taken about a second, and never with `--quiet`. It
//! moves in every phase: reading files, parsing them, checking objects,
//! rendering kustomizations.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use kvet::lint::LintProgress;

const SHOW_AFTER: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: Option<ProgressBar>,
    start: Instant,
    shown: AtomicBool,
}

impl Progress {
    pub fn new(quiet: bool) -> Progress {
        let enabled = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let bar = enabled.then(|| ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::hidden()));
        Progress {
            bar,
            start: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    /// Starts a phase: its name, and how many steps it counts (0: a
    /// spinner without a count). The bar restarts at 0.
    pub fn phase(&self, message: &'static str, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_position(0);
            bar.set_length(total as u64);
            let template = if total == 0 {
                "{spinner} {msg} ({elapsed})"
            } else {
                "{spinner} {msg} [{bar:30}] {pos}/{len} ({elapsed})"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(message);
            self.maybe_show(bar);
        }
    }

    pub fn inc(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
            self.maybe_show(bar);
        }
    }

    fn maybe_show(&self, bar: &ProgressBar) {
        if !self.shown.load(Ordering::Relaxed) && self.start.elapsed() >= SHOW_AFTER {
            self.shown.store(true, Ordering::Relaxed);
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.enable_steady_tick(Duration::from_millis(100));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Every phase of a lint run moves the bar: files parsed, then objects
/// checked (by the rules, then against their schemas).
impl LintProgress for Progress {
    fn parsed(&self) {
        self.inc();
    }

    fn checking(&self, objects: usize) {
        self.phase("checking objects", objects * 2);
    }

    fn checked(&self) {
        self.inc();
    }
}
