//! Installed packages from rpm's SQLite database (`rpmdb.sqlite`: RHEL 9 and its rebuilds,
//! Fedora 33 and later). Each row of its `Packages` table is one package's rpm header, the
//! same bytes `rpm -q` decodes; only name, epoch, version, release and arch are read from it.
//!
//! The file is opened as an immutable, read-only SQLite URI: nothing is written beside it (no
//! journal, no `-shm`, no lock), so a read-only mount or a copy of a disk is read as found. The
//! price is that transactions still in the write-ahead log (`rpmdb.sqlite-wal`, normally
//! emptied when rpm exits) are not seen; the caller reports a non-empty log.
//!
//! Headers are parsed defensively: every count and offset is checked against the blob, and a
//! header that does not hold what it claims is returned as an error for the report, never a
//! panic and never a guessed package.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::evr::Evr;

/// One installed package, as its header says.
#[derive(Clone, Debug)]
pub(crate) struct Installed {
    pub(crate) name: String,
    pub(crate) evr: Evr,
    /// Absent in the headers of imported signing keys (`gpg-pubkey`).
    pub(crate) arch: Option<String>,
}

/// What was read from a database: the packages, and each header that could not be parsed
/// (its row number and why).
#[derive(Debug, Default)]
pub(crate) struct Database {
    pub(crate) packages: Vec<Installed>,
    pub(crate) malformed: Vec<(i64, String)>,
}

/// The header tags read (rpm's lib/rpmtag.h).
const NAME: u32 = 1000;
const VERSION: u32 = 1001;
const RELEASE: u32 = 1002;
const EPOCH: u32 = 1003;
const ARCH: u32 = 1022;

/// The header data types these tags use.
const INT32: u32 = 4;
const STRING: u32 = 6;

/// rpm's own limits on a header (lib/header_internal.h): 0xffff index entries and 256 MiB of
/// data; a header claiming more is not one rpm wrote.
const MAX_ENTRIES: usize = 0xffff;
const MAX_DATA: usize = 256 << 20;

/// Reads every package of the `rpmdb.sqlite` at `path` (a path on this machine), in the
/// database's order; `Err` when the file is not such a database.
pub(crate) fn read(path: &Path) -> Result<Database, String> {
    let connection = open(path)?;
    let mut statement =
        connection.prepare("SELECT hnum, blob FROM Packages ORDER BY hnum").map_err(|err| err.to_string())?;
    let rows = statement
        .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?)))
        .map_err(|err| err.to_string())?;
    let mut database = Database::default();
    for row in rows {
        let (hnum, blob) = row.map_err(|err| err.to_string())?;
        match header(&blob) {
            Ok(package) => database.packages.push(package),
            Err(reason) => database.malformed.push((hnum, reason)),
        }
    }
    Ok(database)
}

/// Opens the database without writing anything (see the module's documentation).
fn open(path: &Path) -> Result<Connection, String> {
    let path = path.to_str().ok_or("the path is not UTF-8")?;
    // In a URI, `%`, `?` and `#` would be read as escapes, the query and the fragment.
    let escaped = path.replace('%', "%25").replace('?', "%3f").replace('#', "%23");
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    Connection::open_with_flags(format!("file:{escaped}?immutable=1"), flags).map_err(|err| err.to_string())
}

/// Name, epoch, version, release and arch of one header blob: a 4-byte big-endian count of
/// index entries, a 4-byte data length, the 16-byte entries (tag, type, offset, count), then
/// the data they point into.
fn header(blob: &[u8]) -> Result<Installed, String> {
    let entries = be32(blob, 0).ok_or("shorter than a header's 8-byte preamble")? as usize;
    let data_len = be32(blob, 4).ok_or("shorter than a header's 8-byte preamble")? as usize;
    if entries > MAX_ENTRIES || data_len > MAX_DATA {
        return Err(format!("claims {entries} entries and {data_len} bytes of data, past rpm's limits"));
    }
    let data_start = 8 + entries * 16;
    let data = blob.get(data_start..data_start + data_len).ok_or_else(|| {
        format!("{} bytes, shorter than the {} its preamble claims", blob.len(), data_start + data_len)
    })?;
    let (mut name, mut version, mut release, mut epoch, mut arch) = (None, None, None, None, None);
    for entry in 0..entries {
        let at = 8 + entry * 16;
        let field = |i: usize| be32(blob, at + 4 * i).ok_or("an index entry past the blob's end");
        let (tag, kind, offset) = (field(0)?, field(1)?, field(2)? as usize);
        let slot = match tag {
            NAME => &mut name,
            VERSION => &mut version,
            RELEASE => &mut release,
            ARCH => &mut arch,
            EPOCH => {
                if kind != INT32 {
                    return Err(format!("EPOCH has type {kind}, not an integer"));
                }
                epoch = Some(be32(data, offset).ok_or("EPOCH points past the data")?);
                continue;
            }
            _ => continue,
        };
        if kind != STRING {
            return Err(format!("tag {tag} has type {kind}, not a string"));
        }
        *slot = Some(string(data, offset).ok_or_else(|| format!("tag {tag} is not a string inside the data"))?);
    }
    let missing = |tag: &str| format!("no {tag} tag");
    Ok(Installed {
        name: name.ok_or_else(|| missing("NAME"))?,
        evr: Evr {
            epoch: epoch.map_or(0, u64::from),
            version: version.ok_or_else(|| missing("VERSION"))?,
            release: release.ok_or_else(|| missing("RELEASE"))?,
        },
        arch,
    })
}

