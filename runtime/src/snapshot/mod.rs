//! Loading snapshots (shared/design/SNAPSHOT.md) into a typed, indexed [`Store`].
//!
//! [`load`] reads files and directories of `.json` / `.yaml` / `.yml` documents and `.jsonl`
//! asset-or-event lines, validates every object against the plan's types while converting
//! it, and merges everything into one [`Store`]. A snapshot with any error yields
//! [`LoadErrors`] listing them all (up to 50) and no store: nothing is evaluated from a
//! snapshot that fails validation.
//!
//! # How data is read
//! No `serde_json::Value` tree of a document is ever built: `serde` seeds driven by the plan's
//! types (document, `assets`/`events` element, record of a type, field of a [`Type`](crate::plan::Type)) convert
//! straight into typed [`Value`](crate::value::Value)s. The JSON path is a stack of segments,
//! formatted only for a message.
//!
//! - JSON documents take a fast path (`split.rs`): the file is read 1 MiB at a time, a byte
//!   scanner finds each element of `assets` / `events` (it tracks only strings, escapes and
//!   bracket depth, eight bytes at a time), and blocks of 8 MiB of elements are parsed in
//!   parallel from byte slices, UTF-8-checked once per element and then read with serde_json's
//!   `&str` reader; the scanner finds the next block while the previous one is parsed. Peak
//!   memory is the store plus two blocks. Measured on a 22 MB document: serde_json alone skips
//!   it in 0.135 s from a `BufReader` and 0.039 s from a slice, so slices it is; reading the
//!   whole file into memory for `from_slice` was rejected because the bytes would live beside
//!   the store being built (peak = file + store).
//! - Anything the scanner or serde_json refuses there (a syntax error, bad UTF-8, an I/O
//!   error) sends the file to the streaming path: the same seeds over
//!   `serde_json::Deserializer::from_reader`, whose errors carry line and column. Results and
//!   errors are otherwise the same (a unit test holds the two paths to it); broken files pay a
//!   second read.
//! - JSONL is read in 8 MiB blocks of whole lines whose lines are parsed in parallel. Files are
//!   loaded in parallel too; the result does not depend on the thread count.
//! - YAML goes through serde-saphyr with the same seeds (it is small, hand-written input),
//!   whole files of at most 256 MiB, with budgets that grow with the file but not for aliases. A
//!   string-typed field (string, enum, time, ip, cidr, regex, ref) is read as the text written,
//!   so `permit_root_login: no` is the string `"no"` and an unquoted account id stays a string.
//! - `type` decides how an object reads. When it is the first key the rest streams. When it
//!   is not (generators that sort keys put it late), JSON elements and JSONL lines get a first
//!   pass that skips every value but `type`'s, then the real pass; on the streaming path
//!   (fallback, YAML) that one object is buffered as JSON values and converted once its
//!   `type` is known. (In YAML, a buffered object's scalars get YAML's own typing: put `type`
//!   first.)
//!
//! # Inputs
//! Files are read in the order given; a directory is walked recursively in file-name order,
//! following symbolic links, reading `.json`, `.yaml`, `.yml` and `.jsonl` files and skipping
//! the others. A file named twice (directly and through its directory) is read once. A file
//! named directly must have one of those extensions.
//!
//! # Conversions
//! time: RFC 3339 to microseconds; duration: integer seconds; ip; cidr, a bare ip as /32
//! (/128); enum: matched exactly, else ASCII case-insensitively (policy `effect` is
//! case-insensitive in data), stored in the schema's spelling; strings, enum values, refs and
//! map keys are interned, per schema field, while a field's values repeat (a field whose
//! strings prove mostly unique, like ids, is left alone after a sample); interners are
//! handed between a file's parallel parts, so a repeated value has one `ArcStr` per part
//! running at once;
//! `any` is kept as JSON; a union takes its first member the value fits; `T?` absent or null
//! is `none`, and so is an absent `any` (the compiler folds `any?` into `any`). A map field
//! that is absent reads as empty (SNAPSHOT.md: `tags` defaults to empty); a list field must
//! be present (`[]` when empty). A list or map written as `null` reads as empty (Go importers
//! marshal empty slices as `null`). Fields the schema does not declare go to
//! [`Record::extra`](crate::value::Record), never an error; a field given twice is an error.
//!
//! # Merging
//! - `(type, id)` must be unique over all inputs; a duplicate names both places.
//! - `taken_at`: a document may omit it, but at least one must carry it. When documents
//!   disagree the latest is used and a warning says so (importers run minutes apart; the
//!   latest is the moment the snapshot as a whole describes). JSONL carries none.
//! - References naming no loaded asset are warnings (snapshots are often partial), checked
//!   after every file is in, so a document may refer to assets of a later one. At most 100 are
//!   listed, then one warning counts the rest.
//!
//! # Reloading
//! [`Cache`] keeps what each file produced, so a reload after an edit (`rulec check --watch`)
//! parses only the files that changed; merging (ids, `taken_at`, references) always runs
//! again over every file.

