//! The `kvet` command line: parse arguments, call the library, render, and
//! exit with 0 (clean), 1 (findings at or above `--fail-on`) or 2 (usage or
//! I/O error).

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    kvet::timings::start();
    match cli::run() {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("kvet: error: {e}");
            ExitCode::from(2)
        }
    }
}
