//! The fast path for JSON documents: split, then parse the pieces in parallel.
//!
//! A byte scanner walks the document's top level from a buffered reader and finds the extent
//! of each member and of each element of `assets` / `events` (tracking only strings, escapes
//! and bracket depth). Elements are parsed from byte slices (serde_json's fastest reader) in
//! blocks of [`BLOCK`] bytes, each block's elements in parallel, with the same seeds and the
//! same [`Ctx`] methods as the streaming path; outputs are appended in document order, so the
//! result, errors included, is the streaming path's. Memory stays at one block plus the store.
//!
//! The scanner does not diagnose syntax. On anything it or serde_json does not accept (or an
//! I/O error) it gives up, and the caller re-reads the file with the streaming path, whose
//! messages carry serde_json's line and column. Broken files are rare; they pay a second read.

use std::io::Read;
use std::path::Path;

use rayon::prelude::*;

use super::intern::InternerPool;
use super::schema::Schema;
use super::seed::{Ctx, DocState, Output, Want};

/// How many bytes of elements are parsed in parallel at a time (small in unit tests, so
/// that they cross batches).
const BLOCK: usize = if cfg!(test) { 2048 } else { 8 << 20 };

/// How much is read from the file at a time.
const READ: usize = 1 << 20;

/// The input was not what the fast path handles: re-read it with the streaming path.
struct GiveUp;

type Step<T> = Result<T, GiveUp>;

/// A growing window on the input; `pos` is the next unread byte.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    eof: bool,
    /// The line (1-based) of `buf[counted]`: newlines are counted once, up to where the last
    /// element started, so each element knows its line for SARIF locations.
    line: u64,
    counted: usize,
}

impl<R: Read> Scanner<R> {
    fn new(reader: R) -> Self {
        Scanner { reader, buf: Vec::new(), pos: 0, eof: false, line: 1, counted: 0 }
    }

    /// The line of `buf[at]`; `at` never goes back.
    fn line_at(&mut self, at: usize) -> u64 {
        let newlines = self.buf[self.counted..at].iter().filter(|&&b| b == b'\n').count();
        self.line += newlines as u64;
        self.counted = at;
        self.line
    }

    /// Drops `buf[..pos]` (its newlines counted first); the rest stays in `buf`. Returns the
    /// dropped bytes.
    fn take_read(&mut self) -> Vec<u8> {
        self.line_at(self.pos);
        self.counted = 0;
        let rest = self.buf.split_off(self.pos);
        self.pos = 0;
        std::mem::replace(&mut self.buf, rest)
    }

    /// Appends more input; false at the end.
    fn fill(&mut self) -> Step<bool> {
        if self.eof {
            return Ok(false);
        }
        loop {
            // `read_to_end` on a `take` appends without zero-filling the buffer first.
            match (&mut self.reader).take(READ as u64).read_to_end(&mut self.buf) {
                Ok(n) => {
                    self.eof = n == 0;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return Err(GiveUp),
            }
        }
    }

    /// The next byte that is not JSON whitespace, not consumed; `None` at the end.
    fn skip_ws(&mut self) -> Step<Option<u8>> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                    return Ok(Some(b));
                }
                self.pos += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Like [`Self::skip_ws`], the end being unacceptable.
    fn next_byte(&mut self) -> Step<u8> {
        self.skip_ws()?.ok_or(GiveUp)
    }

