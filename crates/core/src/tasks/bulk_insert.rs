//! Many checked tasks written at once, in the caller's transaction, with as
//! few statements as the databases allow.
//!
//! Writing a task one statement at a time (its row, the figures' clock, its
//! state, each coordinator, its history) made a 20,000-row import hold
//! SQLite's write lock for over 20 seconds while every other user's save
//! waited. Here the tasks go in multi-row inserts of [`ROWS_PER_STATEMENT`],
//! their ids are read back by code (unique within a programme), then their
//! states, coordinators, links and history follow the same way, and the
//! figures' clock moves once. The caller's transaction still makes the whole
//! batch all-or-nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set};

use crate::{
    Clock,
    domain::{LinkRelation, TaskStatus, facts::TaskFacts, text::fold},
    entity::{document_task, task, task_coordinator, task_history},
    error::Result,
    org::programmes,
    tasks::{creation::ValidatedTask, states},
};

/// Rows per multi-row insert: far under SQLite's (32,766) and PostgreSQL's
/// (65,535) bound-parameter limits at the widest row (about 20 columns).
pub const ROWS_PER_STATEMENT: usize = 500;

/// One task to write, and the note its history entry carries.
pub struct NewRow {
    pub task: ValidatedTask,
    /// The deadline as the annex wrote it, when not a plain date.
    pub due_text: Option<String>,
    pub note: Option<String>,
}

/// Codes among `codes` already used in the programme of `year`, if it exists.
pub async fn codes_taken<C: ConnectionTrait>(
    db: &C,
    year: i32,
    codes: &[String],
) -> Result<Vec<String>> {
    let Some(programme) = programmes::find_by_year(db, year).await? else {
        return Ok(Vec::new());
    };
    let mut taken = Vec::new();
    for chunk in codes.chunks(ROWS_PER_STATEMENT) {
        let found: Vec<String> = task::Entity::find()
            .select_only()
            .column(task::Column::Code)
            .filter(task::Column::ProgrammeId.eq(programme.id))
            .filter(task::Column::Code.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        taken.extend(found);
    }
    Ok(taken)
}

/// Writes every row (all of one programme year or several) and returns the
/// new ids in the rows' order.
pub async fn insert_all<C: ConnectionTrait>(
    db: &C,
    clock: &Clock,
    organization: &str,
    actor_id: Option<i64>,
    rows: Vec<NewRow>,
    history_action: &str,
) -> Result<Vec<i64>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let now = clock.now();
    let mut programme_of_year: HashMap<i32, i64> = HashMap::new();
    for row in &rows {
        if let std::collections::hash_map::Entry::Vacant(slot) =
            programme_of_year.entry(row.task.year)
        {
            let title = programmes::default_title(row.task.year, organization);
            let programme = programmes::get_or_create(db, clock, row.task.year, &title).await?;
            slot.insert(programme.id);
        }
    }
    let mut ids = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let models = chunk
            .iter()
            .map(|row| task_row(row, programme_of_year[&row.task.year], now));
        task::Entity::insert_many(models)
            .exec_without_returning(db)
            .await?;
        ids.extend(ids_by_code(db, chunk, &programme_of_year).await?);
    }
    // The clock first, then the states (see `states::bump_clock`).
    states::bump_clock(db).await?;
    let written: Vec<(i64, &NewRow)> = ids.iter().copied().zip(rows.iter()).collect();
    for chunk in written.chunks(ROWS_PER_STATEMENT) {
        let states = chunk.iter().map(|(id, row)| {
            let facts = TaskFacts::of(&new_task_model(
                *id,
                row,
                programme_of_year[&row.task.year],
                now,
            ));
            states::open_state(now, &facts)
        });
        task_state_insert(db, states).await?;
        let coordinators: Vec<task_coordinator::ActiveModel> = chunk
            .iter()
            .flat_map(|(id, row)| {
                row.task
                    .coordinating_department_ids
                    .iter()
                    .map(move |dept| task_coordinator::ActiveModel {
                        task_id: Set(*id),
                        department_id: Set(*dept),
                    })
            })
            .collect();
        for part in coordinators.chunks(ROWS_PER_STATEMENT) {
            task_coordinator::Entity::insert_many(part.to_vec())
                .exec_without_returning(db)
                .await?;
        }
        let links: Vec<document_task::ActiveModel> = chunk
            .iter()
            .filter_map(|(id, row)| {
                row.task
                    .source_document_id
                    .map(|doc| document_task::ActiveModel {
                        document_id: Set(doc),
                        task_id: Set(*id),
                        relation: Set(LinkRelation::Assigns),
                        linked_at: Set(Some(now)),
                    })
            })
            .collect();
        if !links.is_empty() {
            document_task::Entity::insert_many(links)
                .exec_without_returning(db)
                .await?;
        }
        let history = chunk.iter().map(|(id, row)| task_history::ActiveModel {
            task_id: Set(*id),
            actor_id: Set(actor_id),
            at: Set(now),
            action: Set(history_action.to_string()),
            field: Set(None),
            old_value: Set(None),
            new_value: Set(None),
            note: Set(row.note.clone()),
            ..Default::default()
        });
        task_history::Entity::insert_many(history)
            .exec_without_returning(db)
            .await?;
    }
    Ok(ids)
}

