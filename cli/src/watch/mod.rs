//! `--watch`: wait for changes to the files a command reads, then run it again and print what
//! changed. This module waits (file-system events, debounced, and Ctrl-C); `compiler` keeps
//! the packs' compilation across runs; `check` and `test` hold what else each command keeps
//! between runs; `diff` compares two runs' results.
//!
//! Output: the first run prints what the command prints without `--watch`; later runs print
//! only the differences on standard output. Every run ends with one `[watch] ...` status line
//! on standard error, beside the diagnostics and the progress spinner, so standard output
//! stays a clean record of results.

pub(crate) mod check;
mod compiler;
mod diff;
pub(crate) mod test;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use notify_debouncer_full::notify::event::{EventKind, MetadataKind, ModifyKind};
use notify_debouncer_full::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, RecommendedCache};

/// How long the files must be quiet before a run: an editor's save (write, rename, chmod) or a
/// `git checkout` is one change, not several.
const DEBOUNCE: Duration = Duration::from_millis(200);

/// Files a command reads, watched through their folders: an editor that saves by writing a new
/// file and renaming it over the old one replaces the file, not its folder.
#[derive(Debug)]
pub(crate) enum Target {
    /// A folder and everything under it (a pack, a folder of snapshots).
    Tree(PathBuf),
    /// One file, which may not exist yet (a snapshot file, the configuration).
    File(PathBuf),
}

impl Target {
    /// The target with its path made absolute and free of symbolic links, as the watcher
    /// reports paths; a file's folder must exist.
    fn canonical(&self) -> Result<Target, String> {
        match self {
            Target::Tree(dir) => std::fs::canonicalize(dir)
                .map(Target::Tree)
                .map_err(|e| format!("cannot watch `{}`: {e}", dir.display())),
            Target::File(file) => canonical_file(file).map(Target::File),
        }
    }

    /// Whether a change to `path` concerns this target. In a folder, hidden files (an editor's
    /// swap file, a file being written before it is renamed into place) and files of other
    /// kinds (backups) do not.
    fn concerns(&self, path: &Path) -> bool {
        match self {
            Target::File(file) => path == file,
            Target::Tree(dir) => {
                path.starts_with(dir)
                    && path.file_name().is_some_and(|n| !n.to_string_lossy().starts_with('.'))
                    && path.extension().is_none_or(|e| ["rule", "yaml", "yml", "json", "jsonl"].iter().any(|k| e == *k))
            }
        }
    }
}

/// A file's path, absolute and through no symbolic link up to its folder (the file itself may
/// not exist yet); its folder must exist.
fn canonical_file(file: &Path) -> Result<PathBuf, String> {
    let parent = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = file.file_name().ok_or_else(|| format!("cannot watch `{}`: not a file", file.display()))?;
    std::fs::canonicalize(parent)
        .map(|dir| dir.join(name))
        .map_err(|e| format!("cannot watch `{}`: {e}", parent.display()))
}

/// The folders to watch for `targets`: each tree recursively, unless it lies in another, and
/// each file's folder on its own, unless a tree holds it. Sorted, without duplicates.
fn watches(targets: &[Target]) -> Vec<(PathBuf, RecursiveMode)> {
    let trees: Vec<&PathBuf> = targets
        .iter()
        .filter_map(|t| match t {
            Target::Tree(dir) => Some(dir),
            Target::File(_) => None,
        })
        .collect();
    let in_tree =
        |path: &Path, except: Option<&PathBuf>| trees.iter().any(|t| Some(*t) != except && path.starts_with(t));
    let mut watches: Vec<(PathBuf, RecursiveMode)> = Vec::new();
    for target in targets {
        let watch = match target {
            Target::Tree(dir) if !in_tree(dir, Some(dir)) => (dir.clone(), RecursiveMode::Recursive),
            Target::File(file) => match file.parent() {
                Some(dir) if !in_tree(dir, None) => (dir.to_owned(), RecursiveMode::NonRecursive),
                _ => continue,
            },
            Target::Tree(_) => continue,
        };
        watches.push(watch);
    }
    watches.sort_by(|a, b| a.0.cmp(&b.0));
    watches.dedup_by(|a, b| a.0 == b.0);
    watches
}

/// Why [`Watcher::wait`] returned.
pub(crate) enum Wake {
    /// These paths changed.
    Changed(Vec<PathBuf>),
    /// Events may have been lost (the watcher failed or asked for a rescan): anything may
    /// have changed.
    Anything,
    /// Ctrl-C: stop watching.
    Stop,
}

enum Signal {
    Events(DebounceEventResult),
    Interrupt,
}

