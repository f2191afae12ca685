//! Annexes as district offices write them, made here as .xlsx, .csv and
//! .docx: rows numbered "STT" with no code column, section rows merged
//! across ("I. LĨNH VỰC KINH TẾ"), a lead unit merged down several rows,
//! deadlines as written ("Quý II/2027", "6 tháng đầu năm", "Thường xuyên"),
//! units and leaders as written ("Phòng TN&MT", "Xã Lạc An", "PCT Lê Văn
//! Thịnh"). Each imports with the expected tasks on SQLite and PostgreSQL;
//! a faulty one is refused whole with every problem named by row and column.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;

use chrono::NaiveDate;
use dondoc_core::{
    Clock, Settings,
    db::Db,
    entity::{department, recurring_series, task, user},
    org::departments::{self, NewDepartment},
    tasks::import::{
        self, ImportOptions, ImportReport,
        samples::{annex_docx_30, docx, header_row, tc},
    },
    testing,
};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

fn clock() -> Clock {
    Clock::pinned_today(
        chrono_tz::Asia::Ho_Chi_Minh,
        NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
    )
}

fn options(confirm_recurring: bool) -> ImportOptions {
    options_for(2027, confirm_recurring)
}

fn options_for(year: i32, confirm_recurring: bool) -> ImportOptions {
    ImportOptions {
        year,
        today: NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
        confirm_recurring,
    }
}

/// One imported task as the tests compare it.
#[derive(Debug, PartialEq)]
struct Got {
    lead: String,
    leader: Option<String>,
    field: String,
    due: String,
    due_text: Option<String>,
}

async fn imported(db: &Db, codes: &[&str]) -> HashMap<String, Got> {
    imported_in(db, 2027, codes).await
}

async fn imported_in(db: &Db, year: i32, codes: &[&str]) -> HashMap<String, Got> {
    let programme = dondoc_core::org::programmes::find_by_year(db, year)
        .await
        .unwrap()
        .unwrap();
    let departments: HashMap<i64, String> = department::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect();
    let users: HashMap<i64, String> = user::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|u| (u.id, u.username))
        .collect();
    let mut out = HashMap::new();
    for t in task::Entity::find()
        .filter(task::Column::Code.is_in(codes.iter().copied()))
        .filter(task::Column::ProgrammeId.eq(programme.id))
        .all(db)
        .await
        .unwrap()
    {
        out.insert(
            t.code.clone(),
            Got {
                lead: departments[&t.lead_department_id].clone(),
                leader: t.leader_in_charge_id.map(|id| users[&id].clone()),
                field: t.field_code.clone(),
                due: t.due_date.to_string(),
                due_text: t.due_text.clone(),
            },
        );
    }
    out
}

fn got(lead: &str, leader: Option<&str>, field: &str, due: &str, text: Option<&str>) -> Got {
    Got {
        lead: lead.into(),
        leader: leader.map(str::to_string),
        field: field.into(),
        due: due.into(),
        due_text: text.map(str::to_string),
    }
}

async fn run(db: &Db, bytes: Vec<u8>, name: &str, recurring: bool) -> ImportReport {
    run_for(db, 2027, bytes, name, recurring).await
}

async fn run_for(db: &Db, year: i32, bytes: Vec<u8>, name: &str, recurring: bool) -> ImportReport {
    import::import(
        db,
        &clock(),
        "UBND huyện",
        None,
        bytes,
        name,
        options_for(year, recurring),
    )
    .await
    .unwrap()
    .unwrap_or_else(|refused| panic!("{name} refused:\n{refused}"))
}

