//! What login shells start with: the `umask` lines of the system-wide shell start-up files and
//! login.defs `UMASK` (which useradd and pam_umask use), and the idle timeout `TMOUT`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::fs::Tree;

/// The start-up files in the order a login bash reads them: /etc/profile (which sources
/// /etc/profile.d/*.sh), then the interactive shell's /etc/bashrc (Red Hat) or
/// /etc/bash.bashrc (Debian / Ubuntu).
fn startup_files(tree: &mut Tree) -> Vec<String> {
    let mut files = vec!["/etc/profile".to_owned()];
    files.extend(tree.glob("/etc/profile.d/*.sh"));
    files.extend(["/etc/bashrc".to_owned(), "/etc/bash.bashrc".to_owned()]);
    files
}

/// The `umasks` map (file → the octal umasks it sets, in order, as integers: 18 for 022) and
/// `shell_timeout` (the last `TMOUT=` a login shell runs, in seconds; 0 when none: no timeout).
pub(crate) fn collect(tree: &mut Tree) -> (Value, Value) {
    let mut umasks: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut timeout = 0;
    for file in startup_files(tree) {
        let Some(text) = tree.read(&file) else { continue };
        for line in text.lines() {
            let words: Vec<&str> =
                line.split('#').next().unwrap_or_default().split([' ', '\t', ';']).filter(|w| !w.is_empty()).collect();
            if let Some(at) = words.iter().position(|word| *word == "umask")
                && let Some(value) = words.get(at + 1)
            {
                record_umask(tree, &mut umasks, &file, value);
            }
            if let Some(value) = words.iter().find_map(|word| word.strip_prefix("TMOUT=")) {
                match value.trim_matches(['"', '\'']).parse::<i64>() {
                    Ok(seconds) => timeout = seconds,
                    Err(_) => tree.report.not_determined(
                        "shell_timeout",
                        &format!("`TMOUT={value}` in {file} is not a number of seconds: left out"),
                    ),
                }
            }
        }
    }
    let defs = tree.read("/etc/login.defs").unwrap_or_default();
    for line in defs.lines() {
        let mut words = line.split_whitespace();
        if words.next() == Some("UMASK")
            && let Some(value) = words.next()
        {
            record_umask(tree, &mut umasks, "/etc/login.defs", value);
        }
    }
    (json!(umasks), json!(timeout))
}

/// An octal umask; a symbolic one (`u=rwx,g=rx,o=`) is reported and left out.
fn record_umask(tree: &mut Tree, umasks: &mut BTreeMap<String, Vec<i64>>, file: &str, value: &str) {
    match i64::from_str_radix(value, 8) {
        Ok(mask) if (0..=0o777).contains(&mask) => umasks.entry(file.to_owned()).or_default().push(mask),
        _ => {
            tree.report.not_determined("umasks", &format!("`umask {value}` in {file} is not an octal umask: left out"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umasks_and_timeout_in_reading_order() {
        let dir = tempfile::tempdir().unwrap();
        let bashrc = "    if [ $UID -gt 199 ] && [ \"`/usr/bin/id -gn`\" = \"`/usr/bin/id -un`\" ]; then\n       umask 002\n    else\n       umask 022\n    fi\n";
        crate::host::write_tree(
            dir.path(),
            &[
                ("/etc/bashrc", bashrc),
                ("/etc/profile", "# umask 077\nTMOUT=1800\n"),
                ("/etc/profile.d/tmout.sh", "readonly TMOUT=900 ; export TMOUT\numask u=rwx,g=,o=\n"),
                ("/etc/login.defs", "UMASK\t\t077\n"),
            ],
        );
        let mut tree = Tree::new(dir.path());
        let (umasks, timeout) = collect(&mut tree);
        assert_eq!(umasks, json!({"/etc/bashrc": [2, 18], "/etc/login.defs": [63]}));
        assert_eq!(timeout, 900);
        assert_eq!(tree.report.not_determined[0].fact, "umasks");
    }

    #[test]
    fn nothing_set() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(collect(&mut Tree::new(dir.path())), (json!({}), json!(0)));
    }
}
