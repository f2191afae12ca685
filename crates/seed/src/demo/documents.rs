//! The demo's documents: the programme with the documents that assign its
//! tasks, and the reminder documents (công văn đôn đốc) sent to late
//! departments, with the answers some of them gave.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use dondoc_core::{
    Settings,
    domain::{DocumentKind, LinkRelation},
    entity::{document, document_task},
    error::{Error, Result},
    org::programmes,
    tasks::history::{self, Change, action},
};

use super::{Seeding, data::DemoReminder, offset};

/// Assigning documents by their key in the data: id and day of issue.
pub(super) type Assigning = HashMap<String, (i64, NaiveDate)>;

/// Tasks by code: the task's id and its lead department's id.
pub(super) type TaskIds = HashMap<String, (i64, i64)>;

/// Creates the year's programme and the documents that assign its tasks,
/// dated from the programme's start; returns the programme's id and the
/// documents.
pub(super) async fn programme_and_documents<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    settings: &Settings,
    year: i32,
) -> Result<(i64, Assigning)> {
    let programme = programmes::get_or_create(
        txn,
        s.clock,
        year,
        &programmes::default_title(year, &settings.organization.name),
    )
    .await?;
    let mut documents = HashMap::new();
    for d in &s.data.documents {
        let issued_on = s
            .start
            .checked_add_days(Days::new(d.issued_day_of_year.saturating_sub(1)))
            .unwrap_or(s.start);
        let model = document::ActiveModel {
            number: Set(d.number.clone()),
            kind: Set(d.kind),
            title: Set(d.title.clone()),
            issued_on: Set(issued_on),
            signer: Set(s.leader_name(&d.signer)),
            created_by: Set(Some(s.people.admin)),
            created_at: Set(s.now),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        documents.insert(d.key.clone(), (model.id, issued_on));
    }
    Ok((programme.id, documents))
}

/// Records the reminder documents, each linked to its late tasks on the day
/// it was issued. Some departments answer within the week, some later, some
/// not at all — as in the district's own register.
pub(super) async fn reminder_documents<C: ConnectionTrait>(
    txn: &C,
    s: &Seeding<'_>,
    tasks: &TaskIds,
) -> Result<()> {
    for (index, r) in s.data.reminders.iter().enumerate() {
        let issued_on = offset(s.today, -(r.issued_days_ago as i64));
        let recorded_at = s.at(issued_on, 11, (index % 50) as u32);
        let model = document::ActiveModel {
            number: Set(r.number.clone()),
            kind: Set(DocumentKind::OfficialLetter),
            title: Set(r.title.clone()),
            issued_on: Set(issued_on),
            signer: Set(s.leader_name(&r.signer)),
            created_by: Set(Some(s.people.admin)),
            created_at: Set(recorded_at),
            ..Default::default()
        }
        .insert(txn)
        .await?;
        let letter = Letter {
            id: model.id,
            reminder: r,
            index,
            issued_on,
            recorded_at,
        };
        for code in &r.tasks {
            let (task_id, lead_id) = tasks.get(code).copied().ok_or_else(|| {
                Error::Unexpected(anyhow::anyhow!(
                    "demo reminder {} names unknown task {code}",
                    r.number
                ))
            })?;
            letter.link(txn, s, task_id, lead_id).await?;
        }
    }
    Ok(())
}

/// A reminder document once recorded.
struct Letter<'a> {
    id: i64,
    reminder: &'a DemoReminder,
    /// Its place in the data: which letters get an answer, and the minute
    /// of its events.
    index: usize,
    issued_on: NaiveDate,
    recorded_at: DateTime<Utc>,
}

impl Letter<'_> {
    /// Links the letter to one task, with the task's history entry and, for
    /// two letters in three, the lead department's answer: within the week,
    /// or late.
    async fn link<C: ConnectionTrait>(
        &self,
        txn: &C,
        s: &Seeding<'_>,
        task_id: i64,
        lead_id: i64,
    ) -> Result<()> {
        let number = &self.reminder.number;
        document_task::ActiveModel {
            document_id: Set(self.id),
            task_id: Set(task_id),
            relation: Set(LinkRelation::Reminds),
            linked_at: Set(Some(self.recorded_at)),
        }
        .insert(txn)
        .await?;
        history::record(
            txn,
            self.recorded_at,
            Change::new(task_id, Some(s.people.admin), action::DOCUMENT_LINKED).note(format!(
                "Văn bản đôn đốc số {} ngày {}",
                number,
                self.issued_on.format("%d/%m/%Y")
            )),
        )
        .await?;
        let answer_after = match self.index % 3 {
            0 => Some(3),
            1 => Some(12),
            _ => None,
        };
        let staff = s
            .people
            .staff
            .iter()
            .find(|(code, _)| s.department(code).ok() == Some(lead_id))
            .map(|(_, id)| *id);
        if let Some(days) = answer_after {
            let answered_on = offset(self.issued_on, days);
            if answered_on < s.today {
                history::record(
                    txn,
                    s.at(answered_on, 15, (self.index % 50) as u32),
                    Change::new(task_id, staff, action::NOTE).note(format!(
                        "Báo cáo tiến độ theo Văn bản số {number}: đang hoàn thiện hồ sơ, dự kiến hoàn thành trong tháng tới."
                    )),
                )
                .await?;
            }
        }
        Ok(())
    }
}
