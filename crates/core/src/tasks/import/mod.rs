//! Importing a year's work programme from the office's Excel annex (.xlsx)
//! or a CSV. The header row may sit below title rows ("PHỤ LỤC", "DANH MỤC
//! NHIỆM VỤ…") and is found by its column names, in Vietnamese or English,
//! without regard to case or diacritics. The import is all or nothing:
//! every bad row is reported as `row N, column X: reason` (N as the
//! spreadsheet shows it) and nothing is written unless every row is good.
//!
//! `read` turns the file into rows of cells under known columns; this file
//! checks the rows and writes them.

mod guard;
#[cfg(any(test, feature = "testing"))]
pub mod hostile;
mod offload;
mod read;
pub mod staging;

use read::{column_of, split_departments};

pub use offload::{MAX_PARALLEL_READS, READ_BUDGET, read_rows_off_thread};
pub use read::{Cell, Column, RawRow, read_rows};

use std::{collections::HashMap, fmt};

use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    db::{self, Db},
    error::{Error, Result},
    messages::{Lang, Msg},
    tasks::bulk_insert::{self, NewRow},
    tasks::creation::{self, NewTask, ValidatedTask},
    tasks::history::action,
};

pub use guard::MAX_FILE_BYTES;
/// The zip-bomb guard, also run on attached office files.
pub use guard::{Refusal as PackageRefusal, check_package};

/// More rows than this is not a work programme.
pub const MAX_ROWS: usize = 20_000;

/// One problem with the file, located as the spreadsheet shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ImportProblem {
    /// The row number the spreadsheet shows (the line number in a CSV); 0 for the file as a whole.
    pub row: usize,
    /// The column's contract name, e.g. `Thời hạn`; empty for the file or the row as a whole.
    pub column: String,
    pub message: String,
}

/// In English, like the command line that prints it.
impl fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.localized(Lang::En))
    }
}

impl ImportProblem {
    /// The same, worded for the reader: `Dòng N, cột X: …` in Vietnamese,
    /// `row N, column X: …` in English (`import-problem-*` in `pages.ftl`).
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
                ("message", self.message.as_str().into()),
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

    /// The file as a whole cannot be read.
    pub fn file(message: String) -> Self {
        Self::rows(vec![ImportProblem {
            row: 0,
            column: String::new(),
            message,
        }])
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

/// A checked row, ready to insert, with the names it resolved to (so a
/// preview shows what each code or name matched).
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: usize,
    pub task: ValidatedTask,
    pub lead_name: String,
    pub field_name: String,
    pub coordinator_names: Vec<String>,
    pub leader_name: String,
}

/// Checks every row against the database without writing anything.
pub async fn check(
    db: &Db,
    rows: &[RawRow],
    year: i32,
) -> Result<std::result::Result<Vec<CheckedRow>, ImportRefused>> {
    use sea_orm::EntityTrait;
    let department_names: HashMap<i64, String> = crate::entity::department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.name))
        .collect();
    let field_names: HashMap<String, String> = crate::entity::field::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|f| (f.code, f.name_vi))
        .collect();
    let leader_names: HashMap<i64, String> = crate::entity::user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.full_name))
        .collect();
    let name_of = |id: &i64| department_names.get(id).cloned().unwrap_or_default();
    let mut problems = Vec::new();
    let mut checked = Vec::new();
    let mut seen_codes: HashMap<String, usize> = HashMap::new();
    for raw in rows {
        let code = raw.get(Column::Code);
        if let Some(first) = seen_codes.get(&code.to_lowercase())
            && !code.is_empty()
        {
            problems.push(ImportProblem {
                row: raw.row,
                column: Column::Code.label().into(),
                message: format!("Mã {code} bị trùng (đã có ở dòng {first})"),
            });
            continue;
        }
        seen_codes.insert(code.to_lowercase(), raw.row);
        let due = match raw.cells.get(&Column::Due) {
            Some(Cell::Date(d)) => d.to_string(),
            _ => raw.get(Column::Due),
        };
        let input = NewTask {
            year: i64::from(year),
            code,
            title: raw.get(Column::Title),
            description: Some(raw.get(Column::Note)),
            field: raw.get(Column::Field),
            lead_department: raw.get(Column::Lead),
            coordinating_departments: split_departments(&raw.get(Column::Coordinators)),
            leader_in_charge: Some(raw.get(Column::Leader)),
            due_date: due,
            source_document_id: None,
        };
        match creation::validate_new(db, &input).await {
            Ok(task) => checked.push(CheckedRow {
                row: raw.row,
                lead_name: name_of(&task.lead_department_id),
                field_name: field_names
                    .get(&task.field_code)
                    .cloned()
                    .unwrap_or_default(),
                coordinator_names: task
                    .coordinating_department_ids
                    .iter()
                    .map(name_of)
                    .collect(),
                leader_name: task
                    .leader_in_charge_id
                    .and_then(|id| leader_names.get(&id).cloned())
                    .unwrap_or_default(),
                task,
            }),
            Err(Error::Validation(fields)) => {
                for f in fields {
                    problems.push(ImportProblem {
                        row: raw.row,
                        column: column_of(&f.field).label().into(),
                        message: f.message.text(Lang::Vi),
                    });
                }
            }
            Err(other) => return Err(other),
        }
    }
    Ok(if problems.is_empty() {
        Ok(checked)
    } else {
        Err(ImportRefused::rows(problems))
    })
}

