//! Assigning new tasks: resolving names typed by people or spreadsheets
//! (fields, departments, leaders), validating, and inserting a task with its
//! links and its first history entry. Used by the API, the import and
//! recurring series.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};

use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db::{self, Db},
    domain::{
        LinkRelation, TaskCode, TaskStatus, Title, parse_date, parse_note, parse_year, text::fold,
    },
    entity::{document, document_task, field, task, task_coordinator, user},
    error::{Error, FieldError, Result},
    messages::Msg,
    org::departments::{self, collect},
    org::programmes,
    tasks::history::{self, Change, action},
    tasks::states,
};

/// Longest title and longest free text a task accepts, in characters.
pub(crate) const MAX_TITLE: usize = 1000;
pub(crate) const MAX_NOTE: usize = 10_000;

/// A field name or code from a person or a spreadsheet → the field code.
pub async fn resolve_field<C: ConnectionTrait>(
    db: &C,
    field_name: &str,
    raw: &str,
) -> Result<String> {
    let wanted = raw.trim();
    if wanted.is_empty() {
        return Err(Error::field(field_name, "required", Msg::FieldRequired));
    }
    let all = field::Entity::find().all(db).await?;
    let folded = fold(wanted);
    all.into_iter()
        .find(|f| {
            f.code == wanted
                || fold(&f.name_vi) == folded
                || fold(&f.name_en) == folded
                || fold(&f.code) == folded
        })
        .map(|f| f.code)
        .ok_or_else(|| {
            Error::field(
                field_name,
                "unknown",
                Msg::UnknownField {
                    value: wanted.to_string(),
                },
            )
        })
}

/// A leader in charge by username or full name; must be an active leader.
pub async fn resolve_leader<C: ConnectionTrait>(
    db: &C,
    field_name: &str,
    raw: &str,
) -> Result<Option<user::Model>> {
    let wanted = raw.trim();
    if wanted.is_empty() {
        return Ok(None);
    }
    let by_username = user::Entity::find()
        .filter(user::Column::Username.eq(wanted.to_ascii_lowercase()))
        .one(db)
        .await?;
    let found = match by_username {
        Some(u) => Some(u),
        None => {
            let folded = fold(wanted);
            user::Entity::find()
                .filter(
                    user::Column::Role
                        .is_in([crate::domain::Role::Leader, crate::domain::Role::Admin]),
                )
                .all(db)
                .await?
                .into_iter()
                .find(|u| fold(&u.full_name) == folded)
        }
    };
    match found {
        Some(u) if u.active && u.role != crate::domain::Role::Staff => Ok(Some(u)),
        Some(_) => Err(Error::field(
            field_name,
            "not_a_leader",
            Msg::NotActiveLeader {
                name: wanted.to_string(),
            },
        )),
        None => Err(Error::field(
            field_name,
            "unknown",
            Msg::UnknownLeader {
                name: wanted.to_string(),
            },
        )),
    }
}

/// Department codes or names → ids, each bad one reported under `field_name`.
pub(crate) async fn resolve_departments<C: ConnectionTrait>(
    db: &C,
    errors: &mut Vec<FieldError>,
    field_name: &str,
    raw: &[String],
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (i, item) in raw.iter().enumerate() {
        if item.trim().is_empty() {
            continue;
        }
        match departments::resolve(db, item).await? {
            Some(d) if !ids.contains(&d.id) => ids.push(d.id),
            Some(_) => {}
            None => errors.push(FieldError::new(
                format!("{field_name}[{i}]"),
                "unknown",
                Msg::UnknownDepartment {
                    code: item.trim().to_string(),
                },
            )),
        }
    }
    Ok(ids)
}

/// What a leader or admin sends to assign a new task.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub year: i64,
    pub code: String,
    pub title: String,
    pub description: Option<String>,
    pub field: String,
    pub lead_department: String,
    pub coordinating_departments: Vec<String>,
    pub leader_in_charge: Option<String>,
    pub due_date: String,
    pub source_document_id: Option<i64>,
}

