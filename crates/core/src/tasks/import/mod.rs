//! Importing a year's work programme from the office's annex: Excel
//! (.xlsx), CSV or the annex table of a Word document (.docx). The header row may sit below title rows ("PHỤ LỤC", "DANH MỤC
//! NHIỆM VỤ…") and is found by its column names, in Vietnamese or English,
//! without regard to case or diacritics. The import is all or nothing:
//! every bad row is reported as `row N, column X: reason` (N as the
//! spreadsheet shows it) and nothing is written unless every row is good.
//!
//! `read` (and `docx`) turn the file into rows of cells under known
//! columns; `check` reads what each cell says (codes made when the annex
//! has none, deadlines as written, names as written); this file writes them.

mod check;
pub mod deadline;
mod docx;
mod grid;
mod guard;
#[cfg(any(test, feature = "testing"))]
pub mod hostile;
pub mod names;
mod offload;
mod read;
#[cfg(any(test, feature = "testing"))]
pub mod samples;
pub mod staging;

pub use check::{CheckedRow, ImportOptions, check};

pub use grid::Cell;
pub use offload::{MAX_PARALLEL_READS, READ_BUDGET, read_rows_off_thread};
pub use read::{Column, RawRow, read_rows};

use std::fmt;

use dondoc_i18n::Arg;
use sea_orm::EntityTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    db::{self, Db},
    entity::task,
    error::{Error, Result},
    messages::{Lang, Msg},
    tasks::bulk_insert::{self, NewRow},
    tasks::history::action,
    tasks::recurrence,
};

pub use guard::MAX_FILE_BYTES;
/// The zip-bomb guard, also run on attached office files.
pub use guard::{Refusal as PackageRefusal, check_package};

/// More rows than this is not a work programme.
pub const MAX_ROWS: usize = 20_000;

/// One problem with the file, located as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The row number the spreadsheet shows (the line number in a CSV, the
    /// row of the table in a Word annex); 0 for the file as a whole.
    pub row: usize,
    /// The column's contract name, e.g. `Thời hạn`; empty for the file or the row as a whole.
    pub column: String,
    /// In Vietnamese.
    pub message: String,
    /// The same in English.
    pub message_en: String,
}

/// In English, like the command line that prints it.
impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Lang::En))
    }
}

impl ImportProblem {
    /// A problem worded by the `key` of `import.ftl`, in both languages.
    pub fn new(row: usize, column: &str, key: &str, args: &[(&str, Arg)]) -> Self {
        Self {
            row,
            column: column.to_string(),
            message: dondoc_i18n::text_with(Lang::Vi, key, args),
            message_en: dondoc_i18n::text_with(Lang::En, key, args),
        }
    }

    /// A problem worded by a message of the core.
    pub fn of_msg(row: usize, column: &str, msg: &Msg) -> Self {
        Self {
            row,
            column: column.to_string(),
            message: msg.text(Lang::Vi),
            message_en: msg.text(Lang::En),
        }
    }

    /// The message in `lang`.
    pub fn message_in(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.message_en.is_empty() => &self.message_en,
            _ => &self.message,
        }
    }

    /// The same, worded for the reader: `Dòng N, cột X: …` in Vietnamese,
    /// `row N, column X: …` in English (`import-problem-*` in `import.ftl`).
    pub fn localized(&self, lang: Lang) -> String {
        let key = match (self.row, self.column.is_empty()) {
            (0, _) => "import-problem-file",
            (_, true) => "import-problem-row",
            (_, false) => "import-problem-cell",
        };
        dondoc_i18n::text_with(
            lang,
            key,
            &[
                ("row", self.row.into()),
                ("column", self.column.as_str().into()),
                ("message", self.message_in(lang).into()),
            ],
        )
    }
}

/// Why a file was refused: every problem found.
#[derive(Debug, Clone)]
pub struct ImportRefused {
    pub problems: Vec<ImportProblem>,
    /// Refused for its size (HTTP 413), not for what it says (422).
    pub too_large: bool,
}