/// What an import did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub year: i32,
    pub imported: usize,
    pub codes: Vec<String>,
}

/// Parses, checks and — only if every row is good — inserts every task in
/// one transaction.
pub async fn import(
    db: &Db,
    clock: &Clock,
    organization: &str,
    actor_id: Option<i64>,
    bytes: Vec<u8>,
    file_name: &str,
    year: i32,
) -> Result<std::result::Result<ImportReport, ImportRefused>> {
    let rows = match read_rows_off_thread(bytes, file_name.to_string()).await? {
        Ok(rows) => rows,
        Err(refused) => return Ok(Err(refused)),
    };
    let checked = match check(db, &rows, year).await? {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    let codes: Vec<String> = checked.iter().map(|r| r.task.code.to_string()).collect();
    let rows: Vec<NewRow> = checked
        .iter()
        .map(|row| NewRow {
            task: row.task.clone(),
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
            .map(|row| ImportProblem {
                row: row.row,
                column: Column::Code.label().into(),
                message: Msg::DuplicateTaskCode {
                    code: row.task.code.to_string(),
                    year: i64::from(year),
                }
                .text(Lang::Vi),
            })
            .collect();
        return Ok(Err(ImportRefused::rows(problems)));
    }
    match bulk_insert::insert_all(&txn, clock, organization, actor_id, rows, action::IMPORTED).await
    {
        Ok(_) => {}
        // A code taken meanwhile on another connection (PostgreSQL): the
        // whole file is refused, nothing written.
        Err(Error::Conflict(why)) => {
            return Ok(Err(ImportRefused::rows(vec![ImportProblem {
                row: checked.first().map_or(0, |r| r.row),
                column: Column::Code.label().into(),
                message: why.text(Lang::Vi),
            }])));
        }
        Err(other) => return Err(other),
    }
    txn.commit().await?;
    tracing::info!(
        rows = codes.len(),
        write_lock_ms = started.elapsed().as_millis() as u64,
        "import written"
    );
    Ok(Ok(ImportReport {
        year,
        imported: codes.len(),
        codes,
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
    fn stt_alone_is_not_a_code_column() {
        let err = csv_rows(
            "STT,Nội dung,Lĩnh vực,Đơn vị chủ trì,Thời hạn\n1,x,finance,TCKH,01/01/2026\n",
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("Mã") && text.contains("STT"), "{text}");
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
            message: "`30/02/2026` is not a date".into(),
        };
        assert_eq!(
            p.to_string(),
            "row 7, column Thời hạn: `30/02/2026` is not a date"
        );
    }
}
