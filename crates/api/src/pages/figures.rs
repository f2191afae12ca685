//! Every number opens its tasks, and every number names its scope.
//!
//! The figures pages (dashboard, review, snapshot) show counts computed by
//! `reports::figures`, which also hands back the task-list query of their
//! scope and moment (`tasks_query`). A number's link is that query plus
//! `figure=<code>` (and the row's `department`, `field` or `leader`), so the
//! list it opens is, by construction, exactly the tasks counted. The cards
//! and tables built here are shared by those pages
//! (`figure_cards.html`, `figures_table.html`).

use chrono::{DateTime, NaiveDate, Utc};
use dondoc_core::{
    domain::figure::Figure,
    messages::Label,
    reports::figures::{Figures, Group},
    tasks::query::NO_LEADER,
};
use dondoc_i18n::Arg;

use super::{Tr, format};

/// The links of one set of figures: the list query of their scope and
/// moment, and (on a staff dashboard) the department the figures are
/// limited to — staff lists otherwise also show tasks they only coordinate,
/// which the figures do not count.
#[derive(Debug, Clone)]
pub struct Links {
    query: String,
    own_department: Option<String>,
}

impl Links {
    pub fn new(tasks_query: &str, own_department: Option<&str>) -> Self {
        Self {
            query: tasks_query.to_string(),
            own_department: own_department.filter(|c| !c.is_empty()).map(str::to_string),
        }
    }

    fn base(&self, row_dimension: Option<&str>) -> String {
        let mut query = self.query.clone();
        if let Some(code) = &self.own_department {
            // A department row names its department itself.
            if row_dimension != Some("department") {
                push_pair(&mut query, "department", code);
            }
        }
        query
    }

    /// `/tasks?…&figure=<code>` for the whole scope.
    pub fn href(&self, figure: Figure) -> String {
        let mut query = self.base(None);
        push_pair(&mut query, "figure", figure.as_str());
        format!("/tasks?{query}")
    }

    /// The link of one row of a table: `dimension` is `department`, `field`
    /// or `leader`; a leader row without a key is "no leader in charge".
    pub fn row_href(&self, figure: Figure, dimension: &str, key: &str) -> String {
        let mut query = self.base(Some(dimension));
        let key = if dimension == "leader" && key.is_empty() {
            NO_LEADER
        } else {
            key
        };
        push_pair(&mut query, dimension, key);
        push_pair(&mut query, "figure", figure.as_str());
        format!("/tasks?{query}")
    }
}

fn push_pair(query: &mut String, key: &str, value: &str) {
    if !query.is_empty() {
        query.push('&');
    }
    let pair: String = form_urlencoded::Serializer::new(String::new())
        .append_pair(key, value)
        .finish();
    query.push_str(&pair);
}

/// One card: a number, what it is, and the list behind it.
pub struct Card {
    pub code: &'static str,
    /// An id for the number, where a page needs one ("" = none).
    pub value_id: String,
    pub label: String,
    pub value: i64,
    /// A remark under the label (the completion rate, the scope).
    pub note: String,
    pub href: String,
    /// The card's colour class (`overdue`, `done`, …).
    pub class: &'static str,
}

fn card_class(figure: Figure) -> &'static str {
    match figure {
        Figure::Overdue
        | Figure::OverdueOver30Days
        | Figure::OverdueOver60Days
        | Figure::OverdueOver120Days => "overdue",
        Figure::DueSoon => "soon",
        Figure::Completed | Figure::CompletedOnTime | Figure::CompletedOnTimeAfterExtension => {
            "done"
        }
        Figure::CompletedLate => "late",
        _ => "",
    }
}

/// The cards shown for a scope, in reading order: what was done (on time,
/// after an extension, late), then what is still open and how it stands.
pub const CARD_FIGURES: &[Figure] = &[
    Figure::Total,
    Figure::Completed,
    Figure::CompletedOnTime,
    Figure::CompletedOnTimeAfterExtension,
    Figure::CompletedLate,
    Figure::AwaitingConfirmation,
    Figure::NotStarted,
    Figure::InProgress,
    Figure::Overdue,
    Figure::DueSoon,
    Figure::OnTrack,
];

