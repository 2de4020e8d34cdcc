//! zchunk (`.zck`), the format dnf fetches a repository's metadata in when the repository
//! offers it (Fedora's `updateinfo_zck`), so a Fedora host's cache holds only the zchunk copy
//! of its advisories. The file is a header, an index of chunks, then the chunks: the first an
//! optional zstd dictionary, each of the others zstd-compressed with it (zchunk's
//! `zchunk_format.txt`). Only what decompression needs is read: the checksums (which let dnf
//! download only changed chunks) are skipped, and zstd checks each chunk's own framing.
//! Every length is checked against the file before it is used.

use super::fs::MAX_FILE;

/// The lead's identifier: a zchunk version 1 file.
const MAGIC: &[u8] = b"\0ZCK1";

/// The chunk compression types zchunk defines.
const UNCOMPRESSED: u64 = 0;
const ZSTD: u64 = 2;

/// The content of a zchunk file; `Err` with the reason when it is not one, uses what zchunk
/// reserves for other uses (data streams, optional elements), or is damaged.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut at = Cursor { bytes, at: 0 };
    if at.take(MAGIC.len())? != MAGIC {
        return Err("not a zchunk file".to_owned());
    }
    let checksum = checksum_len(at.int()?)?;
    let header_size = at.usize()?;
    at.take(checksum)?;
    // The header size counts what follows the lead: the preface, the index and signatures.
    let data_start = at.at.checked_add(header_size).filter(|end| *end <= bytes.len()).ok_or("a header past the end")?;
    at.take(checksum)?;
    let flags = at.int()?;
    if flags != 0 {
        return Err(format!("zchunk flags {flags:#x} (data streams or optional elements): not read"));
    }
    let compression = at.int()?;
    if compression != UNCOMPRESSED && compression != ZSTD {
        return Err(format!("zchunk compression type {compression}: not read"));
    }
    at.usize()?; // The index's size: the index is read entry by entry.
    let chunk_checksum = checksum_len(at.int()?)?;
    let count = at.usize()?;
    // The dictionary is the first entry, then the chunks in file order.
    let mut entries = Vec::new();
    let mut total: u64 = 0;
    for _ in 0..count {
        at.take(chunk_checksum)?;
        let (length, size) = (at.usize()?, at.usize()?);
        total = total.saturating_add(size as u64);
        entries.push((length, size));
    }
    if total > MAX_FILE {
        return Err(format!("larger than {} MiB once decompressed", MAX_FILE >> 20));
    }
    let mut data = Cursor { bytes, at: data_start };
    let mut entries = entries.into_iter();
    let dictionary = match entries.next() {
        Some((length, size)) => chunk(data.take(length)?, size, compression, &[])?,
        None => Vec::new(),
    };
    let mut out = Vec::new();
    for (length, size) in entries {
        out.extend(chunk(data.take(length)?, size, compression, &dictionary)?);
    }
    Ok(out)
}

/// One chunk decompressed to its `size` bytes.
fn chunk(bytes: &[u8], size: usize, compression: u64, dictionary: &[u8]) -> Result<Vec<u8>, String> {
    let out = if compression == UNCOMPRESSED || bytes.is_empty() {
        bytes.to_vec()
    } else {
        let mut decompressor =
            zstd::bulk::Decompressor::with_dictionary(dictionary).map_err(|err| format!("a zchunk chunk: {err}"))?;
        decompressor.decompress(bytes, size).map_err(|err| format!("a zchunk chunk cannot be decompressed: {err}"))?
    };
    if out.len() != size {
        return Err(format!("a zchunk chunk of {} bytes where the index says {size}", out.len()));
    }
    Ok(out)
}

/// The length of a checksum of zchunk's type `kind` (SHA-1, SHA-256, SHA-512, SHA-512/128).
fn checksum_len(kind: u64) -> Result<usize, String> {
    match kind {
        0 => Ok(20),
        1 => Ok(32),
        2 => Ok(64),
        3 => Ok(16),
        _ => Err(format!("zchunk checksum type {kind}: not known")),
    }
}

/// A read position in the file.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(len).filter(|end| *end <= self.bytes.len()).ok_or("ends too early")?;
        let taken = &self.bytes[self.at..end];
        self.at = end;
        Ok(taken)
    }

    /// A zchunk compressed integer: 7 bits a byte, least significant first, the last byte
    /// marked by its top bit.
    fn int(&mut self) -> Result<u64, String> {
        let mut value: u64 = 0;
        for shift in (0..63).step_by(7) {
            let byte = self.take(1)?[0];
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 != 0 {
                return Ok(value);
            }
        }
        Err("a zchunk integer too large".to_owned())
    }

    fn usize(&mut self) -> Result<usize, String> {
        usize::try_from(self.int()?).map_err(|_| "a zchunk length too large".to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Made by zchunk 1.2.3's `zck` from the rocky9 fixture's baseos advisories (README beside).
    const SOURCE: &str = include_str!("../../tests/hosts/rocky9-packages/baseos-updateinfo.xml");
    const ONE_CHUNK: &[u8] = include_bytes!("../../tests/zchunk/one-chunk.xml.zck");
    const WITH_DICTIONARY: &[u8] = include_bytes!("../../tests/zchunk/dictionary.xml.zck");

    #[test]
    fn files_zck_wrote() {
        assert_eq!(decode(ONE_CHUNK).unwrap(), SOURCE.as_bytes());
        assert_eq!(decode(WITH_DICTIONARY).unwrap(), SOURCE.as_bytes());
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        for len in 0..WITH_DICTIONARY.len() {
            assert!(decode(&WITH_DICTIONARY[..len]).is_err(), "truncated to {len}");
        }
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..2000 {
            let mut bytes = WITH_DICTIONARY.to_vec();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let at = (state % bytes.len() as u64) as usize;
            bytes[at] ^= (state >> 56) as u8 | 1;
            let _ = decode(&bytes);
        }
        assert_eq!(decode(b"\0ZCK2").unwrap_err(), "not a zchunk file");
        assert_eq!(
            decode(b"\0ZCK1\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01").unwrap_err(),
            "a zchunk integer too large"
        );
        assert_eq!(decode(b"\0ZCK1\x85").unwrap_err(), "zchunk checksum type 5: not known");
    }
}
