//! Is an account's password one of the few everybody tries? Each hash is checked with its own
//! scheme (md5-crypt `$1$`, sha256-crypt `$5$`, sha512-crypt `$6$`, bcrypt `$2?$`, yescrypt
//! `$y$`) against a small bundled list and the account's own name. Neither the hash nor the
//! password that matched ever leaves this module: the answer is a verdict.
//!
//! Slow schemes cost what their parameters say, so each hash gets a fixed budget of work and
//! tries as much of the list (most common first) as that buys: the defaults of every
//! distribution buy the whole list; a hardened cost buys its top, and the report says so.

use password_hash_traits::PasswordVerifier as _;

/// The bundled list, most common first.
const LIST: &str = include_str!("weak-passwords.txt");

/// Work per hash, in units of about one md5-crypt (1,000 MD5 rounds): enough for the whole
/// list at bcrypt cost 10 and yescrypt's default `j9T` (N = 4096, r = 32), which take about
/// 128 units each, i.e. a few seconds per account.
const BUDGET: u64 = 101 * 130;

/// What checking one hash found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// It matched a word tried.
    Weak,
    /// None of the first `tried` of `of` candidates matched.
    NotFound { tried: usize, of: usize },
    /// Not checked, and why.
    NotChecked(String),
}

/// Checks the hash of account `name` against the list.
pub(crate) fn check(name: &str, hash: &str) -> Verdict {
    let scheme = match Scheme::of(hash) {
        Ok(scheme) => scheme,
        Err(reason) => return Verdict::NotChecked(reason),
    };
    let cost = scheme.cost(hash).max(1);
    let candidates = candidates(name);
    let tried = usize::try_from(BUDGET / cost).unwrap_or(usize::MAX).min(candidates.len());
    if tried == 0 {
        return Verdict::NotChecked(format!(
            "the hash's cost ({}) is beyond the checking budget: not one word could be tried",
            scheme.describe(hash)
        ));
    }
    for word in &candidates[..tried] {
        match scheme.verify(word, hash) {
            Ok(true) => return Verdict::Weak,
            Ok(false) => {}
            Err(reason) => return Verdict::NotChecked(reason),
        }
    }
    Verdict::NotFound { tried, of: candidates.len() }
}

/// The account's name, then the list, without repeats.
fn candidates(name: &str) -> Vec<&str> {
    let mut words = vec![name];
    for word in LIST.lines().map(str::trim).filter(|line| !line.is_empty() && !line.starts_with('#')) {
        if !words.contains(&word) {
            words.push(word);
        }
    }
    words
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    Md5,
    Sha,
    Bcrypt,
    Yescrypt,
}

impl Scheme {
    fn of(hash: &str) -> Result<Scheme, String> {
        let id = hash.strip_prefix('$').and_then(|rest| rest.split('$').next()).unwrap_or_default();
        match id {
            "1" => Ok(Scheme::Md5),
            "5" | "6" => Ok(Scheme::Sha),
            "2a" | "2b" | "2y" | "2x" => Ok(Scheme::Bcrypt),
            "y" => Ok(Scheme::Yescrypt),
            "" if hash.len() == 13 => Err("DES crypt hash: the scheme is not supported".to_owned()),
            "" => Err("the hash is in no crypt format rulec knows".to_owned()),
            other => Err(format!("the hash scheme `${other}$` is not supported")),
        }
    }

    /// The work one try costs, in budget units.
    fn cost(self, hash: &str) -> u64 {
        let field = hash.split('$').nth(2).unwrap_or_default();
        match self {
            Scheme::Md5 => 1,
            // `rounds=N` (default 5,000), each round about one MD5 round's work.
            Scheme::Sha => field.strip_prefix("rounds=").and_then(|n| n.parse::<u64>().ok()).unwrap_or(5000) / 1000,
            // 2^cost Blowfish key setups; cost 10 is about 128 md5-crypts.
            Scheme::Bcrypt => field.parse::<u32>().ok().and_then(|cost| 1u64.checked_shl(cost)).unwrap_or(u64::MAX) / 8,
            // Memory N·r·128 bytes touched about twice; the default N = 4096, r = 32 is ~128.
            Scheme::Yescrypt => field
                .parse::<yescrypt::Params>()
                .map(|params| params.n().saturating_mul(u64::from(params.r())) / 1024)
                .unwrap_or(u64::MAX),
        }
    }

    fn describe(self, hash: &str) -> String {
        let field = hash.split('$').nth(2).unwrap_or_default();
        match self {
            Scheme::Md5 => "md5-crypt".to_owned(),
            Scheme::Sha => format!("sha-crypt {field}"),
            Scheme::Bcrypt => format!("bcrypt cost {field}"),
            Scheme::Yescrypt => format!("yescrypt parameters {field}"),
        }
    }

