//! Importing a year's work programme from the office's Excel annex (.xlsx)
//! or a CSV. The header row may sit below title rows ("PHỤ LỤC", "DANH MỤC
//! NHIỆM VỤ…") and is found by its column names, in Vietnamese or English,
//! without regard to case or diacritics. The import is all or nothing:
//! every bad row is reported as `row N, column X: reason` (N as the
//! spreadsheet shows it) and nothing is written unless every row is good.

use std::{collections::HashMap, fmt, io::Cursor};

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    db::{self, Db},
    domain::text::fold,
    error::{Error, Result},
    messages::Lang,
    tasks::creation::{self, NewTask, ValidatedTask},
    tasks::history::action,
};

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// More rows than this is not a work programme.
pub const MAX_ROWS: usize = 20_000;
const MAX_CELL_CHARS: usize = 10_000;
const HEADER_SEARCH_ROWS: usize = 30;

/// The columns of the import contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Code,
    Title,
    Field,
    Lead,
    Coordinators,
    Due,
    Leader,
    Note,
}

impl Column {
    const ALL: [Column; 8] = [
        Column::Code,
        Column::Title,
        Column::Field,
        Column::Lead,
        Column::Coordinators,
        Column::Due,
        Column::Leader,
        Column::Note,
    ];

    /// Accepted header names, already folded (lower case, no diacritics).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Code => &["ma", "ma nhiem vu", "ma so", "code", "task code"],
            Column::Title => &[
                "noi dung",
                "noi dung nhiem vu",
                "ten nhiem vu",
                "nhiem vu",
                "title",
            ],
            Column::Field => &["linh vuc", "field"],
            Column::Lead => &[
                "don vi chu tri",
                "co quan chu tri",
                "chu tri",
                "lead department",
                "lead",
            ],
            Column::Coordinators => &[
                "don vi phoi hop",
                "co quan phoi hop",
                "phoi hop",
                "coordinating departments",
                "coordinators",
            ],
            Column::Due => &[
                "thoi han",
                "thoi gian hoan thanh",
                "han hoan thanh",
                "due date",
                "due",
            ],
            Column::Leader => &[
                "lanh dao phu trach",
                "lanh dao chi dao",
                "leader in charge",
                "leader",
            ],
            Column::Note => &["ghi chu", "san pham", "note", "notes"],
        }
    }

    /// The name shown in error messages (as the contract writes it).
    pub fn label(self) -> &'static str {
        match self {
            Column::Code => "Mã",
            Column::Title => "Nội dung",
            Column::Field => "Lĩnh vực",
            Column::Lead => "Đơn vị chủ trì",
            Column::Coordinators => "Đơn vị phối hợp",
            Column::Due => "Thời hạn",
            Column::Leader => "Lãnh đạo phụ trách",
            Column::Note => "Ghi chú",
        }
    }

    fn required(self) -> bool {
        matches!(
            self,
            Column::Code | Column::Title | Column::Field | Column::Lead | Column::Due
        )
    }

    fn from_header(text: &str) -> Option<Column> {
        let folded = fold(text).replace('_', " ");
        let folded = folded.trim_end_matches(['*', ':', '.']).trim();
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&folded))
    }
}

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
pub struct ImportRefused(pub Vec<ImportProblem>);

impl fmt::Display for ImportRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        write!(f, "{}", lines.join("\n"))
    }
}

/// A cell as read: text, or a date when the spreadsheet stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }

    fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(t) if t.trim().is_empty())
    }
}

/// A data row: its number as shown, and its cells by contract column.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: usize,
    pub cells: HashMap<Column, Cell>,
}

