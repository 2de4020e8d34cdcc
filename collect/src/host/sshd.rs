//! The effective sshd configuration, read as sshd reads `/etc/ssh/sshd_config`: keywords are
//! case-insensitive, the first value of a keyword wins (`AllowUsers`, `AllowGroups`,
//! `DenyUsers` and `DenyGroups` add up instead), `Include` pulls in files (globs, sorted;
//! relative paths under `/etc/ssh`) at the place it stands, and lines under `Match` apply only
//! to some connections, so they are left out: the record holds what every connection gets.
//! A keyword no line sets has sshd's built-in default (servconf.c `fill_default_server_options`,
//! the same from OpenSSH 7.4 to 9.x); the algorithm lists have those of the OpenSSH release the
//! distribution ships (myproposal.h `KEX_SERVER_*`).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::fs::Tree;
use super::os::Os;

const CONFIG: &str = "/etc/ssh/sshd_config";

/// The crypto policy's sshd settings on the Red Hat family (RHEL 8 writes them as options).
const CRYPTO_POLICY: &str = "/etc/crypto-policies/back-ends/opensshserver.config";

/// How deep `Include`s nest before sshd refuses (`SERVCONF_MAX_DEPTH`).
const MAX_DEPTH: usize = 16;

/// The keywords whose values add up over lines, lowercase.
const LISTS: [&str; 4] = ["allowusers", "allowgroups", "denyusers", "denygroups"];

