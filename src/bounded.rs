//! Bounds on what comes from outside: every decompression and every remote body is read
//! through here, up to a limit, and says whether (and how much) was cut, so a 1 MB gzip bomb
//! or an endless answer costs at most the limit in memory.

use std::io::Read;

use flate2::read::{MultiGzDecoder, ZlibDecoder};
use futures::{Stream, StreamExt};

/// Most bytes a log object is unpacked to (EMR step logs and other gzip logs).
pub const MAX_UNPACKED_LOG_BYTES: usize = 64 << 20;
/// Most bytes read of one Airflow REST answer (task logs included).
pub const MAX_REST_BODY_BYTES: usize = 32 << 20;

/// Bytes read up to a limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded {
    pub data: Vec<u8>,
    /// More was there than the limit allowed: `data` is its first `limit` bytes.
    pub cut: bool,
    /// The stream broke (truncated or corrupt input) after `data`.
    pub damaged: Option<String>,
}

impl Bounded {
    /// "showing first 64.0 MiB of OF; cut" when cut (OF says of what: "the unpacked
    /// log", "1.0 GiB"), else None.
    pub fn cut_notice(&self, of: &str) -> Option<String> {
        self.cut.then(|| cut_notice(self.data.len() as u64, of))
    }
}

/// The one wording of a cut: "showing first N of M; cut".
pub fn cut_notice(shown: u64, of: &str) -> String {
    format!("showing first {} of {of}; cut", human_size(shown))
}

/// Reads `reader` (a decoder) to its end or to `limit` bytes, whichever comes first.
pub fn read(mut reader: impl Read, limit: usize) -> Bounded {
    let mut data = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => return done(data, false, None),
            Ok(n) => {
                let room = limit - data.len();
                data.extend_from_slice(&chunk[..n.min(room)]);
                if n >= room {
                    let more = n > room || !matches!(reader.read(&mut [0u8; 1]), Ok(0));
                    return done(data, more, None);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return done(data, false, Some(e.to_string())),
        }
    }
}

fn done(data: Vec<u8>, cut: bool, damaged: Option<String>) -> Bounded {
    Bounded { data, cut, damaged }
}

/// Unpacks gzip (one or more members) up to `limit` bytes.
pub fn gunzip(bytes: &[u8], limit: usize) -> Bounded {
    read(MultiGzDecoder::new(bytes), limit)
}

/// Unpacks zlib up to `limit` bytes.
pub fn inflate_zlib(bytes: &[u8], limit: usize) -> Bounded {
    read(ZlibDecoder::new(bytes), limit)
}

/// Collects a body that arrives in chunks, up to `limit` bytes; stops reading (and drops the
/// rest of the stream) once the limit is passed.
pub async fn collect<S, B, E>(mut body: S, limit: usize) -> Result<Bounded, E>
where
    S: Stream<Item = Result<B, E>> + Unpin,
    B: AsRef<[u8]>,
{
    let mut data = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk?;
        let chunk = chunk.as_ref();
        let room = limit - data.len();
        data.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if chunk.len() > room {
            return Ok(done(data, true, None));
        }
    }
    Ok(done(data, false, None))
}

/// Human-readable size: 1023 B, 1.5 KiB, 20.0 MiB.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// `size` zero bytes, gzipped (about a thousandth of the size).
    fn bomb(size: usize) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..size / zeros.len() {
            encoder.write_all(&zeros).unwrap();
        }
        encoder.finish().unwrap()
    }

    #[test]
    fn a_gzip_bomb_is_unpacked_only_to_the_limit() {
        let packed = bomb(256 << 20);
        assert!(packed.len() < 1 << 20, "{}", packed.len());
        let unpacked = gunzip(&packed, 1 << 20);
        assert_eq!(unpacked.data.len(), 1 << 20);
        assert!(unpacked.cut);
        assert_eq!(
            unpacked.cut_notice("the unpacked log").as_deref(),
            Some("showing first 1.0 MiB of the unpacked log; cut")
        );
    }

    #[test]
    fn exactly_the_limit_is_not_cut_and_damage_is_reported() {
        let packed = bomb(1 << 20);
        let whole = gunzip(&packed, 1 << 20);
        assert!(!whole.cut && whole.damaged.is_none());
        let broken = gunzip(&packed[..packed.len() / 2], 1 << 20);
        assert!(broken.damaged.is_some() && !broken.cut);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&[7u8; 5000]).unwrap();
        let zlib = inflate_zlib(&z.finish().unwrap(), 100);
        assert_eq!((zlib.data.len(), zlib.cut), (100, true));
    }

    #[tokio::test]
    async fn a_body_stops_at_the_limit() {
        let chunks =
            futures::stream::iter((0..1000).map(|_| Ok::<_, std::io::Error>(vec![1u8; 1000])));
        let body = collect(chunks, 2500).await.unwrap();
        assert_eq!((body.data.len(), body.cut), (2500, true));
        let small = futures::stream::iter([Ok::<_, std::io::Error>(b"abc".to_vec())]);
        let body = collect(small, 3).await.unwrap();
        assert_eq!((body.data, body.cut), (b"abc".to_vec(), false));
    }
}
