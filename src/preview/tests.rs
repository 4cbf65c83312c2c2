use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

use super::*;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).unwrap();
    encoder.finish().unwrap()
}

fn whole(key: &str, bytes: &[u8]) -> Decoded {
    decode(key, bytes, bytes.len() as u64)
}

fn strings(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|s| s.to_string()).collect()
}

fn table(decoded: &Decoded) -> (&Vec<String>, &Vec<Vec<String>>) {
    match &decoded.preview {
        Preview::Csv { header, rows } => (header, rows),
        other => panic!("expected a table, got {other:?}"),
    }
}

fn text_lines(decoded: &Decoded) -> &Vec<String> {
    match &decoded.preview {
        Preview::Text { lines } => lines,
        other => panic!("expected text, got {other:?}"),
    }
}

const TRIPS: &str = "VendorID,lpep_pickup_datetime,store_and_fwd_flag,trip_distance\r\n\
    2,2024-01-01 00:39:01,N,1.2\r\n\
    1,2024-01-01 00:41:12,\"Y, delayed\",\"3.\"\"5\"\"\"\r\n";

#[test]
fn empty_object() {
    let decoded = whole("raw/empty.csv", b"");
    assert_eq!(
        decoded,
        Decoded {
            preview: Preview::Empty,
            gzip: false,
            truncated: false,
            note: None
        }
    );
}

#[test]
fn plain_text_lines() {
    let decoded = whole("notes.txt", b"first line\r\nsecond\n\nfourth\n");
    assert_eq!(
        text_lines(&decoded),
        &strings(&["first line", "second", "", "fourth"])
    );
    assert!(!decoded.truncated && !decoded.gzip);
    assert_eq!(decoded.note, None);
}

#[test]
fn csv_by_name_with_quotes_commas_and_doubled_quotes() {
    let decoded = whole("raw/trips.csv", TRIPS.as_bytes());
    let (header, rows) = table(&decoded);
    assert_eq!(
        header,
        &strings(&[
            "VendorID",
            "lpep_pickup_datetime",
            "store_and_fwd_flag",
            "trip_distance"
        ])
    );
    assert_eq!(
        rows,
        &[
            strings(&["2", "2024-01-01 00:39:01", "N", "1.2"]),
            strings(&["1", "2024-01-01 00:41:12", "Y, delayed", "3.\"5\""]),
        ]
    );
}

#[test]
fn quoted_field_may_span_lines() {
    let decoded = whole("a.csv", b"id,comment\n1,\"two\nlines\"\n2,plain\n");
    let (_, rows) = table(&decoded);
    assert_eq!(
        rows,
        &[strings(&["1", "two\nlines"]), strings(&["2", "plain"])]
    );
}

#[test]
fn csv_sniffed_from_consistent_columns() {
    let decoded = whole("part-00000", b"a,b,c\n1,2,3\n4,5,6\n");
    assert_eq!(table(&decoded).1.len(), 2);
    let prose = whole(
        "readme",
        b"Hello, world.\nNo commas here\nOne, two, three\n",
    );
    assert_eq!(text_lines(&prose).len(), 3);
    let single_line = whole("one", b"a,b,c\n");
    assert!(matches!(single_line.preview, Preview::Text { .. }));
}

#[test]
fn named_csv_with_ragged_rows_is_padded_and_noted() {
    let decoded = whole("x.CSV", b"a,b\n1\n1,2,3\n");
    let (header, rows) = table(&decoded);
    assert_eq!(header, &strings(&["a", "b", ""]));
    assert_eq!(rows, &[strings(&["1", "", ""]), strings(&["1", "2", "3"])]);
    assert_eq!(decoded.note.as_deref(), Some("rows have 1 to 3 columns"));
}

#[test]
fn truncated_csv_drops_the_partial_last_line() {
    let cut = &TRIPS.as_bytes()[..TRIPS.len() - 12];
    let decoded = decode("raw/trips.csv", cut, 10_000);
    let (_, rows) = table(&decoded);
    assert_eq!(rows, &[strings(&["2", "2024-01-01 00:39:01", "N", "1.2"])]);
    assert!(decoded.truncated);
    assert_eq!(
        decoded.note.as_deref(),
        Some(format!("first {} of 10000 bytes", cut.len()).as_str())
    );
}

#[test]
fn byte_order_mark_is_not_part_of_the_header() {
    let decoded = whole("bom.csv", b"\xef\xbb\xbfid,name\n1,a\n");
    assert_eq!(table(&decoded).0, &strings(&["id", "name"]));
}

