//! Package metadata as the package managers keep it on disk: apt stores its lists compressed
//! when `Acquire::GzipIndexes` is set (`.lz4` or `.gz`, as container images do), and dnf keeps
//! each repository's `updateinfo.xml` as the repository published it (`.gz` on RHEL 9 and its
//! rebuilds, `.zst` from createrepo_c 1.0 on, as EPEL 10; `.xz` on older Fedora, and `.zck`
//! where the repository offers zchunk, as Fedora's do). The format is told by the file name, as
//! apt and dnf tell it.

use std::io::Read;

use super::fs::MAX_FILE;
use super::zchunk;

/// The content of the file named `name` whose bytes are `bytes`; `Err` with the reason when it
/// is compressed in a format not read here, broken, or larger than [`MAX_FILE`] once
/// decompressed (a compression bomb must not fill memory).
pub(crate) fn decode(name: &str, bytes: Vec<u8>) -> Result<Vec<u8>, String> {
    let extension = name.rsplit_once('.').map_or("", |(_, extension)| extension);
    let slice = bytes.as_slice();
    match extension {
        "gz" => bounded(flate2::read::MultiGzDecoder::new(slice)),
        "xz" => bounded(liblzma::read::XzDecoder::new_multi_decoder(slice)),
        "zst" => bounded(zstd::stream::read::Decoder::with_buffer(slice).map_err(|err| err.to_string())?),
        "lz4" => bounded(lz4_flex::frame::FrameDecoder::new(slice)),
        "zck" => zchunk::decode(&bytes),
        "bz2" => Err("bzip2-compressed: not read".to_owned()),
        _ => Ok(bytes),
    }
}

/// All of `reader`, up to [`MAX_FILE`] bytes.
fn bounded(reader: impl Read) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    reader.take(MAX_FILE + 1).read_to_end(&mut out).map_err(|err| format!("cannot be decompressed: {err}"))?;
    if out.len() as u64 > MAX_FILE {
        return Err(format!("larger than {} MiB once decompressed", MAX_FILE >> 20));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    const TEXT: &[u8] = b"Package: openssl\nVersion: 3.0.13-1~deb12u1\n";

    #[test]
    fn each_format_by_its_name() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(TEXT).unwrap();
        let mut xz = liblzma::write::XzEncoder::new(Vec::new(), 6);
        xz.write_all(TEXT).unwrap();
        let mut lz4 = lz4_flex::frame::FrameEncoder::new(Vec::new());
        lz4.write_all(TEXT).unwrap();
        let zst = zstd::encode_all(TEXT, 3).unwrap();
        for (name, bytes) in [
            ("Packages.gz", gz.finish().unwrap()),
            ("updateinfo.xml.xz", xz.finish().unwrap()),
            ("Packages.lz4", lz4.finish().unwrap()),
            ("updateinfo.xml.zst", zst),
            ("Packages", TEXT.to_vec()),
        ] {
            assert_eq!(decode(name, bytes).unwrap(), TEXT, "{name}");
        }
    }

    #[test]
    fn broken_and_unread_formats_are_errors() {
        assert!(decode("Packages.gz", TEXT.to_vec()).unwrap_err().starts_with("cannot be decompressed"));
        assert!(decode("Packages.lz4", TEXT.to_vec()).is_err());
        assert!(decode("updateinfo.xml.zst", TEXT.to_vec()).is_err());
        assert!(decode("updateinfo.xml.xz", TEXT.to_vec()).is_err());
        assert_eq!(decode("updateinfo.xml.zck", TEXT.to_vec()).unwrap_err(), "not a zchunk file");
        assert_eq!(decode("updateinfo.xml.bz2", TEXT.to_vec()).unwrap_err(), "bzip2-compressed: not read");
    }
}
