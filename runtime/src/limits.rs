//! Evaluation budgets: how much work and memory one subject's evaluation may take, and how
//! they are written (`--max-steps`, `--max-value-size`, `--timeout`, `limits:` in
//! `rulec.yaml`).
//!
//! The language has no recursion and no loops, but nested `filter`s over large lists, or a
//! string doubled by a chain of `let`s, can still run for hours or exhaust memory. A budget
//! turns that into an evaluation error naming the check and the subject, so a run always ends
//! and never aborts. See docs/budgets.md.

use std::fmt;
use std::time::Duration;

/// The budgets of one evaluation: a subject of a check, one edge-pair test, one constant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Expression nodes evaluated, plus one per element a method walks without evaluating
    /// (membership tests, `distinct`, `sort`, list concatenation).
    pub max_steps: u64,
    /// The largest value (string or list) an evaluation may create, in bytes, checked before
    /// the value is allocated.
    pub max_value_bytes: u64,
}

impl Limits {
    /// More than ten thousand times what any built-in pack spends on one subject of the
    /// bundled example or the synthetic estate (under 800 steps; docs/budgets.md): a runaway
    /// rule stops within a second, a legitimate one never comes near.
    pub const DEFAULT_MAX_STEPS: u64 = 10_000_000;
    /// Far above any string or list a snapshot's asset holds, far below what a machine running
    /// many evaluations in parallel can afford for each.
    pub const DEFAULT_MAX_VALUE_BYTES: u64 = 64 << 20;
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_steps: Limits::DEFAULT_MAX_STEPS, max_value_bytes: Limits::DEFAULT_MAX_VALUE_BYTES }
    }
}

const UNITS: [(&str, u64); 7] = [
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
    ("GB", 1_000_000_000),
    ("MB", 1_000_000),
    ("KB", 1_000),
    ("B", 1),
];

/// A size such as `64MiB`, `1 GB`, `500KiB` or `1048576` (bytes). Binary units (`KiB`, `MiB`,
/// `GiB`) count 1024s, decimal ones (`KB`, `MB`, `GB`) 1000s; units are case-insensitive.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let digits = trimmed.find(|c: char| !c.is_ascii_digit()).unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let expected = "a size like `64MiB`, `1GiB`, `500KB` or a number of bytes";
    let number: u64 = number.parse().map_err(|_| format!("invalid size `{text}`: expected {expected}"))?;
    let unit = unit.trim();
    let scale = if unit.is_empty() {
        1
    } else {
        UNITS.iter().find(|(name, _)| name.eq_ignore_ascii_case(unit)).map(|(_, scale)| *scale).ok_or_else(|| {
            format!("invalid size `{text}`: unknown unit `{unit}` (use B, KB, MB, GB, KiB, MiB or GiB)")
        })?
    };
    match number.checked_mul(scale) {
        Some(0) => Err(format!("invalid size `{text}`: it must be more than 0")),
        Some(bytes) => Ok(bytes),
        None => Err(format!("invalid size `{text}`: too large")),
    }
}

/// A number of bytes for messages: whole binary units when exact (`64 MiB`), else one
/// decimal (`1.5 GiB`), plain bytes below a KiB.
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        let Some((name, scale)) = UNITS[..3].iter().find(|(_, scale)| bytes >= *scale) else {
            return write!(f, "{bytes} bytes");
        };
        if bytes.is_multiple_of(*scale) {
            write!(f, "{} {name}", bytes / scale)
        } else {
            write!(f, "{:.1} {name}", bytes as f64 / *scale as f64)
        }
    }
}

/// A duration such as `30s`, `5m`, `1h30m` or `500ms`: one or more numbers, each with a unit
/// (`ms`, `s`, `m`, `h`).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let expected = "a duration like `30s`, `5m`, `1h30m` or `500ms`";
    let bad = |why: String| format!("invalid duration `{text}`: {why}");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad(format!("expected {expected}")));
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        let number: u64 = rest[..digits].parse().map_err(|_| bad(format!("expected {expected}")))?;
        rest = &rest[digits..];
        let letters = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..letters];
        rest = &rest[letters..];
        let part = match unit {
            "ms" => Duration::from_millis(number),
            "s" => Duration::from_secs(number),
            "m" => Duration::from_secs(number.saturating_mul(60)),
            "h" => Duration::from_secs(number.saturating_mul(3600)),
            "" => return Err(bad(format!("`{number}` has no unit (use ms, s, m or h, e.g. `{number}s`)"))),
            other => return Err(bad(format!("unknown unit `{other}` (use ms, s, m or h)"))),
        };
        total = total.saturating_add(part);
    }
    if total.is_zero() {
        return Err(bad("it must be more than 0".to_owned()));
    }
    Ok(total)
}

/// A duration as `parse_duration` reads it, in the largest units that are exact: `30s`,
/// `5m`, `1h30m`, `1500ms`.
pub struct Span(pub Duration);

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0.as_millis();
        if !millis.is_multiple_of(1000) {
            return write!(f, "{millis}ms");
        }
        let secs = millis / 1000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if s > 0 || secs == 0 {
            write!(f, "{s}s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_in_binary_and_decimal_units() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("64 mib"), Ok(64 << 20));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("abc").unwrap_err().contains("expected a size"));
        assert!(parse_size("5parsecs").unwrap_err().contains("unknown unit `parsecs`"));
        assert!(parse_size("0MiB").is_err());
        assert!(parse_size("99999999999999GiB").unwrap_err().contains("too large"));
    }

    #[test]
    fn sizes_print_in_whole_units_when_exact() {
        assert_eq!(Size(64 << 20).to_string(), "64 MiB");
        assert_eq!(Size(3 << 29).to_string(), "1.5 GiB");
        assert_eq!(Size(1000).to_string(), "1000 bytes");
        assert_eq!(Size(2048).to_string(), "2 KiB");
    }

    #[test]
    fn durations_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert!(parse_duration("5parsecs").unwrap_err().contains("unknown unit `parsecs`"));
        assert!(parse_duration("30").unwrap_err().contains("has no unit"));
        assert!(parse_duration("0s").unwrap_err().contains("more than 0"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn durations_print_as_written() {
        for text in ["30s", "5m", "1h30m", "1500ms", "2h"] {
            assert_eq!(Span(parse_duration(text).unwrap()).to_string(), text);
        }
    }
}
