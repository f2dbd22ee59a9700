//! The language server's message loop, in process: the input is read as a
//! stream of `Content-Length`-framed messages (bounded reader), each handed
//! to the server as `kvet lsp` would, linting whenever an edit is pending;
//! every publish kvet writes as JSON text must read back as a message.
#![no_main]

use kvet::lsp::{Frame, Server, read_frame};
use libfuzzer_sys::fuzz_target;
use lsp_server::Message;

fuzz_target!(|data: &[u8]| {
    let mut server = Server::new(&lsp_types::InitializeParams::default());
    let mut input = data;
    for _ in 0..64 {
        let msg = match read_frame(&mut input) {
            Ok(Some(Frame::Message(m))) => m,
            Ok(Some(Frame::Skipped(..))) => continue,
            Ok(None) | Err(_) => break,
        };
        match msg {
            Message::Request(r) => {
                let _ = server.request(r);
            }
            Message::Notification(n) => server.notification(n),
            Message::Response(_) => {}
        }
        if server.deadline().is_some() {
            server.lint_and_publish();
        }
        // Findings are written as JSON text by kvet itself: it must read
        // back as a message.
        for m in server.take_outbox_as_sent() {
            if let Message::Notification(n) = m
                && n.method == kvet::lsp::SERIALIZED
            {
                let text = n.params.as_str().unwrap_or_default();
                if let Err(e) = serde_json::from_str::<Message>(text) {
                    panic!("a publish that is not JSON-RPC ({e}): {text}");
                }
            }
        }
    }
});
