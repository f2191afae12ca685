//! The annual and periodic review (báo cáo kiểm điểm): for a year, a
//! quarter or a date range, the paragraph a self-review states ("Trong
//! Chương trình làm việc năm 2026, UBND huyện đã đề ra 96 nội dung trọng
//! tâm; …"), the figures per department, per field and per leader in
//! charge, the tasks overdue more than 30 / 60 / 120 days, and the
//! documents issued by kind; exported as .docx and .xlsx.
//!
//! Which tasks a period covers: a year is its programme's tasks; a quarter
//! or a date range is every task due within it. Timeliness is judged on
//! *today* (`as_of`); documents count when issued within the period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    documents::docx::{self, Align, Cell, Paragraph, Run, Table},
    domain::{DocumentKind, LinkRelation, TaskStatus, parse_date, timeliness::overdue_age_bucket},
    entity::{department, document, document_task, field, task, user},
    error::{Error, FieldError, Result},
    messages::{Arg, Lang, Msg},
    org::departments::collect,
    org::programmes,
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawReviewQuery {
    /// Programme year; default the current year.
    pub year: Option<String>,
    /// 1–4: the quarter of `year`.
    pub quarter: Option<String>,
    /// Start of a date range (`YYYY-MM-DD`), with `to`.
    pub from: Option<String>,
    /// End of a date range (`YYYY-MM-DD`), with `from`.
    pub to: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    Year,
    Quarter,
    Range,
}

impl PeriodKind {
    /// The Fluent selector of the period's sentences.
    pub fn code(self) -> &'static str {
        match self {
            PeriodKind::Year => "year",
            PeriodKind::Quarter => "quarter",
            PeriodKind::Range => "range",
        }
    }
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
    /// The period's name in each language (from `period_label`).
    pub label_vi: String,
    pub label_en: String,
}

/// The figures of one group of tasks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct ReviewFigures {
    pub total: i64,
    /// Reported done or confirmed: on time + late.
    pub completed: i64,
    pub completed_on_time: i64,
    pub completed_late: i64,
    /// Not started or in progress.
    pub in_progress: i64,
    /// Of `in_progress`: past the due date.
    pub overdue: i64,
    pub cancelled: i64,
    /// completed / (total − cancelled), in tenths of a percent (725 = 72,5 %).
    pub completion_permille: i64,
}

impl ReviewFigures {
    fn add(&mut self, t: &task::Model, today: NaiveDate) {
        self.total += 1;
        match t.status {
            TaskStatus::Cancelled => self.cancelled += 1,
            TaskStatus::ReportedDone | TaskStatus::Completed => {
                self.completed += 1;
                if t.completed_on.is_some_and(|d| d > t.due_date) {
                    self.completed_late += 1;
                } else {
                    self.completed_on_time += 1;
                }
            }
            TaskStatus::NotStarted | TaskStatus::InProgress => {
                self.in_progress += 1;
                if t.due_date < today {
                    self.overdue += 1;
                }
            }
        }
    }

    fn finish(&mut self) {
        let base = self.total - self.cancelled;
        self.completion_permille = if base > 0 {
            (self.completed * 1000 + base / 2) / base
        } else {
            0
        };
    }

    /// Tasks that count (not cancelled).
    pub fn base(&self) -> i64 {
        self.total - self.cancelled
    }

    /// The completion rate as people write it: "72,5" in Vietnamese,
    /// "72.5" in English, "100" in both.
    pub fn rate(&self, lang: Lang) -> String {
        let separator = match lang {
            Lang::Vi => ',',
            Lang::En => '.',
        };
        permille_text(self.completion_permille, separator)
    }
}

