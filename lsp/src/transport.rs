//! The stdio transport: LSP frames (`Content-Length` headers, then a JSON body) read and
//! written here rather than by `lsp-server`, whose reader ends the server on the first
//! malformed frame and allocates whatever length a header claims before reading it.
//!
//! A frame that cannot be used is answered with a JSON-RPC error and skipped; the server goes
//! on. A body that is not JSON is a parse error (-32700), JSON that is not a request,
//! notification or response an invalid request (-32600), as is a frame whose headers are
//! broken, too long, or claim more than [`MAX_FRAME`] bytes. After broken headers the
//! length of the body is unknown: the reader skips input up to the next `Content-Length:`
//! header. A body is read as it arrives, so memory follows what was sent, not what was claimed.

use std::io::{self, BufRead, Read, Write};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use serde_json::{Value, json};

/// The largest frame body accepted, in bytes (64 MiB): far above any `.rule` file, far below
/// what would exhaust memory.
pub const MAX_FRAME: usize = 64 << 20;

/// The longest header line accepted, in bytes; real ones are under 100.
const MAX_HEADER_LINE: usize = 8 << 10;

/// The header that starts every frame, lower-cased (header names are case-insensitive).
const CONTENT_LENGTH: &[u8] = b"content-length:";

/// What one read of the input gives.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A frame that could not be used: answered with this error, then skipped.
    Invalid(FrameError),
}

/// Why a frame was refused, as the JSON-RPC error that answers it.
#[derive(Debug, Clone)]
pub struct FrameError {
    pub code: ErrorCode,
    /// The request's `id` when it could be read; `null` in the answer otherwise.
    pub id: Option<Value>,
    pub message: String,
}

impl FrameError {
    fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        FrameError { code, id: None, message: message.into() }
    }

    /// The error response sent back for the frame.
    pub fn response(&self) -> Value {
        json!({
            "jsonrpc": "2.0",
            "id": self.id,
            "error": {"code": self.code as i32, "message": self.message},
        })
    }
}

/// Reads frames one at a time from `input`.
pub struct FrameReader<R> {
    input: R,
    /// The previous frame's headers were broken: skip to the next `Content-Length:`.
    resync: bool,
}

impl<R: BufRead> FrameReader<R> {
    pub fn new(input: R) -> Self {
        FrameReader { input, resync: false }
    }

    /// The next frame; `None` at the end of the input (a frame cut short included). Only an
    /// I/O error is an error: whatever the bytes, reading goes on.
    pub fn next_frame(&mut self) -> io::Result<Option<Incoming>> {
        let mut line = Vec::new();
        if self.resync {
            self.resync = false;
            if !self.skip_to_header(&mut line)? {
                return Ok(None);
            }
        } else if !self.header_line(&mut line)? {
            return Ok(None);
        }
        let mut length = None;
        let mut broken = None;
        loop {
            let text = trim_line_end(&line);
            if text.is_empty() {
                break;
            }
            if line.len() > MAX_HEADER_LINE {
                broken.get_or_insert_with(|| format!("a header line is longer than {MAX_HEADER_LINE} bytes"));
            } else if let Err(why) = header(text, &mut length) {
                broken.get_or_insert(why);
            }
            line.clear();
            if !self.header_line(&mut line)? {
                return Ok(None);
            }
        }
        let refuse = |reader: &mut Self, message: String| {
            reader.resync = true;
            Ok(Some(Incoming::Invalid(FrameError::new(ErrorCode::InvalidRequest, message))))
        };
        if let Some(why) = broken {
            return refuse(self, why);
        }
        let Some(length) = length else { return refuse(self, "the frame has no Content-Length header".into()) };
        if length > MAX_FRAME {
            return refuse(self, format!("the frame claims {length} bytes; the limit is {MAX_FRAME} bytes (64 MiB)"));
        }
        // `read_to_end` on a `take` grows the buffer as bytes arrive, never to the claimed size.
        let mut body = Vec::new();
        Read::take(&mut self.input, length as u64).read_to_end(&mut body)?;
        if body.len() < length {
            return Ok(None);
        }
        Ok(Some(match serde_json::from_slice::<Value>(&body) {
            Ok(value) => match message(value) {
                Ok(message) => Incoming::Message(message),
                Err(e) => Incoming::Invalid(e),
            },
            Err(e) => Incoming::Invalid(FrameError::new(ErrorCode::ParseError, format!("the body is not JSON: {e}"))),
        }))
    }

