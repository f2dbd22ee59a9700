//! The server's transport: LSP messages framed on stdio, read on one
//! thread and written on another, with a panic while handling one message
//! caught and logged.

use super::*;

fn panic_message(e: &(dyn std::any::Any + Send)) -> String {
    e.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| e.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// Runs the server over a connection until `shutdown`/`exit`.
pub fn serve(connection: &Connection) -> Result<(), String> {
    serve_as_sent(connection, false)
}

/// A message as the client reads it: a [`SERIALIZED`] one is parsed from
/// its JSON text (others are returned as they are).
pub fn read_back(m: Message) -> Message {
    match m {
        Message::Notification(n) if n.method == SERIALIZED => {
            let text = n.params.as_str().unwrap_or_default();
            serde_json::from_str(text).unwrap_or(Message::Notification(n))
        }
        m => m,
    }
}

/// Writes a message to the client: a [`SERIALIZED`] one is its JSON text.
pub fn write_message(out: &mut impl Write, m: Message) -> io::Result<()> {
    match m {
        Message::Notification(n) if n.method == SERIALIZED => {
            let text = n.params.as_str().unwrap_or_default();
            write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())?;
            out.flush()
        }
        m => m.write(out),
    }
}

/// [`serve`]; with `serialized`, findings go out as [`SERIALIZED`]
/// messages, for a writer that sends them with [`write_message`].
fn serve_as_sent(connection: &Connection, serialized: bool) -> Result<(), String> {
    // An `initialize` whose params do not parse gets an error response; the
    // client may send a corrected one.
    let (id, params) = loop {
        let (id, raw) = connection.initialize_start().map_err(|e| e.to_string())?;
        match serde_json::from_value::<lsp::InitializeParams>(raw) {
            Ok(p) => break (id, p),
            Err(e) => connection
                .sender
                .send(Message::Response(Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid initialize params: {e}"),
                )))
                .map_err(|e| e.to_string())?,
        }
    };
    let mut server = Server::new(&params);
    let result = lsp::InitializeResult {
        capabilities: server.capabilities(),
        server_info: Some(lsp::ServerInfo {
            name: "kvet".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection
        .initialize_finish(id, serde_json::to_value(result).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let send = |server: &mut Server| -> Result<(), String> {
        let outbox = if serialized {
            server.take_outbox_as_sent()
        } else {
            server.take_outbox()
        };
        for m in outbox {
            connection.sender.send(m).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    send(&mut server)?;
    loop {
        let msg = match server.deadline() {
            Some(d) => match connection
                .receiver
                .recv_timeout(d.saturating_duration_since(Instant::now()))
            {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    if let Err(e) = catch_unwind(AssertUnwindSafe(|| server.lint_and_publish())) {
                        server.deadline = None;
                        server.log(
                            lsp::MessageType::ERROR,
                            format!("panic while linting: {}", panic_message(&*e)),
                        );
                    }
                    send(&mut server)?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            },
            None => match connection.receiver.recv() {
                Ok(m) => m,
                Err(_) => return Ok(()),
            },
        };
        match msg {
            Message::Request(req) => {
                match connection.handle_shutdown(&req) {
                    Ok(true) => return Ok(()),
                    Ok(false) => {}
                    // The client went away between `shutdown` and `exit`
                    // (an editor quitting): that is a normal end.
                    Err(e) => {
                        eprintln!("kvet lsp: after shutdown: {e}");
                        return Ok(());
                    }
                }
                let id = req.id.clone();
                let method = req.method.clone();
                let resp = match catch_unwind(AssertUnwindSafe(|| server.request(req))) {
                    Ok(r) => r,
                    Err(e) => {
                        let m = panic_message(&*e);
                        server.log(lsp::MessageType::ERROR, format!("panic in {method}: {m}"));
                        Response::new_err(id, ErrorCode::InternalError as i32, format!("kvet panicked: {m}"))
                    }
                };
                connection
                    .sender
                    .send(Message::Response(resp))
                    .map_err(|e| e.to_string())?;
            }
            Message::Notification(n) => {
                if n.method == lsp::notification::Exit::METHOD {
                    return Ok(());
                }
                if n.method == SKIPPED_REQUEST {
                    let reason = n.params["reason"].as_str().unwrap_or("skipped").to_string();
                    server.log(lsp::MessageType::ERROR, format!("a message was skipped: {reason}"));
                    if let Ok(id) = serde_json::from_value::<RequestId>(n.params["id"].clone()) {
                        let resp = Response::new_err(id, ErrorCode::InvalidRequest as i32, reason);
                        connection
                            .sender
                            .send(Message::Response(resp))
                            .map_err(|e| e.to_string())?;
                    }
                    send(&mut server)?;
                    continue;
                }
                let method = n.method.clone();
                if let Err(e) = catch_unwind(AssertUnwindSafe(|| server.notification(n))) {
                    server.log(
                        lsp::MessageType::ERROR,
                        format!("panic in {method}: {}", panic_message(&*e)),
                    );
                }
            }
            Message::Response(_) => {}
        }
        send(&mut server)?;
    }
}

/// Largest message body the server reads (`Content-Length`); a larger one
/// is skipped without being held in memory.
pub const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Longest header line, and most header lines, of one message.
const MAX_HEADER_LINE: u64 = 8 * 1024;
const MAX_HEADER_LINES: usize = 32;

/// What [`read_frame`] found in the stream.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A message that was read past and dropped, with the reason (too large,
    /// not JSON-RPC) and, when its opening bytes show one, the id of the
    /// request it was: the server answers that id with an error and goes on
    /// with the next message.
    Skipped(String, Option<RequestId>),
}

/// Bytes of a skipped body kept to find its request id.
const SKIPPED_PREFIX: usize = 64 * 1024;

/// The top-level `"id"` of a JSON-RPC object from its opening bytes (the
/// rest may be cut off or malformed): a string or a 32-bit integer, as
/// the transport's ids are.
pub fn request_id_prefix(body: &[u8]) -> Option<RequestId> {
    let mut depth = 0usize;
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'"' => {
                let start = i + 1;
                i += 1;
                while i < body.len() && body[i] != b'"' {
                    i += if body[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(body.len());
                i += 1;
                if depth != 1 || &body[start..end] != b"id" {
                    continue;
                }
                let rest = body.get(i..)?;
                let rest = rest.trim_ascii_start().strip_prefix(b":")?.trim_ascii_start();
                return if rest.first() == Some(&b'"') {
                    let mut close = 1;
                    while *rest.get(close)? != b'"' {
                        close += if rest[close] == b'\\' { 2 } else { 1 };
                    }
                    serde_json::from_slice::<String>(&rest[..=close])
                        .ok()
                        .map(RequestId::from)
                } else {
                    let n = rest
                        .iter()
                        .position(|b| !(b.is_ascii_digit() || *b == b'-'))
                        .unwrap_or(rest.len());
                    std::str::from_utf8(&rest[..n])
                        .ok()?
                        .parse::<i32>()
                        .ok()
                        .map(RequestId::from)
                };
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// The notification the reading thread sends the server for a request it
/// skipped, so the server answers it (`params`: `id`, `reason`).
pub const SKIPPED_REQUEST: &str = "$/kvet/skippedRequest";

/// Not a method: marks a message in the server's outbox whose params are
/// the whole JSON text to send ([`Server::take_outbox_as_sent`]).
pub const SERIALIZED: &str = "$/kvet/serialized";

/// Reads one `Content-Length`-framed message with bounded memory: header
/// lines of at most 8 KiB, a body of at most [`MAX_MESSAGE_BYTES`] (a larger
/// body is read past and dropped). `Ok(None)` at the end of the stream
/// (including one cut short); an error when the framing itself is broken.
pub fn read_frame(r: &mut impl BufRead) -> io::Result<Option<Frame>> {
    let invalid = |m: String| io::Error::new(io::ErrorKind::InvalidData, m);
    let mut length: Option<u64> = None;
    let mut lines = 0usize;
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = r.by_ref().take(MAX_HEADER_LINE + 1).read_until(b'\n', &mut line)?;
        if n == 0 || !line.ends_with(b"\n") {
            if n as u64 > MAX_HEADER_LINE {
                return Err(invalid(format!("header line longer than {MAX_HEADER_LINE} bytes")));
            }
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if lines == 0 {
                // Blank lines between messages.
                continue;
            }
            break;
        }
        lines += 1;
        if lines > MAX_HEADER_LINES {
            return Err(invalid(format!("more than {MAX_HEADER_LINES} header lines")));
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("Content-Length")
        {
            let v = value.trim();
            length = Some(
                v.parse::<u64>()
                    .map_err(|_| invalid(format!("bad Content-Length `{v}`")))?,
            );
        }
    }
    let length = length.ok_or_else(|| invalid("a message without Content-Length".into()))?;
    if length > MAX_MESSAGE_BYTES {
        let mut prefix = Vec::with_capacity(SKIPPED_PREFIX);
        r.by_ref().take(SKIPPED_PREFIX as u64).read_to_end(&mut prefix)?;
        let rest = length - prefix.len() as u64;
        let skipped = io::copy(&mut r.by_ref().take(rest), &mut io::sink())?;
        if skipped < rest {
            return Ok(None);
        }
        return Ok(Some(Frame::Skipped(
            format!("a message of {length} bytes is over the {MAX_MESSAGE_BYTES}-byte limit: skipped"),
            request_id_prefix(&prefix),
        )));
    }
    let mut body = Vec::with_capacity(length.min(1 << 20) as usize);
    r.by_ref().take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Ok(None);
    }
    Ok(Some(match serde_json::from_slice::<Message>(&body) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Skipped(format!("not a JSON-RPC message: {e}"), request_id_prefix(&body)),
    }))
}

/// `kvet lsp`: serves on stdin/stdout. Messages are read with
/// [`read_frame`] (bounded) rather than the transport's own reader, which
/// allocates whatever `Content-Length` says.
pub fn run_stdio() -> Result<(), String> {
    let (connection, client) = Connection::memory();
    let Connection {
        sender: to_server,
        receiver: from_server,
    } = client;
    std::thread::spawn(move || {
        let stdin = io::stdin();
        let mut input = stdin.lock();
        loop {
            match read_frame(&mut input) {
                Ok(Some(Frame::Message(m))) => {
                    if to_server.send(m).is_err() {
                        break;
                    }
                }
                Ok(Some(Frame::Skipped(why, id))) => {
                    eprintln!("kvet lsp: {why}");
                    // The server answers the request, so the client does
                    // not wait for it forever.
                    let params = serde_json::json!({ "id": id, "reason": why });
                    let note = lsp_server::Notification::new(SKIPPED_REQUEST.into(), params);
                    if to_server.send(Message::Notification(note)).is_err() {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    eprintln!("kvet lsp: cannot read the client's messages: {e}");
                    break;
                }
            }
        }
    });
    let writer = std::thread::spawn(move || -> Result<(), String> {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for m in from_server {
            write_message(&mut out, m).map_err(|e| e.to_string())?;
        }
        Ok(())
    });
    let result = serve_as_sent(&connection, true);
    drop(connection);
    // The reader may be blocked on stdin; the process ends without it.
    writer.join().map_err(|_| "the writer thread panicked".to_string())??;
    result
}
