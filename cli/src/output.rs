//! Terminal and file output shared by the commands.

use std::io::Write;
use std::path::Path;

/// Colour only on a terminal, and never with `NO_COLOR` set.
pub(crate) fn color(is_terminal: bool) -> bool {
    is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()).filter(|w| *w >= 40).unwrap_or(100)
}

/// Writes `bytes` to `path` through a temporary file in the same folder, so readers never
/// see a half-written file. A path that exists and is not a regular file (`/dev/stdout`, a
/// named pipe) is written directly: renaming over it would replace the device.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if path.exists() && !path.is_file() {
        return std::fs::write(path, bytes);
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Writes a command's output to `-o FILE` (atomically) or to standard output.
pub(crate) fn emit(path: Option<&Path>, text: &str) -> Result<(), String> {
    match path {
        Some(path) => {
            write_atomically(path, text.as_bytes()).map_err(|e| format!("cannot write `{}`: {e}", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("cannot write to standard output: {e}"))
        }
    }
}
