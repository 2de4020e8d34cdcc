//! Parsed snapshot files kept between loads of the same inputs, so that reloading after an
//! edit (`rulec check --watch`) parses only the files that changed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use rayon::prelude::*;

use super::seed::Output;
use super::{Extra, LoadErrors, Loaded, input_files, merge, read, schema};
use crate::plan::{Plan, TypeDef};

/// What a load parsed of each file, by canonical path.
///
/// A file is parsed again when its length or modification time differs from when it was
/// parsed, or when [`Cache::forget`] was told it changed (a file system event: two writes
/// within one tick of the file system's clock can leave the time as it was). Everything is
/// dropped when the plan's types change, since rows are typed by them. In-memory documents
/// ([`Extra`]) are always parsed: they are small.
#[derive(Default)]
pub struct Cache {
    types: Vec<TypeDef>,
    files: HashMap<PathBuf, Entry>,
}

struct Entry {
    stamp: Stamp,
    output: Output,
}

/// The metadata that changes when a file is written.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    len: u64,
    modified: SystemTime,
}

impl Stamp {
    /// `None` when the file cannot be read: it is parsed again, and that reports the error.
    fn of(path: &Path) -> Option<Stamp> {
        let meta = std::fs::metadata(path).ok()?;
        Some(Stamp { len: meta.len(), modified: meta.modified().ok()? })
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned())
}

impl Cache {
    /// [`load_with`](super::load_with), parsing only the files not cached or changed since.
    /// Files no longer among the inputs are dropped from the cache.
    pub fn load_with(&mut self, plan: &Plan, inputs: &[PathBuf], extra: &[Extra]) -> Result<Loaded, LoadErrors> {
        if self.types != plan.types {
            self.files.clear();
            self.types.clone_from(&plan.types);
        }
        let schema = schema::Schema::new(plan);
        let (root, files) = input_files(inputs, extra)?;
        let keys: Vec<(PathBuf, Option<Stamp>)> =
            files.iter().map(|(path, _)| (canonical(path), Stamp::of(path))).collect();
        self.files.retain(|key, _| keys.iter().any(|(k, _)| k == key));
        let stale: Vec<usize> = (0..files.len())
            .filter(|&i| {
                let (key, stamp) = &keys[i];
                stamp.is_none() || self.files.get(key).is_none_or(|entry| Some(entry.stamp) != *stamp)
            })
            .collect();
        let parsed: Vec<(usize, Output)> =
            stale.par_iter().map(|&i| (i, read::parse_file(&schema, i as u32, &files[i].0, files[i].1))).collect();
        for (i, output) in parsed {
            if let (key, Some(stamp)) = &keys[i] {
                self.files.insert(key.clone(), Entry { stamp: *stamp, output });
            }
        }
        let mut outputs = Vec::with_capacity(files.len());
        for (i, (path, format)) in files.iter().enumerate() {
            let output = match self.files.get(&keys[i].0) {
                Some(entry) => entry.output.clone().placed(i as u32),
                // Not cacheable (no metadata): parse it for this load only.
                None => read::parse_file(&schema, i as u32, path, *format),
            };
            outputs.push(output);
        }
        merge(&schema, root, files, outputs, extra)
    }

    /// Drops what was parsed of `path`, or of every file under it if it is a folder: a watcher
    /// saw it change.
    pub fn forget(&mut self, path: &Path) {
        let path = canonical(path);
        self.files.retain(|key, _| !key.starts_with(&path));
    }
}

#[cfg(test)]
mod tests {
    use crate::value::Record;
    use std::fs::File;

    use super::*;
    use crate::plan::{FieldDef, Type, TypeKind};
    use crate::value::Value;

    fn plan(extra_field: bool) -> Plan {
        let field = |name: &str, ty: Type| FieldDef { name: name.to_owned(), ty };
        let mut fields = vec![field("type", Type::String), field("id", Type::String), field("n", Type::Int)];
        if extra_field {
            fields.push(field("note", Type::Optional(Box::new(Type::String))));
        }
        crate::plan::test_plan(vec![TypeDef {
            name: "Thing".to_owned(),
            qualified: "t.Thing".to_owned(),
            kind: TypeKind::Asset,
            fields,
        }])
    }