mod cache;
mod error;
mod intern;
pub(crate) use intern::Seeded;
mod read;
mod schema;
mod seed;
mod split;
mod store;
mod yaml_lines;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use cache::Cache;
pub use error::{LoadError, LoadErrors, LoadWarning, MAX_DANGLING_WARNINGS, MAX_ERRORS};
pub use seed::FORMATS;
pub use store::Store;

use crate::plan::Plan;

/// The formats of a snapshot file, by extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One document (`.json`).
    Json,
    /// One document (`.yaml`, `.yml`).
    Yaml,
    /// One asset or event object per line (`.jsonl`).
    Jsonl,
}

impl Format {
    /// The format of a file by its extension (ASCII case-insensitive).
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "json" => Some(Format::Json),
            "yaml" | "yml" => Some(Format::Yaml),
            "jsonl" => Some(Format::Jsonl),
            _ => None,
        }
    }
}

/// A loaded snapshot and what is worth telling about it.
pub struct Loaded {
    pub store: Store,
    pub warnings: Vec<LoadWarning>,
}

/// Loads files and directories (walked recursively, in file-name order) into one store.
pub fn load(plan: &Plan, inputs: &[PathBuf]) -> Result<Loaded, LoadErrors> {
    load_with(plan, inputs, &[])
}

/// A document that is not a file: assets the configuration declares (known networks),
/// merged like another input and named by `name` in messages.
#[derive(Clone, Debug)]
pub struct Extra {
    pub name: PathBuf,
    pub text: String,
    pub format: Format,
}

/// [`load`], plus in-memory documents merged after the files. With no files, the documents
/// alone are the snapshot (a built-in pack's embedded fixtures).
pub fn load_with(plan: &Plan, inputs: &[PathBuf], extra: &[Extra]) -> Result<Loaded, LoadErrors> {
    let schema = schema::Schema::new(plan);
    let (root, files) = input_files(inputs, extra)?;
    let outputs: Vec<seed::Output> = files
        .par_iter()
        .enumerate()
        .map(|(i, (path, format))| read::parse_file(&schema, i as u32, path, *format))
        .collect();
    merge(&schema, root, files, outputs, extra)
}

/// The name of the load (its first input) and its files, or the errors that stop it before
/// any file is read.
fn input_files(inputs: &[PathBuf], extra: &[Extra]) -> Result<(PathBuf, Vec<(PathBuf, Format)>), LoadErrors> {
    let Some(root) = inputs.first().or_else(|| extra.first().map(|e| &e.name)) else {
        return Err(LoadErrors::one(LoadError {
            file: PathBuf::new(),
            location: String::new(),
            expected: "a snapshot file or directory".to_owned(),
            found: "no input".to_owned(),
            help: None,
        }));
    };
    let (files, errors) = read::collect_inputs(inputs);
    if !errors.is_empty() {
        return Err(LoadErrors::capped(errors, 0));
    }
    Ok((root.clone(), files))
}

/// Merges the outputs of `files` (one each, in order) and the in-memory documents into a store.
fn merge(
    schema: &schema::Schema<'_>,
    root: PathBuf,
    files: Vec<(PathBuf, Format)>,
    mut outputs: Vec<seed::Output>,
    extra: &[Extra],
) -> Result<Loaded, LoadErrors> {
    let mut files: Vec<PathBuf> = files.into_iter().map(|(path, _)| path).collect();
    for doc in extra {
        outputs.push(read::parse_text(schema, files.len() as u32, &doc.name, &doc.text, doc.format));
        files.push(doc.name.clone());
    }
    let (store, warnings) = store::build(schema, files, outputs, &root)?;
    Ok(Loaded { store, warnings })
}

/// Loads one document (or JSONL text) given as text; `name` is the file name messages use.
pub fn load_str(plan: &Plan, name: &str, text: &str, format: Format) -> Result<Loaded, LoadErrors> {
    TextLoader::new(plan).load(name, text, format)
}

/// [`load_str`] for many small texts of one plan (`rulec watch-events` reads each line as a
/// document): the schema's tables are built once, not per text.
pub struct TextLoader<'p> {
    schema: schema::Schema<'p>,
}

impl<'p> TextLoader<'p> {
    pub fn new(plan: &'p Plan) -> TextLoader<'p> {
        TextLoader { schema: schema::Schema::new(plan) }
    }

    /// Loads one document (or JSONL text); `name` is the file name messages use.
    pub fn load(&self, name: &str, text: &str, format: Format) -> Result<Loaded, LoadErrors> {
        let name = PathBuf::from(name);
        let output = read::parse_text(&self.schema, 0, &name, text, format);
        let (store, warnings) = store::build(&self.schema, vec![name.clone()], vec![output], &name)?;
        Ok(Loaded { store, warnings })
    }
}
