//! The password policy: ageing from `/etc/login.defs`, quality from pam_pwquality (or
//! pam_cracklib), history from pam_pwhistory / pam_unix `remember=`, lockout from pam_faillock
//! (or pam_tally2). A PAM module's own arguments override its configuration file, as PAM does;
//! a value nobody sets is absent (the rules read absent as "not configured"), except the
//! lockout of a pam_faillock in the stack, whose built-in default is 3, and useradd's
//! `INACTIVE`, whose default is -1 (never). The hashing scheme is pam_unix's argument on the
//! `password` lines, else login.defs `ENCRYPT_METHOD` (which pam_unix reads since Linux-PAM
//! 1.4). `su` is restricted when `/etc/pam.d/su` requires pam_wheel.

use serde_json::{Value, json};

use super::fs::Tree;

/// The PAM stacks logins go through: Debian / Ubuntu's common files, Red Hat's system-auth
/// and password-auth (links into /etc/authselect on RHEL 8+).
const PAM_FILES: [&str; 4] =
    ["/etc/pam.d/common-auth", "/etc/pam.d/common-password", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth"];

/// The hashing schemes pam_unix takes as an argument on a `password` line.
const PAM_UNIX_HASHES: [&str; 7] = ["md5", "bigcrypt", "sha256", "sha512", "blowfish", "gost_yescrypt", "yescrypt"];

/// useradd's `INACTIVE` when /etc/default/useradd does not set it: accounts never lock.
const USERADD_DEFAULT_INACTIVE: i64 = -1;

/// pam_faillock's `deny` when neither its arguments nor faillock.conf set it.
const FAILLOCK_DEFAULT_DENY: i64 = 3;

/// The `PasswordPolicy` record.
pub(crate) fn collect(tree: &mut Tree) -> Value {
    let login_defs = tree.read("/etc/login.defs").unwrap_or_default();
    let defs = |key: &str| {
        login_defs.lines().find_map(|line| {
            let mut words = line.split_whitespace();
            (words.next() == Some(key)).then(|| words.next()?.parse::<i64>().ok()).flatten()
        })
    };
    let pam = Pam::read(tree);
    let mut pwquality = key_values(&tree.read("/etc/security/pwquality.conf").unwrap_or_default());
    for file in tree.glob("/etc/security/pwquality.conf.d/*.conf") {
        pwquality.extend(key_values(&tree.read(&file).unwrap_or_default()));
    }
    let quality = |key: &str| {
        pam.arg(&["pam_pwquality.so", "pam_cracklib.so"], "password", key)
            .or_else(|| pwquality.iter().rev().find(|(k, _)| k == key).and_then(|(_, v)| v.parse().ok()))
    };
    let min_length = quality("minlen").or_else(|| defs("PASS_MIN_LEN"));
    let min_classes = quality("minclass");
    let remember = pam.arg(&["pam_pwhistory.so", "pam_unix.so"], "password", "remember").or_else(|| {
        pam.uses("pam_pwhistory.so")
            .then(|| conf_value(&tree.read("/etc/security/pwhistory.conf").unwrap_or_default(), "remember"))
            .flatten()
    });
    let lockout_attempts = if pam.uses("pam_faillock.so") {
        pam.arg(&["pam_faillock.so"], "auth", "deny")
            .or_else(|| conf_value(&tree.read("/etc/security/faillock.conf").unwrap_or_default(), "deny"))
            .or(Some(FAILLOCK_DEFAULT_DENY))
    } else {
        pam.arg(&["pam_tally2.so", "pam_tally.so"], "auth", "deny")
    };
    let useradd = tree.read("/etc/default/useradd").unwrap_or_default();
    let inactive = key_values(&useradd)
        .into_iter()
        .rev()
        .find(|(key, _)| key == "INACTIVE")
        .and_then(|(_, value)| value.parse::<i64>().ok())
        .unwrap_or(USERADD_DEFAULT_INACTIVE);
    let hash_algorithm = pam
        .lines
        .iter()
        .filter(|line| line.kind == "password" && line.module == "pam_unix.so")
        .find_map(|line| line.args.iter().find(|arg| PAM_UNIX_HASHES.contains(&arg.as_str())).cloned())
        .or_else(|| {
            login_defs.lines().find_map(|line| {
                let mut words = line.split_whitespace();
                (words.next() == Some("ENCRYPT_METHOD")).then(|| words.next().map(str::to_lowercase)).flatten()
            })
        });
    json!({
        "max_days": defs("PASS_MAX_DAYS"),
        "min_days": defs("PASS_MIN_DAYS"),
        "warn_age": defs("PASS_WARN_AGE"),
        "inactive_days": inactive,
        "hash_algorithm": hash_algorithm,
        "min_length": min_length,
        "min_classes": min_classes,
        "remember": remember,
        "lockout_attempts": lockout_attempts,
    })
}

/// Whether `su` asks for membership of the wheel group: an `auth required` (or `requisite`)
/// pam_wheel line in /etc/pam.d/su; `None` without that file.
pub(crate) fn su_restricted(tree: &mut Tree) -> Option<bool> {
    let text = tree.read("/etc/pam.d/su")?;
    Some(text.lines().any(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let words: Vec<&str> = line.split_whitespace().collect();
        matches!(words[..], ["auth", "required" | "requisite", module, ..] if module.rsplit('/').next() == Some("pam_wheel.so"))
    }))
}