#[test]
fn complete_csv_keeps_a_last_line_without_newline() {
    let decoded = whole("t.csv", b"a,b\n1,2");
    assert_eq!(table(&decoded).1, &[strings(&["1", "2"])]);
}

#[test]
fn gzip_is_unpacked_by_magic_bytes() {
    let packed = gzip(TRIPS.as_bytes());
    let by_name = whole("raw/trips.csv.gz", &packed);
    assert!(by_name.gzip && !by_name.truncated);
    assert_eq!(table(&by_name).1.len(), 2);
    let unnamed = whole("raw/blob", &packed);
    assert!(unnamed.gzip);
    assert_eq!(table(&unnamed).0, table(&by_name).0);
}

#[test]
fn truncated_gzip_decodes_as_far_as_it_can() {
    let rows: String = (0..5_000)
        .map(|i| format!("{i},2024-01-01 00:00:{:02},N,{}.5\n", i % 60, i % 7))
        .collect();
    let csv = format!("id,pickup,flag,distance\n{rows}");
    let packed = gzip(csv.as_bytes());
    let prefix = &packed[..packed.len() / 2];
    let decoded = decode("raw/trips.csv.gz", prefix, packed.len() as u64);
    assert!(decoded.gzip && decoded.truncated);
    let (header, rows) = table(&decoded);
    assert_eq!(header, &strings(&["id", "pickup", "flag", "distance"]));
    assert!(rows.len() > 100 && rows.len() < 5_000, "{}", rows.len());
    assert!(rows.iter().all(|row| row.len() == 4));
    assert_eq!(rows[0], strings(&["0", "2024-01-01 00:00:00", "N", "0.5"]));
    let last = rows.len() - 1;
    assert_eq!(rows[last][0], last.to_string());
}

#[test]
fn damaged_gzip_is_noted() {
    let mut packed = gzip(b"hello\nworld\n");
    let at = packed.len() - 5;
    packed[at] ^= 0xff;
    let decoded = whole("x.gz", &packed);
    assert!(decoded.gzip);
    assert!(decoded
        .note
        .as_deref()
        .unwrap()
        .starts_with("gzip stream is damaged"));
}

#[test]
fn gzip_bomb_is_capped() {
    let packed = gzip(&vec![b'a'; 3 * MAX_DECODED_BYTES]);
    let decoded = whole("bomb.gz", &packed);
    assert!(decoded.truncated);
    let lines = text_lines(&decoded);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].chars().count(), MAX_LINE_CHARS + 1);
}

#[test]
fn gz_name_without_gzip_bytes_is_read_as_is() {
    let decoded = whole("logs/app.log.gz", b"plain text\n");
    assert!(!decoded.gzip);
    assert_eq!(text_lines(&decoded), &strings(&["plain text"]));
    assert_eq!(
        decoded.note.as_deref(),
        Some("named .gz but not gzip-compressed")
    );
}

#[test]
fn binary_becomes_a_hex_dump() {
    let bytes: Vec<u8> = b"PAR1\x00\x01\x02hello world, binary!\xff\xfe".to_vec();
    let decoded = whole("gold/part.parquet", &bytes);
    assert_eq!(
        decoded.preview,
        Preview::Hex {
            lines: vec![
                "00000000  50 41 52 31 00 01 02 68  65 6c 6c 6f 20 77 6f 72  |PAR1...hello wor|"
                    .to_string(),
                "00000010  6c 64 2c 20 62 69 6e 61  72 79 21 ff fe           |ld, binary!..|"
                    .to_string(),
            ]
        }
    );
    assert_eq!(decoded.note.as_deref(), Some("binary data"));
}

#[test]
fn hex_dump_is_capped() {
    let bytes = vec![0u8; MAX_HEX_BYTES + 100];
    let decoded = whole("zeros.bin", &bytes);
    let Preview::Hex { lines } = &decoded.preview else {
        panic!("expected hex")
    };
    assert_eq!(lines.len(), MAX_HEX_BYTES / 16);
    assert!(decoded.truncated);
}

#[test]
fn mostly_utf8_is_text_with_replacements() {
    let decoded = whole(
        "latin1.txt",
        b"caf\xe9 cr\xe8me and a long enough english sentence\n",
    );
    assert_eq!(
        text_lines(&decoded),
        &strings(&["caf\u{fffd} cr\u{fffd}me and a long enough english sentence"])
    );
}

