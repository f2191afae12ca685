//! Workbooks built to exhaust memory are refused before any reader builds
//! anything from them: a used range of 17 billion cells, a shared-string
//! table declaring 10^10 or 10^18 entries, a 4 MB package inflating to
//! 4 GB (with its real size, a lying size, and as a Word body).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use dondoc_core::tasks::import::{
    self, ImportRefused,
    hostile::{self, Declared},
};

fn refused(bytes: &[u8], name: &str) -> ImportRefused {
    match import::read_rows(bytes, name) {
        Ok(rows) => panic!("{name} was read ({} rows)", rows.len()),
        Err(refused) => refused,
    }
}

#[test]
fn cells_at_a1_and_xfd1048576_are_too_large() {
    let bytes = hostile::far_corner_workbook();
    assert!(bytes.len() < 8 * 1024, "{} bytes", bytes.len());
    let refusal = refused(&bytes, "corner.xlsx");
    assert!(refusal.too_large, "{refusal}");
    assert!(refusal.to_string().contains("1048576"), "{refusal}");
}

#[test]
fn shared_string_counts_that_are_not_plain_numbers_are_malformed() {
    for count in ["1e10", "1e18", "-1", ""] {
        let refusal = refused(&hostile::shared_strings_declaring(count), "s.xlsx");
        assert!(!refusal.too_large, "{count}: {refusal}");
        assert!(
            refusal.to_string().contains("uniqueCount"),
            "{count}: {refusal}"
        );
    }
    let refusal = refused(&hostile::shared_strings_declaring("10000000000"), "s.xlsx");
    assert!(refusal.too_large, "{refusal}");
    // Within the limit it is an ordinary (headers-only) workbook.
    let refusal = refused(&hostile::shared_strings_declaring("5"), "s.xlsx");
    assert!(!refusal.too_large);
    let vietnamese = refusal.problems[0].localized(dondoc_core::messages::Lang::Vi);
    assert!(
        vietnamese.contains("không có dòng nhiệm vụ"),
        "{vietnamese}"
    );
    assert!(refusal.to_string().contains("no task rows"), "{refusal}");
}

#[test]
fn zip_bombs_are_too_large_whatever_they_declare_and_quickly() {
    for (word, declared, name) in [
        (false, Declared::Honest, "bomb.xlsx"),
        (false, Declared::Lying, "bomb.xlsx"),
        (true, Declared::Honest, "bomb.docx"),
        (true, Declared::Lying, "bomb.docx"),
    ] {
        let bytes = hostile::zip_bomb(word, declared);
        assert!(
            (3_000_000..6_000_000).contains(&bytes.len()),
            "{} bytes",
            bytes.len()
        );
        let started = Instant::now();
        let refusal = refused(&bytes, name);
        assert!(refusal.too_large, "{name} {declared:?}: {refusal}");
        let text = refusal.to_string();
        match declared {
            Declared::Honest => assert!(text.contains("100 MB"), "{text}"),
            Declared::Lying => assert!(text.contains("khai báo"), "{text}"),
        }
        assert!(started.elapsed() < Duration::from_secs(30), "{name}");
    }
}

#[tokio::test]
async fn off_the_workers_the_same_answers() {
    let refusal = import::read_rows_off_thread(hostile::far_corner_workbook(), "c.xlsx".into())
        .await
        .unwrap()
        .unwrap_err();
    assert!(refusal.too_large);
    let good = "Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\nA-1,x,finance,TCKH,01/01/2027\n";
    let rows = import::read_rows_off_thread(good.as_bytes().to_vec(), "g.csv".into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.len(), 1);
}

#[test]
fn a_sparse_sheet_keeps_its_columns_and_row_numbers() {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, text) in ["Mã", "Nội dung", "Lĩnh vực", "Đơn vị chủ trì", "Thời hạn"]
        .into_iter()
        .enumerate()
    {
        sheet.write_string(4, col as u16 + 2, text).unwrap();
    }
    for (col, text) in ["B-2", "y", "finance", "TCKH", "02/02/2027"]
        .into_iter()
        .enumerate()
    {
        sheet.write_string(24_000, col as u16 + 2, text).unwrap();
    }
    let rows = import::read_rows(&workbook.save_to_buffer().unwrap(), "s.xlsx").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 24_001);
    assert_eq!(rows[0].cells.len(), 5);
}