    /// Reads one line, newline included, into `line`; false at the end of the input. Only
    /// the first [`MAX_HEADER_LINE`] + 1 bytes are kept: the caller sees it is too long.
    fn header_line(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        let kept = Read::take(&mut self.input, MAX_HEADER_LINE as u64 + 1).read_until(b'\n', line)?;
        if kept == 0 {
            return Ok(false);
        }
        if line.last() != Some(&b'\n') {
            // Too long (or the end of the input): drop the rest of the line unkept.
            loop {
                let available = self.input.fill_buf()?;
                if available.is_empty() {
                    break;
                }
                match available.iter().position(|b| *b == b'\n') {
                    Some(at) => {
                        self.input.consume(at + 1);
                        break;
                    }
                    None => {
                        let all = available.len();
                        self.input.consume(all);
                    }
                }
            }
        }
        Ok(true)
    }

    /// Skips input up to and including the next `Content-Length:` (any case), and leaves
    /// that header line in `line`; false at the end of the input.
    fn skip_to_header(&mut self, line: &mut Vec<u8>) -> io::Result<bool> {
        let mut matched = 0;
        while matched < CONTENT_LENGTH.len() {
            let available = self.input.fill_buf()?;
            if available.is_empty() {
                return Ok(false);
            }
            let mut used = 0;
            for &b in available {
                used += 1;
                let b = b.to_ascii_lowercase();
                // `c` occurs in the pattern only at its start, so a mismatch restarts there.
                matched = if b == CONTENT_LENGTH[matched] { matched + 1 } else { usize::from(b == CONTENT_LENGTH[0]) };
                if matched == CONTENT_LENGTH.len() {
                    break;
                }
            }
            self.input.consume(used);
        }
        line.extend_from_slice(CONTENT_LENGTH);
        self.header_line(line)?;
        Ok(true)
    }
}

/// The line without its `\r\n` (or bare `\n`).
fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Reads one header; only `Content-Length` matters (`Content-Type` is always JSON in UTF-8).
fn header(text: &[u8], length: &mut Option<usize>) -> Result<(), String> {
    let shown = || String::from_utf8_lossy(text).into_owned();
    let Some(colon) = text.iter().position(|b| *b == b':') else {
        return Err(format!("malformed header `{}`: expected `Name: value`", shown()));
    };
    let (name, value) = (&text[..colon], &text[colon + 1..]);
    if name.eq_ignore_ascii_case(b"content-length") {
        let value = std::str::from_utf8(value).unwrap_or_default().trim();
        // More digits than `usize` holds is still a length over the limit, not a typo.
        let parsed = match value.parse::<usize>() {
            Ok(n) => n,
            Err(_) if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) => usize::MAX,
            Err(_) => return Err(format!("invalid Content-Length `{value}`: expected a number of bytes")),
        };
        *length = Some(parsed);
    }
    Ok(())
}

/// A JSON value as a message: a request (`id` and `method`), a notification (`method`) or a
/// response (`id` and `result` or `error`).
fn message(value: Value) -> Result<Message, FrameError> {
    let id = value.get("id").filter(|id| id.is_number() || id.is_string()).cloned();
    let invalid = |why: String| FrameError { code: ErrorCode::InvalidRequest, id: id.clone(), message: why };
    let Value::Object(object) = &value else {
        return Err(invalid("a JSON-RPC message must be an object".into()));
    };
    let (kind, result) = match (object.contains_key("method"), object.contains_key("id")) {
        (true, true) => ("request", serde_json::from_value::<Request>(value).map(Message::from)),
        (true, false) => ("notification", serde_json::from_value::<Notification>(value).map(Message::from)),
        (false, _) => ("response", serde_json::from_value::<Response>(value).map(Message::from)),
    };
    result.map_err(|e| invalid(format!("not a valid JSON-RPC {kind}: {e}")))
}

/// Writes one frame.
fn write_frame(output: &mut impl Write, body: &[u8]) -> io::Result<()> {
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(body)?;
    output.flush()
}

