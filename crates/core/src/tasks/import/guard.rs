//! Checks an .xlsx or .docx package before any reader builds anything from
//! it. A few kilobytes can declare a sheet of 17 billion cells, a shared
//! string table of 10^18 entries or inflate to gigabytes; the readers would
//! believe them and reserve the memory. So the package is walked once here,
//! every entry inflated through a counter (declared sizes can lie) and the
//! XML parts that size what a reader allocates streamed and counted. Only a
//! package that passes is handed to calamine or the Word reader.

use std::io::{self, BufReader, Cursor, Read};

use quick_xml::{Reader, events::BytesStart, events::Event};
use zip::ZipArchive;

/// Files larger than this are refused before parsing.
pub const MAX_FILE_BYTES: usize = 20 * 1024 * 1024;
/// Entries in one package.
pub const MAX_ENTRIES: usize = 2_000;
/// Bytes inflated from all the entries together.
pub const MAX_INFLATED_BYTES: u64 = 100 * 1024 * 1024;
/// A sheet's rows (declared or used): more is not a work programme.
pub const MAX_SHEET_ROWS: u64 = 25_000;
/// A sheet's columns (declared or used).
pub const MAX_SHEET_COLUMNS: u64 = 1_000;
/// Cells in one sheet, or in the Word document's tables.
pub const MAX_CELLS: u64 = 1_000_000;
/// Entries of the shared string table.
pub const MAX_SHARED_STRINGS: u64 = 1_000_000;
/// Merged regions of one sheet.
pub const MAX_MERGED: u64 = 100_000;

/// Why a package was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Over a limit (413): the message says which.
    TooLarge(String),
    /// Not a readable package (422).
    Malformed(String),
}

/// Checks `bytes` as a zip package (.xlsx or .docx).
pub fn check_package(bytes: &[u8]) -> Result<(), Refusal> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(Refusal::TooLarge(format!(
            "Tệp lớn hơn {} MB",
            MAX_FILE_BYTES / 1024 / 1024
        )));
    }
    let mut archive = ZipArchive::new(Cursor::new(bytes)).map_err(|err| {
        Refusal::Malformed(format!("Tệp không phải gói .xlsx/.docx hợp lệ ({err})"))
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(Refusal::TooLarge(format!(
            "Tệp có hơn {MAX_ENTRIES} phần nén"
        )));
    }
    let mut budget = MAX_INFLATED_BYTES;
    for index in 0..archive.len() {
        let entry = archive
            .by_index(index)
            .map_err(|err| Refusal::Malformed(format!("Không đọc được phần nén ({err})")))?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let part = Part::of(&name);
        let declared = entry.size();
        // An honest giant is refused on its word; a liar is caught by the counter.
        if declared > budget {
            return Err(inflated_too_much());
        }
        let mut counted = Counted {
            inner: entry,
            read: 0,
            declared,
            budget,
            over: None,
        };
        let scanned = match part {
            Part::Sheet => scan_xml(&mut counted, check_sheet_event, SheetTally::default()),
            Part::SharedStrings => {
                scan_xml(&mut counted, check_strings_event, SheetTally::default())
            }
            Part::WordBody => scan_xml(&mut counted, check_word_event, SheetTally::default()),
            Part::Other => io::copy(&mut counted, &mut io::sink())
                .map(|_| ())
                .map_err(|err| Refusal::Malformed(err.to_string())),
        };
        // The counter's own verdict wins: the XML error it caused is only its echo.
        if let Some(over) = counted.over.take() {
            return Err(over);
        }
        scanned.map_err(|refusal| match refusal {
            Refusal::Malformed(why) => Refusal::Malformed(format!("{name}: {why}")),
            too_large => too_large,
        })?;
        budget -= counted.read;
    }
    Ok(())
}

/// The parts whose content sizes what a reader allocates.
#[derive(Clone, Copy)]
enum Part {
    Sheet,
    SharedStrings,
    WordBody,
    Other,
}