pub fn cards(t: Tr, figures: &Figures, links: &Links) -> Vec<Card> {
    CARD_FIGURES
        .iter()
        .map(|&figure| Card {
            code: figure.as_str(),
            value_id: String::new(),
            label: figure.label(t.lang()).to_string(),
            value: figures.get(figure),
            note: if figure == Figure::Completed {
                format!(
                    "{}% {}",
                    format::percent(t, figures.completion_rate),
                    t.get("of_counted")
                )
            } else {
                String::new()
            },
            href: links.href(figure),
            class: card_class(figure),
        })
        .collect()
}

/// The columns of a figures table; each is a figure, so each cell links.
pub const TABLE_FIGURES: &[Figure] = &[
    Figure::Total,
    Figure::Completed,
    Figure::CompletedOnTime,
    Figure::CompletedOnTimeAfterExtension,
    Figure::CompletedLate,
    Figure::NotStarted,
    Figure::InProgress,
    Figure::Overdue,
    Figure::Cancelled,
];

pub struct Cell {
    pub value: i64,
    pub href: String,
}

pub struct Row {
    pub key: String,
    pub name: String,
    pub cells: Vec<Cell>,
    pub rate: String,
    /// The table's last row: every group together.
    pub total: bool,
}

pub struct Column {
    pub code: &'static str,
    pub label: String,
}

pub struct Table {
    /// `department`, `field` or `leader`: the row's filter in its links.
    pub dimension: &'static str,
    pub heading: String,
    pub first: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// A group of a figures table: its key (code or username), name, figures.
pub struct GroupRef<'a> {
    pub key: &'a str,
    pub name: &'a str,
    pub figures: &'a Figures,
}

impl<'a> From<&'a Group> for GroupRef<'a> {
    fn from(g: &'a Group) -> Self {
        Self {
            key: &g.key,
            name: &g.name,
            figures: &g.figures,
        }
    }
}

/// A table with one row per group and a total row; every cell links to
/// its tasks.
pub fn table(
    t: Tr,
    dimension: &'static str,
    heading: String,
    groups: Vec<GroupRef<'_>>,
    overall: &Figures,
    links: &Links,
) -> Table {
    let first = match dimension {
        "department" => t.get("department"),
        "field" => t.get("field"),
        _ => t.get("leader_in_charge"),
    };
    let mut rows: Vec<Row> = groups
        .iter()
        .map(|g| Row {
            key: g.key.to_string(),
            name: if g.name.is_empty() {
                t.get("no_leader")
            } else {
                g.name.to_string()
            },
            cells: TABLE_FIGURES
                .iter()
                .map(|&f| Cell {
                    value: g.figures.get(f),
                    href: links.row_href(f, dimension, g.key),
                })
                .collect(),
            rate: format::percent(t, g.figures.completion_rate),
            total: false,
        })
        .collect();
    rows.push(Row {
        key: String::new(),
        name: t.get("grand_total"),
        cells: TABLE_FIGURES
            .iter()
            .map(|&f| Cell {
                value: overall.get(f),
                href: links.href(f),
            })
            .collect(),
        rate: format::percent(t, overall.completion_rate),
        total: true,
    });
    Table {
        dimension,
        heading,
        first,
        columns: TABLE_FIGURES
            .iter()
            .map(|&f| Column {
                code: f.as_str(),
                label: f.label(t.lang()).to_string(),
            })
            .collect(),
        rows,
    }
}

/// The `as_of` of a task-list query (`None`: now).
pub fn as_of_of(tasks_query: &str) -> Option<String> {
    form_urlencoded::parse(tasks_query.as_bytes())
        .find(|(k, _)| k == "as_of")
        .map(|(_, v)| v.into_owned())
}

/// The moment figures describe, in words: "tính đến hôm nay", "tính đến
/// hết ngày 31/03/2026", or (a snapshot) "tính đến 08:30 ngày 12/11/2026".
pub fn moment(t: Tr, as_of_query: Option<&str>, tz: chrono_tz::Tz) -> String {
    let Some(value) = as_of_query.map(str::trim).filter(|v| !v.is_empty()) else {
        return t.get("scope-today");
    };
    if let Ok(instant) = DateTime::parse_from_rfc3339(value) {
        let local = instant.with_timezone(&Utc).with_timezone(&tz);
        return t.with(
            "scope-instant",
            &[
                ("time", local.format("%H:%M").to_string().into()),
                ("day", Arg::Date(local.date_naive())),
            ],
        );
    }
    // A day as a picker sends it (yyyy-mm-dd) or as a person types it.
    match dondoc_core::domain::parse_date("as_of", value) {
        Ok(day) => t.with("scope-end-of-day", &[("day", Arg::Date(day))]),
        Err(_) => t.get("scope-today"),
    }
}

