//! Inputs that once crashed, exhausted or hung kvet: special files, endless
//! input, bad `--crd` paths, UTF-32 and invalid UTF-8, CR-only files,
//! symlinks out of a walked folder, and the language server's transport.
//! Each command runs under a timeout, so a hang fails the test.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

fn kvet() -> Command {
    let mut c = Command::cargo_bin("kvet").unwrap_or_else(|e| panic!("kvet binary: {e}"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR");
    c.timeout(Duration::from_secs(60));
    c
}

fn output(c: &mut Command) -> (Option<i32>, String, String) {
    let out = c.output().unwrap_or_else(|e| panic!("run kvet: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn mkfifo(path: &Path) {
    let ok = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

#[test]
fn device_named_on_the_command_line_is_refused() {
    let (code, out, _) = output(kvet().args(["check", "--format", "json", "/dev/zero"]));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("io-error") && out.contains("a device"), "{out}");
}

#[test]
fn fifo_named_on_the_command_line_is_refused() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let fifo = dir.path().join("pipe.yaml");
    mkfifo(&fifo);
    let (code, out, _) = output(kvet().args(["check", "--format", "json"]).arg(&fifo));
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("named pipe (FIFO)"), "{out}");
}

#[test]
fn crd_paths_must_exist_and_be_regular() {
    let (code, _, err) = output(kvet().args(["check", "--crd", "/nonexistent/crds.yaml", "fixtures"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--crd /nonexistent/crds.yaml: no such file or directory"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let fifo = dir.path().join("crds.yaml");
    mkfifo(&fifo);
    let (code, _, err) = output(kvet().args(["check", "--crd"]).arg(&fifo).arg("fixtures"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a regular file or folder"), "{err}");
}

/// Runs kvet with a file as its standard input (not read into memory
/// first: `/dev/zero` never ends).
fn with_stdin(args: &[&str], stdin: &str) -> (Option<i32>, String) {
    let file = std::fs::File::open(stdin).unwrap_or_else(|e| panic!("{stdin}: {e}"));
    let out = std::process::Command::new("timeout")
        .arg("60")
        .arg(assert_cmd::cargo::cargo_bin("kvet"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(file)
        .output()
        .unwrap_or_else(|e| panic!("run kvet: {e}"));
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn endless_stdin_stops_at_the_read_limit() {
    for endless in ["/dev/zero", "/dev/urandom"] {
        let (code, out) = with_stdin(&["check", "--format", "json", "-"], endless);
        assert_eq!(code, Some(1), "{endless}: {out}");
        assert!(
            out.contains("standard input is over the 256 MiB limit"),
            "{endless}: {out}"
        );
    }
}

#[test]
fn suggestions_only_compare_bounded_words() {
    let long = "Deployment".repeat(100_000);
    // The exact distance would be len - 10; a long word is not compared.
    assert_eq!(kvet::config::edit_distance(&long, "Deployment"), long.len());
    assert_eq!(kvet::config::edit_distance("Deploymnet", "Deployment"), 2);
    // A manifest whose kind is 1 MB: linted without a suggestion, quickly.
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let f = dir.path().join("big-kind.yaml");
    let text = format!("apiVersion: apps/v1\nkind: {long}\nmetadata:\n  name: x\n");
    std::fs::write(&f, text).unwrap_or_else(|e| panic!("write: {e}"));
    let (code, out, _) = output(kvet().args(["check", "--format", "json"]).arg(&f));
    assert!(code.is_some(), "{out}");
    assert!(!out.contains("did you mean"), "{}", &out[..out.len().min(400)]);
}

fn frame(body: &str) -> String {
    format!("Content-Length: {}\r\n\r\n{body}", body.len())
}

#[test]
fn lsp_huge_content_length_does_not_abort() {
    let init = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let input = format!("{}Content-Length: 1000000000000\r\n\r\n{{\"jsonrpc\"", frame(init));
    let out = kvet()
        .arg("lsp")
        .write_stdin(input)
        .output()
        .unwrap_or_else(|e| panic!("run kvet lsp: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Answered the initialize, then ended at the end of input (no abort).
    assert!(
        stdout.contains("\"id\":1") && stdout.contains("capabilities"),
        "{stdout}"
    );
    assert!(out.status.code().is_some(), "killed by a signal: {:?}", out.status);
}

#[test]
fn lsp_oversized_message_is_skipped() {
    use std::io::Read;
    let len = kvet::lsp::MAX_MESSAGE_BYTES + 1;
    let after = frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    let header = format!("Content-Length: {len}\r\n\r\n");
    let opening = r#"{"jsonrpc":"2.0","params":{"id":3,"x":["id"]},"id":42,"method":"textDocument/hover","pad":""#;
    let mut input = header
        .as_bytes()
        .chain(opening.as_bytes())
        .chain(std::io::repeat(b' ').take(len - opening.len() as u64))
        .chain(after.as_bytes());
    let mut reader = std::io::BufReader::new(&mut input);
    let first = kvet::lsp::read_frame(&mut reader).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&first, Some(kvet::lsp::Frame::Skipped(why, Some(id))) if why.contains("over the") && *id == lsp_server::RequestId::from(42)),
        "{first:?}"
    );
    let next = kvet::lsp::read_frame(&mut reader).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(&next, Some(kvet::lsp::Frame::Message(lsp_server::Message::Notification(n))) if n.method == "initialized"),
        "{next:?}"
    );
    assert!(matches!(kvet::lsp::read_frame(&mut reader), Ok(None)));
    // A header line that never ends is an error, not an endless read.
    let mut endless = std::io::BufReader::new(std::io::repeat(b'x'));
    assert!(kvet::lsp::read_frame(&mut endless).is_err());
}

#[test]
fn lsp_skipped_request_ids_are_found_in_their_opening_bytes() {
    use kvet::lsp::request_id_prefix as id;
    use lsp_server::RequestId;
    assert_eq!(id(br#"{"jsonrpc":"2.0","id":7,"method":"x""#), Some(RequestId::from(7)));
    assert_eq!(id(br#"{"id" : "a\"b","#), Some(RequestId::from("a\"b".to_string())));
    // Nested ids, strings that read "id" and cut-off values are not taken.
    assert_eq!(id(br#"{"params":{"id":1},"method":"id"}"#), None);
    assert_eq!(id(br#"{"x":"\"id\":3"}"#), None);
    assert_eq!(id(br#"{"id":"unterminated"#), None);
    assert_eq!(id(br#"{"id":99999999999}"#), None);
    assert_eq!(id(b"\xff\xfe{"), None);
}

#[test]
fn lsp_a_request_it_cannot_read_is_answered_with_an_error() {
    // A request whose body is not JSON (cut off) gets an error response for
    // its id; the server then answers the next request as usual.
    let init = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
    let initialized = frame(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#);
    let broken = frame(r#"{"jsonrpc":"2.0","id":5,"method":"textDocument/hover","params":{"#);
    let shutdown = frame(r#"{"jsonrpc":"2.0","id":6,"method":"shutdown"}"#);
    let exit = frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
    let out = kvet()
        .arg("lsp")
        .write_stdin(format!("{init}{initialized}{broken}{shutdown}{exit}"))
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap_or_else(|e| panic!("run kvet lsp: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(r#""id":5,"error":{"code":-32600"#) && stdout.contains("not a JSON-RPC message"),
        "{stdout}"
    );
    assert!(stdout.contains(r#""id":6,"result":null"#), "{stdout}");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}

#[test]
fn lsp_initialize_with_invalid_params_gets_an_error() {
    use lsp_server::{Connection, Message, Request, RequestId};
    let (server, client) = Connection::memory();
    let thread = std::thread::spawn(move || kvet::lsp::serve(&server));
    let send = |id: i32, params: serde_json::Value| {
        let req = Request::new(RequestId::from(id), "initialize".into(), params);
        client
            .sender
            .send(Message::Request(req))
            .unwrap_or_else(|e| panic!("send: {e}"));
    };
    let recv = || {
        client
            .receiver
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("no answer: {e}"))
    };
    send(1, serde_json::json!({"capabilities": 42}));
    match recv() {
        Message::Response(r) => {
            assert_eq!(r.id, RequestId::from(1));
            let Err(err) = r.response_result else {
                panic!("expected an error response")
            };
            assert!(err.message.contains("invalid initialize params"), "{}", err.message);
        }
        other => panic!("{other:?}"),
    }
    // A corrected initialize is answered.
    send(2, serde_json::json!({"capabilities": {}}));
    match recv() {
        Message::Response(r) => assert!(r.response_result.is_ok(), "{r:?}"),
        other => panic!("{other:?}"),
    }
    drop(client);
    let _ = thread.join();
}

#[test]
fn limits_are_raised_or_lowered_by_environment_variables() {
    // Five levels of nesting: fine by default, over a limit of 4.
    let deep = "a:\n  b:\n    c:\n      d:\n        e: 1\n";
    let out = kvet()
        .args(["check", "-", "--format", "json", "--select", "yaml"])
        .env("KVET_MAX_DEPTH", "4")
        .write_stdin(deep)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("yaml-limits") && text.contains("KVET_MAX_DEPTH"),
        "{text}"
    );
    let out = kvet()
        .args(["check", "-", "--format", "json", "--select", "yaml"])
        .write_stdin(deep)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("yaml-limits"));
    // A read cap of 1K: a larger input is an io-error naming the variable.
    let big = format!("a: \"{}\"\n", "x".repeat(4096));
    let out = kvet()
        .args(["check", "-", "--format", "json"])
        .env("KVET_MAX_FILE_BYTES", "1K")
        .write_stdin(big)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("over the 1024 bytes limit (KVET_MAX_FILE_BYTES raises it)"),
        "{text}"
    );
    // A value that does not parse, or a depth past the ceiling: exit 2.
    for (var, value) in [("KVET_MAX_ALIAS_NODES", "lots"), ("KVET_MAX_DEPTH", "100000")] {
        let out = kvet()
            .args(["check", "-"])
            .env(var, value)
            .write_stdin("a: 1\n")
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(out.status.code(), Some(2), "{var}={value}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains(var), "{out:?}");
    }
}