impl Part {
    fn of(name: &str) -> Part {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("xl/worksheets/") && lower.ends_with(".xml") {
            Part::Sheet
        } else if lower == "xl/sharedstrings.xml" {
            Part::SharedStrings
        } else if lower == "word/document.xml" {
            Part::WordBody
        } else {
            Part::Other
        }
    }
}

/// Inflates through a counter: stops at the package's budget, and at the
/// first byte past the size the entry declared (a bomb lying about itself).
struct Counted<R> {
    inner: R,
    read: u64,
    declared: u64,
    budget: u64,
    over: Option<Refusal>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            // The zip reader itself refuses to go past the declared size
            // (swallowing the bytes that went past it); a CRC error is not this.
            Err(err)
                if err.kind() == io::ErrorKind::InvalidData
                    && self.read + buf.len() as u64 > self.declared
                    && err.to_string().contains("declared") =>
            {
                self.over = Some(lying_entry());
                return Err(err);
            }
            Err(err) => return Err(err),
        };
        self.read += n as u64;
        if self.read > self.budget {
            self.over = Some(inflated_too_much());
        } else if self.read > self.declared {
            self.over = Some(Refusal::TooLarge(
                "Tệp nén bất thường: một phần giải nén ra nhiều hơn kích thước nó khai báo".into(),
            ));
        }
        match self.over {
            Some(_) => Err(io::Error::other("inflation limit")),
            None => Ok(n),
        }
    }
}

fn lying_entry() -> Refusal {
    Refusal::TooLarge(
        "Tệp nén bất thường: một phần giải nén ra nhiều hơn kích thước nó khai báo".into(),
    )
}

fn inflated_too_much() -> Refusal {
    Refusal::TooLarge(format!(
        "Tệp giải nén ra hơn {} MB",
        MAX_INFLATED_BYTES / 1024 / 1024
    ))
}

/// What has been counted in one part so far.
#[derive(Default)]
struct SheetTally {
    cells: u64,
    merged: u64,
    strings: u64,
}

type Check = fn(&BytesStart<'_>, &mut SheetTally) -> Result<(), Refusal>;

fn scan_xml<R: Read>(input: R, check: Check, mut tally: SheetTally) -> Result<(), Refusal> {
    let mut reader = Reader::from_reader(BufReader::new(input));
    let mut buf = Vec::with_capacity(1024);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e) | Event::Empty(e)) => check(&e, &mut tally)?,
            Ok(Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(err) => return Err(Refusal::Malformed(format!("XML hỏng ({err})"))),
        }
    }
}

fn attribute(e: &BytesStart<'_>, name: &str) -> Result<Option<String>, Refusal> {
    match e.try_get_attribute(name) {
        Ok(Some(a)) => Ok(Some(a.value.to_string())),
        Ok(None) => Ok(None),
        Err(err) => Err(Refusal::Malformed(format!("thuộc tính hỏng ({err})"))),
    }
}

fn too_many(what: &str, limit: u64) -> Refusal {
    Refusal::TooLarge(format!("Trang tính có hơn {limit} {what}"))
}

/// `dimension`, every cell's position and count, merged regions.
fn check_sheet_event(e: &BytesStart<'_>, tally: &mut SheetTally) -> Result<(), Refusal> {
    match e.local_name().as_ref() {
        "dimension" => {
            if let Some(range) = attribute(e, "ref")? {
                for corner in range.split(':') {
                    check_position(corner)?;
                }
            }
        }
        "c" => {
            tally.cells += 1;
            if tally.cells > MAX_CELLS {
                return Err(too_many("ô", MAX_CELLS));
            }
            if let Some(at) = attribute(e, "r")? {
                check_position(&at)?;
            }
        }
        "mergeCell" => {
            tally.merged += 1;
            if tally.merged > MAX_MERGED {
                return Err(too_many("vùng gộp ô", MAX_MERGED));
            }
        }
        _ => {}
    }
    Ok(())
}

