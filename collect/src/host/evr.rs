//! rpm's version ordering, to tell whether an installed package is older than the one an
//! advisory names. It is rpm's own `rpmvercmp` (rpmio/rpmvercmp.c), not a general version
//! compare: `el9_2` is newer than `el9`, `1.0~rc1` older than `1.0`, `1.0^git1` newer, and
//! separators do not matter (`2.0` = `2_0`). The tests are rpm's own (tests/rpmvercmp.at),
//! each checked against rpm 4.18's `rpm.vercmp`.

use std::cmp::Ordering;
use std::fmt;

/// A package's epoch, version and release.
#[derive(Clone, Debug)]
pub(crate) struct Evr {
    /// 0 when the package has none: rpm compares a missing epoch as 0.
    pub(crate) epoch: u64,
    pub(crate) version: String,
    pub(crate) release: String,
}

impl Ord for Evr {
    fn cmp(&self, other: &Self) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(&self.version, &other.version))
            .then_with(|| rpmvercmp(&self.release, &other.release))
    }
}

impl PartialOrd for Evr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Equal in rpm's ordering (`2.0` = `2_0`), as [`Ord`] says.
impl PartialEq for Evr {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Evr {}

/// `[epoch:]version-release`, the way dnf prints it: a 0 epoch is left out.
impl fmt::Display for Evr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.epoch > 0 {
            write!(f, "{}:", self.epoch)?;
        }
        write!(f, "{}-{}", self.version, self.release)
    }
}