#[test]
fn character_cut_by_truncation_is_dropped_not_replaced() {
    let euro = "the price of a coffee in Paris: 5€".as_bytes();
    let cut = &euro[..euro.len() - 1];
    assert_eq!(
        text_lines(&decode("p.txt", cut, 100)),
        &strings(&["the price of a coffee in Paris: 5"])
    );
    // The same bytes as a whole object are invalid, and shown as such.
    assert_eq!(
        text_lines(&whole("p.txt", cut)),
        &strings(&["the price of a coffee in Paris: 5\u{fffd}"])
    );
}

#[test]
fn escape_sequences_are_left_for_the_ui_to_sanitize() {
    let decoded = whole("evil.txt", b"\x1b]0;pwned\x07title\n\x1b[2Jclear\n");
    assert_eq!(
        text_lines(&decoded),
        &strings(&["\x1b]0;pwned\x07title", "\x1b[2Jclear"])
    );
}

#[test]
fn megabyte_line_is_cut() {
    let line = vec![b'x'; 1 << 20];
    let decoded = whole("huge.txt", &line);
    let lines = text_lines(&decoded);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].ends_with('…'));
    let wide_csv: Vec<u8> = b"a,".repeat(1 << 19);
    let decoded = whole("wide.csv", &wide_csv);
    assert_eq!(text_lines(&decoded).len(), 1);
}

#[test]
fn many_lines_are_capped() {
    let decoded = whole("n.txt", &b"x\n".repeat(MAX_LINES + 10));
    assert_eq!(text_lines(&decoded).len(), MAX_LINES);
    assert!(decoded.truncated);
    let csv = whole("n.csv", &b"1,2\n".repeat(MAX_LINES + 10));
    assert_eq!(table(&csv).1.len(), MAX_LINES - 1);
    assert!(csv.truncated);
}

/// xorshift64*: deterministic pseudo-random bytes without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Bytes biased towards the ones decoders care about.
    fn hostile_bytes(&mut self, len: usize) -> Vec<u8> {
        const INTERESTING: &[u8] = b",\"\n\r\x00\x1b\x1f\x8b\xff\xc3\xe2\x82\xf0\x9f a";
        (0..len)
            .map(|_| match self.below(3) {
                0 => INTERESTING[self.below(INTERESTING.len())],
                _ => self.next() as u8,
            })
            .collect()
    }
}

fn check_invariants(decoded: &Decoded, bytes: &[u8], size: u64) {
    if (bytes.len() as u64) < size {
        assert!(decoded.truncated);
    }
    match &decoded.preview {
        Preview::Csv { header, rows } => {
            assert!(!header.is_empty() && header.len() <= MAX_CSV_COLUMNS);
            assert!(rows.iter().all(|row| row.len() == header.len()));
        }
        Preview::Text { lines } => {
            assert!(lines.len() <= MAX_LINES);
            assert!(lines
                .iter()
                .all(|l| l.chars().count() <= MAX_LINE_CHARS + 1));
        }
        Preview::Hex { lines } => assert!(lines.iter().all(|l| l.starts_with('0'))),
        Preview::Empty => {}
    }
}

#[test]
fn never_panics_on_hostile_input() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let keys = [
        "a.csv",
        "a.csv.gz",
        "a.gz",
        "a.txt",
        "",
        "é.CSV.GZ",
        "x.gz€",
    ];
    for round in 0..400 {
        let len = if round % 50 == 0 {
            1 << 20
        } else {
            rng.below(4096)
        };
        let mut bytes = rng.hostile_bytes(len);
        if round % 3 == 0 {
            bytes = gzip(&bytes);
            bytes.truncate(rng.below(bytes.len() + 1));
        } else if round % 5 == 0 {
            bytes.splice(0..0, GZIP_MAGIC);
        }
        let key = keys[rng.below(keys.len())];
        let size = bytes.len() as u64 + [0, 1, 1 << 30][rng.below(3)];
        let decoded = decode(key, &bytes, size);
        check_invariants(&decoded, &bytes, size);
    }
}

#[test]
fn hostile_csv_shapes() {
    for text in [
        "\"",
        "\"\"",
        ",",
        "\n\n\n",
        "\"a\nb",
        "a,\"b\"\"",
        "\"x\"y,z\n1,2\n",
        "\r\n\r\n,",
        "a,b\n\"unterminated,1\n2,3\n",
    ] {
        for (key, size) in [("t.csv", text.len() as u64), ("t.csv", 1 << 20), ("t", 0)] {
            let decoded = decode(key, text.as_bytes(), size);
            check_invariants(&decoded, text.as_bytes(), size);
        }
    }
}