/// A reference like `XFD1048576` within the row and column limits.
fn check_position(reference: &str) -> Result<(), Refusal> {
    let (row, column) = parse_reference(reference)
        .ok_or_else(|| Refusal::Malformed(format!("ô `{reference}` không hợp lệ")))?;
    if row > MAX_SHEET_ROWS {
        return Err(Refusal::TooLarge(format!(
            "Trang tính dùng tới dòng {row}, quá {MAX_SHEET_ROWS} dòng"
        )));
    }
    if column > MAX_SHEET_COLUMNS {
        return Err(Refusal::TooLarge(format!(
            "Trang tính dùng tới cột thứ {column}, quá {MAX_SHEET_COLUMNS} cột"
        )));
    }
    Ok(())
}

/// (row, column), both from 1; `None` when not a cell reference. Absurd
/// numbers saturate (they are refused by the limits anyway).
fn parse_reference(reference: &str) -> Option<(u64, u64)> {
    let reference = reference.trim().replace('$', "");
    let letters = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .count();
    let (col, row) = reference.split_at(letters);
    if col.is_empty() || row.is_empty() || !row.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let column = col.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(26)
            .saturating_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
    });
    let row = row.bytes().fold(0u64, |acc, b| {
        acc.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    });
    Some((row, column))
}

/// `count` / `uniqueCount` must be plain numbers within the limit; the
/// entries themselves are counted too.
fn check_strings_event(e: &BytesStart<'_>, tally: &mut SheetTally) -> Result<(), Refusal> {
    match e.local_name().as_ref() {
        "sst" => {
            for name in ["count", "uniqueCount"] {
                let Some(value) = attribute(e, name)? else {
                    continue;
                };
                let value = value.trim();
                if value.is_empty()
                    || value.len() > 18
                    || !value.bytes().all(|b| b.is_ascii_digit())
                {
                    return Err(Refusal::Malformed(format!(
                        "bảng chuỗi dùng chung khai báo {name}=\"{value}\", không phải một số"
                    )));
                }
                let n: u64 = value.parse().unwrap_or(u64::MAX);
                if n > MAX_SHARED_STRINGS {
                    return Err(Refusal::TooLarge(format!(
                        "Bảng chuỗi dùng chung khai báo {n} chuỗi, quá {MAX_SHARED_STRINGS}"
                    )));
                }
            }
        }
        "si" => {
            tally.strings += 1;
            if tally.strings > MAX_SHARED_STRINGS {
                return Err(Refusal::TooLarge(format!(
                    "Bảng chuỗi dùng chung có hơn {MAX_SHARED_STRINGS} chuỗi"
                )));
            }
        }
        _ => {}
    }
    Ok(())
}

/// Table cells of a Word body.
fn check_word_event(e: &BytesStart<'_>, tally: &mut SheetTally) -> Result<(), Refusal> {
    if e.local_name().as_ref() == "tc" {
        tally.cells += 1;
        if tally.cells > MAX_CELLS {
            return Err(Refusal::TooLarge(format!(
                "Văn bản có hơn {MAX_CELLS} ô bảng"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_parse_to_row_and_column() {
        assert_eq!(parse_reference("A1"), Some((1, 1)));
        assert_eq!(parse_reference("$AB$12"), Some((12, 28)));
        assert_eq!(parse_reference("XFD1048576"), Some((1_048_576, 16_384)));
        assert_eq!(parse_reference("1A"), None);
        assert!(parse_reference("ZZZZZZZZZZZZZZZ99999999999999999999999").is_some());
    }

    #[test]
    fn positions_beyond_the_limits_are_too_large() {
        assert!(check_position("ALL25000").is_ok());
        assert!(matches!(
            check_position("A25001"),
            Err(Refusal::TooLarge(_))
        ));
        assert!(matches!(check_position("ALM1"), Err(Refusal::TooLarge(_))));
        assert!(matches!(check_position("A"), Err(Refusal::Malformed(_))));
    }
}