/// What tasks a figure counts: "Chương trình năm 2026", or every
/// programme year.
pub fn programme(t: Tr, year: Option<i32>) -> String {
    match year {
        Some(year) => t.with("scope-year", &[("year", i64::from(year).into())]),
        None => t.get("scope-all-years"),
    }
}

/// The period of a scope in words ("hạn ban đầu từ 01/01/2026 đến
/// 31/03/2026"), when it has one.
pub fn period_words(t: Tr, from: Option<NaiveDate>, to: Option<NaiveDate>) -> Option<String> {
    match (from, to) {
        (Some(from), Some(to)) => Some(t.with(
            "scope-period",
            &[("from", Arg::Date(from)), ("to", Arg::Date(to))],
        )),
        (Some(day), None) => Some(t.with("scope-due-from", &[("day", Arg::Date(day))])),
        (None, Some(day)) => Some(t.with("scope-due-to", &[("day", Arg::Date(day))])),
        (None, None) => None,
    }
}

/// The scope line of a task-list query (a review's): the programme, the
/// period of original due dates, the moment.
pub fn scope_of_query(t: Tr, tasks_query: &str, tz: chrono_tz::Tz) -> String {
    let param = |key: &str| {
        form_urlencoded::parse(tasks_query.as_bytes())
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.into_owned())
    };
    let day = |key: &str| param(key).and_then(|v| NaiveDate::parse_from_str(&v, "%Y-%m-%d").ok());
    let year = param("year").and_then(|y| y.parse().ok());
    let mut parts = vec![programme(t, year)];
    parts.extend(period_words(
        t,
        day("original_due_from"),
        day("original_due_to"),
    ));
    parts.push(moment(t, param("as_of").as_deref(), tz));
    parts.join(" — ")
}

/// "Chương trình năm 2026 — tính đến hôm nay".
pub fn scope_line(
    t: Tr,
    year: Option<i32>,
    as_of_query: Option<&str>,
    tz: chrono_tz::Tz,
) -> String {
    format!("{} — {}", programme(t, year), moment(t, as_of_query, tz))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn links_add_the_figure_and_the_row() {
        let links = Links::new("year=2026&as_of=2026-03-31", None);
        assert_eq!(
            links.href(Figure::Overdue),
            "/tasks?year=2026&as_of=2026-03-31&figure=overdue"
        );
        assert_eq!(
            links.row_href(Figure::Completed, "department", "TNMT"),
            "/tasks?year=2026&as_of=2026-03-31&department=TNMT&figure=completed"
        );
        assert_eq!(
            links.row_href(Figure::Total, "leader", ""),
            "/tasks?year=2026&as_of=2026-03-31&leader=-&figure=total"
        );
        let staff = Links::new("year=2026", Some("TCKH"));
        assert_eq!(
            staff.href(Figure::NotStarted),
            "/tasks?year=2026&department=TCKH&figure=not_started"
        );
    }

    #[test]
    fn scope_lines_name_the_moment() {
        let tz = chrono_tz::Asia::Ho_Chi_Minh;
        let vi = Tr(Lang::Vi);
        assert_eq!(
            scope_line(vi, Some(2026), None, tz),
            "Chương trình năm 2026 — tính đến hôm nay"
        );
        assert_eq!(
            scope_line(vi, Some(2026), Some("2026-03-31"), tz),
            "Chương trình năm 2026 — tính đến hết ngày 31/03/2026"
        );
        // Typed as people write it, the same day (not "today").
        assert_eq!(
            scope_line(vi, Some(2026), Some("31/03/2026"), tz),
            "Chương trình năm 2026 — tính đến hết ngày 31/03/2026"
        );
        assert_eq!(
            moment(vi, Some("2026-11-12T01:30:00.000Z"), tz),
            "tính đến 08:30 ngày 12/11/2026"
        );
        assert_eq!(
            scope_of_query(
                vi,
                "year=2026&original_due_to=2026-03-31&as_of=2026-03-31",
                tz
            ),
            "Chương trình năm 2026 — hạn ban đầu đến 31/03/2026 — tính đến hết ngày 31/03/2026"
        );
        let en = Tr(Lang::En);
        assert_eq!(
            scope_line(en, None, Some("2026-03-31"), tz),
            "Every programme year — as of the end of 31/03/2026"
        );
    }
}