/// The `SshConfig` record.
pub(crate) fn collect(tree: &mut Tree, os: &Os) -> Value {
    let mut settings = Settings::default();
    if tree.read(CONFIG).is_none() {
        let why = if tree.report.is_unreadable(CONFIG) { "cannot be read" } else { "does not exist" };
        tree.report.not_determined("ssh", &format!("{CONFIG} {why}: the record holds sshd's defaults"));
    }
    settings.read_file(tree, CONFIG, 0);
    settings.apply_rhel8_crypto_policy(tree, os);
    let default_root = default_permit_root_login(os);
    let permit_root_login = settings.first("permitrootlogin").map_or(default_root, |value| value.to_lowercase());
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
    let algorithms = openssh_release(os).map(default_algorithms);
    let mut effective = |keyword: &str, field: &str, pick: fn(&Algorithms) -> &'static [&'static str]| {
        let default = algorithms.as_ref().map(pick);
        let list = algorithm_list(settings.first(keyword), default);
        if list.is_none() {
            let reason = format!(
                "{keyword} is not set or names sshd's defaults, and which OpenSSH release {} ships is not known",
                os.name().unwrap_or_else(|| "this system".into())
            );
            tree.report.not_determined(&format!("ssh.{field}"), &reason);
        }
        list
    };
    let ciphers = effective("ciphers", "ciphers", |a| a.ciphers);
    let macs = effective("macs", "macs", |a| a.macs);
    let kex_algorithms = effective("kexalgorithms", "kex_algorithms", |a| a.kex);
    let banner = match settings.first("banner") {
        Some(file) if !file.eq_ignore_ascii_case("none") => file.to_owned(),
        _ => "none".to_owned(),
    };
    json!({
        "permit_root_login": permit_root_login,
        "password_authentication": settings.flag(tree, "passwordauthentication", "password_authentication", true),
        "port": port,
        "max_auth_tries": max_auth_tries,
        "protocol": protocol,
        "log_level": settings.first("loglevel").map_or("INFO".to_owned(), str::to_uppercase),
        "x11_forwarding": settings.flag(tree, "x11forwarding", "x11_forwarding", false),
        // `IgnoreRhosts shosts-only` (OpenSSH 8.9) still reads ~/.shosts: only `yes` ignores both.
        "ignore_rhosts": settings.first("ignorerhosts").is_none_or(|value| value.eq_ignore_ascii_case("yes")),
        "hostbased_authentication": settings.flag(tree, "hostbasedauthentication", "hostbased_authentication", false),
        "permit_empty_passwords": settings.flag(tree, "permitemptypasswords", "permit_empty_passwords", false),
        // `yes` or (OpenSSH 7.8) a list of variable names: anything but `no` lets users set some.
        "permit_user_environment": settings.first("permituserenvironment").is_some_and(|value| !value.eq_ignore_ascii_case("no")),
        "ciphers": ciphers,
        "macs": macs,
        "kex_algorithms": kex_algorithms,
        "client_alive_interval": settings.seconds(tree, "clientaliveinterval", "client_alive_interval", 0),
        "client_alive_count_max": settings.number(tree, "clientalivecountmax", "client_alive_count_max", 3),
        "login_grace_time": settings.seconds(tree, "logingracetime", "login_grace_time", 120),
        "allow_users": settings.list("allowusers"),
        "allow_groups": settings.list("allowgroups"),
        "deny_users": settings.list("denyusers"),
        "deny_groups": settings.list("denygroups"),
        "banner": banner,
        "use_pam": settings.flag(tree, "usepam", "use_pam", false),
        "allow_tcp_forwarding": settings.first("allowtcpforwarding").map_or("yes".to_owned(), str::to_lowercase),
        "max_startups": max_startups(tree, settings.first("maxstartups")),
        "max_sessions": settings.number(tree, "maxsessions", "max_sessions", 10),
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

/// The OpenSSH release (major, minor) each distribution release ships: the family (`rhel`
/// for every Red Hat-like one), its major version, the release.
const OPENSSH_RELEASES: &[(&str, u32, (u32, u32))] = &[
    ("rhel", 7, (7, 4)),
    ("rhel", 8, (8, 0)),
    ("rhel", 9, (8, 7)),
    ("debian", 9, (7, 4)),
    ("debian", 10, (7, 9)),
    ("debian", 11, (8, 4)),
    ("debian", 12, (9, 2)),
    ("ubuntu", 18, (7, 6)),
    ("ubuntu", 20, (8, 2)),
    ("ubuntu", 22, (8, 9)),
    ("ubuntu", 24, (9, 6)),
];

/// The OpenSSH release (major, minor) a distribution release ships; `None` for one not listed.
fn openssh_release(os: &Os) -> Option<(u32, u32)> {
    let major = os.major()?;
    let family = if os.is_rhel_like() { "rhel" } else { os.id.as_str() };
    OPENSSH_RELEASES.iter().find(|(f, m, _)| *f == family && *m == major).map(|(_, _, release)| *release)
}

/// sshd's built-in algorithm lists of one OpenSSH release.
#[derive(Debug)]
struct Algorithms {
    ciphers: &'static [&'static str],
    macs: &'static [&'static str],
    kex: &'static [&'static str],
}

/// `KEX_SERVER_ENCRYPT`: the same from OpenSSH 6.9 to 9.x.
const CIPHERS: [&str; 6] = [
    "chacha20-poly1305@openssh.com",
    "aes128-ctr",
    "aes192-ctr",
    "aes256-ctr",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
];

/// `KEX_SERVER_MAC`: the same from OpenSSH 6.9 to 9.x.
const MACS: [&str; 10] = [
    "umac-64-etm@openssh.com",
    "umac-128-etm@openssh.com",
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "umac-64@openssh.com",
    "umac-128@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
];

/// `KEX_SERVER_KEX` of OpenSSH 7.4 to 8.1: `diffie-hellman-group14-sha1` last.
const KEX_7_4: [&str; 10] = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
    "diffie-hellman-group14-sha1",
];

/// `KEX_SERVER_KEX` of OpenSSH 8.9: sntrup761x25519 after the NIST curves.
const KEX_8_9: [&str; 10] = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "sntrup761x25519-sha512@openssh.com",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
];

/// `KEX_SERVER_KEX` of OpenSSH 9.0 to 9.x: sntrup761x25519 first.
const KEX_9_0: [&str; 10] = [
    "sntrup761x25519-sha512@openssh.com",
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
];

