//! The reminder register (sổ theo dõi văn bản đôn đốc): every reminder
//! document, the departments it went to (those leading the tasks it
//! covers), the tasks, the report-back date, and whether each department
//! answered — a change of progress, status or result, or a note, recorded
//! in the task history by someone of that department on those tasks, from
//! the issue date to the report-back date (and after the letter was
//! entered, so changes made before it was recorded do not count as answers).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Days, NaiveDate, Utc};
use chrono_tz::Tz;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    domain::LinkRelation,
    entity::{department, document, document_task, task, task_history, user},
    error::{Error, FieldError, Result},
    messages::{Label, Lang, Msg},
    org::departments::collect,
    tasks::history::action,
};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawRegisterQuery {
    /// Department code: only letters sent to it (staff: always their own).
    pub department: Option<String>,
    /// Year the letters were issued.
    pub year: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplyState {
    /// Reported on the tasks by the report-back date.
    Answered,
    /// Not yet, and the report-back date has not passed.
    Waiting,
    /// Nothing reported by the report-back date.
    NotAnswered,
}

impl ReplyState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplyState::Answered => "answered",
            ReplyState::Waiting => "waiting",
            ReplyState::NotAnswered => "not_answered",
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recipient {
    pub code: String,
    pub name: String,
    /// How many of the letter's tasks this department leads.
    pub tasks: usize,
    pub state: ReplyState,
    /// The first qualifying report, if any.
    pub answered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CoveredTask {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub department_code: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegisterEntry {
    pub document_id: i64,
    pub number: String,
    pub title: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    pub signer: String,
    /// The stored report-back date, or issued_on + `letters.report_back_days`.
    #[schema(value_type = String, format = Date)]
    pub report_back_on: NaiveDate,
    /// False when the date was derived (a document recorded without one).
    pub report_back_stored: bool,
    pub recipients: Vec<Recipient>,
    pub tasks: Vec<CoveredTask>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Register {
    pub year: Option<i32>,
    pub department: Option<String>,
    pub entries: Vec<RegisterEntry>,
    /// Recipient rows in each state.
    pub answered: usize,
    pub waiting: usize,
    pub not_answered: usize,
}

/// History actions that count as a department reporting back.
const ANSWER_ACTIONS: [&str; 3] = [action::UPDATED, action::NOTE, action::REPORTED_DONE];
const ANSWER_FIELDS: [&str; 4] = ["status", "progress", "result_note", "completed_on"];

pub async fn list<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    raw: &RawRegisterQuery,
    today: NaiveDate,
    tz: Tz,
    report_back_days: u32,
) -> Result<Register> {
    policy::require(user, Action::ReadReminderRegister, None)?;
    let departments = department::Entity::find().all(db).await?;
    let (year, wanted) = parse_query(raw, &departments)?;
    // Staff see the letters sent to their own department, whatever they ask.
    let scope = policy::visible_department(user).or(wanted);
    let r = read(db, year, today).await?;
    let dept_by_id: HashMap<i64, &department::Model> =
        departments.iter().map(|d| (d.id, d)).collect();

    let mut register = Register {
        year,
        department: scope.and_then(|id| dept_by_id.get(&id).map(|d| d.code.clone())),
        entries: Vec::new(),
        answered: 0,
        waiting: 0,
        not_answered: 0,
    };
    for d in r.docs.iter().cloned() {
        let report_back_on = report_back(&d, report_back_days);
        let covered = covered_by(&r, &d);
        let per_department = by_lead_department(&covered);
        if let Some(only) = scope
            && !per_department.contains_key(&only)
        {
            continue;
        }
        let mut recipients = Vec::new();
        for (dept_id, dept_tasks) in &per_department {
            if scope.is_some_and(|only| only != *dept_id) {
                continue;
            }
            let ids: Vec<i64> = dept_tasks.iter().map(|t| t.id).collect();
            let answered_at = answered_at(&r, &ids, *dept_id, &d, report_back_on, tz);
            let state = match answered_at {
                Some(_) => ReplyState::Answered,
                None if today <= report_back_on => ReplyState::Waiting,
                None => ReplyState::NotAnswered,
            };
            match state {
                ReplyState::Answered => register.answered += 1,
                ReplyState::Waiting => register.waiting += 1,
                ReplyState::NotAnswered => register.not_answered += 1,
            }
            let dept = dept_by_id.get(dept_id);
            recipients.push(Recipient {
                code: dept.map(|d| d.code.clone()).unwrap_or_default(),
                name: dept.map(|d| d.name.clone()).unwrap_or_default(),
                tasks: dept_tasks.len(),
                state,
                answered_at,
            });
        }
        let mut covered_tasks: Vec<CoveredTask> = covered
            .iter()
            .filter(|t| scope.is_none_or(|only| only == t.lead_department_id))
            .map(|t| CoveredTask {
                task_id: t.id,
                code: t.code.clone(),
                title: t.title.clone(),
                department_code: dept_by_id
                    .get(&t.lead_department_id)
                    .map(|d| d.code.clone())
                    .unwrap_or_default(),
            })
            .collect();
        covered_tasks.sort_by(|a, b| a.code.cmp(&b.code));
        register.entries.push(RegisterEntry {
            document_id: d.id,
            number: d.number,
            title: d.title,
            issued_on: d.issued_on,
            signer: d.signer,
            report_back_on,
            report_back_stored: d.report_back_on.is_some(),
            recipients,
            tasks: covered_tasks,
        });
    }
    Ok(register)
}

/// The day letter `d` asks for a report by: its own, or `report_back_days`
/// after it was issued.
fn report_back(d: &document::Model, report_back_days: u32) -> NaiveDate {
    d.report_back_on.unwrap_or_else(|| {
        d.issued_on
            .checked_add_days(Days::new(u64::from(report_back_days)))
            .unwrap_or(d.issued_on)
    })
}

/// The tasks letter `d` reminds of.
fn covered_by<'r>(r: &'r Reads, d: &document::Model) -> Vec<&'r task::Model> {
    r.links
        .iter()
        .filter(|l| l.document_id == d.id)
        .filter_map(|l| r.tasks.get(&l.task_id))
        .collect()
}

/// A letter's tasks by the department that leads them: each is one
/// recipient of the letter.
fn by_lead_department<'r>(covered: &[&'r task::Model]) -> BTreeMap<i64, Vec<&'r task::Model>> {
    let mut per_department: BTreeMap<i64, Vec<&task::Model>> = BTreeMap::new();
    for t in covered {
        per_department
            .entry(t.lead_department_id)
            .or_default()
            .push(t);
    }
    per_department
}