/// Annex 1 (.xlsx): title rows, STT only, section rows merged across, the
/// lead unit merged down three rows, a Lĩnh vực column, mixed deadlines.
fn annex_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let plain = Format::new();
    sheet.merge_range(0, 0, 0, 6, "PHỤ LỤC I", &plain).unwrap();
    sheet
        .merge_range(1, 0, 1, 6, "DANH MỤC NHIỆM VỤ TRỌNG TÂM NĂM 2027", &plain)
        .unwrap();
    for (col, name) in [
        "STT",
        "Nội dung nhiệm vụ",
        "Lĩnh vực",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian hoàn thành",
        "Lãnh đạo UBND phụ trách",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(3, col as u16, *name).unwrap();
    }
    sheet
        .merge_range(4, 0, 4, 6, "I. LĨNH VỰC KINH TẾ", &plain)
        .unwrap();
    let rows: [(&str, &str, &str, &str, &str); 3] = [
        (
            "Thu ngân sách đạt dự toán",
            "finance",
            "TC-KH",
            "Quý II/2027",
            "PCT Lê Văn Thịnh",
        ),
        (
            "Giải ngân vốn đầu tư công",
            "finance",
            "",
            "Tháng 6/2027",
            "pct.kinhte",
        ),
        (
            "Rà soát nợ đọng thuế",
            "finance",
            "",
            "",
            "Phó Chủ tịch UBND huyện Lê Văn Thịnh",
        ),
    ];
    for (i, (title, field, coord, due, leader)) in rows.iter().enumerate() {
        let r = 5 + i as u32;
        sheet.write_number(r, 0, (i + 1) as f64).unwrap();
        sheet.write_string(r, 1, *title).unwrap();
        sheet.write_string(r, 2, *field).unwrap();
        sheet.write_string(r, 4, *coord).unwrap();
        if !due.is_empty() {
            sheet.write_string(r, 5, *due).unwrap();
        }
        sheet.write_string(r, 6, *leader).unwrap();
    }
    // The lead unit merged down the three rows.
    sheet
        .merge_range(5, 3, 7, 3, "Phòng TC-KH", &plain)
        .unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    sheet
        .write_datetime_with_format(7, 5, ExcelDateTime::from_ymd(2027, 9, 15).unwrap(), &date)
        .unwrap();
    sheet
        .merge_range(8, 0, 8, 6, "II. LĨNH VỰC TÀI NGUYÊN – MÔI TRƯỜNG", &plain)
        .unwrap();
    sheet.write_number(9, 0, 1.0).unwrap();
    sheet.write_string(9, 1, "Cập nhật bảng giá đất").unwrap();
    sheet.write_string(9, 2, "environment").unwrap();
    sheet.write_string(9, 3, "Phòng TN&MT").unwrap();
    sheet.write_string(9, 4, "VPĐKĐĐ; Xã Lạc An").unwrap();
    sheet.write_string(9, 5, "6 tháng đầu năm").unwrap();
    sheet
        .write_string(9, 6, "Chủ tịch UBND huyện Trần Quốc Khánh")
        .unwrap();
    workbook.save_to_buffer().unwrap()
}

/// Annex 2 (.csv, `;`): no Lĩnh vực column, sections named after fields,
/// units and deadlines as written, one "Thường xuyên".
const ANNEX_CSV: &str = "\u{feff}PHỤ LỤC II\n\
KẾ HOẠCH THỰC HIỆN NĂM 2027\n\
STT;Nội dung;Đơn vị chủ trì;Đơn vị phối hợp;Thời hạn;Lãnh đạo phụ trách;Ghi chú\n\
(1);(2);(3);(4);(5);(6);(7)\n\
I;TÀI CHÍNH – NGÂN SÁCH;;;;;\n\
1;Thu tiền sử dụng đất;UBND xã Lạc An;TN&MT;Trước 30/6/2027;PCT Lê Văn Thịnh;\n\
2;Kiểm tra quyết toán xã;Phòng Tài chính Kế hoạch;Xã Tân Mỹ, Thị trấn Tân Thành;30/9;Trần Quốc Khánh;\n\
II;VĂN HÓA – XÃ HỘI;;;;;\n\
1;Tuyên truyền ngày lễ;VH-TT;;Thường xuyên;PCT Nguyễn Thị Mỹ Hạnh;hằng tháng báo cáo\n\
2;Chi trả trợ cấp;LĐ-TB&XH;;Quý IV;pct.vanhoa;\n";

/// Annex 4 (.xlsx): with a code column; an alias the admin added.
fn annex_xlsx_codes() -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let rows = [
        [
            "Mã",
            "Nội dung",
            "Lĩnh vực",
            "Đơn vị chủ trì",
            "Đơn vị phối hợp",
            "Thời hạn",
        ],
        [
            "XD-01",
            "Khởi công trường học",
            "Quy hoạch, đô thị, xây dựng",
            "Ban QLDA",
            "TC-KH; VH-TT",
            "Quý III/2027",
        ],
        [
            "XD-02",
            "Nghiệm thu cầu",
            "planning_construction",
            "ban qlda",
            "",
            "Hằng quý",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *text).unwrap();
        }
    }
    workbook.save_to_buffer().unwrap()
}