    fn doc(id: &str, n: i64) -> String {
        format!(
            r#"{{"format": "rulec.snapshot/v1", "taken_at": "2026-11-20T08:00:00Z", "assets": [{{"type": "Thing", "id": "{id}", "n": {n}}}]}}"#
        )
    }

    fn write(path: &Path, text: &str) {
        std::fs::write(path, text).expect("write a snapshot file");
    }

    /// Every row as `id=n` with the file it came from, and the records themselves.
    fn rows(loaded: &Loaded) -> (Vec<String>, Vec<crate::value::Record>) {
        let records = loaded.store.rows(0).to_vec();
        let shown = records
            .iter()
            .enumerate()
            .map(|(row, r)| {
                let (file, _) = loaded.store.origin(0, row).expect("every row has an origin");
                let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
                match (&r.fields()[1], &r.fields()[2]) {
                    (Value::Str(id), Value::Int(n)) => format!("{id}={n} ({name})"),
                    other => format!("{other:?}"),
                }
            })
            .collect();
        (shown, records)
    }

    fn load(cache: &mut Cache, plan: &Plan, dir: &Path) -> Loaded {
        match cache.load_with(plan, &[dir.to_owned()], &[]) {
            Ok(loaded) => loaded,
            Err(e) => panic!("the snapshot loads: {e}"),
        }
    }

    #[test]
    fn unchanged_files_are_reused_and_changed_ones_parsed_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan = plan(false);
        write(&dir.path().join("b.json"), &doc("b", 1));
        write(&dir.path().join("c.json"), &doc("c", 1));
        let mut cache = Cache::default();
        let (first, first_records) = rows(&load(&mut cache, &plan, dir.path()));
        assert_eq!(first, ["b=1 (b.json)", "c=1 (c.json)"]);

        write(&dir.path().join("c.json"), &doc("c", 22));
        let (second, second_records) = rows(&load(&mut cache, &plan, dir.path()));
        assert_eq!(second, ["b=1 (b.json)", "c=22 (c.json)"]);
        assert!(Record::ptr_eq(&first_records[0], &second_records[0]), "b.json is not parsed again");
        assert!(!Record::ptr_eq(&first_records[1], &second_records[1]));
    }

    #[test]
    fn new_and_deleted_files_keep_origins_right() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan = plan(false);
        write(&dir.path().join("b.json"), &doc("b", 1));
        let mut cache = Cache::default();
        load(&mut cache, &plan, dir.path());

        // A file sorted before the cached one moves it to the second place.
        write(&dir.path().join("a.json"), &doc("a", 1));
        assert_eq!(rows(&load(&mut cache, &plan, dir.path())).0, ["a=1 (a.json)", "b=1 (b.json)"]);

        std::fs::remove_file(dir.path().join("b.json")).expect("remove");
        assert_eq!(rows(&load(&mut cache, &plan, dir.path())).0, ["a=1 (a.json)"]);
        assert_eq!(cache.files.len(), 1, "a deleted file leaves the cache");
    }

    #[test]
    fn forget_catches_a_write_that_kept_length_and_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let plan = plan(false);
        let path = dir.path().join("a.json");
        write(&path, &doc("a", 1));
        let mut cache = Cache::default();
        load(&mut cache, &plan, dir.path());

        let modified = std::fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
        write(&path, &doc("a", 2));
        File::options().write(true).open(&path).and_then(|f| f.set_modified(modified)).expect("reset mtime");
        assert_eq!(rows(&load(&mut cache, &plan, dir.path())).0, ["a=1 (a.json)"], "same length and time: cached");

        cache.forget(dir.path());
        assert_eq!(rows(&load(&mut cache, &plan, dir.path())).0, ["a=2 (a.json)"]);
    }

    #[test]
    fn other_types_drop_the_cache_and_errors_are_reported_again() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(&dir.path().join("a.json"), &doc("a", 1));
        let mut cache = Cache::default();
        let (_, before) = rows(&load(&mut cache, &plan(false), dir.path()));
        let (_, after) = rows(&load(&mut cache, &plan(true), dir.path()));
        assert!(!Record::ptr_eq(&before[0], &after[0]), "rows typed by the old plan are not reused");

        write(&dir.path().join("a.json"), "{ not json");
        for _ in 0..2 {
            let errors = cache.load_with(&plan(true), &[dir.path().to_owned()], &[]).err().expect("invalid JSON");
            assert!(errors.to_string().contains("a.json"), "{errors}");
        }
    }
}
