//! What every annex reader (spreadsheet, CSV, Word table) produces: cells
//! by row, before any column is recognised.

use chrono::NaiveDate;

/// The longest cell kept; longer text is cut (a cell is never a document).
pub(super) const MAX_CELL_CHARS: usize = 10_000;

/// A cell as read: text, or a date when the spreadsheet stored one.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Date(NaiveDate),
}

impl Cell {
    pub(super) fn text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Date(d) => d.format("%d/%m/%Y").to_string(),
        }
    }

    pub(super) fn is_blank(&self) -> bool {
        matches!(self, Cell::Text(t) if t.trim().is_empty())
    }
}

/// (row number as shown, cells) for every non-empty line.
pub(super) type Grid = Vec<(usize, Vec<Cell>)>;