/// Annex 5 (.docx): rows under no section get the field's code; "Hằng năm".
fn annex_docx_small() -> Vec<u8> {
    let mut header: Vec<String> = header_row();
    header.insert(2, tc("Lĩnh vực", 1, None));
    let rows = vec![
        header,
        vec![
            tc("1", 1, None),
            tc("Tổng kết công tác năm", 1, None),
            tc("Chỉ đạo, điều hành", 1, None),
            tc("Văn phòng HĐND và UBND huyện", 1, None),
            tc("", 1, None),
            tc("Hằng năm", 1, None),
            tc("Chủ tịch UBND huyện Trần Quốc Khánh", 1, None),
        ],
        vec![
            tc("2", 1, None),
            tc("Báo cáo kinh tế - xã hội", 1, None),
            tc("administration", 1, None),
            tc("VP", 1, None),
            tc("", 1, None),
            tc("Tháng 6/2027", 1, None),
            tc("", 1, None),
        ],
    ];
    docx(&rows)
}

async fn seeded() -> Vec<testing::TestDatabase> {
    let settings = Settings::defaults().unwrap();
    let mut out = Vec::new();
    for t in testing::databases().await {
        dondoc_seed::demo::seed(&t.db, &clock(), &settings)
            .await
            .unwrap();
        out.push(t);
    }
    out
}

