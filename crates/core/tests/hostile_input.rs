//! Hostile files and configuration: arbitrary bytes, truncated workbooks,
//! huge cells, formulas, wrong encodings. Never a panic; always an error
//! that names a row and column (or the file); never a partial import.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use dondoc_core::{Clock, Settings, config::ConfigSources, entity::task, tasks::import, testing};
use proptest::prelude::*;
use sea_orm::{EntityTrait, PaginatorTrait};

fn good_xlsx() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "PHỤ LỤC").unwrap();
    for (col, name) in [
        "STT",
        "Mã",
        "Nội dung",
        "Lĩnh vực",
        "Đơn vị chủ trì",
        "Thời hạn",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(2, col as u16, *name).unwrap();
    }
    sheet.write_number(3, 0, 1.0).unwrap();
    sheet.write_string(3, 1, "X-01").unwrap();
    sheet
        .write_string(3, 2, "Giải phóng mặt bằng đường Thủ Biên – Đất Cuốc")
        .unwrap();
    sheet.write_string(3, 3, "site_clearance").unwrap();
    sheet.write_string(3, 4, "TTPTQD").unwrap();
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(
            3,
            5,
            rust_xlsxwriter::ExcelDateTime::from_ymd(2027, 3, 31).unwrap(),
            &date_format,
        )
        .unwrap();
    workbook.save_to_buffer().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096), csv in any::<bool>()) {
        let name = if csv { "f.csv" } else { "f.xlsx" };
        let _ = import::read_rows(&bytes, name);
    }

    #[test]
    fn truncated_or_corrupted_workbooks_are_refused_not_panicking(cut in 0usize..4000, flip in 0usize..4000, byte in any::<u8>()) {
        let mut bytes = good_xlsx();
        if flip < bytes.len() {
            bytes[flip] ^= byte;
        }
        bytes.truncate(cut.min(bytes.len()));
        let _ = import::read_rows(&bytes, "programme.xlsx");
    }

    #[test]
    fn arbitrary_csv_text_never_panics(text in ".{0,600}") {
        let csv = format!("Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\n{text}");
        let _ = import::read_rows(csv.as_bytes(), "f.csv");
    }

    #[test]
    fn arbitrary_config_text_is_an_error_not_a_panic(text in ".{0,300}") {
        let _ = Settings::load(&ConfigSources {
            dir: Some("/nonexistent".into()),
            overrides: Some(text),
            ..Default::default()
        });
    }
}

#[test]
fn a_real_workbook_with_an_excel_date_is_read() {
    let rows = import::read_rows(&good_xlsx(), "programme.xlsx").unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].row, 4, "the row number Excel shows");
    assert_eq!(
        rows[0].cells.get(&import::Column::Due),
        Some(&import::Cell::Date(
            NaiveDate::from_ymd_opt(2027, 3, 31).unwrap()
        ))
    );
}

#[test]
fn latin1_csv_and_huge_cells_get_a_clear_error() {
    let latin1 = b"M\xe3,N\xf4i dung\n1,x\n";
    let err = import::read_rows(latin1, "f.csv").unwrap_err().to_string();
    assert!(err.contains("UTF-8"), "{err}");
    let huge = format!(
        "Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\nA,{},finance,TCKH,01/01/2027\n",
        "x".repeat(200_000)
    );
    let rows = import::read_rows(huge.as_bytes(), "f.csv").unwrap();
    // The title is cut just past the limit so validation names it as too long.
    assert!(rows[0].cells[&import::Column::Title] != import::Cell::Text(String::new()));
}

#[tokio::test]
async fn a_file_with_bad_rows_is_refused_whole_and_each_bad_row_is_named() {
    let settings = Settings::defaults().unwrap();
    let clock = Clock::pinned_today(
        chrono_tz::Asia::Ho_Chi_Minh,
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    );
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock, &settings)
            .await
            .unwrap();
        let before = task::Entity::find().count(&t.db).await.unwrap();
        let csv = "DANH MỤC NHIỆM VỤ NĂM 2027\n\
                   Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn,Lãnh đạo phụ trách\n\
                   A-01,Đúng hết,Tài chính – ngân sách,TCKH,BQLDA; Phòng Tài nguyên và Môi trường,31/03/2027,chutich\n\
                   A-02,Ngày sai,finance,TCKH,,31/02/2027,\n\
                   A-03,Đơn vị sai,finance,PHONG-KHONG-CO,,31/03/2027,\n\
                   A-01,Trùng mã,finance,TCKH,,31/03/2027,\n\
                   A-05,=HYPERLINK(\"http://x\"),lĩnh vực lạ,TCKH,XA-KHONG-CO,2027-04-01,ai-do\n";
        let result = import::import(
            &t.db,
            &clock,
            "UBND",
            None,
            csv.as_bytes().to_vec(),
            "chuong-trinh.csv",
            import::ImportOptions {
                year: 2027,
                today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                confirm_recurring: false,
            },
        )
        .await
        .unwrap();
        let refused = result.expect_err("the file must be refused");
        let lines: Vec<String> = refused.problems.iter().map(ToString::to_string).collect();
        for expected in [
            "row 4, column Thời hạn",
            "row 5, column Đơn vị chủ trì",
            "row 6, column Mã",
            "row 7, column Lĩnh vực",
            "row 7, column Đơn vị phối hợp",
            "row 7, column Lãnh đạo phụ trách",
        ] {
            assert!(
                lines.iter().any(|l| l.starts_with(expected)),
                "{expected} missing from {lines:#?}"
            );
        }
        assert!(
            !lines.iter().any(|l| l.starts_with("row 3")),
            "row 3 is good: {lines:#?}"
        );
        assert_eq!(
            task::Entity::find().count(&t.db).await.unwrap(),
            before,
            "nothing written ({t:?})"
        );

        // The same file with the rows fixed imports every row, formula text stored as text.
        let fixed = csv
            .replace("31/02/2027", "28/02/2027")
            .replace("PHONG-KHONG-CO", "TNMT")
            .replace("A-01,Trùng mã", "A-04,Trùng mã")
            .replace(
                "lĩnh vực lạ,TCKH,XA-KHONG-CO",
                "Chỉ đạo điều hành,TCKH,XA-TAN-MY",
            )
            .replace(",ai-do", ",Trần Quốc Khánh");
        let report = import::import(
            &t.db,
            &clock,
            "UBND",
            None,
            fixed.as_bytes().to_vec(),
            "chuong-trinh.csv",
            import::ImportOptions {
                year: 2027,
                today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
                confirm_recurring: false,
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(report.imported, 5);
        assert_eq!(task::Entity::find().count(&t.db).await.unwrap(), before + 5);
    }
}

#[test]
fn the_sample_import_file_in_docs_parses() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/sample-import.csv"
    ))
    .unwrap();
    let rows = import::read_rows(&bytes, "sample-import.csv").unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0].row, 4);
}