/// rpm's `rpmvercmp`: the strings are split into runs of ASCII digits and ASCII letters, the
/// rest being separators; runs compare pairwise (numbers by value, letters bytewise, a number
/// beating letters), `~` sorts before anything, even the end, and `^` after the end but before
/// anything else.
pub(crate) fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let separator = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        one = &one[one.iter().take_while(|c| separator(c)).count()..];
        two = &two[two.iter().take_while(|c| separator(c)).count()..];
        match (one.first(), two.first()) {
            (Some(b'~'), Some(b'~')) => {
                (one, two) = (&one[1..], &two[1..]);
                continue;
            }
            (Some(b'~'), _) => return Ordering::Less,
            (_, Some(b'~')) => return Ordering::Greater,
            (None, Some(b'^')) => return Ordering::Less,
            (Some(b'^'), None) => return Ordering::Greater,
            (Some(b'^'), Some(b'^')) => {
                (one, two) = (&one[1..], &two[1..]);
                continue;
            }
            (Some(b'^'), _) => return Ordering::Less,
            (_, Some(b'^')) => return Ordering::Greater,
            (Some(_), Some(_)) => {}
            // Every run compared equal: whichever has characters left is newer.
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
        }
        let numeric = one[0].is_ascii_digit();
        let run = |s: &[u8]| {
            if numeric {
                s.iter().take_while(|c| c.is_ascii_digit()).count()
            } else {
                s.iter().take_while(|c| c.is_ascii_alphabetic()).count()
            }
        };
        let (len_one, len_two) = (run(one), run(two));
        // Runs of different kinds: a number is newer than letters.
        if len_two == 0 {
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (mut run_one, mut run_two) = (&one[..len_one], &two[..len_two]);
        if numeric {
            run_one = &run_one[run_one.iter().take_while(|c| **c == b'0').count()..];
            run_two = &run_two[run_two.iter().take_while(|c| **c == b'0').count()..];
            // Without leading zeros, the longer number is the larger.
            match run_one.len().cmp(&run_two.len()) {
                Ordering::Equal => {}
                longer => return longer,
            }
        }
        match run_one.cmp(run_two) {
            Ordering::Equal => {}
            decided => return decided,
        }
        (one, two) = (&one[len_one..], &two[len_two..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rpm's tests/rpmvercmp.at, in its order.
    const RPMVERCMP_AT: &[(&str, &str, i8)] = &[
        ("1.0", "1.0", 0),
        ("1.0", "2.0", -1),
        ("2.0", "1.0", 1),
        ("2.0.1", "2.0.1", 0),
        ("2.0", "2.0.1", -1),
        ("2.0.1", "2.0", 1),
        ("2.0.1a", "2.0.1a", 0),
        ("2.0.1a", "2.0.1", 1),
        ("2.0.1", "2.0.1a", -1),
        ("5.5p1", "5.5p1", 0),
        ("5.5p1", "5.5p2", -1),
        ("5.5p2", "5.5p1", 1),
        ("5.5p10", "5.5p10", 0),
        ("5.5p1", "5.5p10", -1),
        ("5.5p10", "5.5p1", 1),
        ("10xyz", "10.1xyz", -1),
        ("10.1xyz", "10xyz", 1),
        ("xyz10", "xyz10", 0),
        ("xyz10", "xyz10.1", -1),
        ("xyz10.1", "xyz10", 1),
        ("xyz.4", "xyz.4", 0),
        ("xyz.4", "8", -1),
        ("8", "xyz.4", 1),
        ("xyz.4", "2", -1),
        ("2", "xyz.4", 1),
        ("5.5p2", "5.6p1", -1),
        ("5.6p1", "5.5p2", 1),
        ("5.6p1", "6.5p1", -1),
        ("6.5p1", "5.6p1", 1),
        ("6.0.rc1", "6.0", 1),
        ("6.0", "6.0.rc1", -1),
        ("10b2", "10a1", 1),
        ("10a2", "10b2", -1),
        ("1.0aa", "1.0aa", 0),
        ("1.0a", "1.0aa", -1),
        ("1.0aa", "1.0a", 1),
        ("10.0001", "10.0001", 0),
        ("10.0001", "10.1", 0),
        ("10.1", "10.0001", 0),
        ("10.0001", "10.0039", -1),
        ("10.0039", "10.0001", 1),
        ("4.999.9", "5.0", -1),
        ("5.0", "4.999.9", 1),
        ("20101121", "20101121", 0),
        ("20101121", "20101122", -1),
        ("20101122", "20101121", 1),
        ("2_0", "2_0", 0),
        ("2.0", "2_0", 0),
        ("2_0", "2.0", 0),
        // RhBug:178798
        ("a", "a", 0),
        ("a+", "a+", 0),
        ("a+", "a_", 0),
        ("a_", "a+", 0),
        ("+a", "+a", 0),
        ("+a", "_a", 0),
        ("_a", "+a", 0),
        ("+_", "+_", 0),
        ("_+", "+_", 0),
        ("_+", "_", 0),
        ("+", "_", 0),
        ("_", "+", 0),
        // Tilde
        ("1.0~rc1", "1.0~rc1", 0),
        ("1.0~rc1", "1.0", -1),
        ("1.0", "1.0~rc1", 1),
        ("1.0~rc1", "1.0~rc2", -1),
        ("1.0~rc2", "1.0~rc1", 1),
        ("1.0~rc1~git123", "1.0~rc1~git123", 0),
        ("1.0~rc1~git123", "1.0~rc1", -1),
        ("1.0~rc1", "1.0~rc1~git123", 1),
        // Caret
        ("1.0^", "1.0^", 0),
        ("1.0^", "1.0", 1),
        ("1.0", "1.0^", -1),
        ("1.0^git1", "1.0^git1", 0),
        ("1.0^git1", "1.0", 1),
        ("1.0", "1.0^git1", -1),
        ("1.0^git1", "1.0^git2", -1),
        ("1.0^git2", "1.0^git1", 1),
        ("1.0^git1", "1.01", -1),
        ("1.01", "1.0^git1", 1),
        ("1.0^20160101", "1.0^20160101", 0),
        ("1.0^20160101", "1.0.1", -1),
        ("1.0.1", "1.0^20160101", 1),
        ("1.0^20160101^git1", "1.0^20160101^git1", 0),
        ("1.0^20160102", "1.0^20160101^git1", 1),
        ("1.0^20160101^git1", "1.0^20160102", -1),
        // Tilde and caret
        ("1.0~rc1^git1", "1.0~rc1^git1", 0),
        ("1.0~rc1^git1", "1.0~rc1", 1),
        ("1.0~rc1", "1.0~rc1^git1", -1),
        ("1.0^git1~pre", "1.0^git1~pre", 0),
        ("1.0^git1", "1.0^git1~pre", 1),
        ("1.0^git1~pre", "1.0^git1", -1),
        // rpm documents these as arguably buggy, kept for reference (RhBug:811992)
        ("1b.fc17", "1b.fc17", 0),
        ("1b.fc17", "1.fc17", -1),
        ("1.fc17", "1b.fc17", 1),
        ("1g.fc17", "1g.fc17", 0),
        ("1g.fc17", "1.fc17", 1),
        ("1.fc17", "1g.fc17", -1),
        // Non-ASCII characters are separators, so these are all equal
        ("1.1.α", "1.1.α", 0),
        ("1.1.α", "1.1.β", 0),
        ("1.1.β", "1.1.α", 0),
        ("1.1.αα", "1.1.α", 0),
        ("1.1.α", "1.1.ββ", 0),
    ];

    #[test]
    fn rpms_own_cases() {
        for (a, b, expected) in RPMVERCMP_AT {
            assert_eq!(rpmvercmp(a, b), expected.cmp(&0), "rpmvercmp({a}, {b})");
        }
    }

    fn evr(epoch: u64, version: &str, release: &str) -> Evr {
        Evr { epoch, version: version.to_owned(), release: release.to_owned() }
    }

    #[test]
    fn epoch_then_version_then_release() {
        assert!(evr(1, "1.0", "1") > evr(0, "2.0", "1"));
        assert!(evr(0, "590", "2.el9") < evr(0, "590", "2.el9_2"));
        assert!(evr(0, "5.14.0", "362.8.1.el9_3") < evr(0, "5.14.0", "362.13.1.el9_3"));
        assert_eq!(evr(0, "2.0", "1"), evr(0, "2_0", "1"));
    }

    #[test]
    fn a_zero_epoch_is_not_printed() {
        assert_eq!(evr(0, "590", "2.el9_2").to_string(), "590-2.el9_2");
        assert_eq!(evr(1, "3.0.7", "27.el9").to_string(), "1:3.0.7-27.el9");
    }
}