fn default_algorithms(release: (u32, u32)) -> Algorithms {
    let kex: &'static [&'static str] = match release {
        (..8, _) | (8, ..2) => &KEX_7_4,
        // 8.2 to 8.8 dropped group14-sha1 and have no sntrup yet.
        (8, ..9) => &KEX_7_4[..9],
        (8, _) => &KEX_8_9,
        _ => &KEX_9_0,
    };
    Algorithms { ciphers: &CIPHERS, macs: &MACS, kex }
}

/// An algorithm list as sshd assembles it (`kex_assemble_names`): a plain list replaces the
/// default, `+list` appends to it, `-patterns` removes what matches from it and `^list` puts
/// the list first. `None` when the default is needed and not known.
fn algorithm_list(value: Option<&str>, default: Option<&[&str]>) -> Option<Vec<String>> {
    let default = || default.map(|names| names.iter().map(|name| (*name).to_owned()).collect::<Vec<_>>());
    let names = |list: &str| {
        list.split(',').map(str::trim).filter(|name| !name.is_empty()).map(str::to_owned).collect::<Vec<_>>()
    };
    let Some(value) = value else { return default() };
    let list = if let Some(added) = value.strip_prefix('+') {
        let mut list = default()?;
        list.extend(names(added).into_iter().filter(|name| !list.contains(name)).collect::<Vec<_>>());
        list
    } else if let Some(removed) = value.strip_prefix('-') {
        let patterns = names(removed);
        default()?.into_iter().filter(|name| !patterns.iter().any(|pattern| wildcard(pattern, name))).collect()
    } else if let Some(first) = value.strip_prefix('^') {
        let mut list = names(first);
        list.extend(default()?.into_iter().filter(|name| !list.contains(name)).collect::<Vec<_>>());
        list
    } else {
        names(value)
    };
    Some(list)
}

/// sshd's `match_pattern`: `*` any run of characters, `?` one, case-sensitive.
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_at_checked(1) {
        None => name.is_empty(),
        Some(("*", rest)) => {
            (0..=name.len()).filter(|&at| name.is_char_boundary(at)).any(|at| wildcard(rest, &name[at..]))
        }
        Some(("?", rest)) => name.chars().next().is_some_and(|c| wildcard(rest, &name[c.len_utf8()..])),
        Some((first, rest)) => name.strip_prefix(first).is_some_and(|name| wildcard(rest, name)),
    }
}

/// sshd's `MaxStartups start:rate:full` (or one number: start = full, rate 100) as
/// `[start, rate, full]`; the default is 10:30:100.
fn max_startups(tree: &mut Tree, value: Option<&str>) -> Value {
    const DEFAULT: [i64; 3] = [10, 30, 100];
    let Some(value) = value else { return json!(DEFAULT) };
    let parts: Option<Vec<i64>> = value.split(':').map(|part| part.parse().ok()).collect();
    let parsed = match parts.as_deref() {
        Some(&[full]) => Some([full, 100, full]),
        Some(&[start, rate, full]) if start <= full && (1..=100).contains(&rate) => Some([start, rate, full]),
        _ => None,
    };
    json!(parsed.unwrap_or_else(|| {
        tree.report.not_determined(
            "ssh.max_startups",
            &format!("`MaxStartups {value}` is not start:rate:full: sshd refuses it; recorded as 10:30:100"),
        );
        DEFAULT
    }))
}

/// sshd's time format (`convtime`): seconds, or numbers with `s`, `m`, `h`, `d` or `w` added
/// up (`1m30s`); `None` when it is not one.
fn seconds(text: &str) -> Option<i64> {
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.parse::<i64>().ok()?.checked_mul(unit)?)?;
        number.clear();
    }
    if !number.is_empty() {
        total = total.checked_add(number.parse().ok()?)?;
    }
    (!text.is_empty()).then_some(total)
}

/// The first value of each keyword outside `Match` blocks, and all values of [`LISTS`].
#[derive(Debug, Default)]
struct Settings {
    values: BTreeMap<String, String>,
    lists: BTreeMap<String, Vec<String>>,
}

