//! Deadlines as the annexes write them: "Quý II/2027", "Tháng 6/2027",
//! "6 tháng đầu năm", "Trước 30/6/2027", "30/6" (the programme's year),
//! with Roman or Arabic numerals. A period means its last day. "Thường
//! xuyên", "Hằng tháng", "Hằng quý" and "Hằng năm" are recurring tasks.

use chrono::{Datelike, NaiveDate};

use crate::{domain::text::fold, tasks::recurrence::Frequency};

/// What a deadline cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deadline {
    /// One day. `written` is false for a plain date (`31/12/2027`,
    /// `2027-12-31`), true when the wording was read as that day.
    Day { date: NaiveDate, written: bool },
    /// A task that recurs ("Thường xuyên" recurs monthly).
    Recurring(Frequency),
}

/// Reads `text`; `year` is the programme's year, for wording without one.
/// `None` when the wording is not understood.
pub fn read(text: &str, year: i32) -> Option<Deadline> {
    let raw = text.trim();
    if raw.is_empty() {
        return None;
    }
    if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(raw, "%d/%m/%Y"))
    {
        return Some(Deadline::Day {
            date,
            written: false,
        });
    }
    let folded = fold(raw).replace(" / ", "/").replace("/ ", "/");
    if let Some(frequency) = recurring(&folded) {
        return Some(Deadline::Recurring(frequency));
    }
    let mut rest = folded.as_str();
    // "Trước ngày 30/6/2027", "Chậm nhất ngày …", "Trong tháng 6" …
    loop {
        let before = rest;
        for prefix in [
            "truoc ngay ",
            "truoc ",
            "cham nhat ngay ",
            "cham nhat ",
            "den ngay ",
            "den het ",
            "den ",
            "trong ",
            "ngay ",
            "han ",
            "hoan thanh ",
            "ket thuc ",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        if rest == before {
            break;
        }
    }
    let rest = rest.trim_end_matches(['.', ';']).trim();
    period(rest, year).map(|date| Deadline::Day {
        date,
        written: true,
    })
}

fn recurring(folded: &str) -> Option<Frequency> {
    let words = folded.trim();
    let words = words.strip_prefix("dinh ky ").unwrap_or(words);
    match words {
        w if w.starts_with("thuong xuyen") => Some(Frequency::Monthly),
        w if w.starts_with("hang thang") => Some(Frequency::Monthly),
        w if w.starts_with("hang quy") => Some(Frequency::Quarterly),
        w if w.starts_with("hang nam") => Some(Frequency::Yearly),
        _ => None,
    }
}

/// The last day of the period `text` names (already folded, prefixes gone).
fn period(text: &str, year: i32) -> Option<NaiveDate> {
    // "năm 2027" after a period: "Quý II năm 2027" → "quy ii/2027".
    let text = text.replace(" nam ", "/");
    let (head, year) = match text.rsplit_once('/') {
        Some((head, tail)) if tail.len() == 4 && tail.chars().all(|c| c.is_ascii_digit()) => {
            (head.trim().to_string(), tail.parse().ok()?)
        }
        _ => (text.trim().to_string(), year),
    };
    // A year written after the words: "6 tháng đầu năm 2027".
    let (head, year) = match head.rsplit_once(' ') {
        Some((words, tail))
            if tail.len() == 4
                && tail.chars().all(|c| c.is_ascii_digit())
                && words.ends_with("nam") =>
        {
            (words.to_string(), tail.parse().ok()?)
        }
        _ => (head, year),
    };
    let head = head.as_str();
    if [
        "6 thang dau nam",
        "sau thang dau nam",
        "nua dau nam",
        "6 thang dau",
        "nua nam dau",
    ]
    .contains(&head)
    {
        return last_day(year, 6);
    }
    if [
        "6 thang cuoi nam",
        "sau thang cuoi nam",
        "nua cuoi nam",
        "6 thang cuoi",
        "ca nam",
        "nam",
        "cuoi nam",
    ]
    .contains(&head)
    {
        return last_day(year, 12);
    }
    if let Some(number) = head.strip_prefix("quy ") {
        let quarter = numeral(number)?;
        return (1..=4)
            .contains(&quarter)
            .then(|| last_day(year, quarter * 3))?;
    }
    if let Some(number) = head.strip_prefix("thang ") {
        let month = numeral(number)?;
        return (1..=12).contains(&month).then(|| last_day(year, month))?;
    }
    // Day and month, the year from the text or the programme.
    let parts: Vec<&str> = head.split(['/', '-', '.']).collect();
    match parts.as_slice() {
        [day, month] => NaiveDate::from_ymd_opt(year, numeral_arabic(month)?, numeral_arabic(day)?),
        [day, month, y] if y.len() == 4 => NaiveDate::from_ymd_opt(
            y.parse().ok()?,
            numeral_arabic(month)?,
            numeral_arabic(day)?,
        ),
        _ => None,
    }
}