/// When each recipient department first answered each of `letters`, by
/// the same rule as the register, told per task the letter covers:
/// `(letter id, task id)` → the moment its lead department answered, for
/// the answered ones only. The escalations use it to say whether the
/// department answered the last letter.
pub async fn answers<C: ConnectionTrait>(
    db: &C,
    letters: &[i64],
    tz: Tz,
    report_back_days: u32,
) -> Result<HashMap<(i64, i64), DateTime<Utc>>> {
    let mut answered = HashMap::new();
    if letters.is_empty() {
        return Ok(answered);
    }
    let mut ids = letters.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut links = Vec::new();
    // Bounded IN lists: a national digest may name many letters.
    for chunk in ids.chunks(500) {
        links.extend(
            document_task::Entity::find()
                .filter(document_task::Column::Relation.eq(LinkRelation::Reminds))
                .filter(document_task::Column::DocumentId.is_in(chunk.to_vec()))
                .all(db)
                .await?,
        );
    }
    let r = read_from(db, document::Entity::find(), links).await?;
    for d in &r.docs {
        let report_back_on = report_back(d, report_back_days);
        for (dept_id, dept_tasks) in by_lead_department(&covered_by(&r, d)) {
            let task_ids: Vec<i64> = dept_tasks.iter().map(|t| t.id).collect();
            if let Some(at) = answered_at(&r, &task_ids, dept_id, d, report_back_on, tz) {
                for task_id in task_ids {
                    answered.insert((d.id, task_id), at);
                }
            }
        }
    }
    Ok(answered)
}

