//! Reading the file: .xlsx, CSV or the first annex table of a .docx into a
//! grid, the header row found by its column names, then one row of cells
//! per task line, each under the section heading ("I. LĨNH VỰC KINH TẾ")
//! it sits below. Cells merged down several rows count for each row.

use std::{
    collections::{BTreeMap, HashMap},
    io::Cursor,
};

use calamine::{DataRef, Reader, Xlsx};
use chrono::NaiveDate;

use crate::domain::text::fold;

use super::{
    ImportProblem, ImportRefused, MAX_ROWS, deadline, docx,
    grid::{Cell, Grid, MAX_CELL_CHARS},
    guard::{self, Refusal},
};

const HEADER_SEARCH_ROWS: usize = 30;

/// The columns of the import contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    /// "STT": the row's number in the annex; never a task code.
    Number,
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
    const ALL: [Column; 9] = [
        Column::Number,
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
            Column::Number => &["stt", "so tt", "so thu tu", "tt", "no", "no."],
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
                "thoi gian",
                "thoi gian thuc hien",
                "thoi han hoan thanh",
                "thoi gian hoan thanh",
                "han hoan thanh",
                "due date",
                "due",
            ],
            Column::Leader => &[
                "lanh dao phu trach",
                "lanh dao chi dao",
                "lanh dao ubnd phu trach",
                "lanh dao ubnd huyen phu trach",
                "lanh dao ubnd xa phu trach",
                "leader in charge",
                "leader",
            ],
            Column::Note => &["ghi chu", "san pham", "note", "notes"],
        }
    }

    /// The name shown in error messages (as the contract writes it).
    pub fn label(self) -> &'static str {
        match self {
            Column::Number => "STT",
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
            Column::Number => "number",
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
        matches!(self, Column::Title | Column::Lead | Column::Due)
    }

    fn from_header(text: &str) -> Option<Column> {
        let folded = fold(text).replace('_', " ");
        let folded = folded.trim_end_matches(['*', ':', '.']).trim();
        Column::ALL
            .into_iter()
            .find(|c| c.aliases().contains(&folded))
    }
}

/// A data row: its number as shown, its cells by contract column, and the
/// heading of the section it sits in, if any.
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: usize,
    pub cells: HashMap<Column, Cell>,
    /// The section heading without its numeral ("LĨNH VỰC KINH TẾ").
    pub section: Option<String>,
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
    let grid = if lower.ends_with(".docx") || (is_zip && is_word(bytes)) {
        let tables = docx::read_tables(bytes).map_err(ImportRefused::file)?;
        let annex = tables.into_iter().find(|t| header_of(t).is_some());
        return match annex {
            Some(table) => rows_from_grid(table),
            None => Err(ImportRefused::file_key("import-no-annex-table", &[])),
        };
    } else if lower.ends_with(".xlsx") || (is_zip && !lower.ends_with(".csv")) {
        read_xlsx(bytes).map_err(ImportRefused::file)?
    } else if lower.ends_with(".csv") || lower.ends_with(".txt") || !is_zip {
        read_csv(bytes).map_err(ImportRefused::file)?
    } else {
        return Err(ImportRefused::file(
            "Chỉ nhận tệp Excel .xlsx, .csv hoặc Word .docx".into(),
        ));
    };
    rows_from_grid(grid)
}

/// A zip package with a Word body and no workbook.
fn is_word(bytes: &[u8]) -> bool {
    match zip::ZipArchive::new(Cursor::new(bytes)) {
        Ok(archive) => {
            archive.index_for_name("word/document.xml").is_some()
                && archive.index_for_name("xl/workbook.xml").is_none()
        }
        Err(_) => false,
    }
}

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
    // Merged regions (bounded by `guard`): a region spanning rows gives its
    // text to the rows below, in its first column.
    let merges = workbook
        .merge_cells_by_sheet_name(&sheet)
        .map_err(|err| format!("Không đọc được trang tính đầu tiên ({err})"))?;
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
    for region in merges {
        let (top, col) = region.start;
        let Some(value) = rows
            .get(&top)
            .and_then(|cells| cells.iter().find(|(c, _)| *c == col))
            .map(|(_, v)| v.clone())
        else {
            continue;
        };
        for row in top + 1..=region.end.0.min(top + MAX_ROWS as u32) {
            let cells = rows.entry(row).or_default();
            if !cells.iter().any(|(c, _)| *c == col) {
                cells.push((col, value.clone()));
            }
        }
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

/// The header row among the first lines: the first that names the title
/// column and at least two others. Its index in `grid`, and the columns.
pub(super) fn header_of(grid: &Grid) -> Option<(usize, HashMap<usize, Column>)> {
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
            return Some((index, found));
        }
    }
    None
}

