//! Load errors and warnings, and the JSON paths they name.
//!
//! Paths are kept while loading as a cheap stack of [`Seg`]ments and formatted only when an
//! error or a warning is reported, so a valid snapshot never pays for them.

use crate::value::ArcStr;
use std::fmt;
use std::path::PathBuf;

/// How many errors a failed load lists; the rest are only counted.
pub const MAX_ERRORS: usize = 50;

/// How many dangling-reference warnings a load lists; the rest are summed up in one warning.
pub const MAX_DANGLING_WARNINGS: usize = 100;

/// One reason a snapshot was refused.
///
/// Reads as `snapshot.json: $.assets[3].ingress[0].cidr: expected cidr, found "10.0.0.300/24"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file, as it was named on the command line (or found in a directory).
    pub file: PathBuf,
    /// A JSON path (`$.assets[3].ingress[0].cidr`), a JSONL line (`line 12`, `line 12:
    /// $.source_ip`), a syntax position (`line 3, column 7`), or empty for the whole file.
    pub location: String,
    /// What the data should have held.
    pub expected: String,
    /// A short rendering of what it held instead.
    pub found: String,
    /// A suggestion or the other place involved, if any.
    pub help: Option<String>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.location.is_empty() {
            write!(f, ": {}", self.location)?;
        }
        write!(f, ": expected {}, found {}", self.expected, self.found)?;
        if let Some(help) = &self.help {
            write!(f, "; {help}")?;
        }
        Ok(())
    }
}

/// Every error a failed load found, up to [`MAX_ERRORS`]; `more` counts the others.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadErrors {
    pub errors: Vec<LoadError>,
    pub more: usize,
}

impl LoadErrors {
    /// Keeps the first [`MAX_ERRORS`] errors and counts the rest.
    pub(crate) fn capped(mut errors: Vec<LoadError>, mut more: usize) -> LoadErrors {
        if errors.len() > MAX_ERRORS {
            more += errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
        }
        LoadErrors { errors, more }
    }

    pub(crate) fn one(error: LoadError) -> LoadErrors {
        LoadErrors { errors: vec![error], more: 0 }
    }

    /// How many errors were found in all.
    pub fn total(&self) -> usize {
        self.errors.len() + self.more
    }
}

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        if self.more > 0 {
            let s = if self.more == 1 { "" } else { "s" };
            write!(f, "\nand {} more error{s}", self.more)?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Something worth telling that does not stop the load: a dangling reference, an ignored
/// top-level key, documents disagreeing on `taken_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadWarning {
    pub file: PathBuf,
    /// As in [`LoadError::location`].
    pub location: String,
    pub message: String,
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if !self.location.is_empty() {
            write!(f, ": {}", self.location)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// One step of a JSON path.
#[derive(Clone, Debug)]
pub(crate) enum Seg<'s> {
    /// A schema field or a fixed key (`assets`), borrowed from the plan.
    Field(&'s str),
    /// A map key from the data.
    Key(ArcStr),
    Index(u32),
}

/// Where a path starts: the document root, or one line of a JSONL file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Base {
    Document,
    Line(u64),
}

/// `$.assets[3].ingress[0].cidr`, `line 12: $.source_ip`, or `line 12` for the line's object.
pub(crate) fn format_location(base: Base, path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    if let Base::Line(line) = base {
        out.push_str("line ");
        out.push_str(&line.to_string());
        if path.is_empty() {
            return out;
        }
        out.push_str(": ");
    }
    out.push('$');
    for seg in path {
        match seg {
            Seg::Field(name) => push_key(&mut out, name),
            Seg::Key(name) => push_key(&mut out, name),
            Seg::Index(i) => {
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
    out
}

fn push_key(out: &mut String, key: &str) {
    let plain = key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        out.push('.');
        out.push_str(key);
    } else {
        out.push('[');
        out.push_str(&quote(key));
        out.push(']');
    }
}

/// How long a found string may be before it is cut.
const MAX_FOUND_CHARS: usize = 60;

/// A string as JSON writes it, cut after [`MAX_FOUND_CHARS`] characters.
pub(crate) fn quote(text: &str) -> String {
    match text.char_indices().nth(MAX_FOUND_CHARS) {
        Some((cut, _)) => {
            let quoted = serde_json::Value::String(text[..cut].to_owned()).to_string();
            format!("{}…\"", &quoted[..quoted.len() - 1])
        }
        None => serde_json::Value::String(text.to_owned()).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_json_paths() {
        let path = [Seg::Field("assets"), Seg::Index(3), Seg::Field("ingress"), Seg::Index(0), Seg::Field("cidr")];
        assert_eq!(format_location(Base::Document, &path), "$.assets[3].ingress[0].cidr");
        assert_eq!(format_location(Base::Line(12), &[]), "line 12");
        assert_eq!(format_location(Base::Line(12), &[Seg::Field("source_ip")]), "line 12: $.source_ip");
        let odd = [Seg::Field("tags"), Seg::Key(ArcStr::from("team name"))];
        assert_eq!(format_location(Base::Document, &odd), r#"$.tags["team name"]"#);
    }

    #[test]
    fn long_strings_are_cut() {
        let long = "x".repeat(100);
        let q = quote(&long);
        assert!(q.starts_with("\"xxx") && q.ends_with("…\""));
        assert_eq!(q.chars().count(), MAX_FOUND_CHARS + 3);
        assert_eq!(quote("a\"b"), r#""a\"b""#);
    }

    #[test]
    fn errors_display_on_one_line_each() {
        let e = LoadError {
            file: PathBuf::from("snapshot.json"),
            location: "$.assets[3].ingress[0].cidr".to_owned(),
            expected: "cidr".to_owned(),
            found: quote("10.0.0.300/24"),
            help: None,
        };
        assert_eq!(
            e.to_string(),
            r#"snapshot.json: $.assets[3].ingress[0].cidr: expected cidr, found "10.0.0.300/24""#
        );
        let all = LoadErrors { errors: vec![e.clone(), e], more: 3 };
        assert_eq!(all.to_string().lines().count(), 3);
        assert!(all.to_string().ends_with("and 3 more errors"));
        assert_eq!(all.total(), 5);
    }
}
