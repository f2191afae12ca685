//! Rows as SQL text: literal values quoted for both databases, and
//! multi-row INSERT statements built a row at a time.

use std::fmt::Write as _;

use chrono::{DateTime, Days, NaiveDate, SecondsFormat, Utc};

pub(crate) fn q(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for ch in text.chars() {
        if ch == '\'' {
            out.push('\'');
        }
        out.push(ch);
    }
    out.push('\'');
    out
}

pub(crate) fn d(day: NaiveDate) -> String {
    format!("'{}'", day.format("%Y-%m-%d"))
}

pub(crate) fn od(day: Option<NaiveDate>) -> String {
    day.map(d).unwrap_or_else(|| "NULL".to_string())
}

pub(crate) fn oi(id: Option<i64>) -> String {
    id.map(|v| v.to_string())
        .unwrap_or_else(|| "NULL".to_string())
}

/// A timestamp as sqlx writes a `DateTime<Utc>` into SQLite (and
/// PostgreSQL reads the same text): 09:00 Vietnam time on `day`.
pub(crate) fn ts(day: NaiveDate) -> String {
    let at: DateTime<Utc> = day
        .and_hms_opt(2, 0, 0)
        .map(|n| n.and_utc())
        .unwrap_or_default();
    format!("'{}'", at.to_rfc3339_opts(SecondsFormat::AutoSi, false))
}

pub(crate) fn add_days(day: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        day.checked_add_days(Days::new(n as u64)).unwrap_or(day)
    } else {
        day.checked_sub_days(Days::new(n.unsigned_abs()))
            .unwrap_or(day)
    }
}

/// One table's multi-row INSERT under construction.
pub(crate) struct Insert {
    head: &'static str,
    sql: String,
    pub(crate) rows: u64,
}

impl Insert {
    pub(crate) fn new(head: &'static str) -> Self {
        Self {
            head,
            sql: String::new(),
            rows: 0,
        }
    }

    pub(crate) fn row(&mut self, values: std::fmt::Arguments<'_>) {
        if self.rows == 0 {
            self.sql.push_str(self.head);
            self.sql.push_str(" VALUES (");
        } else {
            self.sql.push_str(",(");
        }
        let _ = self.sql.write_fmt(values);
        self.sql.push(')');
        self.rows += 1;
    }

    pub(crate) fn take(&mut self) -> Option<String> {
        if self.rows == 0 {
            return None;
        }
        self.rows = 0;
        Some(std::mem::take(&mut self.sql))
    }
}