/// "I. LĨNH VỰC KINH TẾ" → "LĨNH VỰC KINH TẾ"; `None` without a Roman numeral.
fn after_roman(text: &str) -> Option<String> {
    let text = text.trim();
    let (head, rest) = text.split_once(['.', ' ', ')', '-', ':'])?;
    deadline::roman_heading(head)?;
    let rest = rest.trim_start_matches(['.', ' ', ')', '-', ':']).trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// A row numbering the columns ("(1)", "(2)", … or "1", "2", …).
fn numbers_only(cells: &[Cell]) -> bool {
    let texts: Vec<String> = cells
        .iter()
        .map(Cell::text)
        .filter(|t| !t.trim().is_empty())
        .collect();
    texts.len() >= 3
        && texts.iter().all(|t| {
            let t = t.trim().trim_start_matches('(').trim_end_matches(')');
            !t.is_empty() && t.len() <= 2 && t.chars().all(|c| c.is_ascii_digit())
        })
}

/// The heading a line states, if it is a section row rather than a task:
/// no lead unit and no deadline, and either a Roman numeral ("I", "II.")
/// before its words, or words but no title (a heading merged across).
fn section_of(raw: &RawRow, cells: &[Cell]) -> Option<String> {
    if !raw.get(Column::Lead).is_empty() || !raw.get(Column::Due).is_empty() {
        return None;
    }
    let number = raw.get(Column::Number);
    let title = raw.get(Column::Title);
    if deadline::roman_heading(&number).is_some() && !title.is_empty() {
        return Some(after_roman(&title).unwrap_or(title));
    }
    let first = cells
        .iter()
        .map(Cell::text)
        .find(|t| !t.trim().is_empty())?;
    if let Some(heading) = after_roman(&first) {
        return Some(heading);
    }
    let is_number = first.trim().chars().all(|c| c.is_ascii_digit() || c == '.');
    (title.is_empty() && raw.get(Column::Code).is_empty() && !is_number)
        .then(|| first.trim().to_string())
}

fn rows_from_grid(grid: Grid) -> std::result::Result<Vec<RawRow>, ImportRefused> {
    let Some((header_index, columns)) = header_of(&grid) else {
        return Err(ImportRefused::file_key("import-no-header", &[]));
    };
    let header_row = grid[header_index].0;
    let missing: Vec<&str> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.values().any(|found| found == c))
        .map(Column::label)
        .collect();
    if !missing.is_empty() {
        return Err(ImportRefused::rows(vec![ImportProblem::new(
            header_row,
            "",
            "import-missing-columns",
            &[("columns", missing.join(", ").into())],
        )]));
    }
    let mut rows = Vec::new();
    let mut section: Option<String> = None;
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
            section: section.clone(),
        };
        if numbers_only(&cells) {
            continue;
        }
        if let Some(heading) = section_of(&raw, &cells) {
            section = Some(heading);
            continue;
        }
        // Totals and notes have neither code nor title, nor a unit or a
        // deadline; a task row that lost its title is kept, to be reported.
        if raw.get(Column::Code).is_empty()
            && raw.get(Column::Title).is_empty()
            && raw.get(Column::Lead).is_empty()
            && raw.get(Column::Due).is_empty()
        {
            continue;
        }
        rows.push(raw);
    }
    if rows.is_empty() {
        return Err(ImportRefused::file_key("import-no-rows", &[]));
    }
    if rows.len() > MAX_ROWS {
        return Err(ImportRefused::file_key(
            "import-too-many-rows",
            &[("max", MAX_ROWS.into())],
        ));
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
        "number" => Column::Number,
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
