//! Local accounts from `/etc/passwd`, with `/etc/shadow` for the password fields: empty ones,
//! and hashes that match a well-known password (`weak`). Without `/etc/shadow` (not root) the
//! accounts are still listed, both flags false, and the report says they were not checked.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde_json::{Value, json};

use super::fs::Tree;
use super::weak::{self, Verdict};

const PASSWD: &str = "/etc/passwd";
const SHADOW: &str = "/etc/shadow";
const GROUP: &str = "/etc/group";

/// One `/etc/passwd` line.
#[derive(Debug)]
struct Account {
    name: String,
    uid: i64,
    gid: i64,
    shell: String,
    /// The password field of `/etc/passwd`: `x` points at `/etc/shadow`.
    password: String,
}

/// One `/etc/shadow` line: the hash (never leaves this module) and the last change.
#[derive(Debug)]
struct Shadow {
    hash: String,
    last_change_days: Option<i64>,
}

/// The `[HostAccount]` list, ordered by uid then name.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    let Some(passwd) = tree.read(PASSWD) else {
        tree.report.not_determined("accounts", &format!("{PASSWD} cannot be read: no account is listed"));
        return json!([]);
    };
    let mut accounts: Vec<Account> = passwd.lines().filter_map(parse_passwd).collect();
    accounts.sort_by(|a, b| (a.uid, &a.name).cmp(&(b.uid, &b.name)));
    let shadow = tree.read(SHADOW).map(|text| text.lines().filter_map(parse_shadow).collect::<BTreeMap<_, _>>());
    if shadow.is_none() {
        let why = if tree.report.is_unreadable(SHADOW) { "cannot be read (run as root)" } else { "does not exist" };
        let reason = format!("{SHADOW} {why}: accounts whose password is there are recorded as neither empty nor weak");
        tree.report.not_determined("empty_password, weak_password", &reason);
    }
    // Hashing is the slow part, and accounts are independent: check them in parallel, then
    // report in account order.
    let checked: Vec<(Value, Option<String>)> = accounts
        .par_iter()
        .map(|account| {
            let entry = shadow.as_ref().and_then(|shadow| shadow.get(&account.name));
            judge(account, entry)
        })
        .collect();
    let mut records = Vec::new();
    for (record, note) in checked {
        if let Some(note) = note {
            let fact = format!("weak_password of {}", record["name"].as_str().unwrap_or_default());
            tree.report.not_determined(&fact, &note);
        }
        records.push(record);
    }
    Value::Array(records)
}

/// The record of one account, and a note when its password could not be fully checked.
fn judge(account: &Account, shadow: Option<&Shadow>) -> (Value, Option<String>) {
    // `x` defers to /etc/shadow; anything else in /etc/passwd is the password field itself.
    let hash = if account.password == "x" { shadow.map(|s| s.hash.as_str()) } else { Some(account.password.as_str()) };
    let (empty, weak, note) = match hash {
        None => (false, false, None),
        Some("") => (true, false, None),
        // `!` and `*` lock the password (a `!` before a hash keeps it for unlocking later).
        Some(hash) if hash.starts_with(['!', '*']) => (false, false, None),
        Some(hash) => match weak::check(&account.name, hash) {
            Verdict::Weak => (false, true, None),
            Verdict::NotFound { tried, of } if tried < of => (
                false,
                false,
                Some(format!("the hash is costly: only the {tried} most common of {of} passwords were tried")),
            ),
            Verdict::NotFound { .. } => (false, false, None),
            Verdict::NotChecked(reason) => (false, false, Some(reason)),
        },
    };
    let last_change = shadow.and_then(|s| s.last_change_days).and_then(day);
    let record = json!({
        "name": account.name,
        "uid": account.uid,
        "gid": account.gid,
        "shell": account.shell,
        "empty_password": empty,
        "weak_password": weak,
        "last_change": last_change,
    });
    (record, note)
}

/// The uids of /etc/passwd's accounts and the gids of /etc/group's groups, for telling files
/// with no owner or group (`walk`); `None` for a database that does not exist or cannot be
/// read (the report says which).
pub(crate) fn known_ids(tree: &mut Tree) -> (Option<BTreeSet<i64>>, Option<BTreeSet<i64>>) {
    let uids = tree.read(PASSWD).map(|text| text.lines().filter_map(parse_passwd).map(|account| account.uid).collect());
    let gids = tree.read(GROUP).map(|text| text.lines().filter_map(parse_group_id).collect());
    (uids, gids)
}

/// The gid of a `name:password:gid:members` line of /etc/group, with the same exclusions as
/// [`parse_passwd`].
fn parse_group_id(line: &str) -> Option<i64> {
    let mut fields = line.split(':');
    fields.next().filter(|name| !name.is_empty() && !name.starts_with(['#', '+', '-']))?;
    fields.nth(1)?.parse().ok()
}

/// `name:password:uid:gid:gecos:home:shell`; comments, NIS `+`/`-` lines and lines without
/// a numeric uid are not local accounts.
fn parse_passwd(line: &str) -> Option<Account> {
    let fields: Vec<&str> = line.split(':').collect();
    let [name, password, uid, gid, _gecos, _home, shell, ..] = fields[..] else { return None };
    if name.is_empty() || name.starts_with(['#', '+', '-']) {
        return None;
    }
    Some(Account {
        name: name.to_owned(),
        uid: uid.parse().ok()?,
        gid: gid.parse().ok()?,
        shell: shell.to_owned(),
        password: password.to_owned(),
    })
}