/// The year and the department (by id) a query asks for, or every field
/// error at once.
fn parse_query(
    raw: &RawRegisterQuery,
    departments: &[department::Model],
) -> Result<(Option<i32>, Option<i64>)> {
    let mut errors: Vec<FieldError> = Vec::new();
    let year = match raw.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        Some(text) => collect(
            &mut errors,
            text.parse::<i64>()
                .ok()
                .and_then(|y| crate::domain::parse_year("year", y).ok())
                .ok_or_else(|| {
                    Error::field(
                        "year",
                        "invalid_year",
                        Msg::InvalidYear {
                            value: text.to_string(),
                        },
                    )
                }),
        ),
        None => None,
    };
    let wanted = match raw
        .department
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(code) => match departments
            .iter()
            .find(|d| d.code.eq_ignore_ascii_case(code))
        {
            Some(d) => Some(d.id),
            None => {
                errors.push(FieldError::new(
                    "department",
                    "unknown",
                    Msg::UnknownDepartment {
                        code: code.to_string(),
                    },
                ));
                None
            }
        },
        None => None,
    };
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    Ok((year, wanted))
}

/// What the register is made from: the reminder letters (of `year`), their
/// links, the tasks they cover, the history entries that may be answers,
/// and each user's department.
struct Reads {
    docs: Vec<document::Model>,
    links: Vec<document_task::Model>,
    tasks: HashMap<i64, task::Model>,
    history: Vec<task_history::Model>,
    user_department: HashMap<i64, Option<i64>>,
}

async fn read<C: ConnectionTrait>(db: &C, year: Option<i32>, today: NaiveDate) -> Result<Reads> {
    let mut docs = document::Entity::find().order_by_desc(document::Column::IssuedOn);
    if let Some(y) = year {
        let from = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(today);
        let to = NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or(today);
        docs = docs.filter(document::Column::IssuedOn.between(from, to));
    }
    let links = document_task::Entity::find()
        .filter(document_task::Column::Relation.eq(LinkRelation::Reminds))
        .all(db)
        .await?;
    read_from(db, docs, links).await
}

