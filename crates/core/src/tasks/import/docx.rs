//! Word annexes (.docx): the tables of `word/document.xml`, each as a grid
//! of cells. A cell spanning columns (`w:gridSpan`) keeps its text in its
//! first column; a cell continuing a vertical merge (`w:vMerge` without
//! `restart`) takes the text of the cell that started it, so a lead unit
//! merged down several rows counts for each of them. Tables inside a cell
//! add their text to that cell. The package was checked by `guard` first.

use std::{
    collections::HashMap,
    io::{Cursor, Read},
};

use quick_xml::{Reader, events::BytesStart, events::Event};
use zip::ZipArchive;

use super::grid::{Cell, Grid, MAX_CELL_CHARS};

/// Every top-level table of the document, in order; each row numbered from
/// 1 within its table.
pub(super) fn read_tables(bytes: &[u8]) -> Result<Vec<Grid>, String> {
    let mut archive = ZipArchive::new(Cursor::new(bytes))
        .map_err(|err| format!("Không đọc được tệp .docx ({err})"))?;
    let mut xml = String::new();
    archive
        .by_name("word/document.xml")
        .map_err(|_| "Tệp .docx không có phần nội dung (word/document.xml)".to_string())?
        .read_to_string(&mut xml)
        .map_err(|err| format!("Không đọc được tệp .docx ({err})"))?;
    tables_of(&xml)
}

#[derive(Default)]
struct TableState {
    rows: Grid,
    row: Vec<Cell>,
    row_number: usize,
    /// The text of the last vertical merge started in each grid column.
    merged: HashMap<usize, String>,
    col: usize,
}

#[derive(Default)]
struct CellState {
    text: String,
    span: usize,
    /// `Some(true)` restarts a vertical merge, `Some(false)` continues one.
    vmerge: Option<bool>,
}

fn val(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "val")
        .map(|a| a.value.to_string())
}

fn push_text(cell: &mut Option<CellState>, text: &str) {
    if let Some(cell) = cell
        && cell.text.chars().count() <= MAX_CELL_CHARS
    {
        cell.text.push_str(text);
    }
}

// Longer than 100 lines: one pass over the document's events, each kind of element handled in turn.
fn tables_of(xml: &str) -> Result<Vec<Grid>, String> {
    let mut reader = Reader::from_str(xml);
    let mut tables: Vec<Grid> = Vec::new();
    let mut depth = 0usize;
    let mut table = TableState::default();
    let mut cell: Option<CellState> = None;
    let mut in_text = false;
    loop {
        let event = reader
            .read_event()
            .map_err(|err| format!("Nội dung tệp .docx hỏng ({err})"))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "tbl" => {
                    depth += 1;
                    if depth == 1 {
                        table = TableState::default();
                    }
                }
                "tr" if depth == 1 => {
                    table.row = Vec::new();
                    table.col = 0;
                    table.row_number += 1;
                }
                "tc" if depth == 1 => {
                    cell = Some(CellState {
                        span: 1,
                        ..CellState::default()
                    });
                }
                "t" => in_text = true,
                "vMerge" if depth == 1 => set_vmerge(&mut cell, &e),
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                "gridSpan" if depth == 1 => {
                    if let Some(cell) = &mut cell {
                        cell.span = val(&e)
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(1)
                            .clamp(1, 64);
                    }
                }
                "gridBefore" if depth == 1 => {
                    let skip: usize = val(&e).and_then(|v| v.parse().ok()).unwrap_or(0);
                    for _ in 0..skip.min(64) {
                        table.row.push(Cell::Text(String::new()));
                        table.col += 1;
                    }
                }
                "vMerge" if depth == 1 => set_vmerge(&mut cell, &e),
                "tab" => push_text(&mut cell, " "),
                "br" => push_text(&mut cell, "\n"),
                _ => {}
            },
            Event::Text(t) if in_text => push_text(&mut cell, &t.xml10_content()),
            Event::GeneralRef(r) if in_text => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(ch)) => ch.to_string(),
                    _ => match r.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                push_text(&mut cell, &text);
            }
            Event::End(e) => match e.local_name().as_ref() {
                "t" => in_text = false,
                "p" => push_text(&mut cell, "\n"),
                "tc" if depth == 1 => {
                    if let Some(done) = cell.take() {
                        end_cell(&mut table, done);
                    }
                }
                "tr" if depth == 1 => {
                    let row = std::mem::take(&mut table.row);
                    if !row
                        .iter()
                        .all(|c| matches!(c, Cell::Text(t) if t.trim().is_empty()))
                    {
                        table.rows.push((table.row_number, row));
                    }
                }
                "tbl" => {
                    if depth == 1 {
                        tables.push(std::mem::take(&mut table.rows));
                    }
                    depth = depth.saturating_sub(1);
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(tables)
}

fn set_vmerge(cell: &mut Option<CellState>, e: &BytesStart<'_>) {
    if let Some(cell) = cell {
        cell.vmerge = Some(val(e).as_deref() == Some("restart"));
    }
}

fn end_cell(table: &mut TableState, done: CellState) {
    let lines: Vec<&str> = done
        .text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let mut text = lines.join("\n");
    match done.vmerge {
        Some(false) => text = table.merged.get(&table.col).cloned().unwrap_or_default(),
        Some(true) => {
            table.merged.insert(table.col, text.clone());
        }
        None => {
            table.merged.remove(&table.col);
        }
    }
    table.row.push(Cell::Text(text));
    table.col += 1;
    for _ in 1..done.span {
        table.row.push(Cell::Text(String::new()));
        table.col += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(grid: &Grid) -> Vec<Vec<String>> {
        grid.iter()
            .map(|(_, cells)| {
                cells
                    .iter()
                    .map(|c| match c {
                        Cell::Text(t) => t.clone(),
                        Cell::Date(d) => d.to_string(),
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn spans_and_vertical_merges() {
        let xml = r#"<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>PHỤ LỤC</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>STT</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Nội dung</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Chủ trì</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:gridSpan w:val="3"/></w:tcPr><w:p><w:r><w:t>I. KINH TẾ</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Việc </w:t></w:r><w:r><w:t>một</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>Phòng TN&amp;MT</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>2</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Việc hai</w:t></w:r></w:p><w:tbl><w:tr><w:tc><w:p><w:r><w:t>lồng</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc></w:tr>
</w:tbl></w:body></w:document>"#;
        let tables = tables_of(xml).unwrap();
        assert_eq!(tables.len(), 1);
        assert_eq!(
            texts(&tables[0]),
            vec![
                vec!["STT", "Nội dung", "Chủ trì"],
                vec!["I. KINH TẾ", "", ""],
                vec!["1", "Việc một", "Phòng TN&MT"],
                vec!["2", "Việc hai\nlồng", "Phòng TN&MT"],
            ]
        );
        assert_eq!(tables[0][3].0, 4);
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(tables_of("<w:tbl><w:tr></w:tc>").is_err());
    }
}
