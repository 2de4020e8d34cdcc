//! Finding the input files and driving the seeds over each format.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::de::DeserializeSeed;

use super::Format;
use super::error::LoadError;
use super::intern::{Interner, InternerPool};
use super::schema::Schema;
use super::seed::{Ctx, DocSeed, Output, read_line};
use super::split;

/// The files of a load, in order: each input as given, directories walked recursively in
/// file-name order (files of other extensions skipped). A file named twice is read once.
pub(crate) fn collect_inputs(inputs: &[PathBuf]) -> (Vec<(PathBuf, Format)>, Vec<LoadError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let error = |file: &Path, expected: &str, found: String| LoadError {
        file: file.to_path_buf(),
        location: String::new(),
        expected: expected.to_owned(),
        found,
        help: None,
    };
    let mut add = |files: &mut Vec<(PathBuf, Format)>, path: PathBuf, format: Format| {
        let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if seen.insert(key) {
            files.push((path, format));
        }
    };
    for input in inputs {
        match std::fs::metadata(input) {
            Err(e) => errors.push(error(input, "a snapshot file or directory", format!("an unreadable path ({e})"))),
            Ok(meta) if meta.is_dir() => {
                let before = files.len();
                for entry in walkdir::WalkDir::new(input).follow_links(true).sort_by_file_name() {
                    match entry {
                        Ok(entry) if entry.file_type().is_file() => {
                            if let Some(format) = Format::from_path(entry.path()) {
                                add(&mut files, entry.into_path(), format);
                            }
                        }
                        Ok(_) => {}
                        Err(e) => {
                            let at = e.path().unwrap_or(input).to_path_buf();
                            errors.push(error(&at, "a readable directory entry", e.to_string()));
                        }
                    }
                }
                if files.len() == before {
                    errors.push(error(input, "snapshot files (.json, .yaml, .yml, .jsonl)", "none".to_owned()));
                }
            }
            Ok(_) => match Format::from_path(input) {
                Some(format) => add(&mut files, input.clone(), format),
                None => errors.push(error(
                    input,
                    "a .json, .yaml, .yml or .jsonl file",
                    match input.extension() {
                        Some(ext) => format!("a `.{}` file", ext.to_string_lossy()),
                        None => "a file without extension".to_owned(),
                    },
                )),
            },
        }
    }
    (files, errors)
}

/// How many bytes of JSONL are split into lines and parsed in parallel at a time (small in
/// unit tests, so that lines span blocks).
const JSONL_BLOCK: usize = if cfg!(test) { 4096 } else { 8 << 20 };

/// How much JSONL is read from the file at a time.
const JSONL_READ: u64 = if cfg!(test) { 4096 } else { 1 << 20 };

/// Reads one file.
pub(crate) fn parse_file(schema: &Schema<'_>, file: u32, path: &Path, format: Format) -> Output {
    let mut ctx = Ctx::new(schema, file, path, format == Format::Yaml, Interner::default());
    let opened = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            ctx.fatal(String::new(), "a readable file", e.to_string());
            return ctx.out;
        }
    };
    match format {
        Format::Json => {
            let pool = InternerPool::default();
            if let Some(out) = split::parse_document(schema, file, path, &pool, opened) {
                return out;
            }
            // Not something the fast path takes (a syntax error, most likely): stream it again
            // for serde_json's located message.
            let reader = match File::open(path) {
                Ok(f) => BufReader::with_capacity(1 << 20, f),
                Err(e) => {
                    ctx.fatal(String::new(), "a readable file", e.to_string());
                    return ctx.out;
                }
            };
            let mut de = serde_json::Deserializer::from_reader(reader);
            let result = DocSeed { ctx: &mut ctx }.deserialize(&mut de).and_then(|()| de.end());
            if let Err(e) = result {
                json_error(&mut ctx, &e, None);
            }
            ctx.out
        }
        Format::Yaml => {
            let mut text = String::new();
            // One byte past the limit is enough to refuse the file without reading it all.
            let limited = BufReader::new(opened).take(MAX_YAML_BYTES as u64 + 1).read_to_string(&mut text);
            if let Err(e) = limited {
                ctx.fatal(String::new(), "a readable UTF-8 file", e.to_string());
                return ctx.out;
            }
            parse_yaml(&mut ctx, &text);
            ctx.out
        }
        Format::Jsonl => parse_jsonl(schema, file, path, opened),
    }
}

/// Reads one file's text (tests, inline fixtures).
pub(crate) fn parse_text(schema: &Schema<'_>, file: u32, name: &Path, text: &str, format: Format) -> Output {
    let mut ctx = Ctx::new(schema, file, name, format == Format::Yaml, Interner::default());
    match format {
        Format::Json => split::parse_document(schema, file, name, &InternerPool::default(), text.as_bytes())
            .unwrap_or_else(|| stream_json_text(schema, file, name, text)),
        Format::Yaml => {
            parse_yaml(&mut ctx, text);
            ctx.out
        }
        Format::Jsonl => parse_jsonl(schema, file, name, text.as_bytes()),
    }
}

