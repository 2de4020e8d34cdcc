//! The effective sshd configuration, read as sshd reads `/etc/ssh/sshd_config`: keywords are
//! case-insensitive, the first value of a keyword wins, `Include` pulls in files (globs, sorted;
//! relative paths under `/etc/ssh`) at the place it stands, and lines under `Match` apply only
//! to some connections, so they are left out: the record holds what every connection gets.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::fs::Tree;
use super::os::Os;

const CONFIG: &str = "/etc/ssh/sshd_config";

/// How deep `Include`s nest before sshd refuses (`SERVCONF_MAX_DEPTH`).
const MAX_DEPTH: usize = 16;

/// The keywords the record reads, lowercase.
const READ: [&str; 5] = ["permitrootlogin", "passwordauthentication", "port", "maxauthtries", "protocol"];

/// The `SshConfig` record.
pub(crate) fn collect(tree: &mut Tree, os: &Os) -> Value {
    let mut settings = Settings::default();
    if tree.read(CONFIG).is_none() {
        let why = if tree.report.is_unreadable(CONFIG) { "cannot be read" } else { "does not exist" };
        tree.report.not_determined("ssh", &format!("{CONFIG} {why}: the record holds sshd's defaults"));
    }
    settings.read_file(tree, CONFIG, 0);
    let default_root = default_permit_root_login(os);
    let permit_root_login = settings.first("permitrootlogin").map_or(default_root, |value| value.to_lowercase());
    let password_authentication = match settings.first("passwordauthentication").map(str::to_lowercase).as_deref() {
        None | Some("yes") => true,
        Some("no") => false,
        Some(other) => {
            let reason = format!("`PasswordAuthentication {other}` is not yes or no: sshd refuses it; recorded as yes");
            tree.report.not_determined("ssh.password_authentication", &reason);
            true
        }
    };
    let port = match settings.first("port") {
        None => 22,
        Some(port) => port.parse::<u16>().map(i64::from).unwrap_or_else(|_| {
            tree.report.not_determined("ssh.port", &format!("`Port {port}` is not a port number; recorded as 22"));
            22
        }),
    };
    let max_auth_tries = settings.first("maxauthtries").and_then(|value| value.parse::<i64>().ok());
    // `Protocol 2,1` (obsolete, ignored since OpenSSH 7.6): the first version listed.
    let protocol = settings.first("protocol").and_then(|value| value.split(',').next()?.trim().parse::<i64>().ok());
    json!({
        "permit_root_login": permit_root_login,
        "password_authentication": password_authentication,
        "port": port,
        "max_auth_tries": max_auth_tries,
        "protocol": protocol,
    })
}

/// `PermitRootLogin` when no line sets it: `prohibit-password` since OpenSSH 7.0, except where
/// the distribution kept `yes` (Red Hat patched the default back to `yes` until RHEL 9) or
/// ships an older OpenSSH (Debian 8, Ubuntu 14.04).
fn default_permit_root_login(os: &Os) -> String {
    let major = os.major().unwrap_or(u32::MAX);
    let old = ((os.is_rhel_like() || os.id == "debian") && major < 9) || (os.id == "ubuntu" && major < 16);
    if old { "yes" } else { "prohibit-password" }.to_owned()
}

/// The first value of each keyword outside `Match` blocks.
#[derive(Debug, Default)]
struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    fn first(&self, keyword: &str) -> Option<&str> {
        self.values.get(keyword).map(String::as_str)
    }

    /// Reads one file; a `Match` in it lasts to its end (sshd restores the state after an
    /// included file), so lines after an `Include` of a file with `Match` still count.
    fn read_file(&mut self, tree: &mut Tree, path: &str, depth: usize) {
        let Some(text) = tree.read(path) else { return };
        let mut in_match = false;
        for line in text.lines() {
            let Some((keyword, args)) = split_line(line) else { continue };
            match keyword.as_str() {
                // `Match all` ends a conditional block: what follows applies to everyone.
                "match" => in_match = !args.first().is_some_and(|arg| arg.eq_ignore_ascii_case("all")),
                _ if in_match => {}
                "include" => {
                    if depth + 1 >= MAX_DEPTH {
                        let reason = format!("`Include` nested deeper than {MAX_DEPTH} files: sshd refuses it");
                        tree.report.not_determined(path, &reason);
                        continue;
                    }
                    for pattern in &args {
                        let pattern =
                            if pattern.starts_with('/') { pattern.clone() } else { format!("/etc/ssh/{pattern}") };
                        for file in tree.glob(&pattern) {
                            self.read_file(tree, &file, depth + 1);
                        }
                    }
                }
                _ if READ.contains(&keyword.as_str()) => {
                    if let Some(value) = args.into_iter().next() {
                        self.values.entry(keyword).or_insert(value);
                    }
                }
                _ => {}
            }
        }
    }
}