/// The reader and writer threads of a connection; join them after the server returns.
pub struct IoThreads {
    reader: JoinHandle<io::Result<()>>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    /// Waits for both threads; the first I/O error, if any.
    pub fn join(self) -> io::Result<()> {
        let reader = self.reader.join().unwrap_or_else(|_| Err(io::Error::other("the reader thread panicked")));
        let writer = self.writer.join().unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")));
        reader.and(writer)
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    connect(io::BufReader::new(io::stdin()), io::stdout())
}

/// A connection reading frames from `input` and writing them to `output`. The reader stops
/// after `exit`, at the end of the input, or when the server is gone; the writer when the
/// server drops its side of the connection.
pub fn connect(input: impl BufRead + Send + 'static, output: impl Write + Send + 'static) -> (Connection, IoThreads) {
    let output = Arc::new(Mutex::new(output));
    let (to_server, from_client): (Sender<Message>, Receiver<Message>) = crossbeam_channel::bounded(0);
    let (to_client, from_server): (Sender<Message>, Receiver<Message>) = crossbeam_channel::bounded(0);
    let errors_out = Arc::clone(&output);
    let reader = std::thread::spawn(move || {
        let mut frames = FrameReader::new(input);
        while let Some(incoming) = frames.next_frame()? {
            match incoming {
                Incoming::Message(message) => {
                    let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                    if to_server.send(message).is_err() || exit {
                        break;
                    }
                }
                Incoming::Invalid(error) => {
                    let body = serde_json::to_vec(&error.response())?;
                    write_frame(&mut *errors_out.lock().unwrap_or_else(PoisonError::into_inner), &body)?;
                }
            }
        }
        Ok(())
    });
    let writer = std::thread::spawn(move || {
        for message in from_server {
            message.write(&mut *output.lock().unwrap_or_else(PoisonError::into_inner))?;
        }
        Ok(())
    });
    (Connection { sender: to_client, receiver: from_client }, IoThreads { reader, writer })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// Every frame read from `input`, as `Ok(method or id)` or `Err(code)`.
    fn read_all(input: impl AsRef<[u8]>) -> Vec<Result<String, i32>> {
        let input = input.as_ref();
        let mut reader = FrameReader::new(input);
        let mut out = Vec::new();
        while let Some(incoming) = reader.next_frame().expect("in-memory input") {
            out.push(match incoming {
                Incoming::Message(Message::Request(r)) => Ok(r.method),
                Incoming::Message(Message::Notification(n)) => Ok(n.method),
                Incoming::Message(Message::Response(r)) => Ok(r.id.to_string()),
                Incoming::Invalid(e) => Err(e.code as i32),
            });
        }
        out
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;

    #[test]
    fn malformed_frames_are_answered_and_the_next_frame_is_read() {
        let cases = [
            ("Content-Length: nope\r\n\r\n{}".to_owned(), -32600),
            ("Content-Length: 99999999999999999999999\r\n\r\n{}".to_owned(), -32600),
            (format!("Content-Length: {}\r\n\r\n{{}}", MAX_FRAME + 1), -32600),
            ("Content-Type: x\r\n\r\n{}".to_owned(), -32600),
            ("garbage without a colon\r\n\r\n".to_owned(), -32600),
            (format!("X: {}\r\n\r\n", "a".repeat(MAX_HEADER_LINE * 3)), -32600),
            (frame("{not json"), -32700),
            (frame("[1, 2]"), -32600),
            (frame(r#"{"jsonrpc":"2.0","id":[1],"method":"m"}"#), -32600),
            (frame(r#"{"jsonrpc":"2.0","id":7}"#), -32600),
        ];
        for (bad, code) in cases {
            let input = format!("{bad}{}", frame(PING));
            assert_eq!(read_all(input), [Err(code), Ok("ping".to_owned())], "{bad:.80}");
        }
        let not_utf8 = [b"Content-Length: 3\r\n\r\n\"\xff\"".as_slice(), frame(PING).as_bytes()].concat();
        assert_eq!(read_all(not_utf8), [Err(-32700), Ok("ping".to_owned())]);
    }

    #[test]
    fn a_request_with_an_unusable_id_is_answered_with_null() {
        let answer = |body: &str| {
            let text = frame(body);
            match FrameReader::new(text.as_bytes()).next_frame().expect("read") {
                Some(Incoming::Invalid(error)) => error.response(),
                other => panic!("{body} should be refused, gave {other:?}"),
            }
        };
        assert_eq!(answer(r#"{"id":{"x":1},"method":"m"}"#)["id"], Value::Null);
        let answer = answer(r#"{"id":1.5,"method":"m"}"#);
        assert_eq!((&answer["id"], &answer["error"]["code"]), (&json!(1.5), &json!(-32600)));
    }

    #[test]
    fn a_huge_claim_is_not_allocated_and_a_cut_frame_ends_the_input() {
        // A claim within the limit whose bytes never come: the end of the input, not a hang.
        assert_eq!(read_all(format!("Content-Length: {MAX_FRAME}\r\n\r\n{{")), []);
        assert_eq!(read_all("Content-Length: 5\r\n"), []);
        assert_eq!(read_all(""), []);
    }

    #[test]
    fn headers_are_case_insensitive_and_bare_newlines_pass() {
        let input = format!("content-length: {}\nContent-Type: application/vscode-jsonrpc\n\n{PING}", PING.len());
        assert_eq!(read_all(input), [Ok("ping".to_owned())]);
    }
}
