//! The language server's message loop, in process: the input is read as a
//! stream of `Content-Length`-framed messages (bounded reader), each handed
//! to the server as `kvet lsp` would, linting whenever an edit is pending.
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
        let _ = server.take_outbox();
    }
});