/// Validates a new task against the database (codes, names, dates) without
/// writing; the import uses it row by row before writing anything.
// Longer than 100 lines: every field's rule in turn, errors collected so a form or an import row names them all.
pub async fn validate_new<C: ConnectionTrait>(db: &C, input: &NewTask) -> Result<ValidatedTask> {
    let mut errors: Vec<FieldError> = Vec::new();
    let year = collect(&mut errors, parse_year("year", input.year));
    let code = collect(&mut errors, TaskCode::parse("code", &input.code));
    let title = collect(&mut errors, Title::parse("title", &input.title, MAX_TITLE));
    let description = collect(
        &mut errors,
        parse_note(
            "description",
            input.description.as_deref().unwrap_or(""),
            MAX_NOTE,
        ),
    );
    let field_code = collect(&mut errors, resolve_field(db, "field", &input.field).await);
    let lead = match departments::resolve(db, &input.lead_department).await? {
        Some(d) => Some(d),
        None => {
            errors.push(if input.lead_department.trim().is_empty() {
                FieldError::new("lead_department", "required", Msg::LeadDepartmentRequired)
            } else {
                FieldError::new(
                    "lead_department",
                    "unknown",
                    Msg::UnknownDepartment {
                        code: input.lead_department.trim().to_string(),
                    },
                )
            });
            None
        }
    };
    let mut coordinators = resolve_departments(
        db,
        &mut errors,
        "coordinating_departments",
        &input.coordinating_departments,
    )
    .await?;
    if let Some(lead) = &lead {
        coordinators.retain(|id| *id != lead.id);
    }
    let leader = collect(
        &mut errors,
        resolve_leader(
            db,
            "leader_in_charge",
            input.leader_in_charge.as_deref().unwrap_or(""),
        )
        .await,
    )
    .flatten();
    let due_date = collect(&mut errors, parse_date("due_date", &input.due_date));
    if let Some(doc_id) = input.source_document_id
        && document::Entity::find_by_id(doc_id)
            .one(db)
            .await?
            .is_none()
    {
        errors.push(FieldError::new(
            "source_document_id",
            "unknown",
            Msg::UnknownDocument { id: doc_id },
        ));
    }
    if let (Some(year), Some(code)) = (year, &code)
        && let Some(programme) = programmes::find_by_year(db, year).await?
        && task::Entity::find()
            .filter(task::Column::ProgrammeId.eq(programme.id))
            .filter(task::Column::Code.eq(code.as_str()))
            .one(db)
            .await?
            .is_some()
    {
        errors.push(FieldError::new(
            "code",
            "duplicate",
            Msg::DuplicateTaskCode {
                code: code.to_string(),
                year: year.into(),
            },
        ));
    }
    match (year, code, title, description, field_code, lead, due_date) {
        (
            Some(year),
            Some(code),
            Some(title),
            Some(description),
            Some(field_code),
            Some(lead),
            Some(due_date),
        ) if errors.is_empty() => Ok(ValidatedTask {
            year,
            code,
            title,
            description,
            field_code,
            lead_department_id: lead.id,
            coordinating_department_ids: coordinators,
            leader_in_charge_id: leader.map(|l| l.id),
            due_date,
            source_document_id: input.source_document_id,
        }),
        _ => Err(Error::Validation(errors)),
    }
}

/// A new task that passed validation.
#[derive(Debug, Clone)]
pub struct ValidatedTask {
    pub year: i32,
    pub code: TaskCode,
    pub title: Title,
    pub description: String,
    pub field_code: String,
    pub lead_department_id: i64,
    pub coordinating_department_ids: Vec<i64>,
    pub leader_in_charge_id: Option<i64>,
    pub due_date: NaiveDate,
    pub source_document_id: Option<i64>,
}

/// Inserts a validated task with its links and a `created` history entry.
pub async fn insert_validated<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    organization: &str,
    actor_id: Option<i64>,
    task: ValidatedTask,
    history_action: &str,
    note: Option<String>,
) -> Result<i64> {
    let now = clock.now();
    let programme = programmes::get_or_create(
        db,
        clock,
        task.year,
        &programmes::default_title(task.year, organization),
    )
    .await?;
    let model = task::ActiveModel {
        programme_id: Set(programme.id),
        search_text: Set(fold(&format!("{} {}", task.code, task.title))),
        code: Set(task.code.into_inner()),
        title: Set(task.title.into_inner()),
        description: Set(task.description),
        field_code: Set(task.field_code),
        lead_department_id: Set(task.lead_department_id),
        leader_in_charge_id: Set(task.leader_in_charge_id),
        source_document_id: Set(task.source_document_id),
        due_date: Set(task.due_date),
        original_due_date: Set(task.due_date),
        status: Set(TaskStatus::NotStarted),
        progress: Set(0),
        completed_on: Set(None),
        reported_on: Set(None),
        declared_completed_on: Set(None),
        result_note: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    states::record(db, now, None, &model).await?;
    for dept in task.coordinating_department_ids {
        task_coordinator::ActiveModel {
            task_id: Set(model.id),
            department_id: Set(dept),
        }
        .insert(db)
        .await?;
    }
    if let Some(doc) = task.source_document_id {
        document_task::ActiveModel {
            document_id: Set(doc),
            task_id: Set(model.id),
            relation: Set(LinkRelation::Assigns),
            linked_at: Set(Some(now)),
        }
        .insert(db)
        .await?;
    }
    let mut change = Change::new(model.id, actor_id, history_action);
    if let Some(note) = note {
        change = change.note(note);
    }
    history::record(db, now, change).await?;
    Ok(model.id)
}

/// Assigns a new task (leader or admin).
pub async fn create(
    db: &Db,
    clock: &Clock,
    organization: &str,
    user: &Principal,
    input: NewTask,
) -> Result<i64> {
    policy::require(user, Action::CreateTask, None)?;
    let txn = db::begin_write(db).await?;
    let validated = validate_new(&txn, &input).await?;
    let id = insert_validated(
        &txn,
        clock,
        organization,
        Some(user.user_id),
        validated,
        action::CREATED,
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}
