//! Reading the file: .xlsx or CSV into a grid, the header row found by its
//! column names, then one row of cells per task line.

use std::{
    collections::{BTreeMap, HashMap},
    io::Cursor,
};

use calamine::{DataRef, Reader, Xlsx};
use chrono::NaiveDate;

use crate::domain::text::fold;

use super::{
    ImportProblem, ImportRefused, MAX_ROWS,
    guard::{self, Refusal},
};

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

    /// The column whose label is `label` (as `label()` writes it).
    pub fn from_label(label: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.label() == label)
    }

    /// The API's name for the column (`rows[N].due_date`), as in a task.
    pub fn field_name(self) -> &'static str {
        match self {
            Column::Code => "code",
            Column::Title => "title",
            Column::Field => "field",
            Column::Lead => "lead_department",
            Column::Coordinators => "coordinating_departments",
            Column::Due => "due_date",
            Column::Leader => "leader_in_charge",
            Column::Note => "description",
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
    pub(super) fn get(&self, column: Column) -> String {
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
    if bytes.len() > guard::MAX_FILE_BYTES {
        return Err(ImportRefused::too_large(format!(
            "Tệp lớn hơn {} MB",
            guard::MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let lower = file_name.to_ascii_lowercase();
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    if is_zip && !lower.ends_with(".csv") {
        // Sizes first: no reader builds anything from a package that fails.
        guard::check_package(bytes).map_err(|refusal| match refusal {
            Refusal::TooLarge(why) => ImportRefused::too_large(why),
            Refusal::Malformed(why) => ImportRefused::file(why),
        })?;
    }
    let grid = if lower.ends_with(".docx") {
        return Err(ImportRefused::file(
            "Chỉ nhận tệp Excel .xlsx hoặc .csv".into(),
        ));
    } else if lower.ends_with(".xlsx") || (is_zip && !lower.ends_with(".csv")) {
        read_xlsx(bytes).map_err(ImportRefused::file)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !is_zip {
        read_csv(bytes).map_err(ImportRefused::file)?
    } else {
        return Err(ImportRefused::file(
            "Chỉ nhận tệp Excel .xlsx hoặc .csv".into(),
        ));
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

/// Streams the first sheet cell by cell: never the dense rectangle its
/// dimension declares (the package was checked by `guard` first).
fn read_xlsx(bytes: &[u8]) -> std::result::Result<Grid, String> {
    let mut workbook: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|err| format!("Không đọc được tệp .xlsx ({err})"))?;
    let Some(sheet) = workbook.sheet_names().first().cloned() else {
        return Err("Tệp Excel không có trang tính nào".into());
    };
    let mut reader = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|err| format!("Không đọc được trang tính đầu tiên ({err})"))?;
    let mut rows: BTreeMap<u32, Vec<(u32, Cell)>> = BTreeMap::new();
    loop {
        let cell = match reader.next_cell() {
            Ok(Some(cell)) => cell,
            Ok(None) => break,
            Err(err) => return Err(format!("Không đọc được trang tính đầu tiên ({err})")),
        };
        let (row, col) = cell.get_position();
        let value = cell_of(cell.get_value());
        if value.is_blank() {
            continue;
        }
        if rows.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err(format!("Tệp có hơn {MAX_ROWS} dòng"));
        }
        rows.entry(row).or_default().push((col, value));
    }
    Ok(rows
        .into_iter()
        .map(|(row, cells)| {
            // Keep absolute column positions so header and data line up.
            let width = cells
                .iter()
                .map(|(c, _)| *c as usize + 1)
                .max()
                .unwrap_or(0);
            let mut line = vec![Cell::Text(String::new()); width];
            for (col, value) in cells {
                line[col as usize] = value;
            }
            (row as usize + 1, line)
        })
        .collect())
}

fn cell_of(value: &DataRef<'_>) -> Cell {
    match value {
        DataRef::Empty => Cell::Text(String::new()),
        DataRef::String(s) => Cell::Text(limit_cell(s.clone())),
        DataRef::SharedString(s) => Cell::Text(limit_cell((*s).to_string())),
        DataRef::Int(n) => Cell::Text(n.to_string()),
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Cell::Text(format!("{}", *f as i64))
        }
        DataRef::Float(f) => Cell::Text(f.to_string()),
        DataRef::Bool(b) => Cell::Text(b.to_string()),
        DataRef::DateTime(dt) => match dt.as_datetime() {
            Some(at) => Cell::Date(at.date()),
            None => Cell::Text(dt.to_string()),
        },
        DataRef::DateTimeIso(s) => {
            match NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
                Ok(d) => Cell::Date(d),
                Err(_) => Cell::Text(s.clone()),
            }
        }
        DataRef::DurationIso(s) => Cell::Text(s.clone()),
        DataRef::Error(e) => Cell::Text(format!("#ERROR {e}")),
    }
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
    let refuse = ImportRefused::file;
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
        return Err(ImportRefused::rows(vec![ImportProblem {
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
pub(super) fn column_of(field: &str) -> Column {
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

pub(super) fn split_departments(text: &str) -> Vec<String> {
    text.split([';', ',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