impl Settings {
    fn first(&self, keyword: &str) -> Option<&str> {
        self.values.get(keyword).map(String::as_str)
    }

    /// RHEL 8's sshd.service passes the system crypto policy on the command line
    /// (`sshd $CRYPTO_POLICY`, from the back end's `CRYPTO_POLICY='-oCiphers=…'`), which wins
    /// over every configuration file.
    fn apply_rhel8_crypto_policy(&mut self, tree: &mut Tree, os: &Os) {
        if !(os.is_rhel_like() && os.major() == Some(8)) {
            return;
        }
        let Some(text) = tree.read(CRYPTO_POLICY) else { return };
        let Some(options) = text.lines().find_map(|line| line.trim().strip_prefix("CRYPTO_POLICY=")) else { return };
        for option in options.trim_matches(['\'', '"']).split_whitespace() {
            if let Some((keyword, value)) = option.strip_prefix("-o").and_then(|option| option.split_once('=')) {
                self.values.insert(keyword.to_lowercase(), value.to_owned());
            }
        }
    }

    fn list(&self, keyword: &str) -> Vec<String> {
        self.lists.get(keyword).cloned().unwrap_or_default()
    }

    /// A `yes` / `no` keyword; anything else is reported and recorded as `default`.
    fn flag(&self, tree: &mut Tree, keyword: &str, field: &str, default: bool) -> bool {
        match self.first(keyword).map(str::to_lowercase).as_deref() {
            None => default,
            Some("yes") => true,
            Some("no") => false,
            Some(other) => {
                let reason = format!(
                    "`{keyword} {other}` is not yes or no: sshd refuses it; recorded as {}",
                    if default { "yes" } else { "no" }
                );
                tree.report.not_determined(&format!("ssh.{field}"), &reason);
                default
            }
        }
    }

    /// A number keyword; one that is not a number is reported and recorded as `default`.
    fn number(&self, tree: &mut Tree, keyword: &str, field: &str, default: i64) -> i64 {
        self.parsed(tree, keyword, field, default, |value| value.parse().ok().filter(|n: &i64| *n >= 0))
    }

    /// A time keyword, in seconds.
    fn seconds(&self, tree: &mut Tree, keyword: &str, field: &str, default: i64) -> i64 {
        self.parsed(tree, keyword, field, default, seconds)
    }