/// A configuration line as sshd splits it: the keyword (lowercased), then its arguments,
/// separated by whitespace or one `=`, with double quotes grouping; `#` starts a comment.
fn split_line(line: &str) -> Option<(String, Vec<String>)> {
    let line = line.trim_start();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let end = line.find(|c: char| c.is_whitespace() || c == '=').unwrap_or(line.len());
    let (keyword, rest) = line.split_at(end);
    let rest = rest.trim_start();
    let rest = rest.strip_prefix('=').unwrap_or(rest);
    Some((keyword.to_lowercase(), arguments(rest)))
}

fn arguments(text: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else { break };
        if first == '#' {
            break;
        }
        let mut arg = String::new();
        if first == '"' {
            chars.next();
            arg.extend(chars.by_ref().take_while(|&c| c != '"'));
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                arg.push(c);
            }
        }
        args.push(arg);
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssh(files: &[(&str, &str)], os: &Os) -> (Value, Tree) {
        let dir = tempfile::tempdir().unwrap();
        crate::host::write_tree(dir.path(), files);
        let mut tree = Tree::new(dir.path());
        let value = collect(&mut tree, os);
        (value, tree)
    }

    fn debian() -> Os {
        Os { id: "debian".into(), version: "12".into(), ..Os::default() }
    }

    #[test]
    fn the_first_value_wins_and_keywords_ignore_case() {
        let (value, _) = ssh(
            &[(
                CONFIG,
                "# comment\npermitrootlogin YES\nPermitRootLogin no\nPort=2222\nPort 22\nMaxAuthTries = 4 # four\n",
            )],
            &debian(),
        );
        assert_eq!(
            value,
            json!({"permit_root_login": "yes", "password_authentication": true, "port": 2222, "max_auth_tries": 4, "protocol": null})
        );
    }

    #[test]
    fn includes_count_where_they_stand() {
        let (value, _) = ssh(
            &[
                (CONFIG, "Include sshd_config.d/*.conf\nPasswordAuthentication yes\nPermitRootLogin yes\n"),
                ("/etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication no\n"),
                ("/etc/ssh/sshd_config.d/10-first.conf", "Include /etc/ssh/extra/*.conf\n"),
                ("/etc/ssh/extra/a.conf", "Match User backup\n  PermitRootLogin without-password\n"),
                ("/etc/ssh/sshd_config.d/notes.txt", "PermitRootLogin no\n"),
            ],
            &debian(),
        );
        assert_eq!(value["password_authentication"], false);
        assert_eq!(value["permit_root_login"], "yes", "a Match in an included file ends with it");
    }

    #[test]
    fn match_blocks_are_left_out_until_match_all() {
        let (value, _) = ssh(
            &[(CONFIG, "Match Address 10.0.0.0/8\n PasswordAuthentication no\n Port 22\nMatch all\nPort 2200\n")],
            &debian(),
        );
        assert_eq!(value["password_authentication"], true);
        assert_eq!(value["port"], 2200);
    }

    #[test]
    fn defaults_follow_the_distribution() {
        let (value, tree) = ssh(&[(CONFIG, "")], &debian());
        assert_eq!(value["permit_root_login"], "prohibit-password");
        assert_eq!(value["port"], 22);
        assert!(tree.report.is_empty());
        let centos = Os { id: "centos".into(), version: "7.9.2009".into(), ..Os::default() };
        assert_eq!(ssh(&[(CONFIG, "")], &centos).0["permit_root_login"], "yes");
        let rocky = Os { id: "rocky".into(), version: "9.3".into(), ..Os::default() };
        assert_eq!(ssh(&[(CONFIG, "")], &rocky).0["permit_root_login"], "prohibit-password");
    }

    #[test]
    fn a_missing_config_is_reported() {
        let (value, tree) = ssh(&[], &debian());
        assert_eq!(value["password_authentication"], true);
        assert_eq!(tree.report.not_determined[0].fact, "ssh");
    }

    #[test]
    fn include_loops_stop() {
        let (value, tree) = ssh(&[(CONFIG, "Include /etc/ssh/sshd_config\nPort 2022\n")], &debian());
        assert_eq!(value["port"], 2022);
        assert!(tree.report.not_determined.iter().any(|entry| entry.reason.contains("nested deeper")));
    }

    #[test]
    fn odd_values_are_reported_not_trusted() {
        let (value, tree) =
            ssh(&[(CONFIG, "PasswordAuthentication maybe\nPort http\nProtocol 2,1\nMaxAuthTries x\n")], &debian());
        assert_eq!(value["password_authentication"], true);
        assert_eq!(value["port"], 22);
        assert_eq!(value["protocol"], 2);
        assert_eq!(value["max_auth_tries"], Value::Null);
        assert_eq!(tree.report.not_determined.len(), 2);
    }

    #[test]
    fn quoted_arguments_and_comments_split_like_sshd() {
        assert_eq!(
            split_line("  Include \"a b.conf\" c.conf # x"),
            Some(("include".into(), vec!["a b.conf".into(), "c.conf".into()]))
        );
        assert_eq!(split_line("   # PermitRootLogin yes"), None);
        assert_eq!(split_line("Port=22"), Some(("port".into(), vec!["22".into()])));
    }
}
