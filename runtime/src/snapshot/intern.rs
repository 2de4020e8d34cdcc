//! String interning: one `ArcStr` per distinct string of a load.

use std::collections::HashSet;
use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use arcstr::ArcStr;

/// Shares one `ArcStr` between equal strings of a load (user agents, actions, key ids,
/// enum values, ...).
///
/// Each schema field has its own table, so a lookup touches a small, hot table (a few
/// `service` names, a few thousand key ids) rather than one holding every string of the load.
/// Interning pays off only where values repeat: a field whose first [`SAMPLE`] strings found
/// fewer than one in [`RARE`] already present (ids, request ids, resource names) stops being
/// interned and its table is freed.
#[derive(Default)]
pub(crate) struct Interner {
    /// Strings outside fields (type names, enum values, map keys).
    common: HashSet<ArcStr, Seeded>,
    /// Per global field number.
    fields: Vec<FieldTable>,
}

#[derive(Default)]
struct FieldTable {
    set: HashSet<ArcStr, Seeded>,
    tries: u32,
    hits: u32,
    /// The field's strings proved mostly unique.
    off: bool,
}

/// Past this many strings a table starts over, bounding its memory (sharing is an
/// optimisation, not a guarantee).
const TABLE_LIMIT: usize = 1 << 20;

/// How many strings of a field are looked up before its hit rate is judged.
const SAMPLE: u32 = 16_384;

/// A field whose hit rate is below one in this many is not interned.
const RARE: u32 = 32;

/// The field number of strings outside fields: always interned.
pub(crate) const ALWAYS: u32 = u32::MAX;

impl Interner {
    pub(crate) fn intern(&mut self, text: &str) -> ArcStr {
        lookup(&mut self.common, text).0
    }

    /// Interns a string of field `field` (a global field number), unless that field's
    /// strings have proved mostly unique.
    pub(crate) fn intern_field(&mut self, field: u32, text: &str) -> ArcStr {
        if field == ALWAYS {
            return self.intern(text);
        }
        let i = field as usize;
        if i >= self.fields.len() {
            self.fields.resize_with(i + 1, FieldTable::default);
        }
        let table = &mut self.fields[i];
        if table.off {
            return ArcStr::from(text);
        }
        let (shared, found) = lookup(&mut table.set, text);
        table.tries += 1;
        table.hits += u32::from(found);
        if table.tries >= SAMPLE && table.hits.saturating_mul(RARE) < table.tries {
            table.off = true;
            table.set = HashSet::default();
        }
        shared
    }
}

fn lookup(set: &mut HashSet<ArcStr, Seeded>, text: &str) -> (ArcStr, bool) {
    if let Some(shared) = set.get(text) {
        return (shared.clone(), true);
    }
    if set.len() >= TABLE_LIMIT {
        set.clear();
    }
    let shared = ArcStr::from(text);
    set.insert(shared.clone());
    (shared, false)
}

/// Interners handed from one parallel task to the next, so the parts of a file share strings
/// without sharing a lock per string.
pub(crate) type InternerPool = crate::pool::Pool<Interner>;

/// A fast hash (FxHash's step, a murmur finaliser) keyed per process, for the interner, the
/// store's ids and the evaluator's lookups: SipHash showed in profiles, and a random key keeps
/// collisions unpredictable.
#[derive(Clone, Copy)]
pub(crate) struct Seeded(u64);

impl Default for Seeded {
    fn default() -> Self {
        static KEY: OnceLock<u64> = OnceLock::new();
        Seeded(*KEY.get_or_init(|| std::hash::RandomState::new().hash_one(0x5eed_u64)))
    }
}

impl BuildHasher for Seeded {
    type Hasher = SeededHasher;

    fn build_hasher(&self) -> SeededHasher {
        SeededHasher(self.0)
    }
}

pub(crate) struct SeededHasher(u64);

impl SeededHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for SeededHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, byte: u8) {
        self.add(u64::from(byte));
    }

    fn finish(&self) -> u64 {
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_allocation() {
        let mut interner = Interner::default();
        let a = interner.intern("DescribeInstances");
        let b = interner.intern(&String::from("DescribeInstances"));
        assert!(ArcStr::ptr_eq(&a, &b));
        assert!(!ArcStr::ptr_eq(&a, &interner.intern("DescribeInstance")));
    }

    #[test]
    fn fields_of_unique_strings_stop_being_interned() {
        let mut interner = Interner::default();
        for i in 0..SAMPLE {
            interner.intern_field(0, &format!("id-{i}"));
            interner.intern_field(1, if i % 2 == 0 { "a" } else { "b" });
        }
        let (x, y) = (interner.intern_field(0, "id-1"), interner.intern_field(0, "id-1"));
        assert!(!ArcStr::ptr_eq(&x, &y), "field 0 is no longer interned");
        let (x, y) = (interner.intern_field(1, "a"), interner.intern_field(1, "a"));
        assert!(ArcStr::ptr_eq(&x, &y), "field 1 still is");
    }

    #[test]
    fn the_hash_tells_lengths_and_tails_apart() {
        let hash = |s: &str| Seeded::default().hash_one(s);
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
        assert_ne!(hash("a"), hash("b"));
        assert_eq!(hash("same text"), hash("same text"));
    }
}
