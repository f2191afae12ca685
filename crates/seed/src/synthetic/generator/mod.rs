//! The generator: one task at a time, every row its life would have written
//! (the task, its links, coordinators, extensions, history, state history
//! and reminder documents), gathered into batches of SQL text.

mod task;

use chrono::NaiveDate;

use super::{
    SyntheticCounts, SyntheticSpec,
    names::{Rng, Weighted},
    sql::{Insert, add_days, d, od, oi, q, ts},
};

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Overdue,
    DueSoon,
    OnTrack,
    OnTime,
    Late,
    Cancelled,
}

pub(crate) struct Plan {
    pub(crate) spec: SyntheticSpec,
    pub(crate) today: NaiveDate,
    pub(crate) first_day: NaiveDate,
    pub(crate) first_year: i32,
    pub(crate) due_soon_days: i64,
    /// Programme ids by year offset (id = offset + 1).
    pub(crate) assign_doc_date: Vec<NaiveDate>,
    pub(crate) admin_id: i64,
    pub(crate) leader_ids: Vec<i64>,
    /// Staff user id of department `i` (id i + 1).
    pub(crate) staff_base: i64,
    pub(crate) first_reminder_doc_id: i64,
    pub(crate) field_codes: Vec<&'static str>,
    pub(crate) department_names: Vec<String>,
}

pub(crate) enum Message {
    Sql(String),
    Commit,
}

pub(crate) struct OpenReminder {
    id: i64,
    number: u64,
    issued_on: NaiveDate,
    room: u32,
    /// The last task linked: a task is linked to a document once.
    last_task: i64,
}

pub(crate) struct Generator {
    plan: Plan,
    rng: Rng,
    leads: Weighted,
    fields: Weighted,
    pub(crate) counts: SyntheticCounts,
    next_task_id: i64,
    next_doc_id: i64,
    next_extension_id: i64,
    next_history_id: i64,
    /// Next task number per programme year offset.
    seq: Vec<u64>,
    pending_extensions: u32,
    reminder: Option<OpenReminder>,
    reminder_numbers: u64,
    tasks: Insert,
    documents: Insert,
    extensions: Insert,
    coordinators: Insert,
    links: Insert,
    history: Insert,
    states: Insert,
}

impl Generator {
    pub(crate) fn new(plan: Plan) -> Self {
        let departments = plan.spec.departments as usize;
        let fields = plan.field_codes.len();
        Self {
            rng: Rng::new(plan.spec.seed),
            leads: Weighted::new(departments, |i| 1.0 / ((i + 1) as f64).sqrt()),
            fields: Weighted::new(fields, |i| 1.0 + ((i * 7) % 5) as f64),
            counts: SyntheticCounts::default(),
            next_task_id: 1,
            next_doc_id: plan.first_reminder_doc_id,
            next_extension_id: 1,
            next_history_id: 1,
            seq: vec![0; plan.spec.years as usize],
            pending_extensions: 0,
            reminder: None,
            reminder_numbers: 0,
            tasks: Insert::new(
                "INSERT INTO tasks (id, programme_id, code, title, description, search_text, field_code, \
                 lead_department_id, leader_in_charge_id, source_document_id, due_date, original_due_date, \
                 status, progress, completed_on, reported_on, result_note, version, created_at, updated_at)",
            ),
            documents: Insert::new(
                "INSERT INTO documents (id, number, kind, title, issued_on, signer, created_by, created_at)",
            ),
            extensions: Insert::new(
                "INSERT INTO extension_requests (id, task_id, requested_by, previous_due_date, \
                 requested_due_date, reason, state, decided_by, decided_at, decision_note, created_at)",
            ),
            coordinators: Insert::new("INSERT INTO task_coordinators (task_id, department_id)"),
            links: Insert::new(
                "INSERT INTO document_tasks (document_id, task_id, relation, linked_at)",
            ),
            history: Insert::new(
                "INSERT INTO task_history (id, task_id, actor_id, at, action, field, old_value, new_value, note)",
            ),
            states: Insert::new(
                "INSERT INTO task_states (task_id, valid_from, valid_to, programme_id, lead_department_id, \
                 field_code, leader_in_charge_id, status, progress, due_date, original_due_date, \
                 reported_on, completed_on, declared_completed_on)",
            ),
            plan,
        }
    }