/// `key = value` lines (pwquality.conf, faillock.conf, pwhistory.conf, /etc/default/useradd);
/// `#` starts a comment.
fn key_values(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| {
            let line = line.split('#').next()?.trim();
            let (key, value) = line.split_once('=')?;
            Some((key.trim().to_owned(), value.trim().to_owned()))
        })
        .collect()
}

/// The last value of `key` in a `key = value` file, as a number.
fn conf_value(text: &str, key: &str) -> Option<i64> {
    key_values(text).into_iter().rev().find(|(k, _)| k == key).and_then(|(_, v)| v.parse().ok())
}

/// The module lines of the PAM stacks.
#[derive(Debug, Default)]
struct Pam {
    lines: Vec<PamLine>,
}

#[derive(Debug)]
struct PamLine {
    /// `auth`, `account`, `password` or `session`.
    kind: String,
    /// The module's file name, e.g. `pam_faillock.so`.
    module: String,
    args: Vec<String>,
}

impl Pam {
    fn read(tree: &mut Tree) -> Pam {
        let mut pam = Pam::default();
        for file in PAM_FILES {
            let text = tree.read(file).unwrap_or_default();
            pam.lines.extend(text.lines().filter_map(parse_pam_line));
        }
        pam
    }

    fn uses(&self, module: &str) -> bool {
        self.lines.iter().any(|line| line.module == module)
    }

    /// The first numeric `key=` argument of any of `modules` on a `kind` line.
    fn arg(&self, modules: &[&str], kind: &str, key: &str) -> Option<i64> {
        self.lines
            .iter()
            .filter(|line| line.kind == kind && modules.contains(&line.module.as_str()))
            .find_map(|line| line.args.iter().find_map(|arg| arg.strip_prefix(key)?.strip_prefix('=')?.parse().ok()))
    }
}