async fn task_state_insert<C: ConnectionTrait>(
    db: &C,
    states: impl IntoIterator<Item = crate::entity::task_state::ActiveModel>,
) -> Result<()> {
    crate::entity::task_state::Entity::insert_many(states)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// The ids of a chunk just inserted, in the chunk's order.
async fn ids_by_code<C: ConnectionTrait>(
    db: &C,
    chunk: &[NewRow],
    programme_of_year: &HashMap<i32, i64>,
) -> Result<Vec<i64>> {
    let mut by_key: HashMap<(i64, String), i64> = HashMap::new();
    let mut years: Vec<i32> = chunk.iter().map(|r| r.task.year).collect();
    years.sort_unstable();
    years.dedup();
    for year in years {
        let programme = programme_of_year[&year];
        let codes: Vec<String> = chunk
            .iter()
            .filter(|r| r.task.year == year)
            .map(|r| r.task.code.to_string())
            .collect();
        let found: Vec<(i64, String)> = task::Entity::find()
            .select_only()
            .column(task::Column::Id)
            .column(task::Column::Code)
            .filter(task::Column::ProgrammeId.eq(programme))
            .filter(task::Column::Code.is_in(codes))
            .into_tuple()
            .all(db)
            .await?;
        for (id, code) in found {
            by_key.insert((programme, code), id);
        }
    }
    chunk
        .iter()
        .map(|r| {
            let key = (programme_of_year[&r.task.year], r.task.code.to_string());
            by_key.get(&key).copied().ok_or_else(|| {
                crate::error::Error::Unexpected(anyhow::anyhow!(
                    "task {} was inserted but not found again",
                    key.1
                ))
            })
        })
        .collect()
}

fn task_row(row: &NewRow, programme_id: i64, now: DateTime<Utc>) -> task::ActiveModel {
    let t = &row.task;
    task::ActiveModel {
        due_text: Set(row.due_text.clone()),
        programme_id: Set(programme_id),
        search_text: Set(fold(&format!("{} {}", t.code, t.title))),
        code: Set(t.code.to_string()),
        title: Set(t.title.to_string()),
        description: Set(t.description.clone()),
        field_code: Set(t.field_code.clone()),
        lead_department_id: Set(t.lead_department_id),
        leader_in_charge_id: Set(t.leader_in_charge_id),
        source_document_id: Set(t.source_document_id),
        due_date: Set(t.due_date),
        original_due_date: Set(t.due_date),
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
}

/// The stored row of a task just written by [`insert_all`], for its facts.
fn new_task_model(id: i64, row: &NewRow, programme_id: i64, now: DateTime<Utc>) -> task::Model {
    let t = &row.task;
    task::Model {
        due_text: row.due_text.clone(),
        id,
        programme_id,
        search_text: fold(&format!("{} {}", t.code, t.title)),
        code: t.code.to_string(),
        title: t.title.to_string(),
        description: t.description.clone(),
        field_code: t.field_code.clone(),
        lead_department_id: t.lead_department_id,
        leader_in_charge_id: t.leader_in_charge_id,
        source_document_id: t.source_document_id,
        due_date: t.due_date,
        original_due_date: t.due_date,
        status: TaskStatus::NotStarted,
        progress: 0,
        completed_on: None,
        reported_on: None,
        declared_completed_on: None,
        result_note: None,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}
