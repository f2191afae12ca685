//! Validated values. Each has a private field and a `parse` that returns a
//! field error naming what is wrong, so a value of these types is known good.

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::messages::Msg;

macro_rules! text_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

fn required<'a>(field: &str, raw: &'a str) -> Result<&'a str> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::field(field, "required", Msg::Required));
    }
    Ok(trimmed)
}

fn max_chars(field: &str, text: &str, max: usize) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::field(field, "too_long", Msg::TooLong { max }));
    }
    Ok(())
}

fn no_control_chars(field: &str, text: &str, allow_newlines: bool) -> Result<()> {
    if text
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t')))
    {
        return Err(Error::field(
            field,
            "invalid_characters",
            Msg::ControlCharacters,
        ));
    }
    Ok(())
}

text_value!(
    /// A department code: upper-case ASCII letters, digits and `-`, e.g. `TNMT`, `XA-TAN-THANH`.
    DepartmentCode
);

impl DepartmentCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = required(field, raw)?.to_ascii_uppercase();
        max_chars(field, &text, 32)?;
        let valid_chars = text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        let starts_alnum = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if !valid_chars || !starts_alnum {
            return Err(Error::field(
                field,
                "invalid_code",
                Msg::InvalidDepartmentCode,
            ));
        }
        Ok(Self(text))
    }
}

text_value!(
    /// A task code, unique within a programme (e.g. `GPMB-02`, `1.3`).
    TaskCode
);

impl TaskCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = required(field, raw)?;
        max_chars(field, text, 40)?;
        if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(Error::field(field, "invalid_code", Msg::TaskCodeSpaces));
        }
        Ok(Self(text.to_string()))
    }
}

text_value!(
    /// A username: lower-case ASCII letters, digits, `.`, `_`, `-`.
    Username
);

impl Username {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = required(field, raw)?.to_ascii_lowercase();
        max_chars(field, &text, 64)?;
        if text.len() < 2
            || !text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(Error::field(
                field,
                "invalid_username",
                Msg::InvalidUsername,
            ));
        }
        Ok(Self(text))
    }
}

text_value!(
    /// An email address (checked for shape; delivery proves the rest).
    EmailAddress
);

impl EmailAddress {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = required(field, raw)?;
        max_chars(field, text, 254)?;
        let valid = match text.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !text.chars().any(|c| {
                        c.is_whitespace()
                            || c.is_control()
                            || matches!(c, '<' | '>' | ',' | ';' | '"')
                    })
                    && !domain.contains('@')
            }
            None => false,
        };
        if !valid {
            return Err(Error::field(
                field,
                "invalid_email",
                Msg::InvalidEmail {
                    value: text.to_string(),
                },
            ));
        }
        Ok(Self(text.to_string()))
    }

    /// `None` for an empty input, else a parsed address.
    pub fn parse_optional(field: &str, raw: Option<&str>) -> Result<Option<Self>> {
        match raw.map(str::trim) {
            None | Some("") => Ok(None),
            Some(text) => Self::parse(field, text).map(Some),
        }
    }
}

text_value!(
    /// A document number (số ký hiệu), e.g. `125/UBND-VP`.
    DocumentNumber
);

impl DocumentNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self> {
        let text = required(field, raw)?;
        max_chars(field, text, 64)?;
        no_control_chars(field, text, false)?;
        Ok(Self(text.to_string()))
    }
}

text_value!(
    /// A one-line title or name (task title, department name…).
    Title
);

impl Title {
    pub fn parse(field: &str, raw: &str, max: usize) -> Result<Self> {
        let text = required(field, raw)?;
        max_chars(field, text, max)?;
        no_control_chars(field, text, false)?;
        Ok(Self(text.to_string()))
    }
}

/// Free text that may be empty (descriptions, notes, reasons).
pub fn parse_note(field: &str, raw: &str, max: usize) -> Result<String> {
    let text = raw.trim();
    max_chars(field, text, max)?;
    no_control_chars(field, text, true)?;
    Ok(text.to_string())
}

/// Progress in percent, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Progress(u8);

impl Progress {
    pub fn parse(field: &str, value: i64) -> Result<Self> {
        if !(0..=100).contains(&value) {
            return Err(Error::field(field, "out_of_range", Msg::ProgressRange));
        }
        Ok(Self(value as u8))
    }

    pub fn value(self) -> i32 {
        i32::from(self.0)
    }
}

/// A calendar date from `YYYY-MM-DD` (API) or `dd/mm/yyyy` (people and spreadsheets).
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(Error::field(field, "required", Msg::Required));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .map_err(|_| {
            Error::field(
                field,
                "invalid_date",
                Msg::InvalidDate {
                    value: text.to_string(),
                },
            )
        })
}

/// A programme year, within a range no office needs to exceed.
pub fn parse_year(field: &str, value: i64) -> Result<i32> {
    if !(2000..=2100).contains(&value) {
        return Err(Error::field(field, "out_of_range", Msg::YearRange));
    }
    Ok(value as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn department_codes_are_upper_cased_and_checked() {
        assert_eq!(
            DepartmentCode::parse("code", " tnmt ").unwrap().as_str(),
            "TNMT"
        );
        assert_eq!(
            DepartmentCode::parse("code", "XA-TAN-THANH")
                .unwrap()
                .as_str(),
            "XA-TAN-THANH"
        );
        assert!(DepartmentCode::parse("code", "Tài nguyên").is_err());
        assert!(DepartmentCode::parse("code", "").is_err());
        assert!(DepartmentCode::parse("code", "-X").is_err());
    }

    #[test]
    fn dates_accept_iso_and_vietnamese_forms_and_reject_impossible_days() {
        let expected = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(parse_date("d", "2026-03-31").unwrap(), expected);
        assert_eq!(parse_date("d", "31/03/2026").unwrap(), expected);
        assert!(parse_date("d", "2021-02-30").is_err());
        assert!(parse_date("d", "30/02/2021").is_err());
        assert!(parse_date("d", "tomorrow").is_err());
    }

    #[test]
    fn progress_is_bounded() {
        assert_eq!(Progress::parse("p", 0).unwrap().value(), 0);
        assert_eq!(Progress::parse("p", 100).unwrap().value(), 100);
        assert!(Progress::parse("p", 101).is_err());
        assert!(Progress::parse("p", -1).is_err());
    }

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(EmailAddress::parse("e", "tnmt@bactanuyen.example").is_ok());
        for bad in [
            "",
            "x",
            "a@b",
            "a@@b.vn",
            "a b@c.vn",
            "<a@b.vn>",
            "a@b.vn,c@d.vn",
        ] {
            assert!(EmailAddress::parse("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn titles_reject_control_characters_and_overlong_text() {
        assert!(Title::parse("t", "Giải phóng mặt bằng <script>", 10).is_err());
        assert!(Title::parse("t", "ok\u{0007}", 100).is_err());
        assert_eq!(
            Title::parse("t", "  <b>x</b> ", 100).unwrap().as_str(),
            "<b>x</b>"
        );
    }

    #[test]
    fn the_field_at_fault_is_named() {
        let err = parse_date("due_date", "2021-02-30").unwrap_err();
        match err {
            Error::Validation(fields) => assert_eq!(fields[0].field, "due_date"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