    fn parsed(&self, tree: &mut Tree, keyword: &str, field: &str, default: i64, parse: fn(&str) -> Option<i64>) -> i64 {
        let Some(value) = self.first(keyword) else { return default };
        parse(value).unwrap_or_else(|| {
            let reason = format!("`{keyword} {value}` is not valid: sshd refuses it; recorded as {default}");
            tree.report.not_determined(&format!("ssh.{field}"), &reason);
            default
        })
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
                _ if LISTS.contains(&keyword.as_str()) => self.lists.entry(keyword).or_default().extend(args),
                _ => {
                    if let Some(value) = args.into_iter().next() {
                        self.values.entry(keyword).or_insert(value);
                    }
                }
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
            (&value["permit_root_login"], &value["password_authentication"], &value["port"]),
            (&json!("yes"), &json!(true), &json!(2222))
        );
        assert_eq!((&value["max_auth_tries"], &value["protocol"]), (&json!(4), &Value::Null));
    }

    #[test]
    fn unset_keywords_have_sshds_defaults() {
        let (value, tree) = ssh(&[(CONFIG, "")], &debian());
        assert_eq!(
            value,
            json!({
                "permit_root_login": "prohibit-password", "password_authentication": true, "port": 22,
                "max_auth_tries": null, "protocol": null, "log_level": "INFO", "x11_forwarding": false,
                "ignore_rhosts": true, "hostbased_authentication": false, "permit_empty_passwords": false,
                "permit_user_environment": false, "ciphers": CIPHERS, "macs": MACS, "kex_algorithms": KEX_9_0,
                "client_alive_interval": 0, "client_alive_count_max": 3, "login_grace_time": 120,
                "allow_users": [], "allow_groups": [], "deny_users": [], "deny_groups": [], "banner": "none",
                "use_pam": false, "allow_tcp_forwarding": "yes", "max_startups": [10, 30, 100], "max_sessions": 10,
            })
        );
        assert!(tree.report.is_empty());
    }

    #[test]
    fn hardening_keywords_are_read() {
        let config = "LogLevel verbose\nX11Forwarding yes\nIgnoreRhosts shosts-only\nHostbasedAuthentication yes\n\
            PermitEmptyPasswords yes\nPermitUserEnvironment LANG,TZ\nClientAliveInterval 5m\nClientAliveCountMax 0\n\
            LoginGraceTime 1m30s\nAllowUsers alice bob@10.0.0.*\nAllowUsers carol\nDenyGroups guests\n\
            Banner \"/etc/issue.net\"\nUsePAM yes\nAllowTcpForwarding Local\nMaxStartups 10:30:60\nMaxSessions 4\n\
            Match Group admins\n  AllowTcpForwarding yes\n  AllowUsers dave\n";
        let (value, tree) = ssh(&[(CONFIG, config)], &debian());
        assert_eq!(
            (
                &value["log_level"],
                &value["x11_forwarding"],
                &value["ignore_rhosts"],
                &value["hostbased_authentication"]
            ),
            (&json!("VERBOSE"), &json!(true), &json!(false), &json!(true))
        );
        assert_eq!((&value["permit_empty_passwords"], &value["permit_user_environment"]), (&json!(true), &json!(true)));
        assert_eq!(
            (&value["client_alive_interval"], &value["client_alive_count_max"], &value["login_grace_time"]),
            (&json!(300), &json!(0), &json!(90))
        );
        assert_eq!(value["allow_users"], json!(["alice", "bob@10.0.0.*", "carol"]), "lists add up, Match left out");
        assert_eq!((&value["deny_groups"], &value["allow_groups"]), (&json!(["guests"]), &json!([])));
        assert_eq!((&value["banner"], &value["use_pam"]), (&json!("/etc/issue.net"), &json!(true)));
        assert_eq!((&value["allow_tcp_forwarding"], &value["max_startups"]), (&json!("local"), &json!([10, 30, 60])));
        assert_eq!(value["max_sessions"], 4);
        assert!(tree.report.is_empty(), "{:?}", tree.report);
    }

    #[test]
    fn algorithm_lists_follow_sshds_rules() {
        let config = "Ciphers +aes128-cbc,3des-cbc\nMACs -*sha1*,umac-64*\nKexAlgorithms ^diffie-hellman-group1-sha1,curve25519-sha256\n";
        let (value, _) = ssh(&[(CONFIG, config)], &debian());
        assert_eq!(
            value["ciphers"].as_array().map(|list| list[6..].to_vec()),
            Some(vec![json!("aes128-cbc"), json!("3des-cbc")])
        );
        assert_eq!(
            value["macs"],
            json!([
                "umac-128-etm@openssh.com",
                "hmac-sha2-256-etm@openssh.com",
                "hmac-sha2-512-etm@openssh.com",
                "umac-128@openssh.com",
                "hmac-sha2-256",
                "hmac-sha2-512"
            ])
        );
        assert_eq!(value["kex_algorithms"][0], "diffie-hellman-group1-sha1");
        assert_eq!(value["kex_algorithms"][1], "curve25519-sha256");
        assert_eq!(value["kex_algorithms"].as_array().map(Vec::len), Some(11));
        let (plain, _) = ssh(&[(CONFIG, "Ciphers aes256-ctr, aes128-ctr\n")], &debian());
        assert_eq!(plain["ciphers"], json!(["aes256-ctr"]), "a space ends the list, as sshd reads it");
    }

    #[test]
    fn algorithm_defaults_follow_the_openssh_release() {
        let centos = Os { id: "centos".into(), version: "7.9.2009".into(), ..Os::default() };
        assert_eq!(ssh(&[(CONFIG, "")], &centos).0["kex_algorithms"], json!(KEX_7_4));
        let rocky = Os { id: "rocky".into(), version: "9.3".into(), ..Os::default() };
        assert_eq!(ssh(&[(CONFIG, "")], &rocky).0["kex_algorithms"], json!(KEX_7_4[..9]));
        let jammy = Os { id: "ubuntu".into(), version: "22.04".into(), ..Os::default() };
        assert_eq!(ssh(&[(CONFIG, "")], &jammy).0["kex_algorithms"], json!(KEX_8_9));
        let unknown = Os { id: "gentoo".into(), ..Os::default() };
        let (value, tree) = ssh(&[(CONFIG, "Ciphers aes256-ctr\nMACs +hmac-md5\n")], &unknown);
        assert_eq!((&value["ciphers"], &value["macs"]), (&json!(["aes256-ctr"]), &Value::Null));
        let facts: Vec<&str> = tree.report.not_determined.iter().map(|entry| entry.fact.as_str()).collect();
        assert_eq!(facts, ["ssh.macs", "ssh.kex_algorithms"]);
    }

    #[test]
    fn rhel_8_takes_the_crypto_policy_from_the_command_line() {
        let policy = "CRYPTO_POLICY='-oCiphers=aes256-gcm@openssh.com,aes256-cbc -oMACs=hmac-sha2-256,hmac-sha1 -oGSSAPIKexAlgorithms=gss-curve25519-sha256-'";
        let files = [(CONFIG, "Ciphers aes256-ctr\n"), (CRYPTO_POLICY, policy)];
        let rhel8 = Os { id: "rhel".into(), version: "8.10".into(), ..Os::default() };
        let (value, _) = ssh(&files, &rhel8);
        assert_eq!(
            (&value["ciphers"], &value["macs"]),
            (&json!(["aes256-gcm@openssh.com", "aes256-cbc"]), &json!(["hmac-sha2-256", "hmac-sha1"]))
        );
        let rocky9 = Os { id: "rocky".into(), version: "9.3".into(), ..Os::default() };
        assert_eq!(ssh(&files, &rocky9).0["ciphers"], json!(["aes256-ctr"]), "RHEL 9 includes it as a file instead");
    }

    #[test]
    fn sshd_times_and_wildcards() {
        assert_eq!(seconds("120"), Some(120));
        assert_eq!(seconds("2m"), Some(120));
        assert_eq!(seconds("1h30M"), Some(5_400));
        assert_eq!(seconds("1w"), Some(604_800));
        assert_eq!(seconds(""), None);
        assert_eq!(seconds("1y"), None);
        assert!(wildcard("*sha1*", "hmac-sha1-etm@openssh.com"));
        assert!(wildcard("umac-64?openssh.com", "umac-64@openssh.com"));
        assert!(!wildcard("umac-64*", "umac-128@openssh.com"));
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
        let config = "PasswordAuthentication maybe\nPort http\nProtocol 2,1\nMaxAuthTries x\nLoginGraceTime soon\n\
            MaxSessions -1\nMaxStartups 30:10\nUsePAM perhaps\n";
        let (value, tree) = ssh(&[(CONFIG, config)], &debian());
        assert_eq!(value["password_authentication"], true);
        assert_eq!(value["port"], 22);
        assert_eq!(value["protocol"], 2);
        assert_eq!(value["max_auth_tries"], Value::Null);
        assert_eq!((&value["login_grace_time"], &value["max_sessions"]), (&json!(120), &json!(10)));
        assert_eq!((&value["max_startups"], &value["use_pam"]), (&json!([10, 30, 100]), &json!(false)));
        let facts: Vec<&str> = tree.report.not_determined.iter().map(|entry| entry.fact.as_str()).collect();
        assert_eq!(
            facts,
            [
                "ssh.port",
                "ssh.password_authentication",
                "ssh.login_grace_time",
                "ssh.use_pam",
                "ssh.max_startups",
                "ssh.max_sessions"
            ]
        );
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
