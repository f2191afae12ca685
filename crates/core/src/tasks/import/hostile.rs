//! Hostile packages, made for tests of every entry point (core, pages, API,
//! CLI): each would make an unguarded reader allocate gigabytes.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::io::{Cursor, Read, Write};

use flate2::{Compress, Compression, FlushCompress};

/// A 6 kB workbook with cells only at A1 and XFD1048576: its used range is
/// 17 billion cells.
pub fn far_corner_workbook() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "Nội dung").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    workbook.save_to_buffer().unwrap()
}

/// A small valid workbook whose shared-string table declares
/// `uniqueCount="<unique_count>"` (e.g. `1e10`).
pub fn shared_strings_declaring(unique_count: &str) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, text) in ["Mã", "Nội dung", "Lĩnh vực", "Đơn vị chủ trì", "Thời hạn"]
        .into_iter()
        .enumerate()
    {
        sheet.write_string(0, col as u16, text).unwrap();
    }
    let bytes = workbook.save_to_buffer().unwrap();
    rewrite_entry(&bytes, "xl/sharedStrings.xml", |xml| {
        let start = xml.find("uniqueCount=\"").expect("uniqueCount") + "uniqueCount=\"".len();
        let end = start + xml[start..].find('"').unwrap();
        format!("{}{unique_count}{}", &xml[..start], &xml[end..])
    })
}

/// The same package with one text entry changed.
fn rewrite_entry(bytes: &[u8], name: &str, change: impl Fn(&str) -> String) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).unwrap();
        let entry_name = entry.name().unwrap().into_owned();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        if entry_name == name {
            content = change(&String::from_utf8(content).unwrap()).into_bytes();
        }
        out.start_file(entry_name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&content).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// What a bomb's entry says about its inflated size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Declared {
    /// The real size (about 4 GB).
    Honest,
    /// 4 kB: a reader trusting it stops there; one counting does not.
    Lying,
}

/// Bytes the bomb's entry inflates to: 4,000 MiB (under the 4 GiB a zip
/// entry can declare without ZIP64).
pub const BOMB_INFLATED: u64 = 4_000 * 1024 * 1024;

/// A ~4 MB package whose one entry (`xl/worksheets/sheet1.xml`, or
/// `word/document.xml` when `word`) inflates to 4,000 MiB of `<x/>`.
pub fn zip_bomb(word: bool, declared: Declared) -> Vec<u8> {
    let name = if word {
        "word/document.xml"
    } else {
        "xl/worksheets/sheet1.xml"
    };
    // One MiB compressed once, ending on a byte boundary (sync flush); the
    // stream is that chunk 4,000 times, then an empty final block.
    let pattern: Vec<u8> = b"<x/>".repeat(256 * 1024);
    let mut compress = Compress::new(Compression::best(), false);
    let mut chunk = Vec::with_capacity(64 * 1024);
    compress
        .compress_vec(&pattern, &mut chunk, FlushCompress::Sync)
        .unwrap();
    let mut data = chunk.repeat((BOMB_INFLATED / pattern.len() as u64) as usize);
    data.extend_from_slice(&[0x03, 0x00]);
    let size = match declared {
        Declared::Honest => BOMB_INFLATED as u32,
        Declared::Lying => 4096,
    };
    package_of_one(name, &data, size)
}

/// A zip with one deflated entry, written field by field (CRC left 0: no
/// reader that counts gets to check it).
fn package_of_one(name: &str, data: &[u8], declared: u32) -> Vec<u8> {
    let compressed = u32::try_from(data.len()).unwrap();
    let name_len = u16::try_from(name.len()).unwrap();
    let mut out = Vec::with_capacity(data.len() + 200);
    let common = |out: &mut Vec<u8>| {
        for v in [20u16, 0, 8, 0, 0x21] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        for v in [0u32, compressed, declared] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    };
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    common(&mut out);
    out.extend_from_slice(&name_len.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(data);
    let directory = out.len() as u32;
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&20u16.to_le_bytes());
    common(&mut out);
    for v in [name_len, 0, 0, 0, 0] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name.as_bytes());
    let directory_len = out.len() as u32 - directory;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, 1, 1] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&directory_len.to_le_bytes());
    out.extend_from_slice(&directory.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}
