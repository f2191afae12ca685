//! A demo task's life as dated events: each event writes its history entry
//! at its own time and, when it changes a fact figures read, closes the
//! task's state and opens the next one then. The task row ends as the last
//! state, as if the year had been lived through the product.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use dondoc_core::{
    domain::facts::TaskFacts,
    entity::{task, task_state},
    error::Result,
    tasks::history::{self, Change},
};

pub struct Timeline {
    task: task::Model,
    /// The states so far: when each began, and its facts.
    states: Vec<(DateTime<Utc>, TaskFacts)>,
    last_at: DateTime<Utc>,
}

impl Timeline {
    pub fn new(task: task::Model) -> Self {
        let created = task.created_at;
        Self {
            states: Vec::new(),
            last_at: created,
            task,
        }
    }

    /// Records `change` at `at` (never before the previous event) after
    /// applying `apply` to the task.
    pub async fn event<C: ConnectionTrait>(
        &mut self,
        db: &C,
        at: DateTime<Utc>,
        change: Change<'_>,
        apply: impl FnOnce(&mut task::Model),
    ) -> Result<()> {
        let at = at.max(self.last_at);
        self.last_at = at;
        apply(&mut self.task);
        self.task.updated_at = at;
        let facts = TaskFacts::of(&self.task);
        match self.states.last_mut() {
            Some((_, last)) if *last == facts => {}
            Some((since, last)) if *since == at => *last = facts,
            _ => self.states.push((at, facts)),
        }
        history::record(db, at, change).await.map(|_| ())
    }

    /// Writes the task as it ended and its state history.
    pub async fn finish<C: ConnectionTrait>(self, db: &C) -> Result<()> {
        dondoc_core::tasks::states::bump_clock(db).await?;
        let mut row: task::ActiveModel = self.task.into();
        row = row.reset_all();
        row.update(db).await?;
        let count = self.states.len();
        for (i, (from, facts)) in self.states.iter().enumerate() {
            let to = (i + 1 < count).then(|| self.states[i + 1].0);
            task_state::ActiveModel {
                task_id: Set(facts.task_id),
                valid_from: Set(*from),
                valid_to: Set(to),
                programme_id: Set(facts.programme_id),
                lead_department_id: Set(facts.lead_department_id),
                field_code: Set(facts.field_code.clone()),
                leader_in_charge_id: Set(facts.leader_in_charge_id),
                status: Set(facts.status),
                progress: Set(facts.progress),
                due_date: Set(facts.due_date),
                original_due_date: Set(facts.original_due_date),
                reported_on: Set(facts.reported_on),
                completed_on: Set(facts.completed_on),
                declared_completed_on: Set(facts.declared_completed_on),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
        Ok(())
    }
}
