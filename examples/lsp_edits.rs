//! Drives the language server through the edits `benches/lsp.rs` times, for
//! instruction counts under callgrind (`bench/lsp_callgrind.sh`): the
//! 5,000-line document opened in a workspace (or none), then EDITS
//! one-character edits, each followed by the re-lint and publish.
//!
//!   cargo run --release --example lsp_edits -- [WORKSPACE_DIR|-] EDITS [5mb]

use kvet::lsp::Server;
use lsp_server::Notification;
use serde_json::json;

#[path = "../benches/common/lsp_doc.rs"]
mod lsp_doc;
use lsp_doc::{manifest, middle_replicas};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let workspace = args.first().filter(|a| a.as_str() != "-");
    let edits: u32 = args
        .get(1)
        .map_or(Ok(1), |n| n.parse())
        .map_err(|e| format!("EDITS: {e}"))?;
    let big = args.get(2).is_some_and(|a| a == "5mb");
    let mut init = json!({ "capabilities": {} });
    if let Some(dir) = workspace {
        let dir = std::path::Path::new(dir)
            .canonicalize()
            .map_err(|e| format!("{dir}: {e}"))?;
        init["workspaceFolders"] = json!([{ "uri": format!("file://{}", dir.display()), "name": "ws" }]);
    }
    let params: lsp_types::InitializeParams = serde_json::from_value(init).map_err(|e| e.to_string())?;
    let mut server = Server::new(&params);
    let one = manifest();
    let (line, col) = middle_replicas(&one);
    let text = if big {
        (0..(5_000_000 / one.len() + 1)).map(|_| one.as_str()).collect()
    } else {
        one
    };
    let uri = "file:///bench/doc.yaml";
    server.notification(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
    ));
    let mut published = server.take_outbox_as_sent().len();
    for n in 0..edits {
        server.notification(Notification::new(
            "textDocument/didChange".into(),
            json!({
                "textDocument": { "uri": uri, "version": n + 2 },
                "contentChanges": [{ "range": { "start": { "line": line, "character": col }, "end": { "line": line, "character": col + 1 } }, "text": if n % 2 == 0 { "5" } else { "3" } }],
            }),
        ));
        server.lint_and_publish();
        published += server.take_outbox_as_sent().len();
    }
    eprintln!("{edits} edits, {published} messages");
    Ok(())
}