impl ImportRefused {
    /// Problems with rows or cells.
    pub fn rows(problems: Vec<ImportProblem>) -> Self {
        Self {
            problems,
            too_large: false,
        }
    }

    /// The file as a whole cannot be read (a reader's own words).
    pub fn file(message: String) -> Self {
        Self::rows(vec![ImportProblem {
            row: 0,
            column: String::new(),
            message_en: message.clone(),
            message,
        }])
    }

    /// The file as a whole cannot be read, worded by `key` of `import.ftl`.
    pub fn file_key(key: &str, args: &[(&str, Arg)]) -> Self {
        Self::rows(vec![ImportProblem::new(0, "", key, args)])
    }

    /// The file is over a size limit.
    pub fn too_large(message: String) -> Self {
        Self {
            too_large: true,
            ..Self::file(message)
        }
    }
}

impl fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub year: i32,
    pub imported: usize,
    pub codes: Vec<String>,
    /// How many of the tasks recur (their deadline said "Thường xuyên", "Hằng quý", …).
    pub recurring: usize,
}

/// Parses, checks and — only if every row is good — inserts every task in
/// one transaction (with the series of the recurring ones).
pub async fn import(
    db: &Db,
    clock: &Clock,
    organization: &str,
    actor_id: Option<i64>,
    bytes: Vec<u8>,
    file_name: &str,
    options: ImportOptions,
) -> Result<std::result::Result<ImportReport, ImportRefused>> {
    let year = options.year;
    let rows = match read_rows_off_thread(bytes, file_name.to_string()).await? {
        Ok(rows) => rows,
        Err(refused) => return Ok(Err(refused)),
    };
    let checked = match check(db, &rows, options).await? {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    let codes: Vec<String> = checked.iter().map(|r| r.task.code.to_string()).collect();
    let rows: Vec<NewRow> = checked
        .iter()
        .map(|row| NewRow {
            task: row.task.clone(),
            due_text: row.due_text.clone(),
            note: Some(format!("Nhập từ tệp {file_name}, dòng {}", row.row)),
        })
        .collect();
    let started = std::time::Instant::now();
    let txn = db::begin_write(db).await?;
    // Someone added one of the codes since the check: refuse the file,
    // naming the row, and write nothing.
    let taken = bulk_insert::codes_taken(&txn, year, &codes).await?;
    if !taken.is_empty() {
        let problems = checked
            .iter()
            .filter(|row| taken.iter().any(|code| *code == row.task.code.to_string()))
            .map(|row| {
                ImportProblem::of_msg(
                    row.row,
                    Column::Code.label(),
                    &Msg::DuplicateTaskCode {
                        code: row.task.code.to_string(),
                        year: i64::from(year),
                    },
                )
            })
            .collect();
        return Ok(Err(ImportRefused::rows(problems)));
    }
    let ids =
        match bulk_insert::insert_all(&txn, clock, organization, actor_id, rows, action::IMPORTED)
            .await
        {
            Ok(ids) => ids,
            // A code taken meanwhile on another connection (PostgreSQL): the
            // whole file is refused, nothing written.
            Err(Error::Conflict(why)) => {
                return Ok(Err(ImportRefused::rows(vec![ImportProblem::of_msg(
                    checked.first().map_or(0, |r| r.row),
                    Column::Code.label(),
                    &why,
                )])));
            }
            Err(other) => return Err(other),
        };
    let mut recurring = 0;
    for (id, row) in ids.iter().zip(&checked) {
        let Some(rule) = row.recurrence else {
            continue;
        };
        let Some(model) = task::Entity::find_by_id(*id).one(&txn).await? else {
            return Err(Error::Unexpected(anyhow::anyhow!("task {id} vanished")));
        };
        recurrence::set_in(&txn, clock, actor_id, &model, rule).await?;
        recurring += 1;
    }
    txn.commit().await?;
    tracing::info!(
        rows = codes.len(),
        recurring,
        write_lock_ms = started.elapsed().as_millis() as u64,
        "import written"
    );
    Ok(Ok(ImportReport {
        year,
        imported: codes.len(),
        codes,
        recurring,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn csv_rows(text: &str) -> std::result::Result<Vec<RawRow>, ImportRefused> {
        read_rows(text.as_bytes(), "x.csv")
    }

    #[test]
    fn finds_the_header_below_title_rows_in_any_order_and_language() {
        let text = "PHỤ LỤC\nDANH MỤC NHIỆM VỤ TRỌNG TÂM\n\nSTT,THỜI HẠN,Nội dung nhiệm vụ,mã,Lĩnh Vực,Cơ quan chủ trì\n1,31/03/2026,Làm đường,GT-01,finance,TCKH\n";
        let rows = csv_rows(text).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 5);
        assert_eq!(rows[0].get(Column::Code), "GT-01");
        assert_eq!(rows[0].get(Column::Due), "31/03/2026");
        let english = "code;title;field;lead_department;due_date\nA-1;X;finance;TCKH;2026-01-01\n";
        assert_eq!(csv_rows(english).unwrap()[0].get(Column::Lead), "TCKH");
    }

    #[test]
    fn a_task_row_without_its_title_is_kept_to_be_reported_and_a_note_is_not() {
        let text = "STT,Nội dung nhiệm vụ,Cơ quan chủ trì,Thời hạn\n1,Làm đường,TCKH,Quý I/2027\n2,,TCKH,Quý II/2027\n,,,\n";
        let rows = csv_rows(text).unwrap();
        assert_eq!(
            rows.len(),
            2,
            "the titleless task row stays, the blank one goes"
        );
        assert_eq!(rows[1].get(Column::Title), "");
        assert_eq!(rows[1].get(Column::Due), "Quý II/2027");
    }

    #[test]
    fn stt_is_a_number_not_a_code_and_sections_head_their_rows() {
        let rows = csv_rows(
            "STT,Nội dung,Đơn vị chủ trì,Thời hạn\nI,LĨNH VỰC KINH TẾ,,\n1,x,TCKH,Quý II\n(1),(2),(3),(4)\nII. VĂN HÓA – XÃ HỘI,,,\n1,y,VHTT,30/6\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get(Column::Number), "1");
        assert_eq!(rows[0].get(Column::Code), "");
        assert_eq!(rows[0].section.as_deref(), Some("LĨNH VỰC KINH TẾ"));
        assert_eq!(rows[1].section.as_deref(), Some("VĂN HÓA – XÃ HỘI"));
        assert_eq!(rows[1].row, 6);
    }

    #[test]
    fn a_missing_column_is_named() {
        let err = csv_rows("STT,Nội dung,Lĩnh vực,Thời hạn\n1,x,finance,01/01/2026\n").unwrap_err();
        let text = err.problems[0].localized(Lang::Vi);
        assert!(text.contains("Đơn vị chủ trì"), "{text}");
    }

    #[test]
    fn a_bom_and_blank_lines_are_fine_and_line_numbers_are_kept() {
        let text = "\u{feff}Mã,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\n\nA,\"multi\nline\",finance,TCKH,01/01/2026\nB,y,finance,TCKH,02/01/2026\n";
        let rows = csv_rows(text).unwrap();
        assert_eq!(rows[0].row, 3);
        assert_eq!(rows[1].row, 5);
    }

    #[test]
    fn garbage_gets_an_error_not_a_panic() {
        for bytes in [
            &b"PK\x03\x04garbage"[..],
            &b"\xff\xfe\x00\x01"[..],
            b"",
            b"just text",
        ] {
            assert!(read_rows(bytes, "f.xlsx").is_err());
            assert!(read_rows(bytes, "f.csv").is_err());
        }
    }

    #[test]
    fn problems_read_as_row_and_column() {
        let p = ImportProblem {
            row: 7,
            column: "Thời hạn".into(),
            message: "`30/02/2026` không phải ngày".into(),
            message_en: "`30/02/2026` is not a date".into(),
        };
        assert_eq!(
            p.to_string(),
            "row 7, column Thời hạn: `30/02/2026` is not a date"
        );
    }
}