fn last_day(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    first_next.pred_opt().filter(|d| d.year() == year)
}

fn numeral_arabic(text: &str) -> Option<u32> {
    let text = text.trim();
    (!text.is_empty() && text.len() <= 2 && text.chars().all(|c| c.is_ascii_digit()))
        .then(|| text.parse().ok())?
}

/// 1–12 in Arabic or Roman numerals ("2", "02", "II", "xii").
fn numeral(text: &str) -> Option<u32> {
    let text = text.trim();
    if let Some(n) = numeral_arabic(text) {
        return Some(n);
    }
    const ROMAN: [&str; 12] = [
        "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii",
    ];
    ROMAN.iter().position(|r| *r == text).map(|i| i as u32 + 1)
}

/// A Roman numeral heading a section ("I", "II.", "IV -"): its value.
pub(super) fn roman_heading(text: &str) -> Option<u32> {
    let t = text.trim().trim_end_matches(['.', ')', '-', ':']).trim();
    if t.is_empty() || !t.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L')) {
        return None;
    }
    numeral(&t.to_ascii_lowercase()).or(Some(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        match read(text, 2027) {
            Some(Deadline::Day { date, .. }) => date,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn periods_end_on_their_last_day() {
        assert_eq!(day("Quý II/2027").to_string(), "2027-06-30");
        assert_eq!(day("Quý 4/2026").to_string(), "2026-12-31");
        assert_eq!(day("quý III năm 2027").to_string(), "2027-09-30");
        assert_eq!(day("Quý I").to_string(), "2027-03-31");
        assert_eq!(day("Tháng 6/2027").to_string(), "2027-06-30");
        assert_eq!(day("Tháng 02/2028").to_string(), "2028-02-29");
        assert_eq!(day("Trong tháng XI").to_string(), "2027-11-30");
        assert_eq!(day("6 tháng đầu năm").to_string(), "2027-06-30");
        assert_eq!(day("6 tháng cuối năm 2026").to_string(), "2026-12-31");
        assert_eq!(day("Cả năm").to_string(), "2027-12-31");
        assert_eq!(day("Năm 2028").to_string(), "2028-12-31");
    }

    #[test]
    fn days_with_and_without_year() {
        assert_eq!(day("Trước 30/6/2027").to_string(), "2027-06-30");
        assert_eq!(day("Trước ngày 15/3").to_string(), "2027-03-15");
        assert_eq!(day("30/9").to_string(), "2027-09-30");
        assert_eq!(day("Chậm nhất ngày 5-8-2027").to_string(), "2027-08-05");
        assert_eq!(
            read("31/12/2027", 2027),
            Some(Deadline::Day {
                date: NaiveDate::from_ymd_opt(2027, 12, 31).unwrap(),
                written: false
            })
        );
    }

    #[test]
    fn recurring_wording() {
        for (text, f) in [
            ("Thường xuyên", Frequency::Monthly),
            ("Hằng tháng", Frequency::Monthly),
            ("Hàng tháng", Frequency::Monthly),
            ("Hằng quý", Frequency::Quarterly),
            ("Hằng năm", Frequency::Yearly),
        ] {
            assert_eq!(read(text, 2027), Some(Deadline::Recurring(f)), "{text}");
        }
    }

    #[test]
    fn nonsense_is_not_read() {
        for text in [
            "",
            "sớm",
            "Quý V/2027",
            "Tháng 13",
            "31/2",
            "32/1/2027",
            "abc/def",
        ] {
            assert_eq!(read(text, 2027), None, "{text}");
        }
    }

    #[test]
    fn roman_headings() {
        assert_eq!(roman_heading("II."), Some(2));
        assert_eq!(roman_heading("IV"), Some(4));
        assert_eq!(roman_heading("1"), None);
        assert_eq!(roman_heading("Kinh tế"), None);
    }
}
