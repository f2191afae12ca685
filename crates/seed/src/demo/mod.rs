//! The demo programme: 30 departments of the district (20 offices and
//! agencies, 10 communes and towns), its leaders, a staff account per
//! department, 96 key tasks and 25 reminder documents, drawn from the
//! district's own annual review (`programme.toml`). Dates are relative to
//! *today*, so the demo always shows a mix of done, late, overdue and due-soon.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, Set};

use dondoc_core::{
    Clock, Settings,
    accounts::passwords,
    db::{self, Db},
    domain::{DocumentKind, ExtensionState, LinkRelation, Role, TaskStatus, text::fold},
    entity::{
        department, document, document_task, extension_request, task, task_coordinator, user,
    },
    error::{Error, Result},
    org::programmes,
    tasks::history::{self, Change, action},
};

use timeline::Timeline;

mod data;
mod timeline;

pub use data::{DemoAccount, DemoSummary};
use data::{PROGRAMME_START_DAYS_AGO, parse_data};

/// Whether the database holds no departments and no users yet.
pub async fn database_is_empty<C: ConnectionTrait>(db: &C) -> Result<bool> {
    Ok(department::Entity::find().count(db).await? == 0
        && user::Entity::find().count(db).await? == 0)
}

/// Seeds the demo when the database is empty; returns `None` if it was not.
pub async fn seed_if_empty(
    db: &Db,
    clock: &Clock,
    settings: &Settings,
) -> Result<Option<DemoSummary>> {
    if !database_is_empty(db).await? {
        return Ok(None);
    }
    seed(db, clock, settings).await.map(Some)
}

fn offset(today: NaiveDate, days: i64) -> NaiveDate {
    if days >= 0 {
        today
            .checked_add_days(Days::new(days as u64))
            .unwrap_or(today)
    } else {
        today
            .checked_sub_days(Days::new(days.unsigned_abs()))
            .unwrap_or(today)
    }
}