/// The streaming path over a JSON document's text.
pub(crate) fn stream_json_text(schema: &Schema<'_>, file: u32, name: &Path, text: &str) -> Output {
    let mut ctx = Ctx::new(schema, file, name, false, Interner::default());
    let mut de = serde_json::Deserializer::from_str(text);
    if let Err(e) = (DocSeed { ctx: &mut ctx }).deserialize(&mut de).and_then(|()| de.end()) {
        json_error(&mut ctx, &e, None);
    }
    ctx.out
}

/// The largest YAML snapshot file read, in bytes (256 MiB): YAML is read whole into memory,
/// and generators write large snapshots as JSON or JSONL.
pub(crate) const MAX_YAML_BYTES: usize = 256 << 20;

/// The deepest nesting of a YAML snapshot, as serde_json allows for JSON.
const MAX_YAML_DEPTH: usize = 128;

/// serde-saphyr's budget for a text of `len` bytes. Its defaults (250,000 nodes, 1,000,000
/// events, 64 MiB of scalars) suit configuration files and refuse a valid snapshot of a few
/// MB, so the budgets that cannot exceed the input's own size scale with it: without aliases a
/// node takes at least a byte, an event (a node's start or end) at least half a byte, and
/// scalars are made of the input's bytes. Aliases keep serde-saphyr's fixed limits (at most
/// 1,000,000 events replayed in all, and no more than ten aliases per anchor), so an alias
/// bomb ("billion laughs") is refused whatever the size of the file that carries it.
fn yaml_budget(len: usize) -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_events = budget.max_events.max(len.saturating_mul(2));
    budget.max_total_scalar_bytes = budget.max_total_scalar_bytes.max(len);
    budget.max_depth = MAX_YAML_DEPTH;
    budget
}

fn parse_yaml(ctx: &mut Ctx<'_>, text: &str) {
    if text.len() > MAX_YAML_BYTES {
        let found = "a larger file (write snapshots this large as JSON or JSONL)".to_owned();
        ctx.fatal(String::new(), "a YAML snapshot of at most 256 MiB", found);
        return;
    }
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    options.budget = Some(yaml_budget(text.len()));
    ctx.element_lines = super::yaml_lines::element_lines(text);
    let result = serde_saphyr::with_deserializer_from_str_with_options(text, options, |d| {
        DocSeed { ctx: &mut *ctx }.deserialize(d)
    });
    if let Err(e) = result {
        let location = e.location().map(|l| format!("line {}, column {}", l.line(), l.column())).unwrap_or_default();
        let message = e.to_string();
        // The message ends with its own position (and, through aliases, the positions of the
        // anchors); the location already says where.
        let message = match message.find(" at line ") {
            Some(cut) if !location.is_empty() => message[..cut].to_owned(),
            _ => message,
        };
        ctx.fatal(location, "valid YAML", message);
    }
}

/// Reports a JSON syntax (or I/O) error with its line and column.
fn json_error(ctx: &mut Ctx<'_>, e: &serde_json::Error, jsonl_line: Option<u64>) {
    let message = e.to_string();
    let message = match message.rfind(" at line ") {
        Some(cut) if e.line() > 0 => message[..cut].to_owned(),
        _ => message,
    };
    let location = match jsonl_line {
        Some(line) => format!("line {line}, column {}", e.column()),
        None if e.line() > 0 => format!("line {}, column {}", e.line(), e.column()),
        None => String::new(),
    };
    let expected = if e.is_io() { "a readable file" } else { "valid JSON" };
    ctx.fatal(location, expected, message);
}

/// JSONL: blocks of whole lines, each block's lines parsed in parallel; line order is kept.
fn parse_jsonl(schema: &Schema<'_>, file: u32, name: &Path, mut reader: impl Read) -> Output {
    let mut out = Output::new(schema.type_count());
    let pool = InternerPool::default();
    let mut buf: Vec<u8> = Vec::new();
    let mut next_line: u64 = 1;
    let mut eof = false;
    let mut want = JSONL_BLOCK;
    // The bytes of `buf` before this hold no newline.
    let mut searched = 0;
    loop {
        while !eof && buf.len() < want {
            // `read_to_end` on a `take` appends without zero-filling the buffer first.
            match (&mut reader).take(JSONL_READ).read_to_end(&mut buf) {
                Ok(0) => eof = true,
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let mut ctx = Ctx::new(schema, file, name, false, Interner::default());
                    ctx.fatal(format!("line {next_line}"), "a readable file", e.to_string());
                    out.append(ctx.out);
                    return out;
                }
            }
        }
        let end = if eof {
            buf.len()
        } else {
            match whole_lines_end(&buf, &mut searched) {
                Some(end) => end,
                None => {
                    // One line longer than a block: read on.
                    want = buf.len() + JSONL_BLOCK;
                    continue;
                }
            }
        };
        want = JSONL_BLOCK;
        let (block, lines) = parse_block(schema, file, name, &pool, &buf[..end], next_line);
        out.append(block);
        next_line += lines;
        buf.drain(..end);
        searched = 0;
        if eof && buf.is_empty() {
            return out;
        }
    }
}