#[tokio::test]
async fn five_real_annexes_import_with_the_expected_tasks() {
    for t in seeded().await {
        let db = &t.db;
        let series_before = recurring_series::Entity::find().count(db).await.unwrap();
        // 1. The .xlsx with merged rows.
        let report = run(db, annex_xlsx(), "phu-luc-1.xlsx", false).await;
        assert_eq!(
            report.codes,
            ["KT-01", "KT-02", "KT-03", "TNMT-01"],
            "{t:?}"
        );
        let tasks = imported(db, &["KT-01", "KT-02", "KT-03", "TNMT-01"]).await;
        assert_eq!(
            tasks["KT-01"],
            got(
                "TCKH",
                Some("pct.kinhte"),
                "finance",
                "2027-06-30",
                Some("Quý II/2027")
            )
        );
        assert_eq!(
            tasks["KT-02"],
            got(
                "TCKH",
                Some("pct.kinhte"),
                "finance",
                "2027-06-30",
                Some("Tháng 6/2027")
            )
        );
        // Merged down: the third row is TC-KH's too; a date cell is a plain date.
        assert_eq!(
            tasks["KT-03"],
            got("TCKH", Some("pct.kinhte"), "finance", "2027-09-15", None)
        );
        assert_eq!(
            tasks["TNMT-01"],
            got(
                "TNMT",
                Some("chutich"),
                "environment",
                "2027-06-30",
                Some("6 tháng đầu năm")
            )
        );

        // 2. The .csv: refused until the recurring row is confirmed.
        let bytes = ANNEX_CSV.as_bytes().to_vec();
        let refused = import::import(
            db,
            &clock(),
            "UBND",
            None,
            bytes.clone(),
            "phu-luc-2.csv",
            options(false),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert_eq!(refused.problems.len(), 1, "{refused}");
        assert_eq!(refused.problems[0].row, 9);
        assert_eq!(refused.problems[0].column, "Thời hạn");
        assert!(
            refused.problems[0]
                .localized(dondoc_core::messages::Lang::Vi)
                .starts_with("Dòng 9, cột Thời hạn: Thời hạn «Thường xuyên»"),
            "{:?}",
            refused.problems
        );
        let report = run(db, bytes, "phu-luc-2.csv", true).await;
        assert_eq!(report.codes, ["TCNS-01", "TCNS-02", "VHXH-01", "VHXH-02"]);
        assert_eq!(report.recurring, 1);
        let tasks = imported(db, &["TCNS-01", "TCNS-02", "VHXH-01", "VHXH-02"]).await;
        assert_eq!(
            tasks["TCNS-01"],
            got(
                "XA-LAC-AN",
                Some("pct.kinhte"),
                "finance",
                "2027-06-30",
                Some("Trước 30/6/2027")
            )
        );
        assert_eq!(
            tasks["TCNS-02"],
            got(
                "TCKH",
                Some("chutich"),
                "finance",
                "2027-09-30",
                Some("30/9")
            )
        );
        assert_eq!(
            tasks["VHXH-01"],
            got(
                "VHTT",
                Some("pct.vanhoa"),
                "culture_society",
                "2027-01-31",
                Some("Thường xuyên")
            )
        );
        assert_eq!(
            tasks["VHXH-02"],
            got(
                "LDTBXH",
                Some("pct.vanhoa"),
                "culture_society",
                "2027-12-31",
                Some("Quý IV")
            )
        );

        // 3. The Word annex of 30 tasks (next year's programme: its codes
        // are those of annex 2 again).
        let (bytes, codes) = annex_docx_30();
        let report = run_for(db, 2028, bytes, "ke-hoach.docx", false).await;
        assert_eq!(report.codes, codes);
        let tasks = imported_in(db, 2028, &codes).await;
        assert_eq!(tasks.len(), 30);
        for code in &codes[..5] {
            assert_eq!(tasks[*code].lead, "TCKH", "{code}: merged down");
        }
        assert_eq!(tasks["TCNS-01"].due, "2027-03-31");
        assert_eq!(tasks["TCNS-01"].due_text.as_deref(), Some("Quý I/2027"));
        assert_eq!(tasks["TCNS-10"].due, "2027-12-31");
        assert_eq!(tasks["TCNS-10"].due_text, None, "a plain date");
        assert_eq!(tasks["VHXH-03"].lead, "LDTBXH");
        assert_eq!(tasks["VHXH-04"].lead, "GDDT");
        assert_eq!(tasks["TNMT-02"].lead, "XA-LAC-AN");
        assert_eq!(tasks["TNMT-03"].lead, "XA-TAN-MY");
        assert_eq!(tasks["TNMT-04"].lead, "TT-TAN-THANH");
        assert_eq!(tasks["TNMT-05"].lead, "NNPTNT");
        assert_eq!(tasks["TNMT-01"].field, "environment");
        assert_eq!(tasks["VHXH-01"].field, "culture_society");
        assert_eq!(tasks["TNMT-02"].leader.as_deref(), Some("chutich"));

        // 4. With codes, and an alias the admin added.
        let admin = dondoc_core::accounts::principal::Principal {
            user_id: 1,
            username: "admin".into(),
            full_name: "Admin".into(),
            role: dondoc_core::domain::Role::Admin,
            department_id: None,
            department_code: None,
            department_name: None,
            language: Default::default(),
            token_id: 0,
            token_kind: dondoc_core::accounts::principal::TokenKind::Api,
            csrf_token: None,
            must_change_password: false,
        };
        dondoc_core::org::aliases::add(db, &clock(), &admin, "BQLDA", "Ban QLDA")
            .await
            .unwrap();
        let report = run(db, annex_xlsx_codes(), "xay-dung.xlsx", true).await;
        assert_eq!(report.codes, ["XD-01", "XD-02"]);
        assert_eq!(report.recurring, 1);
        let tasks = imported(db, &["XD-01", "XD-02"]).await;
        assert_eq!(tasks["XD-01"].lead, "BQLDA");
        assert_eq!(tasks["XD-01"].due, "2027-09-30");
        assert_eq!(tasks["XD-02"].due, "2027-03-31", "first quarter's last day");

        // 5. Rows under no section: the field's code.
        let report = run(db, annex_docx_small(), "tong-ket.docx", true).await;
        assert_eq!(report.codes, ["ADMINISTRATION-01", "ADMINISTRATION-02"]);
        let tasks = imported(db, &["ADMINISTRATION-01", "ADMINISTRATION-02"]).await;
        assert_eq!(tasks["ADMINISTRATION-01"].due, "2027-12-31");
        assert_eq!(
            tasks["ADMINISTRATION-01"].leader.as_deref(),
            Some("chutich")
        );
        assert_eq!(tasks["ADMINISTRATION-02"].lead, "VP");
        assert_eq!(
            recurring_series::Entity::find().count(db).await.unwrap(),
            series_before + 3,
            "Thường xuyên, Hằng quý, Hằng năm"
        );
    }
}

#[tokio::test]
async fn the_same_file_gives_the_same_codes_in_a_fresh_database() {
    let (bytes, codes) = annex_docx_30();
    for t in seeded().await {
        let rows = import::read_rows(&bytes, "ke-hoach.docx").unwrap();
        let first = import::check(&t.db, &rows, options(false))
            .await
            .unwrap()
            .unwrap();
        let again = import::check(&t.db, &rows, options(false))
            .await
            .unwrap()
            .unwrap();
        let a: Vec<String> = first.iter().map(|r| r.task.code.to_string()).collect();
        let b: Vec<String> = again.iter().map(|r| r.task.code.to_string()).collect();
        assert_eq!(a, codes);
        assert_eq!(a, b);
        assert!(first.iter().all(|r| r.code_generated));
    }
}

#[tokio::test]
async fn a_faulty_annex_names_every_problem_and_writes_nothing() {
    for t in seeded().await {
        let db = &t.db;
        for (code, name) in [
            ("QLDTA", "Phòng Quản lý đô thị"),
            ("QLDTB", "Phòng Quản lý đầu tư"),
        ] {
            departments::create(
                db,
                &clock(),
                NewDepartment {
                    code: code.into(),
                    name: name.into(),
                    kind: "office".into(),
                    email: None,
                },
            )
            .await
            .unwrap();
        }
        let before = task::Entity::find().count(db).await.unwrap();
        let csv = "STT,Nội dung,Đơn vị chủ trì,Đơn vị phối hợp,Thời hạn,Lãnh đạo phụ trách\n\
                   I,TÀI CHÍNH – NGÂN SÁCH,,,,\n\
                   1,Đúng,TC-KH,,Quý II/2027,\n\
                   2,Hạn lạ,TC-KH,,sớm nhất có thể,\n\
                   3,Đơn vị hai nghĩa,QLĐT,,Quý II,\n\
                   4,Lãnh đạo hai nghĩa,TC-KH,,Quý II,PCT\n\
                   5,Đơn vị không có,Phòng Ma,Xã Không Có,Quý II,\n\
                   6,Định kỳ chưa xác nhận,TC-KH,,Hằng tháng,\n\
                   II,LĨNH VỰC KHÁC,,,,\n\
                   1,Mục không phải lĩnh vực,TC-KH,,Quý V,\n";
        let refused = import::import(
            db,
            &clock(),
            "UBND",
            None,
            csv.as_bytes().to_vec(),
            "loi.csv",
            options(false),
        )
        .await
        .unwrap()
        .unwrap_err();
        let vi: Vec<String> = refused
            .problems
            .iter()
            .map(|p| p.localized(dondoc_core::messages::Lang::Vi))
            .collect();
        let en: Vec<String> = refused.problems.iter().map(ToString::to_string).collect();
        for expected in [
            "Dòng 4, cột Thời hạn: Không hiểu thời hạn «sớm nhất có thể»",
            "Dòng 5, cột Đơn vị chủ trì: «QLĐT» có thể là Phòng Quản lý đô thị (QLDTA) hoặc Phòng Quản lý đầu tư (QLDTB)",
            "Dòng 6, cột Lãnh đạo phụ trách: «PCT» có thể là",
            "Dòng 7, cột Đơn vị chủ trì",
            "Dòng 7, cột Đơn vị phối hợp",
            "Dòng 8, cột Thời hạn: Thời hạn «Hằng tháng» là nhiệm vụ định kỳ",
            "Dòng 10, cột Lĩnh vực: Mục «LĨNH VỰC KHÁC» không ứng với lĩnh vực nào",
            "Dòng 10, cột Thời hạn",
        ] {
            assert!(
                vi.iter().any(|l| l.starts_with(expected)),
                "{expected} missing from {vi:#?}"
            );
        }
        assert!(!vi.iter().any(|l| l.starts_with("Dòng 3")), "{vi:#?}");
        assert!(
            en.iter()
                .any(|l| l.starts_with("row 5, column Đơn vị chủ trì: “QLĐT” could be")),
            "{en:#?}"
        );
        assert_eq!(task::Entity::find().count(db).await.unwrap(), before);
    }
}
