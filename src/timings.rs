//! `KVET_TIMINGS=1`: the wall time at which each phase of `kvet check`
//! ended, on stderr (`  123.4 ms  parsed`), counted from the start of
//! `main`. Instruction counts (`bench/breakdown.sh`) say what a phase costs;
//! these say what the user waits for, threads and all (a phase spread over
//! every core takes less wall time than its share of instructions, a
//! serial one more).

use std::sync::OnceLock;
use std::time::Instant;

/// The start of the clock, or `None` when timings are off.
fn clock() -> Option<Instant> {
    static START: OnceLock<Option<Instant>> = OnceLock::new();
    *START.get_or_init(|| {
        std::env::var_os("KVET_TIMINGS")
            .is_some_and(|v| !v.is_empty() && v != "0")
            .then(Instant::now)
    })
}

/// Starts the clock (call first thing in `main`).
pub fn start() {
    clock();
}

/// Notes that the phase `name` has ended.
pub fn phase(name: &str) {
    if let Some(start) = clock() {
        eprintln!("{:>9.1} ms  {name}", start.elapsed().as_secs_f64() * 1000.0);
    }
}