/// The account databases where a line starting with `+` (NIS compat mode: "add the NIS map
/// here") would still be honoured by `files` lookups on a host with nsswitch `compat`.
const NIS_DATABASES: [&str; 3] = [PASSWD, SHADOW, GROUP];

/// The account databases of `NIS_DATABASES` that have a legacy `+` line, in that order.
pub(crate) fn legacy_plus_entries(tree: &mut Tree) -> Value {
    let files: Vec<&str> = NIS_DATABASES
        .into_iter()
        .filter(|path| tree.read(path).is_some_and(|text| text.lines().any(|line| line.starts_with('+'))))
        .collect();
    json!(files)
}

/// `name:hash:lastchg:...`; the last change is in days since 1970, `0` meaning "change at
/// next login" (no date) and empty meaning password ageing is off.
fn parse_shadow(line: &str) -> Option<(String, Shadow)> {
    let mut fields = line.split(':');
    let name = fields.next().filter(|name| !name.is_empty() && !name.starts_with(['#', '+', '-']))?;
    let hash = fields.next()?.to_owned();
    let last_change_days = fields.next().and_then(|days| days.parse::<i64>().ok()).filter(|days| *days > 0);
    Some((name.to_owned(), Shadow { hash, last_change_days }))
}

/// Midnight UTC of a day counted from 1970-01-01, as the snapshot writes times.
fn day(days: i64) -> Option<String> {
    let date = chrono::DateTime::UNIX_EPOCH.checked_add_signed(chrono::TimeDelta::try_days(days)?)?;
    Some(crate::time::format(date))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accounts(passwd: Option<&str>, shadow: Option<&str>) -> (Value, Tree) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        if let Some(passwd) = passwd {
            std::fs::write(dir.path().join("etc/passwd"), passwd).unwrap();
        }
        if let Some(shadow) = shadow {
            std::fs::write(dir.path().join("etc/shadow"), shadow).unwrap();
        }
        let mut tree = Tree::new(dir.path());
        (collect(&mut tree), tree)
    }

    const PASSWD_TEXT: &str = "root:x:0:0:root:/root:/bin/bash\n\
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n\
        toor:x:0:0::/root:/bin/sh\n\
        legacy::1001:1001::/home/legacy:/bin/sh\n\
        +nisuser::::::\n\
        broken:x:notanumber:0::/:/bin/sh\n";

    #[test]
    fn shadow_fields_decide_empty_and_weak() {
        let shadow = "root:$1$Yk3ckc32$Os855plQhoMaAKb3xTTVX1:19700:0:99999:7:::\n\
                      daemon:*:19700:0:99999:7:::\n\
                      toor::0:0:99999:7:::\n";
        let (value, tree) = accounts(Some(PASSWD_TEXT), Some(shadow));
        assert_eq!(
            value,
            json!([
                {"name": "root", "uid": 0, "gid": 0, "shell": "/bin/bash", "empty_password": false, "weak_password": true, "last_change": "2023-12-09T00:00:00Z"},
                {"name": "toor", "uid": 0, "gid": 0, "shell": "/bin/sh", "empty_password": true, "weak_password": false, "last_change": null},
                {"name": "daemon", "uid": 1, "gid": 1, "shell": "/usr/sbin/nologin", "empty_password": false, "weak_password": false, "last_change": "2023-12-09T00:00:00Z"},
                {"name": "legacy", "uid": 1001, "gid": 1001, "shell": "/bin/sh", "empty_password": true, "weak_password": false, "last_change": null},
            ])
        );
        assert!(tree.report.is_empty(), "{:?}", tree.report);
    }

    #[test]
    fn without_shadow_accounts_are_listed_and_the_gap_reported() {
        let (value, tree) = accounts(Some(PASSWD_TEXT), None);
        assert_eq!(value.as_array().unwrap().len(), 4);
        assert!(value.as_array().unwrap().iter().all(|a| a["weak_password"] == false));
        assert_eq!(tree.report.not_determined[0].fact, "empty_password, weak_password");
    }

    #[test]
    fn legacy_plus_lines_are_found_per_database() {
        let dir = tempfile::tempdir().unwrap();
        crate::host::write_tree(
            dir.path(),
            &[(PASSWD, PASSWD_TEXT), (SHADOW, "root:*:19700::::::\n"), ("/etc/group", "root:x:0:\n+:::\n")],
        );
        assert_eq!(legacy_plus_entries(&mut Tree::new(dir.path())), json!(["/etc/passwd", "/etc/group"]));
    }

    #[test]
    fn without_passwd_nothing_is_listed() {
        let (value, tree) = accounts(None, None);
        assert_eq!(value, json!([]));
        assert_eq!(tree.report.not_determined[0].fact, "accounts");
    }

    #[test]
    fn locked_and_unknown_hashes() {
        let shadow = "root:!$1$Yk3ckc32$Os855plQhoMaAKb3xTTVX1:19700::::::\ntoor:$gy$j9T$x$y:1::::::\n";
        let (value, tree) = accounts(Some(PASSWD_TEXT), Some(shadow));
        assert_eq!(value[0]["weak_password"], false, "a locked password is not a login");
        assert_eq!(tree.report.not_determined[0].fact, "weak_password of toor");
        assert!(!format!("{:?}", tree.report).contains("$gy$j9T$x$y"), "hashes are never reported");
    }
}