    /// Whether `word` is the password; `Err` when the hash cannot be parsed.
    fn verify(self, word: &str, hash: &str) -> Result<bool, String> {
        let malformed = || format!("the {} hash is malformed", self.describe(hash));
        match self {
            Scheme::Md5 => {
                let salt = hash.split('$').nth(2).ok_or_else(malformed)?;
                Ok(md5crypt::md5crypt(word.as_bytes(), salt.as_bytes()) == hash.as_bytes())
            }
            Scheme::Sha => match sha_crypt::ShaCrypt::default().verify_password(word.as_bytes(), hash) {
                Ok(()) => Ok(true),
                Err(password_hash_traits::Error::PasswordInvalid) => Ok(false),
                Err(_) => Err(malformed()),
            },
            Scheme::Bcrypt => bcrypt::verify(word, hash).map_err(|_| malformed()),
            Scheme::Yescrypt => match yescrypt::Yescrypt::default().verify_password(word.as_bytes(), hash) {
                Ok(()) => Ok(true),
                Err(password_hash_traits::Error::PasswordInvalid) => Ok(false),
                Err(_) => Err(malformed()),
            },
        }
    }
}

/// The `password-hash` traits both RustCrypto crates implement, under one name.
mod password_hash_traits {
    pub(super) use sha_crypt::password_hash::{Error, PasswordVerifier};
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with `mkpasswd` (whois 5.5.17, libxcrypt) on Debian 12, e.g.
    // `mkpasswd -m sha512crypt password`; the strong one is a random 20-character password.
    const MD5_WEAK: &str = "$1$Yk3ckc32$Os855plQhoMaAKb3xTTVX1"; // 123456
    const SHA512_WEAK: &str =
        "$6$2RO3eUIYGJJASxCm$0mWHFIgwZQlQrh9FJsXLsKeMgZA5A5rTR5ihJjNR1V0vGatTmZj5Ct6g1VymO.ET0u4J0lBfCReHTmY0NgIlW."; // P@ssw0rd
    const SHA256_NAME: &str = "$5$tVRImgQOBOr98mHS$bCv5mY8pEywfDKdpWa48TS9kSJ6Y0gJ8ZSfT3IJq1P1"; // deploy
    const BCRYPT_WEAK: &str = "$2b$05$Jq1qQB3y8LLfBiKvw0/k2Of2qe2jJA3L8z5P8/J9Vz8e7mSrEubQq"; // admin
    const YESCRYPT_WEAK: &str = "$y$j9T$SoZUQgmbuXJEYeHOkKQAn/$9Fh0ulr8pOqtsvpxseszVhpZREnMkX.Tv4mNaQUvm45"; // password
    const SHA512_STRONG: &str =
        "$6$WIhtOJxZX7MCADJS$rCQwWjCqDlcpBFz2PtGXAu/LcbgIkyZUF621FLTeAml96h7FhFxr5Fk1KwbOsT6gDnXGHfmc9jw.HcgqkJHdS1";

    #[test]
    fn each_scheme_finds_its_weak_password() {
        assert_eq!(check("alice", MD5_WEAK), Verdict::Weak);
        assert_eq!(check("alice", SHA512_WEAK), Verdict::Weak);
        assert_eq!(check("deploy", SHA256_NAME), Verdict::Weak);
        assert_eq!(check("alice", BCRYPT_WEAK), Verdict::Weak);
        assert_eq!(check("alice", YESCRYPT_WEAK), Verdict::Weak);
    }

    #[test]
    fn a_strong_password_is_tried_against_the_whole_list() {
        let of = candidates("alice").len();
        assert_eq!(check("alice", SHA512_STRONG), Verdict::NotFound { tried: of, of });
        assert!(of > 100);
    }

    #[test]
    fn the_account_name_is_tried_only_for_its_account() {
        assert!(matches!(check("ops", SHA256_NAME), Verdict::NotFound { .. }));
    }

    #[test]
    fn a_costly_hash_tries_the_top_of_the_list() {
        assert_eq!(Scheme::Bcrypt.cost("$2b$10$x"), 128);
        assert_eq!(Scheme::Sha.cost("$6$rounds=656000$salt$x"), 656);
        assert_eq!(Scheme::Yescrypt.cost("$y$j9T$salt$x"), 128);
        // bcrypt cost 31 buys nothing: reported, never guessed.
        let verdict = check("alice", "$2b$31$Jq1qQB3y8LLfBiKvw0/k2Of2qe2jJA3L8z5P8/J9Vz8e7mSrEubQq");
        assert!(matches!(verdict, Verdict::NotChecked(reason) if reason.contains("budget")));
    }

    #[test]
    fn unknown_and_broken_hashes_are_not_checked() {
        assert!(matches!(check("a", "$gy$j9T$abc$def"), Verdict::NotChecked(r) if r.contains("`$gy$`")));
        assert!(matches!(check("a", "abJnggxhB/yWI"), Verdict::NotChecked(r) if r.contains("DES")));
        assert!(matches!(check("a", "$6$salt"), Verdict::NotChecked(r) if r.contains("malformed")));
        assert!(matches!(check("a", "$y$garbage$x$y"), Verdict::NotChecked(_)));
        assert!(matches!(check("a", "$1$"), Verdict::NotChecked(_) | Verdict::NotFound { .. }));
        assert!(matches!(check("a", "$2b$xx$"), Verdict::NotChecked(_)));
    }
}