/// The big-endian u32 at `at`, if the bytes are there.
fn be32(bytes: &[u8], at: usize) -> Option<u32> {
    let word = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes([word[0], word[1], word[2], word[3]]))
}

/// The NUL-terminated string at `at`, if it ends inside `data`.
fn string(data: &[u8], at: usize) -> Option<String> {
    let rest = data.get(at..)?;
    let end = rest.iter().position(|byte| *byte == 0)?;
    Some(String::from_utf8_lossy(&rest[..end]).into_owned())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A header blob with these (tag, type, value) entries, laid out as rpm does.
    pub(crate) fn blob(entries: &[(u32, u32, &[u8])]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data: Vec<u8> = Vec::new();
        for (tag, kind, value) in entries {
            for word in [*tag, *kind, data.len() as u32, 1] {
                index.extend(word.to_be_bytes());
            }
            data.extend(*value);
        }
        let mut blob = Vec::new();
        blob.extend((entries.len() as u32).to_be_bytes());
        blob.extend((data.len() as u32).to_be_bytes());
        blob.extend(index);
        blob.extend(data);
        blob
    }

    pub(crate) fn package(name: &str, epoch: Option<u32>, version: &str, release: &str, arch: &str) -> Vec<u8> {
        let [name, version, release, arch] =
            [name, version, release, arch].map(|text| format!("{text}\0").into_bytes());
        let epoch = epoch.map(u32::to_be_bytes);
        let mut entries: Vec<(u32, u32, &[u8])> = vec![
            (63, 7, b"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"),
            (NAME, STRING, &name),
            (VERSION, STRING, &version),
            (RELEASE, STRING, &release),
            (ARCH, STRING, &arch),
        ];
        if let Some(epoch) = &epoch {
            entries.push((EPOCH, INT32, epoch));
        }
        blob(&entries)
    }

    #[test]
    fn a_header_gives_its_package() {
        let installed = header(&package("openssl", Some(1), "3.0.7", "24.el9", "x86_64")).unwrap();
        assert_eq!((installed.name.as_str(), installed.evr.to_string()), ("openssl", "1:3.0.7-24.el9".to_owned()));
        assert_eq!(installed.arch.as_deref(), Some("x86_64"));
        let installed = header(&package("bash", None, "5.1.8", "6.el9_1", "x86_64")).unwrap();
        assert_eq!(installed.evr.epoch, 0);
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        let good = package("bash", None, "5.1.8", "6.el9_1", "x86_64");
        // Every truncation of a good header.
        for len in 0..good.len() {
            assert!(header(&good[..len]).is_err(), "truncated to {len}");
        }
        // An offset past the data.
        let mut far = good.clone();
        far[8 + 16 + 8..8 + 16 + 12].copy_from_slice(&u32::MAX.to_be_bytes());
        assert!(header(&far).unwrap_err().contains("not a string inside the data"));
        // Counts past rpm's limits, and a string with no terminating NUL.
        assert!(header(&[0xff; 8]).unwrap_err().contains("past rpm's limits"));
        assert_eq!(header(&blob(&[(NAME, STRING, b"bash")])).unwrap_err(), "tag 1000 is not a string inside the data");
        assert_eq!(header(&blob(&[(NAME, INT32, b"\0\0\0\0")])).unwrap_err(), "tag 1000 has type 4, not a string");
        assert_eq!(header(&blob(&[(NAME, STRING, b"bash\0")])).unwrap_err(), "no VERSION tag");
        // Arbitrary bytes never panic.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..2000 {
            let mut bytes = good.clone();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let at = (state % bytes.len() as u64) as usize;
                bytes[at] = (state >> 32) as u8;
            }
            let _ = header(&bytes);
        }
    }

    #[test]
    fn a_database_is_read_and_its_bad_rows_listed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rpmdb.sqlite");
        let db = Connection::open(&path).unwrap();
        db.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)").unwrap();
        for blob in [package("bash", None, "5.1.8", "6.el9_1", "x86_64"), vec![0, 0, 0, 1]] {
            db.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob]).unwrap();
        }
        drop(db);
        let database = read(&path).unwrap();
        assert_eq!(database.packages.len(), 1);
        assert_eq!(database.malformed, [(2, "shorter than a header's 8-byte preamble".to_owned())]);
        let empty = dir.path().join("empty.sqlite");
        std::fs::write(&empty, "").unwrap();
        assert_eq!(read(&empty).unwrap_err(), "no such table: Packages");
        std::fs::write(&empty, "not a database, but long enough to be read as one by sqlite's pager").unwrap();
        assert!(read(&empty).is_err());
    }
}