fn permille_text(permille: i64, separator: char) -> String {
    if permille % 10 == 0 {
        (permille / 10).to_string()
    } else {
        format!("{}{separator}{}", permille / 10, permille % 10)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupFigures {
    /// Department code, field code or leader username ("" = no leader).
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: ReviewFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OverdueTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub department: String,
    pub leader: String,
    #[schema(value_type = String, format = Date)]
    pub due_date: NaiveDate,
    pub days_overdue: i64,
    /// 120, 60 or 30: overdue more than this many days (the largest that applies).
    pub over_days: u32,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KindCount {
    pub kind: DocumentKind,
    pub label_vi: String,
    pub label_en: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub period: Period,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub overall: ReviewFigures,
    pub departments: Vec<GroupFigures>,
    pub fields: Vec<GroupFigures>,
    pub leaders: Vec<GroupFigures>,
    /// Open tasks overdue more than 30 days, the oldest first.
    pub overdue_tasks: Vec<OverdueTask>,
    pub overdue_over_30: i64,
    pub overdue_over_60: i64,
    pub overdue_over_120: i64,
    /// Documents issued within the period, by kind (every kind, zeros included).
    pub documents_by_kind: Vec<KindCount>,
    pub documents_total: i64,
    /// Distinct reminder documents (linked `reminds`) issued within the period.
    pub reminder_documents: i64,
    pub paragraph_vi: String,
    pub paragraph_en: String,
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
pub fn parse_period(raw: &RawReviewQuery, today: NaiveDate) -> Result<Period> {
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
    period.label_vi = period_label(&period, Lang::Vi);
    period.label_en = period_label(&period, Lang::En);
    Ok(period)
}

/// The tasks a period covers.
async fn period_tasks<C: ConnectionTrait>(db: &C, period: &Period) -> Result<Vec<task::Model>> {
    let query = match period.kind {
        PeriodKind::Year => match programmes::find_by_year(db, period.year).await? {
            Some(p) => task::Entity::find().filter(task::Column::ProgrammeId.eq(p.id)),
            None => return Ok(Vec::new()),
        },
        PeriodKind::Quarter | PeriodKind::Range => {
            task::Entity::find().filter(task::Column::DueDate.between(period.from, period.to))
        }
    };
    Ok(query.order_by_asc(task::Column::Id).all(db).await?)
}

pub async fn compute<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawReviewQuery,
    today: NaiveDate,
    short_name: &str,
) -> Result<Review> {
    policy::require(user, Action::ReadReview, None)?;
    let period = parse_period(raw, today)?;
    build(db, period, today, short_name).await
}

/// The review of `period` judged on `today`.
pub async fn build<C: ConnectionTrait>(
    db: &C,
    period: Period,
    today: NaiveDate,
    short_name: &str,
) -> Result<Review> {
    let tasks = period_tasks(db, &period).await?;
    let departments: HashMap<i64, department::Model> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let mut fields = field::Entity::find().all(db).await?;
    fields.sort_by_key(|f| f.sort_order);
    let users: HashMap<i64, user::Model> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();

    let mut overall = ReviewFigures::default();
    let mut by_department: BTreeMap<i64, ReviewFigures> = BTreeMap::new();
    let mut by_field: BTreeMap<String, ReviewFigures> = BTreeMap::new();
    let mut by_leader: BTreeMap<Option<i64>, ReviewFigures> = BTreeMap::new();
    let mut overdue_tasks = Vec::new();
    for t in &tasks {
        overall.add(t, today);
        by_department
            .entry(t.lead_department_id)
            .or_default()
            .add(t, today);
        by_field
            .entry(t.field_code.clone())
            .or_default()
            .add(t, today);
        by_leader
            .entry(t.leader_in_charge_id)
            .or_default()
            .add(t, today);
        if t.status.is_open() && t.due_date < today {
            let days = (today - t.due_date).num_days();
            if let Some(over) = overdue_age_bucket(days) {
                overdue_tasks.push(OverdueTask {
                    task_id: t.id,
                    code: t.code.clone(),
                    title: t.title.clone(),
                    department: departments
                        .get(&t.lead_department_id)
                        .map(|d| d.name.clone())
                        .unwrap_or_default(),
                    leader: t
                        .leader_in_charge_id
                        .and_then(|id| users.get(&id))
                        .map(|u| u.full_name.clone())
                        .unwrap_or_default(),
                    due_date: t.due_date,
                    days_overdue: days,
                    over_days: over,
                });
            }
        }
    }
    overall.finish();
    overdue_tasks.sort_by(|a, b| {
        b.days_overdue
            .cmp(&a.days_overdue)
            .then(a.code.cmp(&b.code))
    });
    let count_over = |n: i64| overdue_tasks.iter().filter(|t| t.days_overdue > n).count() as i64;
    let (over_30, over_60, over_120) = (count_over(30), count_over(60), count_over(120));

    let mut department_rows: Vec<GroupFigures> = by_department
        .into_iter()
        .map(|(id, mut f)| {
            f.finish();
            let d = departments.get(&id);
            GroupFigures {
                key: d.map(|d| d.code.clone()).unwrap_or_default(),
                name: d.map(|d| d.name.clone()).unwrap_or_default(),
                figures: f,
            }
        })
        .collect();
    department_rows.sort_by(|a, b| {
        b.figures
            .overdue
            .cmp(&a.figures.overdue)
            .then(a.key.cmp(&b.key))
    });
    let mut field_rows = Vec::new();
    for f in &fields {
        if let Some(mut figures) = by_field.remove(&f.code) {
            figures.finish();
            field_rows.push(GroupFigures {
                key: f.code.clone(),
                name: f.name_vi.clone(),
                figures,
            });
        }
    }
    for (code, mut figures) in by_field {
        figures.finish();
        field_rows.push(GroupFigures {
            name: code.clone(),
            key: code,
            figures,
        });
    }
    let mut leader_rows: Vec<GroupFigures> = by_leader
        .into_iter()
        .map(|(id, mut f)| {
            f.finish();
            let u = id.and_then(|id| users.get(&id));
            GroupFigures {
                key: u.map(|u| u.username.clone()).unwrap_or_default(),
                name: u
                    .map(|u| match &u.position {
                        Some(p) if !p.is_empty() => format!("{} ({p})", u.full_name),
                        _ => u.full_name.clone(),
                    })
                    .unwrap_or_else(|| "Chưa phân công lãnh đạo phụ trách".to_string()),
                figures: f,
            }
        })
        .collect();
    leader_rows.sort_by(|a, b| {
        a.key
            .is_empty()
            .cmp(&b.key.is_empty())
            .then(b.figures.total.cmp(&a.figures.total))
            .then(a.key.cmp(&b.key))
    });

    // Documents issued within the period.
    let docs = document::Entity::find()
        .filter(document::Column::IssuedOn.between(period.from, period.to))
        .all(db)
        .await?;
    let documents_by_kind: Vec<KindCount> = DocumentKind::ALL
        .iter()
        .map(|k| KindCount {
            kind: *k,
            label_vi: k.label(Lang::Vi),
            label_en: k.label(Lang::En),
            count: docs.iter().filter(|d| d.kind == *k).count() as i64,
        })
        .collect();
    let doc_ids: Vec<i64> = docs.iter().map(|d| d.id).collect();
    let reminder_documents = if doc_ids.is_empty() {
        0
    } else {
        document_task::Entity::find()
            .filter(document_task::Column::Relation.eq(LinkRelation::Reminds))
            .filter(document_task::Column::DocumentId.is_in(doc_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| l.document_id)
            .collect::<BTreeSet<i64>>()
            .len() as i64
    };
    let mut review = Review {
        period,
        as_of: today,
        overall,
        departments: department_rows,
        fields: field_rows,
        leaders: leader_rows,
        overdue_tasks,
        overdue_over_30: over_30,
        overdue_over_60: over_60,
        overdue_over_120: over_120,
        documents_total: docs.len() as i64,
        documents_by_kind,
        reminder_documents,
        paragraph_vi: String::new(),
        paragraph_en: String::new(),
    };
    // Kept in the JSON in both languages (the API's documented shape).
    review.paragraph_vi = paragraph(&review, short_name, Lang::Vi);
    review.paragraph_en = paragraph(&review, short_name, Lang::En);
    Ok(review)
}

/// The paragraph of a self-review, in the register of the district's own
/// report: one Fluent message per clause (`review-*` in `review.ftl`), the
/// clauses joined with "; " and the closing sentence on documents after a space.
pub fn paragraph(r: &Review, short_name: &str, lang: Lang) -> String {
    let o = &r.overall;
    let t = |key: &str, args: &[(&str, Arg)]| dondoc_i18n::text_with(lang, key, args);
    let until = match (r.as_of > r.period.to, r.period.kind) {
        (true, PeriodKind::Year) => "year_end",
        (true, _) => "period_end",
        (false, _) => "now",
    };
    let mut clauses = vec![
        t(
            "review-opening",
            &[
                ("kind", r.period.kind.code().into()),
                ("year", r.period.year.into()),
                ("period", period_label(&r.period, lang).into()),
                ("org", short_name.into()),
                ("total", o.total.into()),
            ],
        ),
        t(
            "review-done",
            &[
                ("until", until.into()),
                ("completed", o.completed.into()),
                ("base", o.base().into()),
                ("rate", o.rate(lang).into()),
                ("on_time", o.completed_on_time.into()),
                ("late", o.completed_late.into()),
            ],
        ),
    ];
    if o.in_progress > 0 {
        clauses.push(t(
            "review-in-progress",
            &[
                ("in_progress", o.in_progress.into()),
                ("overdue", o.overdue.into()),
                ("over_30", r.overdue_over_30.into()),
            ],
        ));
    }
    if o.cancelled > 0 {
        clauses.push(t("review-cancelled", &[("cancelled", o.cancelled.into())]));
    }
    clauses.push(t(
        "review-reminders",
        &[("reminders", r.reminder_documents.into())],
    ));
    let mut text = clauses.join("; ");
    let parts: Vec<String> = r
        .documents_by_kind
        .iter()
        .filter(|k| k.count > 0)
        .map(|k| {
            t(
                "review-kind-count",
                &[("count", k.count.into()), ("kind", k.kind.label_arg())],
            )
        })
        .collect();
    let listed = match parts.split_last() {
        Some((last, rest)) if !rest.is_empty() => t(
            "review-list-and",
            &[("rest", rest.join(", ").into()), ("last", last.into())],
        ),
        Some((last, _)) => last.clone(),
        None => String::new(),
    };
    // Empty when a language says nothing of documents for this period.
    let documents = t(
        "review-documents",
        &[
            ("date", r.as_of.min(r.period.to).into()),
            ("org", short_name.into()),
            ("total", r.documents_total.into()),
            ("listed", listed.into()),
        ],
    );
    if !documents.is_empty() {
        text.push(' ');
        text.push_str(&documents);
    }
    text
}

/// How a period is named in a sentence ("quý II năm 2026", "Q2 2026").
pub fn period_label(period: &Period, lang: Lang) -> String {
    dondoc_i18n::text_with(
        lang,
        "review-period",
        &[
            ("kind", period.kind.code().into()),
            ("year", period.year.into()),
            ("quarter", period.quarter.unwrap_or(0).into()),
            ("roman", quarter_label(period.quarter.unwrap_or(0)).into()),
            ("from", period.from.into()),
            ("to", period.to.into()),
        ],
    )
}

const FIGURE_HEADS: [&str; 8] = [
    "Tổng số",
    "Đã hoàn thành",
    "Đúng hạn",
    "Quá hạn (đã hoàn thành)",
    "Đang thực hiện",
    "Trong đó quá hạn",
    "Đã hủy",
    "Tỷ lệ hoàn thành (%)",
];

fn figure_cells(f: &ReviewFigures) -> [String; 8] {
    [
        f.total.to_string(),
        f.completed.to_string(),
        f.completed_on_time.to_string(),
        f.completed_late.to_string(),
        f.in_progress.to_string(),
        f.overdue.to_string(),
        f.cancelled.to_string(),
        f.rate(Lang::Vi),
    ]
}

fn heading(text: &str) -> Paragraph {
    Paragraph::new()
        .run(Run::new(text).bold())
        .before(12)
        .after(6)
}

fn figures_table(first: &str, rows: &[GroupFigures], total: &ReviewFigures, width: u32) -> Table {
    let name_width = width.saturating_sub(12 + 8 * 19).max(40);
    let mut table = Table::new(
        [12, name_width]
            .into_iter()
            .chain(std::iter::repeat_n(19, 8))
            .collect(),
        true,
    )
    .size(11.0);
    let head = |t: &str| {
        Cell::new(vec![
            Paragraph::new()
                .run(Run::new(t).bold())
                .align(Align::Center),
        ])
    };
    let mut header = vec![head("STT"), head(first)];
    header.extend(FIGURE_HEADS.iter().map(|h| head(h)));
    table.header(header);
    let num = |t: String| Cell::new(vec![Paragraph::text(t).align(Align::Right)]);
    for (i, r) in rows.iter().enumerate() {
        let mut cells = vec![
            Cell::new(vec![
                Paragraph::text((i + 1).to_string()).align(Align::Center),
            ]),
            Cell::text(r.name.clone()),
        ];
        cells.extend(figure_cells(&r.figures).into_iter().map(num));
        table.row(cells);
    }
    let mut cells = vec![
        Cell::text(""),
        Cell::new(vec![Paragraph::new().run(Run::new("Tổng cộng").bold())]),
    ];
    cells.extend(figure_cells(total).into_iter().map(num));
    table.row(cells);
    table
}

/// The review as a Word document: the paragraph, then the tables.
pub fn to_docx(r: &Review, organization: &str) -> Result<Vec<u8>> {
    let mut doc = docx::Document::new();
    doc.landscape = true;
    doc.font_size = 13.0;
    doc.margins_mm = (20, 15, 20, 25);
    let width = doc.text_width_mm();
    doc.paragraph(
        Paragraph::new()
            .run(Run::new(organization.to_uppercase()).bold())
            .align(Align::Center),
    );
    doc.paragraph(
        Paragraph::new()
            .run(
                Run::new(format!(
                    "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH LÀM VIỆC {}",
                    r.period.label_vi.to_uppercase()
                ))
                .bold(),
            )
            .align(Align::Center)
            .before(6),
    );
    doc.paragraph(
        Paragraph::new()
            .run(
                Run::new(format!(
                    "(Số liệu tính đến ngày {})",
                    r.as_of.format("%d/%m/%Y")
                ))
                .italic(),
            )
            .align(Align::Center)
            .after(12),
    );
    doc.paragraph(
        Paragraph::text(r.paragraph_vi.clone())
            .align(Align::Both)
            .indent(10)
            .after(6),
    );
    doc.paragraph(heading("1. Kết quả thực hiện theo đơn vị chủ trì"));
    doc.table(figures_table("Đơn vị", &r.departments, &r.overall, width));
    doc.paragraph(heading("2. Kết quả thực hiện theo lĩnh vực"));
    doc.table(figures_table("Lĩnh vực", &r.fields, &r.overall, width));
    doc.paragraph(heading("3. Kết quả thực hiện theo lãnh đạo phụ trách"));
    doc.table(figures_table(
        "Lãnh đạo phụ trách",
        &r.leaders,
        &r.overall,
        width,
    ));
    doc.paragraph(heading(&format!(
        "4. Nhiệm vụ quá hạn trên 30 ngày ({}; trong đó trên 60 ngày: {}, trên 120 ngày: {})",
        r.overdue_over_30, r.overdue_over_60, r.overdue_over_120
    )));
    if r.overdue_tasks.is_empty() {
        doc.paragraph(Paragraph::text("Không có nhiệm vụ quá hạn trên 30 ngày."));
    } else {
        let mut table = Table::new(
            vec![
                12,
                width.saturating_sub(12 + 60 + 45 + 22 + 18 + 22),
                60,
                45,
                22,
                18,
                22,
            ],
            true,
        )
        .size(11.0);
        let head = |t: &str| {
            Cell::new(vec![
                Paragraph::new()
                    .run(Run::new(t).bold())
                    .align(Align::Center),
            ])
        };
        table.header(vec![
            head("STT"),
            head("Nội dung"),
            head("Đơn vị chủ trì"),
            head("Lãnh đạo phụ trách"),
            head("Hạn"),
            head("Số ngày quá hạn"),
            head("Nhóm"),
        ]);
        for (i, t) in r.overdue_tasks.iter().enumerate() {
            table.row(vec![
                Cell::new(vec![
                    Paragraph::text((i + 1).to_string()).align(Align::Center),
                ]),
                Cell::text(format!("{} ({})", t.title, t.code)),
                Cell::text(t.department.clone()),
                Cell::text(t.leader.clone()),
                Cell::text(t.due_date.format("%d/%m/%Y").to_string()),
                Cell::new(vec![
                    Paragraph::text(t.days_overdue.to_string()).align(Align::Right),
                ]),
                Cell::text(format!("Trên {} ngày", t.over_days)),
            ]);
        }
        doc.table(table);
    }
    doc.paragraph(heading(&format!(
        "5. Văn bản đã ban hành ({} văn bản; {} văn bản đôn đốc)",
        r.documents_total, r.reminder_documents
    )));
    let mut table = Table::new(vec![12, 80, 30], true).size(11.0);
    table.header(vec![
        Cell::new(vec![Paragraph::new().run(Run::new("STT").bold())]),
        Cell::new(vec![Paragraph::new().run(Run::new("Loại văn bản").bold())]),
        Cell::new(vec![Paragraph::new().run(Run::new("Số lượng").bold())]),
    ]);
    for (i, k) in r.documents_by_kind.iter().enumerate() {
        table.row(vec![
            Cell::text((i + 1).to_string()),
            Cell::text(k.label_vi.clone()),
            Cell::new(vec![
                Paragraph::text(k.count.to_string()).align(Align::Right),
            ]),
        ]);
    }
    table.row(vec![
        Cell::text(""),
        Cell::new(vec![Paragraph::new().run(Run::new("Tổng cộng").bold())]),
        Cell::new(vec![
            Paragraph::text(r.documents_total.to_string()).align(Align::Right),
        ]),
    ]);
    doc.table(table);
    doc.to_bytes()
}

/// The review as a workbook: a summary sheet, one sheet per table.
pub fn to_xlsx(r: &Review, organization: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| {
        Error::Unexpected(anyhow::anyhow!("cannot write the spreadsheet: {e}"))
    };
    let title = Format::new().set_bold().set_font_size(13);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F4F7");
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name("Tong hop").map_err(xlsx)?;
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "KẾT QUẢ THỰC HIỆN CHƯƠNG TRÌNH LÀM VIỆC {} — {}",
                r.period.label_vi.to_uppercase(),
                organization.to_uppercase()
            ),
            &title,
        )
        .map_err(xlsx)?;
    sheet
        .write_string(
            1,
            0,
            format!("Số liệu tính đến ngày {}", r.as_of.format("%d/%m/%Y")),
        )
        .map_err(xlsx)?;
    sheet.set_column_width(0, 100.0).map_err(xlsx)?;
    sheet.set_row_height(3, 120.0).map_err(xlsx)?;
    sheet
        .write_string_with_format(3, 0, &r.paragraph_vi, &wrap)
        .map_err(xlsx)?;
    sheet.set_column_width(1, 14.0).map_err(xlsx)?;
    let mut row = 5u32;
    for (label, value) in [
        ("Văn bản đã ban hành", r.documents_total),
        ("Văn bản đôn đốc", r.reminder_documents),
        ("Nhiệm vụ quá hạn trên 30 ngày", r.overdue_over_30),
        ("Nhiệm vụ quá hạn trên 60 ngày", r.overdue_over_60),
        ("Nhiệm vụ quá hạn trên 120 ngày", r.overdue_over_120),
    ] {
        sheet.write_string(row, 0, label).map_err(xlsx)?;
        sheet.write_number(row, 1, value as f64).map_err(xlsx)?;
        row += 1;
    }
    row += 1;
    for k in &r.documents_by_kind {
        sheet.write_string(row, 0, &k.label_vi).map_err(xlsx)?;
        sheet.write_number(row, 1, k.count as f64).map_err(xlsx)?;
        row += 1;
    }

    for (name, first, rows) in [
        ("Theo don vi", "Đơn vị", &r.departments),
        ("Theo linh vuc", "Lĩnh vực", &r.fields),
        ("Theo lanh dao", "Lãnh đạo phụ trách", &r.leaders),
    ] {
        let sheet = workbook.add_worksheet();
        sheet.set_name(name).map_err(xlsx)?;
        sheet
            .write_string_with_format(0, 0, first, &header)
            .map_err(xlsx)?;
        for (i, h) in FIGURE_HEADS.iter().enumerate() {
            sheet
                .write_string_with_format(0, i as u16 + 1, *h, &header)
                .map_err(xlsx)?;
        }
        sheet.set_column_width(0, 45.0).map_err(xlsx)?;
        sheet.set_row_height(0, 45.0).map_err(xlsx)?;
        let write = |sheet: &mut rust_xlsxwriter::Worksheet,
                     row: u32,
                     label: &str,
                     f: &ReviewFigures|
         -> Result<()> {
            sheet.write_string(row, 0, label).map_err(xlsx)?;
            let values = [
                f.total,
                f.completed,
                f.completed_on_time,
                f.completed_late,
                f.in_progress,
                f.overdue,
                f.cancelled,
            ];
            for (i, v) in values.iter().enumerate() {
                sheet
                    .write_number(row, i as u16 + 1, *v as f64)
                    .map_err(xlsx)?;
            }
            sheet
                .write_number(row, 8, f.completion_permille as f64 / 10.0)
                .map_err(xlsx)?;
            Ok(())
        };
        let mut row = 1u32;
        for g in rows.iter() {
            write(sheet, row, &g.name, &g.figures)?;
            row += 1;
        }
        write(sheet, row, "Tổng cộng", &r.overall)?;
        sheet.set_freeze_panes(1, 1).map_err(xlsx)?;
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name("Qua han").map_err(xlsx)?;
    for (i, h) in [
        "Mã",
        "Nội dung",
        "Đơn vị chủ trì",
        "Lãnh đạo phụ trách",
        "Hạn",
        "Số ngày quá hạn",
        "Quá hạn trên (ngày)",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(0, i as u16, *h, &header)
            .map_err(xlsx)?;
    }
    for (i, w) in [10.0, 60.0, 30.0, 24.0, 12.0, 12.0, 12.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(i as u16, *w).map_err(xlsx)?;
    }
    for (i, t) in r.overdue_tasks.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_string(row, 0, &t.code).map_err(xlsx)?;
        sheet
            .write_string_with_format(row, 1, &t.title, &wrap)
            .map_err(xlsx)?;
        sheet.write_string(row, 2, &t.department).map_err(xlsx)?;
        sheet.write_string(row, 3, &t.leader).map_err(xlsx)?;
        sheet
            .write_string(row, 4, t.due_date.format("%d/%m/%Y").to_string())
            .map_err(xlsx)?;
        sheet
            .write_number(row, 5, t.days_overdue as f64)
            .map_err(xlsx)?;
        sheet
            .write_number(row, 6, f64::from(t.over_days))
            .map_err(xlsx)?;
    }
    workbook.save_to_buffer().map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn periods_are_read_from_year_quarter_or_range() {
        let today = day(2026, 11, 25);
        let p = parse_period(&RawReviewQuery::default(), today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (p.kind, p.from, p.to),
            (PeriodKind::Year, day(2026, 1, 1), day(2026, 12, 31))
        );
        let q = RawReviewQuery {
            year: Some("2026".into()),
            quarter: Some("2".into()),
            ..Default::default()
        };
        let p = parse_period(&q, today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((p.from, p.to), (day(2026, 4, 1), day(2026, 6, 30)));
        assert_eq!(p.label_vi, "quý II năm 2026");
        let bad = RawReviewQuery {
            quarter: Some("5".into()),
            from: Some("2026-03-01".into()),
            ..Default::default()
        };
        let Err(Error::Validation(errors)) = parse_period(&bad, today) else {
            panic!("accepted a bad period");
        };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert!(
            fields.contains(&"quarter") && fields.contains(&"to"),
            "{fields:?}"
        );
    }

    #[test]
    fn rates_are_written_the_vietnamese_way() {
        assert_eq!(permille_text(1000, ','), "100");
        assert_eq!(permille_text(729, ','), "72,9");
        assert_eq!(permille_text(729, '.'), "72.9");
    }
}