/// Seeds the demo programme in one transaction. Refuses a database that
/// already has departments or users: demo data never mixes with real data.
pub async fn seed(db: &Db, clock: &Clock, settings: &Settings) -> Result<DemoSummary> {
    let data = parse_data()?;
    let txn = db::begin_write(db).await?;
    if !database_is_empty(&txn).await? {
        return Err(Error::Conflict(dondoc_core::Msg::DemoNotEmpty));
    }
    let now = clock.now();
    let today = clock.today();
    let start = today
        .checked_sub_days(Days::new(PROGRAMME_START_DAYS_AGO))
        .unwrap_or(today);
    let year = chrono::Datelike::year(&today);
    let mut accounts = Vec::new();

    // Departments.
    let mut dept_ids: HashMap<String, i64> = HashMap::new();
    for d in &data.departments {
        let model = department::ActiveModel {
            code: Set(d.code.clone()),
            name: Set(d.name.clone()),
            kind: Set(d.kind),
            email: Set(Some(d.email.clone())),
            active: Set(true),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        dept_ids.insert(d.code.clone(), model.id);
    }
    let dept = |code: &str| {
        dept_ids.get(code).copied().ok_or_else(|| {
            Error::Unexpected(anyhow::anyhow!("demo data names unknown department {code}"))
        })
    };

    // Accounts: one admin (in the office), the leaders, one staff per department.
    // Hash each password once: argon2 is deliberately slow.
    let admin_hash = passwords::hash_password(&settings.demo.admin_password)?;
    let leader_hash = passwords::hash_password(&settings.demo.leader_password)?;
    let staff_hash = passwords::hash_password(&settings.demo.staff_password)?;
    let new_user = |username: &str,
                    full_name: &str,
                    email: &str,
                    position: Option<&str>,
                    role: Role,
                    dept: Option<i64>,
                    hash: &str| user::ActiveModel {
        username: Set(username.to_string()),
        full_name: Set(full_name.to_string()),
        email: Set(Some(email.to_string())),
        position: Set(position.map(str::to_string)),
        role: Set(role),
        department_id: Set(dept),
        password_hash: Set(hash.to_string()),
        active: Set(true),
        must_change_password: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    let admin = new_user(
        "admin",
        "Quản trị hệ thống",
        "admin@bactanuyen.example",
        Some("Quản trị hệ thống, Văn phòng HĐND và UBND"),
        Role::Admin,
        Some(dept("VP")?),
        &admin_hash,
    )
    .insert(&txn)
    .await?;
    accounts.push(DemoAccount {
        username: admin.username.clone(),
        role: Role::Admin,
        label: admin.full_name.clone(),
        password: settings.demo.admin_password.clone(),
    });
    let mut leader_ids: HashMap<String, i64> = HashMap::new();
    for l in &data.leaders {
        let model = new_user(
            &l.username,
            &l.full_name,
            &l.email,
            Some(&l.position),
            Role::Leader,
            None,
            &leader_hash,
        )
        .insert(&txn)
        .await?;
        leader_ids.insert(l.username.clone(), model.id);
        accounts.push(DemoAccount {
            username: l.username.clone(),
            role: Role::Leader,
            label: format!("{} – {}", l.full_name, l.position),
            password: settings.demo.leader_password.clone(),
        });
    }
    let mut staff_ids: HashMap<String, i64> = HashMap::new();
    for d in &data.departments {
        let username = format!("cb.{}", d.code.to_ascii_lowercase());
        let email = format!("{username}@bactanuyen.example");
        let model = new_user(
            &username,
            &format!("Cán bộ {}", d.name),
            &email,
            Some("Chuyên viên"),
            Role::Staff,
            Some(dept(&d.code)?),
            &staff_hash,
        )
        .insert(&txn)
        .await?;
        staff_ids.insert(d.code.clone(), model.id);
        accounts.push(DemoAccount {
            username,
            role: Role::Staff,
            label: d.name.clone(),
            password: settings.demo.staff_password.clone(),
        });
    }
    let leader_name = |username: &str| {
        data.leaders
            .iter()
            .find(|l| l.username == username)
            .map(|l| l.full_name.clone())
            .unwrap_or_else(|| username.to_string())
    };

    // The programme and its assigning documents.
    let programme = programmes::get_or_create(
        &txn,
        clock,
        year,
        &programmes::default_title(year, &settings.organization.name),
    )
    .await?;
    let mut doc_ids: HashMap<String, (i64, NaiveDate)> = HashMap::new();
    for d in &data.documents {
        let issued_on = start
            .checked_add_days(Days::new(d.issued_day_of_year.saturating_sub(1)))
            .unwrap_or(start);
        let model = document::ActiveModel {
            number: Set(d.number.clone()),
            kind: Set(d.kind),
            title: Set(d.title.clone()),
            issued_on: Set(issued_on),
            signer: Set(leader_name(&d.signer)),
            created_by: Set(Some(admin.id)),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        doc_ids.insert(d.key.clone(), (model.id, issued_on));
    }

    // Tasks, with their coordinators, history and extension requests, each
    // event at a plausible past time (see `Timeline`), so the history, the
    // figures of past days and the reminder register read like a year of
    // real work.
    let tz = clock.timezone();
    let at = |day: NaiveDate, hour: u32, minute: u32| -> DateTime<Utc> {
        day.and_hms_opt(hour, minute, 0)
            .and_then(|local| local.and_local_timezone(tz).earliest())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(now)
            .min(now)
    };
    let mut task_ids: HashMap<String, (i64, i64)> = HashMap::new();
    let mut timelines: Vec<Timeline> = Vec::new();
    for (index, t) in data.tasks.iter().enumerate() {
        let minute = (index % 50) as u32;
        let due_date = offset(today, t.due_in_days);
        let original_due_date = offset(due_date, -t.extended_by_days.unwrap_or(0));
        let (status, done_on) = match t.scenario.as_str() {
            "completed_on_time" | "completed_late" => (
                TaskStatus::Completed,
                Some(offset(due_date, t.completed_after_due_days.unwrap_or(0)).min(today)),
            ),
            "reported_done" => (
                TaskStatus::ReportedDone,
                Some(offset(due_date, t.completed_after_due_days.unwrap_or(0)).min(today)),
            ),
            "overdue" | "due_soon" | "on_track" if t.progress == 0 => {
                (TaskStatus::NotStarted, None)
            }
            "overdue" | "due_soon" | "on_track" => (TaskStatus::InProgress, None),
            other => {
                return Err(Error::Unexpected(anyhow::anyhow!(
                    "demo task {} has unknown scenario {other}",
                    t.code
                )));
            }
        };
        let (source_id, assigned_on) = doc_ids.get(&t.source).copied().ok_or_else(|| {
            Error::Unexpected(anyhow::anyhow!(
                "demo task {} names unknown document {}",
                t.code,
                t.source
            ))
        })?;
        let leader_id = if t.leader.is_empty() {
            None
        } else {
            leader_ids.get(&t.leader).copied()
        };
        let lead_id = dept(&t.lead)?;
        let staff = staff_ids.get(&t.lead).copied();
        let decider = leader_id.or(Some(admin.id));
        let created_at = at(assigned_on, 8, minute);
        let model = task::ActiveModel {
            programme_id: Set(programme.id),
            code: Set(t.code.clone()),
            title: Set(t.title.clone()),
            description: Set(t.description.clone()),
            search_text: Set(fold(&format!("{} {}", t.code, t.title))),
            field_code: Set(t.field.clone()),
            lead_department_id: Set(lead_id),
            leader_in_charge_id: Set(leader_id),
            source_document_id: Set(Some(source_id)),
            due_date: Set(original_due_date),
            original_due_date: Set(original_due_date),
            status: Set(TaskStatus::NotStarted),
            progress: Set(0),
            completed_on: Set(None),
            reported_on: Set(None),
            declared_completed_on: Set(None),
            result_note: Set(None),
            version: Set(1),
            created_at: Set(created_at),
            updated_at: Set(created_at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        task_ids.insert(t.code.clone(), (model.id, lead_id));
        for c in &t.coordinators {
            task_coordinator::ActiveModel {
                task_id: Set(model.id),
                department_id: Set(dept(c)?),
            }
            .insert(&txn)
            .await?;
        }
        document_task::ActiveModel {
            document_id: Set(source_id),
            task_id: Set(model.id),
            relation: Set(LinkRelation::Assigns),
            linked_at: Set(Some(created_at)),
        }
        .insert(&txn)
        .await?;
        let mut timeline = Timeline::new(model.clone());
        timeline
            .event(
                &txn,
                created_at,
                Change::new(model.id, Some(admin.id), action::CREATED).note(format!(
                    "Giao nhiệm vụ theo văn bản, ngày {}",
                    assigned_on.format("%d/%m/%Y")
                )),
                |m| {
                    // Why work has not started, for the tasks that say so.
                    if status == TaskStatus::NotStarted {
                        m.result_note = Some(t.result_note.clone()).filter(|n| !n.is_empty());
                    }
                },
            )
            .await?;
        // Work starts a couple of weeks after the assignment.
        let started_on = offset(assigned_on, 14 + (index % 20) as i64).min(today);
        if status != TaskStatus::NotStarted {
            let progress = if done_on.is_some() { 60 } else { t.progress };
            timeline
                .event(
                    &txn,
                    at(started_on, 9, minute),
                    Change::new(model.id, staff, action::UPDATED)
                        .field("progress", 0, progress)
                        .note(if done_on.is_some() {
                            "Đang triển khai thực hiện.".to_string()
                        } else {
                            t.result_note.clone()
                        }),
                    |m| {
                        m.progress = progress;
                        m.status = TaskStatus::InProgress;
                        if done_on.is_none() {
                            m.result_note = Some(t.result_note.clone()).filter(|n| !n.is_empty());
                        }
                    },
                )
                .await?;
        }
        if let Some(extra) = t.extended_by_days {
            // Asked a week before the original deadline, decided the next day.
            let asked_on = offset(original_due_date, -7).max(started_on).min(today);
            let decided_on = offset(asked_on, 1).min(today);
            let reason = "Cần thêm thời gian để hoàn thiện hồ sơ, thủ tục theo quy định.";
            extension_request::ActiveModel {
                task_id: Set(model.id),
                requested_by: Set(staff.unwrap_or(admin.id)),
                previous_due_date: Set(original_due_date),
                requested_due_date: Set(due_date),
                reason: Set(reason.into()),
                state: Set(ExtensionState::Approved),
                decided_by: Set(decider),
                decided_at: Set(Some(at(decided_on, 10, minute))),
                decision_note: Set(Some(format!("Đồng ý gia hạn thêm {extra} ngày."))),
                created_at: Set(at(asked_on, 15, minute)),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            timeline
                .event(
                    &txn,
                    at(asked_on, 15, minute),
                    Change::new(model.id, staff, action::EXTENSION_REQUESTED)
                        .field("due_date", original_due_date, due_date)
                        .note(reason),
                    |_| {},
                )
                .await?;
            timeline
                .event(
                    &txn,
                    at(decided_on, 10, minute),
                    Change::new(model.id, decider, action::EXTENSION_APPROVED)
                        .field("due_date", original_due_date, due_date)
                        .note(format!("Đồng ý gia hạn thêm {extra} ngày")),
                    |m| m.due_date = due_date,
                )
                .await?;
        }
        if let Some(done_on) = done_on {
            let report = t.result_note.clone();
            timeline
                .event(
                    &txn,
                    at(done_on, 16, minute),
                    Change::new(model.id, staff, action::REPORTED_DONE)
                        .field("status", TaskStatus::InProgress, TaskStatus::ReportedDone)
                        .note(report.clone()),
                    |m| {
                        m.status = TaskStatus::ReportedDone;
                        m.progress = 100;
                        m.reported_on = Some(done_on);
                        m.completed_on = Some(done_on);
                        m.result_note = Some(report.clone()).filter(|n| !n.is_empty());
                    },
                )
                .await?;
            if status == TaskStatus::Completed {
                let confirmed_on = offset(done_on, 2).min(today);
                timeline
                    .event(
                        &txn,
                        at(confirmed_on, 10, minute),
                        Change::new(model.id, decider, action::CONFIRMED).field(
                            "status",
                            TaskStatus::ReportedDone,
                            TaskStatus::Completed,
                        ),
                        |m| m.status = TaskStatus::Completed,
                    )
                    .await?;
            }
        }
        if let Some(days) = t.pending_extension_days {
            let requested = offset(due_date, days);
            let reason = "Vướng mắc về hồ sơ pháp lý và ý kiến của các sở, ngành; đề nghị gia hạn để hoàn thành.";
            let asked_at = at(offset(today, -2), 14, minute);
            extension_request::ActiveModel {
                task_id: Set(model.id),
                requested_by: Set(staff.unwrap_or(admin.id)),
                previous_due_date: Set(due_date),
                requested_due_date: Set(requested),
                reason: Set(reason.into()),
                state: Set(ExtensionState::Pending),
                decided_by: Set(None),
                decided_at: Set(None),
                decision_note: Set(None),
                created_at: Set(asked_at),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            timeline
                .event(
                    &txn,
                    asked_at,
                    Change::new(model.id, staff, action::EXTENSION_REQUESTED)
                        .field("due_date", due_date, requested)
                        .note(reason),
                    |_| {},
                )
                .await?;
        }
        timelines.push(timeline);
    }

    // Reminder documents (công văn đôn đốc), linked to the late tasks on the
    // day they were issued. Some departments answer within the week, some
    // later, some not at all — as in the district's own register.
    for (index, r) in data.reminders.iter().enumerate() {
        let issued_on = offset(today, -(r.issued_days_ago as i64));
        let recorded_at = at(issued_on, 11, (index % 50) as u32);
        let model = document::ActiveModel {
            number: Set(r.number.clone()),
            kind: Set(DocumentKind::OfficialLetter),
            title: Set(r.title.clone()),
            issued_on: Set(issued_on),
            signer: Set(leader_name(&r.signer)),
            created_by: Set(Some(admin.id)),
            created_at: Set(recorded_at),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        for code in &r.tasks {
            let (task_id, lead_id) = task_ids.get(code).copied().ok_or_else(|| {
                Error::Unexpected(anyhow::anyhow!(
                    "demo reminder {} names unknown task {code}",
                    r.number
                ))
            })?;
            document_task::ActiveModel {
                document_id: Set(model.id),
                task_id: Set(task_id),
                relation: Set(LinkRelation::Reminds),
                linked_at: Set(Some(recorded_at)),
            }
            .insert(&txn)
            .await?;
            history::record(
                &txn,
                recorded_at,
                Change::new(task_id, Some(admin.id), action::DOCUMENT_LINKED).note(format!(
                    "Văn bản đôn đốc số {} ngày {}",
                    r.number,
                    issued_on.format("%d/%m/%Y")
                )),
            )
            .await?;
            // Two letters in three get an answer: within the week, or late.
            let answer_after = match index % 3 {
                0 => Some(3),
                1 => Some(12),
                _ => None,
            };
            let staff = staff_ids
                .iter()
                .find(|(code, _)| dept(code).ok() == Some(lead_id))
                .map(|(_, id)| *id);
            if let Some(days) = answer_after {
                let answered_on = offset(issued_on, days);
                if answered_on < today {
                    history::record(
                        &txn,
                        at(answered_on, 15, (index % 50) as u32),
                        Change::new(task_id, staff, action::NOTE).note(format!(
                            "Báo cáo tiến độ theo Văn bản số {}: đang hoàn thiện hồ sơ, dự kiến hoàn thành trong tháng tới.",
                            r.number
                        )),
                    )
                    .await?;
                }
            }
        }
    }

    for timeline in timelines {
        timeline.finish(&txn).await?;
    }

    txn.commit().await?;
    Ok(DemoSummary {
        year,
        departments: data.departments.len(),
        tasks: data.tasks.len(),
        reminder_documents: data.reminders.len(),
        accounts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use dondoc_core::domain::DepartmentKind;

    #[test]
    fn the_demo_data_parses_and_has_the_reports_figures() {
        let data = parse_data().unwrap();
        assert_eq!(data.tasks.len(), 96);
        assert_eq!(data.departments.len(), 30);
        assert_eq!(data.reminders.len(), 25);
        assert_eq!(
            data.departments
                .iter()
                .filter(|d| d.kind == DepartmentKind::Commune)
                .count(),
            10
        );
        let fields: std::collections::HashSet<&str> =
            data.tasks.iter().map(|t| t.field.as_str()).collect();
        for f in dondoc_core::domain::fields::DEFAULT_FIELDS {
            assert!(fields.contains(f.code), "no demo task in field {}", f.code);
        }
    }
}
