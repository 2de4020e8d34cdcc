//! Terminal and file output shared by the commands.

use std::io::{ErrorKind, Write};
use std::path::Path;

/// One of the process's two output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stream {
    Stdout,
    Stderr,
}

/// Colour only on a terminal, and never with `NO_COLOR` set.
pub(crate) fn color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The width to lay text out in for `stream`: `COLUMNS` when set to a number, else the width
/// of the terminal the stream is, else `None` (a pipe or a file: no limit).
pub(crate) fn terminal_width(stream: Stream) -> Option<usize> {
    let detected = match stream {
        Stream::Stdout => terminal_size::terminal_size_of(std::io::stdout()),
        Stream::Stderr => terminal_size::terminal_size_of(std::io::stderr()),
    };
    resolve_width(std::env::var("COLUMNS").ok().as_deref(), detected.map(|(w, _)| w.0))
}

/// Narrower than this, a `COLUMNS` value is taken for a mistake and ignored.
const MIN_WIDTH: usize = 40;

/// [`terminal_width`] from its inputs: a valid `COLUMNS` wins over the detected width.
fn resolve_width(columns: Option<&str>, detected: Option<u16>) -> Option<usize> {
    let columns = columns.and_then(|c| c.trim().parse::<usize>().ok()).filter(|w| *w >= MIN_WIDTH);
    columns.or(detected.map(usize::from).filter(|w| *w > 0))
}

/// Who may read a file rulec writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Access {
    /// Like any file a command creates: `0666` less the umask (usually `0644`).
    Shared,
    /// Owner only (`0600`), for an output that tells how to get in (a Host record names the
    /// accounts whose password is empty or guessable).
    Private,
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so readers never
/// see a half-written file. A path that exists and is not a regular file (`/dev/stdout`, a
/// named pipe) is written directly: renaming over it would replace the device.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    write_atomically_with(path, access, &mut |out| out.write_all(bytes))
}

/// [`write_atomically`] of what `write` writes, as it writes it: a report of a large estate is
/// hundreds of megabytes, which need not be held in memory whole.
fn write_atomically_with(path: &Path, access: Access, write: &mut Writer<'_>) -> std::io::Result<()> {
    if path.exists() && !path.is_file() {
        let mut file = std::fs::File::create(path)?;
        write(&mut file)?;
        return file.flush();
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        // The mode is given to open(2), so the umask applies as it does to any new file.
        let mode = match access {
            Access::Shared => 0o666,
            Access::Private => 0o600,
        };
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let mut file = builder.tempfile_in(dir)?;
    write(&mut file)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a command's output to `-o FILE` (atomically, [`Access::Shared`]) or to standard
/// output. A reader that goes away early (`rulec check | head -1`) is not an error: the
/// output is simply cut short and the command ends as it would have.
pub(crate) fn emit(path: Option<&Path>, text: &str) -> Result<(), String> {
    emit_with(path, text, Access::Shared)
}

/// [`emit`] to standard output, for commands that print as they go (`rulec test`, `rulec
/// fmt`, the watch modes) instead of `print!`, which panics when the reader has gone away:
/// that is no error here either. Another write error is reported on stderr and given back as
/// exit code 2.
pub(crate) fn print(text: &str) -> Result<(), u8> {
    emit(None, text).map_err(|message| super::fail(&message, None))
}

/// Writes and flushes `text` on standard output for a command that keeps running
/// (`watch-events`): `Ok(false)` when the reader has gone (a closed pipe), so the command can
/// stop quietly instead of evaluating for no one.
pub(crate) fn print_streaming(text: &str) -> Result<bool, String> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(format!("cannot write to standard output: {e}")),
    }
}

/// [`emit`], with the access a file gets.
pub(crate) fn emit_with(path: Option<&Path>, text: &str, access: Access) -> Result<(), String> {
    emit_written(path, access, &mut |out| out.write_all(text.as_bytes()))
}

/// Something that writes a command's output to the stream it is given.
pub(crate) type Writer<'a> = dyn FnMut(&mut dyn Write) -> std::io::Result<()> + 'a;

/// [`emit_with`] of what `write` writes, as it writes it (see [`write_atomically_with`]).
pub(crate) fn emit_written(path: Option<&Path>, access: Access, write: &mut Writer<'_>) -> Result<(), String> {
    match path {
        Some(path) => {
            write_atomically_with(path, access, write).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match write(&mut stdout).and_then(|()| stdout.flush()) {
                Err(e) if e.kind() != ErrorKind::BrokenPipe => Err(format!("cannot write to standard output: {e}")),
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_overrides_the_terminal_and_nonsense_is_ignored() {
        assert_eq!(resolve_width(Some("80"), Some(200)), Some(80));
        assert_eq!(resolve_width(None, Some(200)), Some(200));
        assert_eq!(resolve_width(Some("wide"), Some(150)), Some(150));
        assert_eq!(resolve_width(Some("10"), None), None, "too narrow to be meant");
        assert_eq!(resolve_width(None, None), None, "not a terminal: no limit");
        assert_eq!(resolve_width(None, Some(0)), None);
    }

    #[cfg(unix)]
    #[test]
    fn shared_files_follow_the_umask_and_private_ones_are_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("tempdir");
        let mode = |name: &str, access: Access| {
            let path = dir.path().join(name);
            write_atomically(&path, b"x", access).expect("write");
            std::fs::metadata(&path).expect("metadata").permissions().mode() & 0o777
        };
        // Whatever the umask, a shared output gets what any new file gets.
        let plain = dir.path().join("plain");
        std::fs::write(&plain, b"x").expect("write");
        let usual = std::fs::metadata(&plain).expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode("shared.json", Access::Shared), usual);
        assert_eq!(mode("private.json", Access::Private), 0o600);
    }
}
