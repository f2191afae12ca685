//! Periods of figures: a programme year, one of its quarters, or a date
//! range. A task belongs to the period of its **original** due date — the
//! programme's commitment — so extensions never move a task from one
//! quarter to another, and the four quarters of a year add up to the year
//! (a task of the year's programme due before 1 January counts in the first
//! quarter, one due after 31 December in the fourth). Reminder documents
//! count by their issue date within the period.

use chrono::{Datelike, NaiveDate};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{AsOf, DocumentPeriod, Scope};
use crate::{
    Clock,
    domain::parse_date,
    error::{Error, FieldError, Result},
    messages::{Lang, Msg},
    org::{departments::collect, programmes},
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawPeriodQuery {
    /// Programme year; default the current year.
    pub year: Option<String>,
    /// 1–4: the quarter of `year`.
    pub quarter: Option<String>,
    /// Start of a date range (`YYYY-MM-DD`), with `to`.
    pub from: Option<String>,
    /// End of a date range (`YYYY-MM-DD`), with `from`.
    pub to: Option<String>,
    /// The day the figures describe (`YYYY-MM-DD`, or an instant); default
    /// the period's last day, or today while the period runs.
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Year,
    Quarter,
    Range,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Period {
    pub kind: PeriodKind,
    pub year: i32,
    pub quarter: Option<u32>,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// The period's name in each language (from `label`).
    pub label_vi: String,
    pub label_en: String,
}

impl PeriodKind {
    /// The Fluent selector of the sentences that name a period.
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Range => "range",
        }
    }
}

fn quarter_label(q: u32) -> &'static str {
    match q {
        1 => "I",
        2 => "II",
        3 => "III",
        _ => "IV",
    }
}

/// Reads the period of a query; `today` gives the default year.
// Longer than 100 lines: one branch per way a period can be asked for (year, quarter, from/to, as of), each with its own error.
pub fn parse_period(raw: &RawPeriodQuery, today: NaiveDate) -> Result<Period> {
    let mut errors: Vec<FieldError> = Vec::new();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let year = match text(&raw.year) {
        Some(t) => collect(
            &mut errors,
            t.parse::<i64>()
                .ok()
                .and_then(|y| crate::domain::parse_year("year", y).ok())
                .ok_or_else(|| {
                    Error::field(
                        "year",
                        "invalid_year",
                        Msg::InvalidYear {
                            value: t.to_string(),
                        },
                    )
                }),
        ),
        None => Some(today.year()),
    };
    let quarter = match text(&raw.quarter) {
        Some(t) => match t.parse::<u32>() {
            Ok(q @ 1..=4) => Some(q),
            _ => {
                errors.push(FieldError::new(
                    "quarter",
                    "invalid_quarter",
                    Msg::InvalidQuarter,
                ));
                None
            }
        },
        None => None,
    };
    let from = text(&raw.from).and_then(|t| collect(&mut errors, parse_date("from", &t)));
    let to = text(&raw.to).and_then(|t| collect(&mut errors, parse_date("to", &t)));
    if text(&raw.from).is_some() != text(&raw.to).is_some() {
        errors.push(FieldError::new(
            if text(&raw.from).is_some() {
                "to"
            } else {
                "from"
            },
            "required",
            Msg::RangeNeedsBothDays,
        ));
    }
    if text(&raw.from).is_some() && quarter.is_some() {
        errors.push(FieldError::new("quarter", "conflict", Msg::QuarterAndRange));
    }
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            errors.push(FieldError::new("to", "before_start", Msg::EndBeforeStart));
        } else if (t - f).num_days() > 3660 {
            errors.push(FieldError::new("to", "too_long", Msg::RangeTooLong));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let year = year.unwrap_or(today.year());
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).unwrap_or(today);
    let mut period = match (from, to, quarter) {
        (Some(f), Some(t), _) => Period {
            kind: PeriodKind::Range,
            year: f.year(),
            quarter: None,
            from: f,
            to: t,
            label_vi: String::new(),
            label_en: String::new(),
        },
        (_, _, Some(q)) => {
            let start = ymd(year, 3 * q - 2, 1);
            let end = if q == 4 {
                ymd(year, 12, 31)
            } else {
                ymd(year, 3 * q + 1, 1).pred_opt().unwrap_or(start)
            };
            Period {
                kind: PeriodKind::Quarter,
                year,
                quarter: Some(q),
                from: start,
                to: end,
                label_vi: String::new(),
                label_en: String::new(),
            }
        }
        _ => Period {
            kind: PeriodKind::Year,
            year,
            quarter: None,
            from: ymd(year, 1, 1),
            to: ymd(year, 12, 31),
            label_vi: String::new(),
            label_en: String::new(),
        },
    };
    // Kept in the JSON in both languages (the API's documented shape).
    period.label_vi = period.label(Lang::Vi);
    period.label_en = period.label(Lang::En);
    Ok(period)
}

impl Period {
    /// How the period is named in a sentence ("quý II năm 2026", "Q2 2026").
    pub fn label(&self, lang: Lang) -> String {
        let quarter = self.quarter.unwrap_or(0);
        dondoc_i18n::text_with(
            lang,
            "review-period",
            &[
                ("kind", self.kind.code().into()),
                ("year", self.year.into()),
                ("quarter", quarter.into()),
                ("roman", quarter_label(quarter).into()),
                ("from", self.from.into()),
                ("to", self.to.into()),
            ],
        )
    }

    /// The tasks the period covers, or `None` when its year has no
    /// programme (then every figure is zero).
    pub async fn scope<C: ConnectionTrait>(&self, db: &C) -> Result<Option<Scope>> {
        if self.kind == PeriodKind::Range {
            return Ok(Some(Scope {
                due_from: Some(self.from),
                due_to: Some(self.to),
                ..Scope::default()
            }));
        }
        let Some(programme) = programmes::find_by_year(db, self.year).await? else {
            return Ok(None);
        };
        let (due_from, due_to) = match self.quarter {
            Some(q) => ((q > 1).then_some(self.from), (q < 4).then_some(self.to)),
            None => (None, None),
        };
        Ok(Some(Scope {
            programme_id: Some(programme.id),
            due_from,
            due_to,
            ..Scope::default()
        }))
    }

    /// Reminder documents issued within the period.
    pub fn documents(&self) -> DocumentPeriod {
        DocumentPeriod {
            from: Some(self.from),
            to: self.to,
        }
    }

    /// The moment a review of the period describes by default: the end of
    /// its last day once it is over (so asking again later gives the same
    /// numbers), else now.
    pub fn default_as_of(&self, clock: &Clock) -> AsOf {
        AsOf::end_of(self.to.min(clock.today()), clock)
    }

    /// Whether the period had ended by `day`.
    pub fn ended_by(&self, day: NaiveDate) -> bool {
        day >= self.to
    }
}