/// Debounced file-system events on the targets, and Ctrl-C, on one channel.
pub(crate) struct Watcher {
    targets: Vec<Target>,
    /// A file the command writes (`-o FILE`): writing it must not start another run.
    written: Option<PathBuf>,
    signals: mpsc::Receiver<Signal>,
    /// Watching stops when this is dropped.
    _debouncer: notify_debouncer_full::Debouncer<RecommendedWatcher, RecommendedCache>,
}

impl Watcher {
    /// Starts watching. Fails when a target's folder does not exist or cannot be watched.
    pub(crate) fn start(targets: &[Target], written: Option<&Path>) -> Result<Watcher, String> {
        let targets = targets.iter().map(Target::canonical).collect::<Result<Vec<_>, _>>()?;
        let written = written.map(canonical_file).transpose()?;
        let (sender, signals) = mpsc::channel();
        let interrupt = sender.clone();
        ctrlc::set_handler(move || {
            let _ = interrupt.send(Signal::Interrupt);
        })
        .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
        let mut debouncer = notify_debouncer_full::new_debouncer(DEBOUNCE, None, move |events| {
            let _ = sender.send(Signal::Events(events));
        })
        .map_err(|e| format!("cannot watch files: {e}"))?;
        for (dir, mode) in watches(&targets) {
            debouncer.watch(&dir, mode).map_err(|e| format!("cannot watch `{}`: {e}", dir.display()))?;
        }
        Ok(Watcher { targets, written, signals, _debouncer: debouncer })
    }

    /// Blocks until a target changes or Ctrl-C is pressed.
    pub(crate) fn wait(&self) -> Wake {
        loop {
            let events = match self.signals.recv() {
                Ok(Signal::Events(Ok(events))) => events,
                Ok(Signal::Events(Err(errors))) => {
                    for e in errors {
                        crate::check::print_warning(format!("watching files: {e}; checking everything again"));
                    }
                    return Wake::Anything;
                }
                Ok(Signal::Interrupt) | Err(_) => return Wake::Stop,
            };
            if events.iter().any(|e| e.need_rescan()) {
                return Wake::Anything;
            }
            let mut paths: Vec<PathBuf> = events
                .into_iter()
                .filter(is_change)
                .flat_map(|e| e.event.paths)
                .filter(|path| self.written.as_ref() != Some(path) && self.targets.iter().any(|t| t.concerns(path)))
                .collect();
            if !paths.is_empty() {
                paths.sort();
                paths.dedup();
                return Wake::Changed(paths);
            }
        }
    }
}

/// Whether an event may change what a file holds. Reading a file is an event too (inotify
/// reports opens), and a run reads every file it watches: those must not start another run.
fn is_change(event: &DebouncedEvent) -> bool {
    !matches!(event.kind, EventKind::Access(_) | EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)))
}

/// `1 finding`, `2 findings`.
fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// Ends a run: one line on standard error with what it found.
fn status(summary: &str) {
    eprintln!("[watch] {summary} — waiting for changes");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(p: &str) -> Target {
        Target::Tree(PathBuf::from(p))
    }

    fn file(p: &str) -> Target {
        Target::File(PathBuf::from(p))
    }

    #[test]
    fn nested_trees_and_files_in_trees_are_watched_once() {
        let targets = [
            tree("/w/acme"),
            file("/w/acme/fixtures/a.json"),
            tree("/w/acme/fixtures"),
            file("/w/rulec.yaml"),
            file("/w/b.json"),
            tree("/s"),
        ];
        let watched: Vec<(String, bool)> = watches(&targets)
            .into_iter()
            .map(|(dir, mode)| (dir.display().to_string(), mode == RecursiveMode::Recursive))
            .collect();
        assert_eq!(watched, [("/s".to_owned(), true), ("/w".to_owned(), false), ("/w/acme".to_owned(), true)]);
    }

    #[test]
    fn only_rule_and_snapshot_files_in_a_tree_concern_it() {
        let pack = tree("/w/acme");
        for path in ["/w/acme/sg.rule", "/w/acme/pack.yaml", "/w/acme/fixtures/a.jsonl", "/w/acme/fixtures"] {
            assert!(pack.concerns(Path::new(path)), "{path}");
        }
        for path in ["/w/acme/.sg.rule.swp", "/w/acme/.tmpX1y2", "/w/acme/sg.rule~", "/w/other/sg.rule", "/w/acme.rule"]
        {
            assert!(!pack.concerns(Path::new(path)), "{path}");
        }
        assert!(file("/w/rulec.yaml").concerns(Path::new("/w/rulec.yaml")));
        assert!(!file("/w/rulec.yaml").concerns(Path::new("/w/other.yaml")));
    }
}