    fn history(
        &mut self,
        task_id: i64,
        actor: Option<i64>,
        on: NaiveDate,
        what: &str,
        change: Option<(&str, &str, &str)>,
        note: Option<&str>,
    ) {
        let id = self.next_history_id;
        self.next_history_id += 1;
        self.counts.history_entries += 1;
        let (field, old, new) = match change {
            Some((f, o, n)) => (q(f), q(o), q(n)),
            None => ("NULL".into(), "NULL".into(), "NULL".into()),
        };
        self.history.row(format_args!(
            "{id},{task_id},{},{},{},{field},{old},{new},{}",
            oi(actor),
            ts(on),
            q(what),
            note.map(q).unwrap_or_else(|| "NULL".into())
        ));
    }

    fn pick_kind(&mut self) -> Kind {
        let u = self.rng.unit();
        if u < 0.15 {
            Kind::Overdue
        } else if u < 0.18 {
            Kind::DueSoon
        } else if u < 0.30 {
            Kind::OnTrack
        } else if u < 0.82 {
            Kind::OnTime
        } else if u < 0.99 {
            Kind::Late
        } else {
            Kind::Cancelled
        }
    }

    fn overdue_age(&mut self) -> i64 {
        let u = self.rng.unit();
        if u < 0.55 {
            1 + self.rng.below(30) as i64
        } else if u < 0.80 {
            31 + self.rng.below(90) as i64
        } else {
            // The long tail: a few are years old.
            121 + self.rng.exp(200.0) as i64
        }
    }

    fn past_day(&mut self) -> NaiveDate {
        let span = (self.plan.today - self.plan.first_day).num_days().max(1);
        add_days(self.plan.first_day, self.rng.below(span as u64) as i64)
    }

    /// Writes a task's states from its events: sorted by day, one state per
    /// day (the day's last), each valid until the next one begins. An
    /// event's status "" keeps the previous one, progress −1 likewise.
    fn states(
        &mut self,
        id: i64,
        programme_id: i64,
        lead: i64,
        field: &str,
        leader: Option<i64>,
        events: &mut [(NaiveDate, &str, i32, NaiveDate, Option<NaiveDate>)],
    ) {
        events.sort_by_key(|e| e.0);
        let mut states: Vec<(NaiveDate, String, i32, NaiveDate, Option<NaiveDate>)> = Vec::new();
        for (day, status, progress, due, done) in events.iter() {
            let (prev_status, prev_progress) = states
                .last()
                .map(|s| (s.1.clone(), s.2))
                .unwrap_or_default();
            let status = if status.is_empty() {
                prev_status
            } else {
                (*status).to_string()
            };
            let progress = if *progress < 0 {
                prev_progress
            } else {
                *progress
            };
            match states.last_mut() {
                Some(last) if last.0 == *day => *last = (*day, status, progress, *due, *done),
                _ => states.push((*day, status, progress, *due, *done)),
            }
        }
        let original = events.first().map(|e| e.3);
        for (i, (day, status, progress, due, done)) in states.iter().enumerate() {
            let until = states
                .get(i + 1)
                .map(|next| ts(next.0))
                .unwrap_or_else(|| "NULL".to_string());
            self.states.row(format_args!(
                "{id},{},{until},{programme_id},{lead},{},{},{},{progress},{},{},{},{},NULL",
                ts(*day),
                q(field),
                oi(leader),
                q(status),
                d(*due),
                d(original.unwrap_or(*due)),
                od(*done),
                od(*done),
            ));
        }
    }

    /// The statements of one batch, parents before children.
    pub(crate) fn batch(&mut self, n: u64) -> Vec<String> {
        for _ in 0..n {
            self.one_task();
        }
        [
            &mut self.tasks,
            &mut self.documents,
            &mut self.extensions,
            &mut self.coordinators,
            &mut self.links,
            &mut self.history,
            &mut self.states,
        ]
        .into_iter()
        .filter_map(Insert::take)
        .collect()
    }
}