impl RawRow {
    fn get(&self, column: Column) -> String {
        self.cells
            .get(&column)
            .map(Cell::text)
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// Reads the rows of a file (format from the name, or sniffed from the bytes).
pub fn read_rows(bytes: &[u8], file_name: &str) -> std::result::Result<Vec<RawRow>, ImportRefused> {
    let refuse = |message: String| {
        ImportRefused(vec![ImportProblem {
            row: 0,
            column: String::new(),
            message,
        }])
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(refuse(format!(
            "Tệp lớn hơn {} MB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let lower = file_name.to_ascii_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let grid = if lower.ends_with(".xlsx") || (is_zip && !lower.ends_with(".csv")) {
        read_xlsx(bytes).map_err(refuse)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !is_zip {
        read_csv(bytes).map_err(refuse)?
    } else {
        return Err(refuse("Chỉ nhận tệp Excel .xlsx hoặc .csv".into()));
    };
    rows_from_grid(grid)
}

/// (row number as shown, cells) for every non-empty line.
type Grid = Vec<(usize, Vec<Cell>)>;

fn limit_cell(text: String) -> String {
    if text.chars().count() > MAX_CELL_CHARS {
        text.chars().take(MAX_CELL_CHARS + 1).collect()
    } else {
        text
    }
}

fn read_xlsx(bytes: &[u8]) -> std::result::Result<Grid, String> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|err| format!("Không đọc được tệp .xlsx ({err})"))?;
    let range = match workbook.worksheet_range_at(0) {
        Some(Ok(range)) => range,
        Some(Err(err)) => return Err(format!("Không đọc được trang tính đầu tiên ({err})")),
        None => return Err("Tệp Excel không có trang tính nào".into()),
    };
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut grid = Vec::new();
    for (i, row) in range.rows().enumerate() {
        if grid.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(format!("Tệp có hơn {MAX_ROWS} dòng"));
        }
        // Keep absolute column positions so header and data line up.
        let mut cells = vec![Cell::Text(String::new()); first_col as usize];
        for value in row {
            cells.push(match value {
                Data::Empty => Cell::Text(String::new()),
                Data::String(s) => Cell::Text(limit_cell(s.clone())),
                Data::Int(n) => Cell::Text(n.to_string()),
                Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                    Cell::Text(format!("{}", *f as i64))
                }
                Data::Float(f) => Cell::Text(f.to_string()),
                Data::Bool(b) => Cell::Text(b.to_string()),
                Data::DateTime(dt) => match dt.as_datetime() {
                    Some(at) => Cell::Date(at.date()),
                    None => Cell::Text(dt.to_string()),
                },
                Data::DateTimeIso(s) => {
                    match NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
                        Ok(d) => Cell::Date(d),
                        Err(_) => Cell::Text(s.clone()),
                    }
                }
                Data::DurationIso(s) => Cell::Text(s.clone()),
                Data::Error(e) => Cell::Text(format!("#ERROR {e}")),
            });
        }
        if cells.iter().all(Cell::is_blank) {
            continue;
        }
        grid.push((first_row as usize + i + 1, cells));
    }
    Ok(grid)
}

fn read_csv(bytes: &[u8]) -> std::result::Result<Grid, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(bytes).is_err() {
        return Err("Tệp CSV không phải văn bản UTF-8; hãy lưu lại với kiểu \"CSV UTF-8\"".into());
    }
    // Excel in a Vietnamese locale often writes `;`; pick what the first lines use.
    let sample: String = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned();
    let delimiter = if sample.matches(';').count() > sample.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut grid = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                // Where this record starts: the reader's position may still point
                // at blank lines it skipped, so step over them.
                let line = record
                    .position()
                    .map(|p| {
                        let start = (p.byte() as usize).min(bytes.len());
                        let skipped = bytes[start..]
                            .iter()
                            .take_while(|b| **b == b'\n' || **b == b'\r')
                            .filter(|b| **b == b'\n')
                            .count();
                        p.line() as usize + skipped
                    })
                    .unwrap_or(line);
                if grid.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
                    return Err(format!("Tệp có hơn {MAX_ROWS} dòng"));
                }
                let cells: Vec<Cell> = record
                    .iter()
                    .map(|c| Cell::Text(limit_cell(c.to_string())))
                    .collect();
                if !cells.iter().all(Cell::is_blank) {
                    grid.push((line, cells));
                }
            }
            Err(err) => return Err(format!("Dòng {line}: không đọc được CSV ({err})")),
        }
    }
    Ok(grid)
}