/// `[-]type control module [args]`, where control may be a bracketed list with spaces.
fn parse_pam_line(line: &str) -> Option<PamLine> {
    let line = line.split('#').next()?.trim();
    let (kind, rest) = line.split_once(char::is_whitespace)?;
    let kind = kind.trim_start_matches('-').to_lowercase();
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?.1,
        None => rest.split_once(char::is_whitespace)?.1,
    };
    let mut words = rest.split_whitespace();
    let module = words.next()?.rsplit('/').next()?.to_owned();
    Some(PamLine { kind, module, args: words.map(str::to_owned).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(files: &[(&str, &str)]) -> Value {
        let dir = tempfile::tempdir().unwrap();
        crate::host::write_tree(dir.path(), files);
        collect(&mut Tree::new(dir.path()))
    }

    #[test]
    fn nothing_configured_is_all_absent() {
        assert_eq!(
            policy(&[]),
            json!({"max_days": null, "min_days": null, "warn_age": null, "inactive_days": -1, "hash_algorithm": null, "min_length": null, "min_classes": null, "remember": null, "lockout_attempts": null})
        );
    }

    #[test]
    fn login_defs_and_conf_files() {
        let value = policy(&[
            ("/etc/login.defs", "# PASS_MAX_DAYS 1\nPASS_MAX_DAYS\t90\nPASS_MIN_DAYS 7\nPASS_MIN_LEN 5\n"),
            ("/etc/security/pwquality.conf", "# minlen = 8\nminlen = 10\nminclass = 3\n"),
            ("/etc/security/pwquality.conf.d/50-strict.conf", "minlen = 14\n"),
            ("/etc/security/faillock.conf", "# deny = 3\ndeny = 5\n"),
            (
                "/etc/pam.d/system-auth",
                "auth required pam_faillock.so preauth silent\npassword requisite pam_pwquality.so local_users_only\npassword sufficient pam_unix.so sha512 shadow remember=5\n",
            ),
        ]);
        assert_eq!(
            value,
            json!({"max_days": 90, "min_days": 7, "warn_age": null, "inactive_days": -1, "hash_algorithm": "sha512", "min_length": 14, "min_classes": 3, "remember": 5, "lockout_attempts": 5})
        );
    }

    #[test]
    fn module_arguments_override_files() {
        let value = policy(&[
            ("/etc/security/pwquality.conf", "minlen = 10\n"),
            ("/etc/security/faillock.conf", "deny = 5\n"),
            (
                "/etc/pam.d/common-auth",
                "auth [default=die] pam_faillock.so authfail deny=4 unlock_time=900\n-auth optional /lib/security/pam_faillock.so\n",
            ),
            ("/etc/pam.d/common-password", "password requisite pam_pwquality.so retry=3 minlen=12\n"),
        ]);
        assert_eq!(value["min_length"], 12);
        assert_eq!(value["lockout_attempts"], 4);
    }

    #[test]
    fn faillock_conf_counts_only_with_the_module_in_the_stack() {
        // Debian ships faillock.conf with libpam-modules; without pam_faillock in the stack
        // nothing locks.
        assert_eq!(policy(&[("/etc/security/faillock.conf", "deny = 5\n")])["lockout_attempts"], Value::Null);
        assert_eq!(
            policy(&[("/etc/pam.d/system-auth", "auth required pam_faillock.so preauth\n")])["lockout_attempts"],
            3
        );
        let tally = "auth required pam_tally2.so onerr=fail deny=6 unlock_time=300\n";
        assert_eq!(policy(&[("/etc/pam.d/system-auth", tally)])["lockout_attempts"], 6);
    }

    #[test]
    fn warning_inactivity_and_hashing() {
        let value = policy(&[
            ("/etc/login.defs", "PASS_WARN_AGE\t7\nENCRYPT_METHOD SHA512\n"),
            ("/etc/default/useradd", "# INACTIVE=-1\nGROUP=100\nINACTIVE=30\n"),
            ("/etc/pam.d/common-password", "password [success=1 default=ignore] pam_unix.so obscure yescrypt\n"),
        ]);
        assert_eq!((&value["warn_age"], &value["inactive_days"]), (&json!(7), &json!(30)));
        assert_eq!(value["hash_algorithm"], "yescrypt", "pam_unix's argument wins over login.defs");
        let defs_only = policy(&[("/etc/login.defs", "ENCRYPT_METHOD MD5\n")]);
        assert_eq!(defs_only["hash_algorithm"], "md5");
    }

    #[test]
    fn su_needs_an_active_pam_wheel_line() {
        let su = |text: &str| {
            let dir = tempfile::tempdir().unwrap();
            crate::host::write_tree(dir.path(), &[("/etc/pam.d/su", text)]);
            su_restricted(&mut Tree::new(dir.path()))
        };
        assert_eq!(su("#auth\t\trequired\tpam_wheel.so use_uid\nauth sufficient pam_rootok.so\n"), Some(false));
        assert_eq!(su("auth\t\trequired\tpam_wheel.so use_uid\n"), Some(true));
        assert_eq!(
            su("auth sufficient pam_wheel.so trust use_uid\n"),
            Some(false),
            "sufficient lets wheel in, others too"
        );
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(su_restricted(&mut Tree::new(dir.path())), None);
    }

    #[test]
    fn pwhistory_conf_needs_its_module() {
        let conf = ("/etc/security/pwhistory.conf", "remember = 24\n");
        assert_eq!(policy(&[conf])["remember"], Value::Null);
        let stack = ("/etc/pam.d/common-password", "password required pam_pwhistory.so use_authtok\n");
        assert_eq!(policy(&[conf, stack])["remember"], 24);
    }
}
