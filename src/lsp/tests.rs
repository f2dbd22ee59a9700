//! Tests of the server's outbox: findings written as JSON text read back
//! as the typed messages.

use super::*;

fn server() -> Server {
    let params: lsp::InitializeParams =
        serde_json::from_value(serde_json::json!({ "capabilities": {} })).unwrap_or_else(|e| panic!("{e}"));
    Server::new(&params)
}

fn open(s: &mut Server, text: &str) {
    s.notification(Notification::new(
        lsp::notification::DidOpenTextDocument::METHOD.into(),
        serde_json::json!({ "textDocument": { "uri": "file:///w/a.yaml", "languageId": "yaml", "version": 1, "text": text } }),
    ));
}

#[test]
fn findings_written_as_text_read_back_as_the_message() {
    let text = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: \"é\\\"x\"}\nspec:\n  replicas: 1\n";
    let mut typed = server();
    open(&mut typed, text);
    let want = typed.take_outbox();
    let mut raw = server();
    open(&mut raw, text);
    let sent = raw.take_outbox_as_sent();
    assert!(
        sent.iter()
            .any(|m| matches!(m, Message::Notification(n) if n.method == SERIALIZED))
    );
    let mut bytes = Vec::new();
    for m in sent {
        write_message(&mut bytes, m).unwrap_or_else(|e| panic!("{e}"));
    }
    let mut read = std::io::Cursor::new(bytes);
    let mut got = Vec::new();
    while let Some(frame) = read_frame(&mut read).unwrap_or_else(|e| panic!("{e}")) {
        match frame {
            Frame::Message(m) => got.push(m),
            Frame::Skipped(why, _) => panic!("{why}"),
        }
    }
    let json = |ms: &[Message]| serde_json::to_value(ms).unwrap_or_default();
    assert_eq!(json(&got), json(&want));
    assert!(
        json(&got).to_string().contains("publishDiagnostics"),
        "a publish was written"
    );
}
