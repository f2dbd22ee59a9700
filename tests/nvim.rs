//! End to end with a real editor: Neovim (headless) attaches `kvet lsp` to
//! a fixture and records the diagnostics, code actions and hover it got.
//! `.ci/run` installs Neovim; see `common` for what happens without it.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn neovim_shows_diagnostics_actions_and_hover() -> std::io::Result<()> {
    let Some(nvim) = common::tool("neovim_shows_diagnostics_actions_and_hover", common::Tool::Nvim) else {
        return Ok(());
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = tempfile::NamedTempFile::new()?;
    let mut child = Command::new(&nvim)
        .args([
            "--headless",
            "--clean",
            "-c",
            "luafile tests/nvim/check.lua",
            "fixtures/selector-mismatch/bad.yaml",
        ])
        .current_dir(root)
        .env("KVET_BIN", env!("CARGO_BIN_EXE_kvet"))
        .env("KVET_NVIM_OUT", out.path())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let start = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            panic!("nvim did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(out.path())?;
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(v["attached"], true, "{v}");
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let first = diags
        .iter()
        .find(|d| d["lnum"] == 7)
        .unwrap_or_else(|| panic!("no diagnostic on line 8: {v}"));
    // Line 8, columns 7–9 (`app`), 0-based in Neovim.
    assert_eq!(
        (first["lnum"].as_u64(), first["col"].as_u64()),
        (Some(7), Some(6)),
        "{v}"
    );
    assert_eq!(
        (first["end_lnum"].as_u64(), first["end_col"].as_u64()),
        (Some(7), Some(9)),
        "{v}"
    );
    assert_eq!(first["code"], "selector-mismatch");
    assert_eq!(first["source"], "kvet");
    assert_eq!(first["severity"], 1);
    assert_eq!(diags.len(), 3, "three mismatching controllers in the fixture: {v}");
    let actions: Vec<&str> = v["actions"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    assert!(
        actions.contains(&"Suppress selector-mismatch on this line"),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"Suppress selector-mismatch for this file"),
        "{actions:?}"
    );
    let hover = v["hover"].as_str().unwrap_or("");
    assert!(
        hover.contains("**selector-mismatch**") && hover.contains("**How to fix**"),
        "{hover}"
    );
    Ok(())
}