/// The end of the last whole line of `buf`, looking only at the bytes from `searched` on (those
/// before hold no newline) and moving `searched` to the end: a line longer than a block is
/// scanned once as it grows, not once per block read (which was quadratic in its length).
fn whole_lines_end(buf: &[u8], searched: &mut usize) -> Option<usize> {
    let found = buf[*searched..].iter().rposition(|b| *b == b'\n').map(|p| *searched + p + 1);
    *searched = buf.len();
    found
}

/// Parses the lines of `bytes` (whole lines), the first being line `first`. Returns the
/// output and how many lines the block held.
fn parse_block(
    schema: &Schema<'_>,
    file: u32,
    name: &Path,
    pool: &InternerPool,
    bytes: &[u8],
    first: u64,
) -> (Output, u64) {
    let mut lines: Vec<(u64, &[u8])> = Vec::new();
    let mut count = 0;
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        count = i as u64;
        if line.iter().any(|b| !b.is_ascii_whitespace()) {
            lines.push((first + i as u64, line));
        }
    }
    // `split` yields one piece after the last newline (empty for a whole-line block).
    let count = if bytes.ends_with(b"\n") { count } else { count + 1 };
    let parts = (rayon::current_num_threads() * 4).max(1);
    let per_part = lines.len().div_ceil(parts).max(1024);
    let outputs: Vec<Output> = lines
        .par_chunks(per_part)
        .map(|chunk| {
            let mut ctx = Ctx::new(schema, file, name, false, pool.take().unwrap_or_default());
            for (line_no, line) in chunk {
                // Checked once per line, the text is not checked again string by string.
                let result = match std::str::from_utf8(line) {
                    Ok(text) => ctx.line_text(*line_no, text),
                    Err(_) => {
                        let mut de = serde_json::Deserializer::from_slice(line);
                        read_line(&mut ctx, *line_no, &mut de).and_then(|()| de.end())
                    }
                };
                if let Err(e) = result {
                    json_error(&mut ctx, &e, Some(*line_no));
                }
            }
            pool.give(std::mem::take(&mut ctx.interner));
            ctx.out
        })
        .collect();
    let mut out = Output::new(schema.type_count());
    for part in outputs {
        out.append(part);
    }
    (out, count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{FieldDef, Plan, Type, TypeDef, TypeKind};

    fn plan() -> Plan {
        let field = |name: &str| FieldDef { name: name.to_owned(), ty: Type::String };
        crate::plan::test_plan(vec![TypeDef {
            name: "Bucket".to_owned(),
            qualified: "t.Bucket".to_owned(),
            kind: TypeKind::Asset,
            fields: vec![field("type"), field("id"), field("name")],
        }])
    }

    #[test]
    fn the_search_for_a_line_end_resumes_where_it_stopped() {
        let mut searched = 0;
        assert_eq!(whole_lines_end(b"{\"a\"", &mut searched), None);
        assert_eq!(searched, 4);
        // Only the new bytes are looked at: a newline before `searched` is not found again.
        assert_eq!(whole_lines_end(b"\n\"a\": 1", &mut searched), None);
        assert_eq!(whole_lines_end(b"{\"a\": 1}\n{", &mut searched), Some(9));
        assert_eq!(searched, 10);
    }

    /// A 32 MiB line read 4 KiB at a time (the test build's read size): 8,192 reads, each
    /// then looked through for a line end. Rescanning the whole line at each, as the loader
    /// did, reads 128 GiB and takes many minutes; scanning only the new bytes reads it once.
    #[test]
    fn a_line_longer_than_thousands_of_blocks_is_scanned_once() {
        let plan = plan();
        let schema = Schema::new(&plan);
        let long = "a".repeat(32 << 20);
        let text = format!(
            "{{\"type\":\"Bucket\",\"id\":\"b1\",\"name\":\"{long}\"}}\n{{\"type\":\"Bucket\",\"id\":\"b2\",\"name\":\"x\"}}\n"
        );
        let out = parse_jsonl(&schema, 0, Path::new("t.jsonl"), text.as_bytes());
        assert!(out.errors.is_empty(), "{:?}", out.errors.first().map(ToString::to_string));
        assert_eq!(out.rows[0].len(), 2);
    }
}