    /// Drops the bytes before `pos`.
    fn compact(&mut self) {
        if self.pos > 0 {
            self.line_at(self.pos);
            self.counted = 0;
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
    }

    /// The extent of the JSON value at `pos` (after whitespace); `pos` moves past it.
    fn value(&mut self) -> Step<(usize, usize)> {
        let first = self.next_byte()?;
        let start = self.pos;
        let end = match first {
            b'{' | b'[' => self.container_end(start)?,
            b'"' => self.string_end(start)?,
            _ => self.scalar_end(start)?,
        };
        self.pos = end;
        Ok((start, end))
    }

    /// The end of the object or list opening at `start`, eight bytes at a time: only quotes,
    /// backslashes and brackets are looked at.
    fn container_end(&mut self, start: usize) -> Step<usize> {
        let mut depth: u32 = 0;
        let mut in_str = false;
        // An escape makes the byte at this index plain.
        let mut escaped = usize::MAX;
        let mut i = start;
        loop {
            let mut avail = self.buf.len() - i;
            if avail < 8 && !self.eof {
                self.fill()?;
                continue;
            }
            if avail == 0 {
                return Err(GiveUp);
            }
            let mut word = [0; 8];
            if avail >= 8 {
                avail = 8;
                word.copy_from_slice(&self.buf[i..i + 8]);
            } else {
                word[..avail].copy_from_slice(&self.buf[i..]);
            }
            let mut hits = structural(u64::from_le_bytes(word));
            while hits != 0 {
                let p = i + (hits.trailing_zeros() / 8) as usize;
                hits &= hits - 1;
                if p == escaped {
                    continue;
                }
                match (in_str, self.buf[p]) {
                    (true, b'"') => in_str = false,
                    (true, b'\\') => escaped = p + 1,
                    (true, _) => {}
                    (false, b'"') => in_str = true,
                    (false, b'{' | b'[') => depth += 1,
                    (false, b'}' | b']') => {
                        depth = depth.checked_sub(1).ok_or(GiveUp)?;
                        if depth == 0 {
                            return Ok(p + 1);
                        }
                    }
                    (false, _) => return Err(GiveUp), // a backslash outside a string
                }
            }
            i += avail;
        }
    }

    /// The end of the string opening at `start`.
    fn string_end(&mut self, start: usize) -> Step<usize> {
        let mut i = start + 1;
        loop {
            if i >= self.buf.len() && !self.fill()? {
                return Err(GiveUp);
            }
            if i >= self.buf.len() {
                continue;
            }
            match find_quote_or_backslash(&self.buf[i..]) {
                None => i = self.buf.len(),
                Some(off) if self.buf[i + off] == b'\\' => i += off + 2,
                Some(off) => return Ok(i + off + 1),
            }
        }
    }

    /// The end of a number or literal starting at `start`.
    fn scalar_end(&mut self, start: usize) -> Step<usize> {
        let mut i = start;
        loop {
            if i >= self.buf.len() && !self.fill()? {
                break; // a scalar may end the input
            }
            match self.buf.get(i) {
                Some(b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t') => break,
                Some(b'"' | b'{' | b'[') => return Err(GiveUp),
                Some(_) => i += 1,
                None => {}
            }
        }
        if i == start { Err(GiveUp) } else { Ok(i) }
    }
}

/// The bytes of `word` that are `"`, `\\`, a bracket or a brace, as the high bit of each
/// byte. Exact: no false positives (each byte is tested on its own, without borrows).
fn structural(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const ONES: u64 = 0x0101_0101_0101_0101;
    let zero = |x: u64| !(((x & LOW7) + LOW7) | x) & HIGHS;
    // `[` and `]` differ from `{` and `}` only in bit 5.
    let folded = word | (ONES * 0x20);
    zero(word ^ (ONES * u64::from(b'"')))
        | zero(word ^ (ONES * u64::from(b'\\')))
        | zero(folded ^ (ONES * u64::from(b'{')))
        | zero(folded ^ (ONES * u64::from(b'}')))
}

/// The first `"` or `\\` in `bytes`, eight bytes at a time (strings are most of a document).
fn find_quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let mut i = 0;
    while i + 8 <= bytes.len() {
        let mut word = [0; 8];
        word.copy_from_slice(&bytes[i..i + 8]);
        let w = u64::from_le_bytes(word);
        // The lowest flagged byte is exact: borrows only run towards higher bytes.
        let hits = zero_byte(w ^ (ONES * u64::from(b'"'))) | zero_byte(w ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..].iter().position(|&c| c == b'"' || c == b'\\').map(|p| i + p)
}

/// Parses a JSON document from `reader`, or `None` if the streaming path must do it.
pub(crate) fn parse_document(
    schema: &Schema<'_>,
    file: u32,
    name: &Path,
    pool: &InternerPool,
    reader: impl Read + Send,
) -> Option<Output> {
    let mut sc = Scanner::new(reader);
    document(&mut sc, Job { schema, file, name, pool }).ok()
}

fn document<R: Read + Send>(sc: &mut Scanner<R>, job: Job<'_, '_>) -> Step<Output> {
    let Job { schema, file, name, pool } = job;
    let mut acc = Output::new(schema.type_count());
    let mut main = Ctx::new(schema, file, name, false, pool.take().unwrap_or_default());
    let mut doc = DocState::new(&main);
    if sc.next_byte()? != b'{' {
        return Err(GiveUp);
    }
    sc.pos += 1;
    let mut first = true;
    loop {
        match sc.next_byte()? {
            b'}' if first => {
                sc.pos += 1;
                break;
            }
            b'"' => {}
            _ => return Err(GiveUp),
        }
        let (ks, ke) = sc.value()?;
        let key: String = serde_json::from_slice(&sc.buf[ks..ke]).map_err(|_| GiveUp)?;
        if sc.next_byte()? != b':' {
            return Err(GiveUp);
        }
        sc.pos += 1;
        let want = match key.as_str() {
            "assets" => Some(Want::Asset),
            "events" => Some(Want::Event),
            _ => None,
        };
        if doc.skip {
            sc.value()?;
        } else if let (Some(want), b'[') = (want, sc.next_byte()?) {
            // What the main context holds comes first.
            acc.append(std::mem::replace(&mut main.out, Output::new(schema.type_count())));
            array(sc, job, want, &mut acc)?;
        } else {
            let (vs, ve) = sc.value()?;
            let text = std::str::from_utf8(&sc.buf[vs..ve]).map_err(|_| GiveUp)?;
            let mut de = serde_json::Deserializer::from_str(text);
            main.doc_member(&key, &mut doc, &mut de).map_err(|_| GiveUp)?;
            de.end().map_err(|_| GiveUp)?;
            if doc.unknown_format {
                // Report the format alone, as the streaming path does.
                acc = Output::new(schema.type_count());
            }
        }
        if sc.pos >= BLOCK {
            sc.compact();
        }
        match sc.next_byte()? {
            b',' => {
                sc.pos += 1;
                first = false;
            }
            b'}' => {
                sc.pos += 1;
                break;
            }
            _ => return Err(GiveUp),
        }
    }
    if sc.skip_ws()?.is_some() {
        return Err(GiveUp); // trailing characters
    }
    main.end_document(&doc);
    pool.give(std::mem::take(&mut main.interner));
    acc.append(main.out);
    Ok(acc)
}

/// What every part of one file's load needs.
#[derive(Clone, Copy)]
struct Job<'a, 's> {
    schema: &'a Schema<'s>,
    file: u32,
    name: &'a Path,
    pool: &'a InternerPool,
}

/// Elements found by the scanner, with the bytes they lie in.
struct Batch {
    bytes: Vec<u8>,
    elements: Vec<Element>,
}

/// Where an element of `assets` / `events` lies.
#[derive(Clone, Copy)]
struct Element {
    /// Start and end in [`Batch::bytes`].
    start: usize,
    end: usize,
    /// The index in the list.
    index: u32,
    /// The line of the file it starts on.
    line: u64,
}

/// The elements of `assets` / `events`, from just before the `[`. Batches are pipelined: the
/// scanner finds the next one while the previous one is parsed.
fn array<R: Read + Send>(sc: &mut Scanner<R>, job: Job<'_, '_>, want: Want, acc: &mut Output) -> Step<()> {
    sc.pos += 1;
    if sc.next_byte()? == b']' {
        sc.pos += 1;
        return Ok(());
    }
    let mut index: u32 = 0;
    let mut pending: Option<Batch> = None;
    loop {
        let (scanned, parsed) =
            rayon::join(|| scan_batch(sc, &mut index), || pending.take().map(|b| parse_batch(&b, job, want)));
        if let Some(parsed) = parsed {
            for out in parsed? {
                acc.append(out);
            }
        }
        let (batch, done) = scanned?;
        pending = Some(batch);
        if done {
            break;
        }
    }
    if let Some(batch) = pending {
        for out in parse_batch(&batch, job, want)? {
            acc.append(out);
        }
    }
    Ok(())
}

/// Finds about [`BLOCK`] bytes of elements and detaches their bytes from the scanner. True
/// when the list ended.
fn scan_batch<R: Read>(sc: &mut Scanner<R>, index: &mut u32) -> Step<(Batch, bool)> {
    let mut elements: Vec<Element> = Vec::new();
    let done = loop {
        let (start, end) = sc.value()?;
        let line = sc.line_at(start);
        elements.push(Element { start, end, index: *index, line });
        *index = index.saturating_add(1);
        let done = match sc.next_byte()? {
            b',' => false,
            b']' => true,
            _ => return Err(GiveUp),
        };
        sc.pos += 1;
        if done || end - elements[0].start >= BLOCK {
            break done;
        }
    };
    // Only the unread tail is copied.
    let bytes = sc.take_read();
    Ok((Batch { bytes, elements }, done))
}

/// Parses a batch's elements in parallel; the outputs are in element order.
fn parse_batch(batch: &Batch, job: Job<'_, '_>, want: Want) -> Step<Vec<Output>> {
    let parts = rayon::current_num_threads() * 4;
    let per_part = batch.elements.len().div_ceil(parts).max(64);
    batch
        .elements
        .par_chunks(per_part)
        .map(|chunk| {
            let mut ctx = Ctx::new(job.schema, job.file, job.name, false, job.pool.take().unwrap_or_default());
            ctx.enter_section(want);
            for element in chunk {
                // Checked once here, the text is not checked again string by string.
                let text = std::str::from_utf8(&batch.bytes[element.start..element.end]).map_err(|_| GiveUp)?;
                ctx.top_element_text(want, element.index, element.line, text).map_err(|_| GiveUp)?;
            }
            job.pool.give(std::mem::take(&mut ctx.interner));
            Ok(ctx.out)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::{FieldDef, Plan, Type, TypeDef, TypeKind};
    use crate::snapshot::read::stream_json_text;

    /// The fast path and the streaming path must agree on everything but syntax errors.
    #[test]
    fn fast_path_matches_the_streaming_path() {
        let field = |name: &str, ty: Type| FieldDef { name: name.to_owned(), ty };
        let asset = TypeDef {
            name: "Thing".to_owned(),
            qualified: "t.Thing".to_owned(),
            kind: TypeKind::Asset,
            fields: vec![
                field("type", Type::String),
                field("id", Type::String),
                field("n", Type::Int),
                field("tags", Type::Map(Box::new(Type::String))),
                field("peer", Type::Optional(Box::new(Type::Ref(vec![0])))),
            ],
        };
        let event = TypeDef {
            name: "Seen".to_owned(),
            qualified: "t.Seen".to_owned(),
            kind: TypeKind::Event,
            fields: vec![field("type", Type::String), field("time", Type::Time), field("ip", Type::Ip)],
        };
        let plan = Plan {
            format: "rulec.plan/v1".to_owned(),
            compiler_version: "test".to_owned(),
            types: vec![asset, event],
            consts: Vec::new(),
            functions: Vec::new(),
            checks: Vec::new(),
            edges: Vec::new(),
            frameworks: Vec::new(),
        };
        let schema = Schema::new(&plan);
        let things = |bad: bool| {
            let mut assets = Vec::new();
            for i in 0..300 {
                let n = if bad && i % 97 == 5 { "\"x\"".to_owned() } else { i.to_string() };
                let peer = if i % 50 == 0 { "\"gone\"".to_owned() } else { format!("\"t{}\"", i / 2) };
                if i % 7 == 0 {
                    assets.push(format!(
                        r#"{{"id": "t{i}", "n": {n}, "type": "Thing", "tags": {{"k}}]\\": "v{{["}}, "peer": {peer}}}"#
                    ));
                } else {
                    assets.push(format!(
                        r#"{{"type": "Thing", "id": "t{i}", "n": {n}, "peer": {peer}, "x": [{{"y": null}}]}}"#
                    ));
                }
            }
            assets.join(",\n")
        };
        let seen = |bad: bool| {
            let events: Vec<String> = (0..200)
                .map(|i| {
                    let ip = if bad && i == 150 { "1.2.3" } else { "10.0.0.1" };
                    format!(r#"{{"type": "Seen", "time": "2026-11-20T07:{:02}:00Z", "ip": "{ip}"}}"#, 59 - i % 60)
                })
                .collect();
            events.join(", ")
        };
        let doc = |bad: bool| {
            format!(
                r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "extra": {{"a": [1]}},
                    "assets": [{}], "events": [{}]}}"#,
                things(bad),
                seen(bad)
            )
        };
        let docs = [
            doc(false),
            doc(true),
            format!(r#"{{"events": [{}], "format": "rulec.snapshot/v1"}}"#, seen(false)),
            format!(r#"{{"assets": [{}], "format": "rulec.snapshot/v2"}}"#, things(true)),
            r#"{"format": "rulec.snapshot/v1", "assets": null, "events": {}, "taken_at": 5}"#.to_owned(),
            r#"{"format": "rulec.snapshot/v1", "assets": [1, "x", [], {"type": "Seen", "time": "x"}]}"#.to_owned(),
            r#"{}"#.to_owned(),
        ];
        let render = |out: &Output| {
            let errors: Vec<String> = out.errors.iter().map(ToString::to_string).collect();
            let warnings: Vec<String> = out.warnings.iter().map(ToString::to_string).collect();
            // A failed file's rows are never used (and each part stops keeping them at its
            // own first error): compare them only when there is no error.
            let rows: Vec<Vec<(u32, String)>> = if out.failed() {
                Vec::new()
            } else {
                out.rows
                    .iter()
                    .map(|rows| rows.iter().map(|r| (r.origin.pos, format!("{:?}", r.record.fields()))).collect())
                    .collect()
            };
            (errors, out.more_errors, warnings, rows, out.taken_at)
        };
        for (i, doc) in docs.iter().enumerate() {
            let name = Path::new("doc.json");
            let pool = InternerPool::default();
            let fast = parse_document(&schema, 0, name, &pool, doc.as_bytes());
            let Some(fast) = fast else { panic!("document {i} fell back") };
            let slow = stream_json_text(&schema, 0, name, doc);
            assert_eq!(render(&fast), render(&slow), "document {i}");
            if i == 0 {
                assert!(!fast.failed() && fast.rows[0].len() == 300 && fast.rows[1].len() == 200);
                assert!(doc.len() > 8 * BLOCK, "crosses batches");
                // Asset `i` starts on line `2 + i`, in whichever batch it fell.
                let lines: Vec<(u32, u32)> = fast.rows[0].iter().map(|r| (r.origin.pos, r.origin.line)).collect();
                assert!(lines.iter().all(|&(pos, line)| line == pos + 2), "{lines:?}");
            }
        }
        // Syntax the fast path does not take: it gives up.
        for bad in [r#"{"format": 1,}"#, r#"{"assets": [{"type": "Thing",}]}"#, r#"{} x"#, "[]", r#"{"a" 1}"#] {
            assert!(
                parse_document(&schema, 0, Path::new("x"), &InternerPool::default(), bad.as_bytes()).is_none(),
                "{bad}"
            );
        }
    }

    fn extents(text: &str) -> Vec<String> {
        let mut sc = Scanner::new(text.as_bytes());
        let mut out = Vec::new();
        while let Ok(Some(_)) = sc.skip_ws() {
            match sc.value() {
                Ok((s, e)) => out.push(String::from_utf8_lossy(&sc.buf[s..e]).into_owned()),
                Err(GiveUp) => {
                    out.push("<give up>".to_owned());
                    break;
                }
            }
            if sc.skip_ws().ok().flatten() == Some(b',') {
                sc.pos += 1;
            }
        }
        out
    }

    #[test]
    fn values_are_delimited_by_depth_and_strings() {
        assert_eq!(
            extents(r#"{"a": "}\"]", "b": [1, {"c": 2}]}, "x\\", 12.5e3, true,null"#),
            [r#"{"a": "}\"]", "b": [1, {"c": 2}]}"#, r#""x\\""#, "12.5e3", "true", "null"]
        );
        assert_eq!(extents(r#"{"a": 1"#), ["<give up>"]);
        assert_eq!(extents(r#""open"#), ["<give up>"]);
    }

    #[test]
    fn quotes_and_backslashes_are_found_word_by_word() {
        for text in ["", "abc", "abcdefgh\"", "abcdefghijklmnop\\x", "\"", "ab\\\"", "é€😀\"x"] {
            let expected = text.bytes().position(|c| c == b'"' || c == b'\\');
            assert_eq!(find_quote_or_backslash(text.as_bytes()), expected, "{text}");
        }
        for at in 0..20 {
            let mut bytes = vec![b'a'; 20];
            bytes[at] = b'"';
            assert_eq!(find_quote_or_backslash(&bytes), Some(at));
            bytes[at] = 0x80 | b'"';
            assert_eq!(find_quote_or_backslash(&bytes), None);
        }
    }

    #[test]
    fn structural_bytes_are_exact() {
        for b in 0..=255u8 {
            let word = u64::from_le_bytes([b'a', b, b'#', b'z', b'Z', 0x5f, 0x01, 0x80]);
            let expected = matches!(b, b'"' | b'\\' | b'{' | b'}' | b'[' | b']');
            assert_eq!(structural(word), if expected { 0x80 << 8 } else { 0 }, "{b:#x}");
        }
    }

    #[test]
    fn values_span_reads() {
        // Longer than one read: the scanner refills mid-string and mid-object.
        let long = format!(r#"{{"k": "{}", "n": [1, 2]}}"#, "é\\\"".repeat(READ));
        assert_eq!(extents(&long), std::slice::from_ref(&long));
    }
}
