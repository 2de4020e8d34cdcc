//! Compile-time validation of literals: a rule with a bad CIDR or regex never reaches a
//! snapshot. Each function returns the parsed value or a message and a help line.

use std::net::IpAddr;

use rulec_runtime::value::{MAX_DURATION_SECONDS, Micros, duration_from_seconds, parse_time};

/// A literal that does not parse: what is wrong and how to fix it.
#[derive(Debug, PartialEq, Eq)]
pub struct LiteralError {
    pub message: String,
    pub help: Option<String>,
}

fn err(message: impl Into<String>, help: Option<String>) -> LiteralError {
    LiteralError { message: message.into(), help }
}

/// `90d`, `1h30m`: units `d h m s`, each at most once, largest first, at most
/// [`MAX_DURATION_SECONDS`] in all (the runtime's range). Returns seconds.
pub fn duration_seconds(text: &str) -> Result<i64, LiteralError> {
    const UNITS: [(char, i64); 4] = [('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];
    let too_long = || {
        err(
            format!("duration `{text}` is too long"),
            Some(format!("the longest duration is `{}d`", MAX_DURATION_SECONDS / 86_400)),
        )
    };
    let mut total: i64 = 0;
    let mut digits = String::new();
    let mut last_rank: Option<usize> = None;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        let Some(rank) = UNITS.iter().position(|(u, _)| *u == c) else {
            return Err(err(format!("unknown duration unit `{c}`"), Some("units are `d`, `h`, `m` and `s`".into())));
        };
        if last_rank.is_some_and(|last| rank <= last) {
            return Err(err(
                format!("duration `{text}` repeats a unit or lists them out of order"),
                Some("write units once each, largest first, e.g. `1d12h`".into()),
            ));
        }
        last_rank = Some(rank);
        let amount: i64 = digits.parse().map_err(|_| too_long())?;
        digits.clear();
        total = amount
            .checked_mul(UNITS[rank].1)
            .and_then(|s| total.checked_add(s))
            .filter(|s| duration_from_seconds(*s).is_some())
            .ok_or_else(too_long)?;
    }
    if !digits.is_empty() {
        return Err(err(format!("duration `{text}` has no unit"), Some("add a unit, e.g. `90d`".into())));
    }
    Ok(total)
}

pub fn ip(text: &str) -> Result<IpAddr, LiteralError> {
    text.parse::<IpAddr>().map_err(|_| {
        let help = if text.contains('/') {
            Some(format!("`{text}` is a range: use `cidr(\"{text}\")`"))
        } else {
            Some("write an IPv4 address such as `10.0.0.1` or an IPv6 address such as `2001:db8::1`".into())
        };
        err(format!("`{text}` is not an IP address"), help)
    })
}

/// A CIDR range; a bare address is a single-host range. Host bits must be zero.
pub fn cidr(text: &str) -> Result<ipnet::IpNet, LiteralError> {
    if !text.contains('/') {
        return ip(text).map(ipnet::IpNet::from).map_err(|_| {
            err(format!("`{text}` is not a CIDR range"), Some("write `a.b.c.d/n`, e.g. `10.0.0.0/8`".into()))
        });
    }
    let net: ipnet::IpNet = text.parse().map_err(|_| {
        err(
            format!("`{text}` is not a CIDR range"),
            Some("write `a.b.c.d/n` with a prefix length of 0-32 (IPv4) or 0-128 (IPv6)".into()),
        )
    })?;
    if net.trunc() != net {
        return Err(err(format!("`{text}` has host bits set"), Some(format!("did you mean `{}`?", net.trunc()))));
    }
    Ok(net)
}

pub fn regex(pattern: &str, flags: &str) -> Result<regex::Regex, LiteralError> {
    let mut builder = regex::RegexBuilder::new(pattern);
    builder
        .case_insensitive(flags.contains('i'))
        .dot_matches_new_line(flags.contains('s'))
        .multi_line(flags.contains('m'))
        .ignore_whitespace(flags.contains('x'));
    builder.build().map_err(|e| {
        let detail = match &e {
            regex::Error::Syntax(s) => s.lines().last().unwrap_or("").trim().trim_start_matches("error: ").to_owned(),
            other => other.to_string(),
        };
        err(format!("invalid regex: {detail}"), None)
    })
}

/// An RFC 3339 timestamp, as snapshots write them, read exactly as the runtime reads them.
pub fn time(text: &str) -> Result<Micros, LiteralError> {
    parse_time(text).ok_or_else(|| {
        err(format!("`{text}` is not an RFC 3339 time"), Some("write e.g. `2026-11-20T08:00:00Z`".into()))
    })
}

pub fn int(text: &str) -> Result<i64, LiteralError> {
    text.parse::<i64>().map_err(|_| err(format!("integer `{text}` does not fit in 64 bits"), None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_seconds("90d"), Ok(90 * 86_400));
        assert_eq!(duration_seconds("1h30m"), Ok(5_400));
        assert!(duration_seconds("30m1h").is_err());
        assert!(duration_seconds("1h1h").is_err());
        assert!(duration_seconds("99999999999999999999d").is_err());
        // The runtime's range, not i64 nanoseconds (106751d).
        assert_eq!(duration_seconds("106752d"), Ok(106_752 * 86_400));
        assert!(duration_seconds("106751991d").is_ok());
        let too_long = duration_seconds("106751992d").unwrap_err();
        assert_eq!(too_long.message, "duration `106751992d` is too long");
        assert_eq!(too_long.help.as_deref(), Some("the longest duration is `106751991d`"));
    }

    #[test]
    fn times_span_every_rfc_3339_year() {
        assert!(time("9999-12-31T23:59:59Z").is_ok());
        assert!(time("1600-01-01T00:00:00Z").is_ok());
        assert!(time("2026-13-01T00:00:00Z").is_err());
    }

    #[test]
    fn cidrs_reject_host_bits_with_a_suggestion() {
        assert!(cidr("10.0.0.0/8").is_ok());
        assert!(cidr("::/0").is_ok());
        assert_eq!(cidr("10.0.0.1").map(|n| n.prefix_len()), Ok(32));
        let e = cidr("10.0.0.1/8").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `10.0.0.0/8`?"));
        assert!(cidr("10.0.0.0/33").is_err());
    }

    #[test]
    fn ips_and_regexes() {
        assert!(ip("2001:db8::1").is_ok());
        assert!(ip("300.1.1.1").is_err());
        assert!(regex("AKID[0-9A-Za-z]{32}", "").is_ok());
        assert!(regex("(unclosed", "i").is_err());
        assert!(time("2026-11-20T08:00:00Z").is_ok());
        assert!(time("2026-13-20").is_err());
    }
}