/// [`read`] for the letters `docs` selects among those `links` name.
async fn read_from<C: ConnectionTrait>(
    db: &C,
    docs: sea_orm::Select<document::Entity>,
    links: Vec<document_task::Model>,
) -> Result<Reads> {
    let doc_ids: Vec<i64> = {
        let mut v: Vec<i64> = links.iter().map(|l| l.document_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let docs = if doc_ids.is_empty() {
        Vec::new()
    } else {
        docs.filter(document::Column::Id.is_in(doc_ids))
            .order_by_desc(document::Column::Id)
            .all(db)
            .await?
    };
    let task_ids: Vec<i64> = {
        let mut v: Vec<i64> = links.iter().map(|l| l.task_id).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let tasks: HashMap<i64, task::Model> = if task_ids.is_empty() {
        HashMap::new()
    } else {
        task::Entity::find()
            .filter(task::Column::Id.is_in(task_ids.clone()))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect()
    };
    let earliest = docs.iter().map(|d| d.issued_on).min();
    let history = match earliest {
        Some(day) if !task_ids.is_empty() => {
            let since = day
                .checked_sub_days(Days::new(1))
                .unwrap_or(day)
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or_default();
            task_history::Entity::find()
                .filter(task_history::Column::TaskId.is_in(task_ids))
                .filter(task_history::Column::Action.is_in(ANSWER_ACTIONS))
                .filter(task_history::Column::At.gte(since))
                .order_by_asc(task_history::Column::At)
                .all(db)
                .await?
        }
        _ => Vec::new(),
    };
    let user_department: HashMap<i64, Option<i64>> = user::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.department_id))
        .collect();
    Ok(Reads {
        docs,
        links,
        tasks,
        history,
        user_department,
    })
}

/// When a department first answered letter `d` (about its tasks `ids`): a
/// change to one of them by one of its users, after the letter was
/// recorded, from the issue day to the report-back day (local days).
fn answered_at(
    r: &Reads,
    ids: &[i64],
    dept_id: i64,
    d: &document::Model,
    report_back_on: NaiveDate,
    tz: Tz,
) -> Option<DateTime<Utc>> {
    r.history
        .iter()
        .filter(|h| ids.contains(&h.task_id))
        .filter(|h| {
            h.action != action::UPDATED
                || h.field
                    .as_deref()
                    .is_some_and(|f| ANSWER_FIELDS.contains(&f))
        })
        .filter(|h| {
            h.actor_id
                .and_then(|a| r.user_department.get(&a).copied().flatten())
                == Some(dept_id)
        })
        .find(|h| {
            let local = h.at.with_timezone(&tz).date_naive();
            h.at > d.created_at && local >= d.issued_on && local <= report_back_on
        })
        .map(|h| h.at)
}

/// The register as a spreadsheet: one row per letter and recipient.
pub fn to_xlsx(register: &Register, organization: &str) -> Result<Vec<u8>> {
    use rust_xlsxwriter::{Format, FormatBorder, Workbook};
    let xlsx = |e: rust_xlsxwriter::XlsxError| {
        Error::Unexpected(anyhow::anyhow!("cannot write the spreadsheet: {e}"))
    };
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Sổ đôn đốc").map_err(xlsx)?;
    let bold = Format::new().set_bold().set_font_size(13);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border(FormatBorder::Thin)
        .set_background_color("#F2F4F7");
    let wrap = Format::new().set_text_wrap();
    sheet
        .write_string_with_format(
            0,
            0,
            format!(
                "SỔ THEO DÕI VĂN BẢN ĐÔN ĐỐC — {}",
                organization.to_uppercase()
            ),
            &bold,
        )
        .map_err(xlsx)?;
    let heads = [
        "Số văn bản",
        "Ngày ban hành",
        "Trích yếu",
        "Người ký",
        "Hạn báo cáo",
        "Đơn vị nhận",
        "Số nhiệm vụ",
        "Nhiệm vụ",
        "Tình trạng báo cáo",
    ];
    for (i, h) in heads.iter().enumerate() {
        sheet
            .write_string_with_format(2, i as u16, *h, &header)
            .map_err(xlsx)?;
    }
    for (i, w) in [14.0, 12.0, 50.0, 20.0, 12.0, 30.0, 10.0, 40.0, 20.0]
        .iter()
        .enumerate()
    {
        sheet.set_column_width(i as u16, *w).map_err(xlsx)?;
    }
    let mut row = 3u32;
    for e in &register.entries {
        for r in &e.recipients {
            let codes: Vec<&str> = e
                .tasks
                .iter()
                .filter(|t| t.department_code == r.code)
                .map(|t| t.code.as_str())
                .collect();
            let cells = [
                e.number.clone(),
                e.issued_on.format("%d/%m/%Y").to_string(),
                e.title.clone(),
                e.signer.clone(),
                e.report_back_on.format("%d/%m/%Y").to_string(),
                r.name.clone(),
                r.tasks.to_string(),
                codes.join(", "),
                // The register workbook is an official document: Vietnamese only.
                r.state.label(Lang::Vi),
            ];
            for (col, value) in cells.iter().enumerate() {
                sheet
                    .write_string_with_format(row, col as u16, value, &wrap)
                    .map_err(xlsx)?;
            }
            row += 1;
        }
    }
    workbook.save_to_buffer().map_err(xlsx)
}

impl crate::messages::Label for ReplyState {
    const PREFIX: &'static str = "reply-state";
    const ALL: &'static [Self] = &[Self::Answered, Self::Waiting, Self::NotAnswered];

    fn code(self) -> &'static str {
        self.as_str()
    }
}
