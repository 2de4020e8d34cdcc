//! The lines of an event source: standard input until it ends, or a file followed as it grows
//! (`tail -F`): a partial last line waits for its newline; a file that shrinks (truncated) is
//! read again from its start; a file replaced by another at its path (rotated) is read to its
//! end, then the new one from its start. Polled: a notify event per appended line would cost
//! more than it saves, and polling also sees a file that is only appended to over NFS.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

/// How often a followed file is looked at when it has nothing new.
const POLL: Duration = Duration::from_millis(100);

/// What the reader thread sends.
#[derive(Debug)]
pub(super) enum Input {
    /// A complete line (a Kafka record's value) and where it was read.
    Line(At, String),
    /// These Kafka partitions were taken from this process (a rebalance): their windows go.
    Revoked(Vec<i32>),
    /// Standard input ended.
    End,
    /// The source cannot be read (the message says why); reading stops.
    Failed(String),
    /// A followed file was truncated or replaced, a Kafka partition assigned or rebuilt: said
    /// on standard error.
    Note(String),
}

/// Where a line was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum At {
    /// Its number in the file or standard input (from 1; restarts when the file is replaced).
    Line(u64),
    /// A Kafka record; `replay` when it is read back, below the group's committed offset, only
    /// to rebuild window state after an assignment (its alarms were delivered before).
    Record { partition: i32, offset: i64, replay: bool },
}

impl std::fmt::Display for At {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            At::Line(number) => write!(f, "line {number}"),
            At::Record { partition, offset, .. } => write!(f, "partition {partition} offset {offset}"),
        }
    }
}

/// Reads standard input line by line into `to`.
pub(super) fn stdin(to: &Sender<Input>) {
    let mut number = 0;
    for line in std::io::stdin().lock().lines() {
        number += 1;
        let sent = match line {
            Ok(line) => to.send(Input::Line(At::Line(number), line)),
            Err(e) => {
                let _ = to.send(Input::Failed(format!("cannot read standard input (line {number}): {e}")));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
    let _ = to.send(Input::End);
}

/// An open followed file: where it was read to, and which file it is.
struct Open {
    reader: BufReader<File>,
    offset: u64,
    identity: Option<(u64, u64)>,
    number: u64,
    partial: Vec<u8>,
}

/// Follows `path` forever (until the receiver is gone), from its start.
pub(super) fn file(path: &Path, to: &Sender<Input>) {
    let mut open = match Open::at(path) {
        Ok(open) => open,
        Err(e) => {
            let _ = to.send(Input::Failed(format!("cannot read `{}`: {e}", path.display())));
            return;
        }
    };
    loop {
        match open.read_lines(to) {
            Ok(true) => continue,
            Ok(false) => {}
            Err(e) => {
                let _ = to.send(Input::Failed(format!("cannot read `{}`: {e}", path.display())));
                return;
            }
        }
        // Nothing new: truncated, replaced, or just quiet.
        let now = std::fs::metadata(path).ok();
        let replaced = now.as_ref().map(identity).is_some_and(|id| Some(id) != open.identity);
        let truncated = !replaced && now.as_ref().is_some_and(|m| m.len() < open.offset);
        if replaced || truncated {
            let what = if replaced { "was replaced (rotated)" } else { "was truncated" };
            let reopened = Open::at(path);
            let note = format!("`{}` {what}: reading it from the start", path.display());
            match reopened {
                Ok(fresh) => open = fresh,
                Err(_) => continue,
            }
            if to.send(Input::Note(note)).is_err() {
                return;
            }
            continue;
        }
        std::thread::sleep(POLL);
    }
}

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    (0, meta.created().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs()))
}

impl Open {
    fn at(path: &Path) -> std::io::Result<Open> {
        let file = File::open(path)?;
        let identity = file.metadata().ok().as_ref().map(identity);
        Ok(Open { reader: BufReader::new(file), offset: 0, identity, number: 0, partial: Vec::new() })
    }

    /// Sends the complete lines appended since the last call; whether there were any bytes.
    fn read_lines(&mut self, to: &Sender<Input>) -> std::io::Result<bool> {
        let mut chunk = Vec::new();
        let read = self.reader.by_ref().take(1 << 20).read_to_end(&mut chunk)?;
        if read == 0 {
            return Ok(false);
        }
        self.offset += read as u64;
        self.partial.extend_from_slice(&chunk);
        while let Some(end) = self.partial.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            self.number += 1;
            let text = String::from_utf8_lossy(&line[..line.len() - 1]).trim_end_matches('\r').to_owned();
            // A closed receiver means the command is ending; nothing is lost by reading on.
            let _ = to.send(Input::Line(At::Line(self.number), text));
        }
        Ok(true)
    }
}

/// The source named on the command line.
#[derive(Clone, Debug)]
pub(super) enum Source {
    Stdin,
    File(PathBuf),
}

impl Source {
    pub(super) fn parse(text: &str) -> Source {
        if text == "-" { Source::Stdin } else { Source::File(PathBuf::from(text)) }
    }

    /// Reads the source on a thread of its own, sending to `to`.
    pub(super) fn spawn(self, to: Sender<Input>) {
        std::thread::spawn(move || match self {
            Source::Stdin => stdin(&to),
            Source::File(path) => file(&path, &to),
        });
    }
}