fn rows_from_grid(grid: Grid) -> std::result::Result<Vec<RawRow>, ImportRefused> {
    let refuse = |message: String| {
        ImportRefused(vec![ImportProblem {
            row: 0,
            column: String::new(),
            message,
        }])
    };
    // The header is the first row (among the first few) that names the title column and at least two others.
    let mut header: Option<(usize, HashMap<usize, Column>)> = None;
    for (index, (_, cells)) in grid.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let mut found: HashMap<usize, Column> = HashMap::new();
        for (col, cell) in cells.iter().enumerate() {
            if let Some(column) = Column::from_header(&cell.text())
                && !found.values().any(|c| *c == column)
            {
                found.insert(col, column);
            }
        }
        if found.values().any(|c| *c == Column::Title) && found.len() >= 3 {
            header = Some((index, found));
            break;
        }
    }
    let Some((header_index, columns)) = header else {
        return Err(refuse(
            "Không tìm thấy dòng tiêu đề: các dòng đầu phải có tên cột (Mã, Nội dung, Lĩnh vực, Đơn vị chủ trì, Thời hạn, …)".into(),
        ));
    };
    let header_row = grid[header_index].0;
    let missing: Vec<&str> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.values().any(|found| found == c))
        .map(Column::label)
        .collect();
    if !missing.is_empty() {
        let stt_note = if missing.contains(&"Mã")
            && grid[header_index]
                .1
                .iter()
                .any(|c| fold(&c.text()) == "stt")
        {
            " (STT chỉ là số thứ tự; cần thêm cột Mã ghi mã của từng nhiệm vụ)"
        } else {
            ""
        };
        return Err(ImportRefused(vec![ImportProblem {
            row: header_row,
            column: String::new(),
            message: format!("Dòng tiêu đề thiếu cột: {}{stt_note}", missing.join(", ")),
        }]));
    }
    let mut rows = Vec::new();
    for (row, cells) in grid.into_iter().skip(header_index + 1) {
        let mut by_column = HashMap::new();
        for (col, column) in &columns {
            if let Some(cell) = cells.get(*col) {
                by_column.insert(*column, cell.clone());
            }
        }
        let raw = RawRow {
            row,
            cells: by_column,
        };
        // Sub-headings ("I. NÔNG NGHIỆP") and totals have neither code nor title.
        if raw.get(Column::Code).is_empty() && raw.get(Column::Title).is_empty() {
            continue;
        }
        rows.push(raw);
    }
    if rows.is_empty() {
        return Err(refuse(
            "Tệp có dòng tiêu đề nhưng không có dòng nhiệm vụ nào".into(),
        ));
    }
    if rows.len() > MAX_ROWS {
        return Err(refuse(format!("Tệp có hơn {MAX_ROWS} nhiệm vụ")));
    }
    Ok(rows)
}

/// The contract column an input field's errors belong to.
fn column_of(field: &str) -> Column {
    match field {
        "code" => Column::Code,
        "title" => Column::Title,
        "field" => Column::Field,
        "lead_department" => Column::Lead,
        f if f.starts_with("coordinating_departments") => Column::Coordinators,
        "due_date" => Column::Due,
        "leader_in_charge" => Column::Leader,
        "description" => Column::Note,
        _ => Column::Title,
    }
}

fn split_departments(text: &str) -> Vec<String> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
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
        Err(ImportRefused(problems))
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
    bytes: &[u8],
    file_name: &str,
    year: i32,
) -> Result<std::result::Result<ImportReport, ImportRefused>> {
    let rows = match read_rows(bytes, file_name) {
        Ok(rows) => rows,
        Err(refused) => return Ok(Err(refused)),
    };
    let checked = match check(db, &rows, year).await? {
        Ok(checked) => checked,
        Err(refused) => return Ok(Err(refused)),
    };
    let txn = db::begin_write(db).await?;
    let mut codes = Vec::new();
    for row in checked {
        codes.push(row.task.code.to_string());
        let note = format!("Nhập từ tệp {file_name}, dòng {}", row.row);
        match creation::insert_validated(
            &txn,
            clock,
            organization,
            actor_id,
            row.task,
            action::IMPORTED,
            Some(note),
        )
        .await
        {
            Ok(_) => {}
            // Someone added the same code meanwhile: refuse the file, write nothing.
            Err(Error::Conflict(why)) => {
                return Ok(Err(ImportRefused(vec![ImportProblem {
                    row: row.row,
                    column: Column::Code.label().into(),
                    message: why.text(Lang::Vi),
                }])));
            }
            Err(other) => return Err(other),
        }
    }
    txn.commit().await?;
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
