//! "Ảnh chụp số liệu giao ban": take a snapshot before a meeting, list them,
//! show one exactly as frozen, compare two (or one with now).

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use askama::Template;
use dondoc_core::{
    accounts::policy::{self, Action},
    domain::figure::Figure,
    messages::Label,
    reports::snapshots::{
        self, Comparison, Delta, FrozenOverdueTask, NewSnapshot, SnapshotSummary,
    },
    reports::stats::Stats,
};

use super::{
    Ctx, FormPage, PageError, PageUser, PostedForm, ctx, describe_error,
    format::{self, Choice},
    redirect_with, render,
};
use crate::state::AppState;

pub struct SummaryLine {
    pub id: i64,
    pub title: String,
    pub taken_at: String,
    pub taken_by: String,
    pub as_of: String,
    pub year: i32,
    pub total: i64,
    pub overdue: i64,
}

fn summary_line(s: &SnapshotSummary, tz: chrono_tz::Tz) -> SummaryLine {
    SummaryLine {
        id: s.id,
        title: s.title.clone(),
        taken_at: format::datetime(s.taken_at, tz),
        taken_by: s
            .taken_by
            .as_ref()
            .map(|u| u.full_name.clone())
            .unwrap_or_default(),
        as_of: format::date(s.as_of),
        year: s.year,
        total: s.total_tasks,
        overdue: s.overdue_tasks,
    }
}

pub struct OverdueLine {
    pub task_id: i64,
    pub code: String,
    pub title: String,
    pub department: String,
    pub field: String,
    pub leader: String,
    pub due: String,
    pub days_overdue: i64,
    pub progress: i32,
    pub reminders: i64,
}

fn overdue_lines(list: &[FrozenOverdueTask]) -> Vec<OverdueLine> {
    list.iter()
        .map(|t| OverdueLine {
            task_id: t.task_id,
            code: t.code.clone(),
            title: t.title.clone(),
            department: t.lead_department_name.clone(),
            field: t.field_name.clone(),
            leader: t.leader_in_charge.clone().unwrap_or_default(),
            due: format::date(t.due_date),
            days_overdue: t.days_overdue,
            progress: t.progress,
            reminders: t.reminder_documents,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "snapshots_list.html")]
struct ListPage {
    ctx: Ctx,
    snapshots: Vec<SummaryLine>,
    can_take: bool,
    year: i32,
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let all = snapshots::list(&state.db, &user).await?;
    let tz = state.clock.timezone();
    let view = ListPage {
        snapshots: all.iter().map(|s| summary_line(s, tz)).collect(),
        can_take: policy::can(&user, Action::TakeSnapshot, None),
        year: chrono::Datelike::year(&state.today()),
        ctx: ctx(&req, Some(user), "snapshots"),
    };
    let had_flash = view.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &view, had_flash))
}

/// The form of the snapshots page.
pub struct SnapshotForm;

impl FormPage for SnapshotForm {
    const PAGE: &'static str = "/snapshots";
}

pub async fn take(
    state: web::Data<AppState>,
    posted: PostedForm<SnapshotForm>,
) -> Result<HttpResponse, PageError> {
    let t = posted.t;
    let year = posted.form.text("year");
    let year = year.trim();
    let parsed_year = if year.is_empty() {
        None
    } else {
        match year.parse::<i64>() {
            Ok(y) => Some(y),
            Err(_) => {
                let err = dondoc_core::Error::field(
                    "year",
                    "invalid_year",
                    dondoc_core::Msg::InvalidYear {
                        value: year.to_string(),
                    },
                );
                return Err(posted.refused(err));
            }
        }
    };
    let input = NewSnapshot {
        title: posted.form.text("title"),
        year: parsed_year,
    };
    let id = snapshots::take(
        &state.db,
        &state.facts,
        &state.clock,
        &posted.user,
        &input,
        state.due_soon_days(),
    )
    .await
    .map_err(|err| posted.refused(err))?;
    Ok(redirect_with(
        &format!("/snapshots/{id}"),
        true,
        t.get("snapshot_taken"),
    ))
}

#[derive(Template)]
#[template(path = "snapshot_show.html")]
struct ShowPage {
    ctx: Ctx,
    snapshot: SummaryLine,
    figures: Stats,
    /// "Chương trình năm 2026 — tính đến 08:30 ngày 12/11/2026".
    scope: String,
    cards: Vec<super::figures::Card>,
    tables: Vec<super::figures::Table>,
    overdue: Vec<OverdueLine>,
    others: Vec<Choice>,
}

impl ShowPage {
    fn pct(&self, value: &f64) -> String {
        format::percent(self.ctx.t, *value)
    }
}

pub async fn show(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let view = snapshots::get(&state.db, &user, id).await?;
    let all = snapshots::list(&state.db, &user).await?;
    let page_ctx = ctx(&req, Some(user), "snapshots");
    let t = page_ctx.t;
    let tz = state.clock.timezone();
    let others = std::iter::once(Choice {
        value: "now".into(),
        label: t.get("snapshot_now").to_string(),
        selected: true,
    })
    .chain(all.iter().filter(|s| s.id != id).map(|s| Choice {
        value: s.id.to_string(),
        label: format!("{} ({})", s.title, format::datetime(s.taken_at, tz)),
        selected: false,
    }))
    .collect();
    let links = super::figures::Links::new(&view.tasks_query, None);
    let as_of = super::figures::as_of_of(&view.tasks_query);
    let mut cards = super::figures::cards(t, &view.figures.overall, &links);
    for card in cards.iter_mut().filter(|c| c.code == "overdue") {
        card.value_id = "snapshot-overdue".into();
    }
    let page = ShowPage {
        scope: super::figures::scope_line(t, Some(view.summary.year), as_of.as_deref(), tz),
        tables: snapshot_tables(t, &view.figures, &links),
        cards,
        snapshot: summary_line(&view.summary, tz),
        overdue: overdue_lines(&view.overdue),
        figures: view.figures,
        others,
        ctx: page_ctx,
    };
    let had_flash = page.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &page, had_flash))
}

/// The snapshot's tables, by department and by field; every cell links to
/// its tasks as they stood when the snapshot was taken.
fn snapshot_tables(
    t: super::Tr,
    figures: &Stats,
    links: &super::figures::Links,
) -> Vec<super::figures::Table> {
    use super::figures::{GroupRef, table};
    let departments = figures
        .departments
        .iter()
        .map(|d| GroupRef {
            key: &d.code,
            name: &d.name,
            figures: &d.figures,
        })
        .collect();
    let fields = figures
        .fields
        .iter()
        .map(|f| GroupRef {
            key: &f.code,
            name: &f.name,
            figures: &f.figures,
        })
        .collect();
    vec![
        table(
            t,
            "department",
            t.get("by_department"),
            departments,
            &figures.overall,
            links,
        ),
        table(
            t,
            "field",
            t.get("by_field"),
            fields,
            &figures.overall,
            links,
        ),
    ]
}

pub struct DeltaRow {
    pub label: String,
    pub before: String,
    pub after: String,
    pub change: String,
    pub class: &'static str,
}

/// "+3", "−2" (a real minus sign), "0".
pub fn signed(n: i64) -> String {
    match n {
        0 => "0".into(),
        n if n > 0 => format!("+{n}"),
        n => format!("−{}", n.unsigned_abs()),
    }
}

/// More overdue is bad (red), fewer good (green); the reverse for completed.
fn delta_row(label: String, d: &Delta, more_is_bad: bool) -> DeltaRow {
    let class = match (d.change.signum(), more_is_bad) {
        (0, _) => "",
        (1, true) | (-1, false) => "worse",
        _ => "better",
    };
    DeltaRow {
        label: label.to_string(),
        before: d.before.to_string(),
        after: d.after.to_string(),
        change: signed(d.change),
        class,
    }
}

pub struct DepartmentRow {
    pub code: String,
    pub name: String,
    pub total: DeltaRow,
    pub completed: DeltaRow,
    pub overdue: DeltaRow,
}

#[derive(Template)]
#[template(path = "snapshot_compare.html")]
struct ComparePage {
    ctx: Ctx,
    from_id: i64,
    from_title: String,
    from_at: String,
    to_title: String,
    to_at: String,
    totals: Vec<DeltaRow>,
    rate_before: String,
    rate_after: String,
    departments: Vec<DepartmentRow>,
    newly_overdue: Vec<OverdueLine>,
    no_longer_overdue: Vec<OverdueLine>,
}

#[derive(serde::Deserialize)]
pub struct CompareQuery {
    to: Option<String>,
}

pub async fn compare(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<CompareQuery>,
    PageUser(user): PageUser,
) -> Result<HttpResponse, PageError> {
    let id = path.into_inner();
    let to = crate::routes::snapshots::parse_to(query.to.as_deref()).map_err(|err| {
        let t = ctx(&req, None, "").t;
        PageError::back(format!("/snapshots/{id}"), describe_error(t, &err))
    })?;
    let c: Comparison = snapshots::compare(
        &state.db,
        &state.facts,
        &state.clock,
        &user,
        id,
        to,
        state.due_soon_days(),
    )
    .await?;
    let page_ctx = ctx(&req, Some(user), "snapshots");
    let t = page_ctx.t;
    let tz = state.clock.timezone();
    let totals = vec![
        delta_row(t.get("total_tasks"), &c.total.total, false),
        delta_row(t.get("completed"), &c.total.completed, false),
        delta_row(
            t.get("completed_on_time"),
            &c.total.completed_on_time,
            false,
        ),
        delta_row(
            t.get("completed_on_time_after_extension"),
            &c.total.completed_on_time_after_extension,
            false,
        ),
        delta_row(t.get("completed_late"), &c.total.completed_late, true),
        delta_row(
            Figure::NotStarted.label(t.lang()),
            &c.total.not_started,
            true,
        ),
        delta_row(
            Figure::InProgress.label(t.lang()),
            &c.total.in_progress,
            false,
        ),
        delta_row(t.get("overdue"), &c.total.overdue, true),
        delta_row(t.get("due_soon"), &c.total.due_soon, true),
        delta_row(t.get("on_track"), &c.total.on_track, false),
        delta_row(t.get("cancelled_tasks"), &c.total.cancelled, false),
    ];
    let departments = c
        .departments
        .iter()
        .map(|d| DepartmentRow {
            code: d.code.clone(),
            name: d.name.clone(),
            total: delta_row(String::new(), &d.change.total, false),
            completed: delta_row(String::new(), &d.change.completed, false),
            overdue: delta_row(String::new(), &d.change.overdue, true),
        })
        .collect();
    let to_title = if c.to.id.is_none() {
        t.get("snapshot_now").to_string()
    } else {
        c.to.title.clone()
    };
    let page = ComparePage {
        from_id: id,
        from_title: c.from.title.clone(),
        from_at: format::datetime(c.from.taken_at, tz),
        to_title,
        to_at: format::datetime(c.to.taken_at, tz),
        totals,
        rate_before: format::percent(t, c.total.completion_rate_before),
        rate_after: format::percent(t, c.total.completion_rate_after),
        departments,
        newly_overdue: overdue_lines(&c.newly_overdue),
        no_longer_overdue: overdue_lines(&c.no_longer_overdue),
        ctx: page_ctx,
    };
    let had_flash = page.ctx.flash.is_some();
    Ok(render(StatusCode::OK, &page, had_flash))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_signed_with_a_real_minus_sign() {
        assert_eq!(signed(3), "+3");
        assert_eq!(signed(-2), "−2");
        assert_eq!(signed(0), "0");
        let worse = delta_row(
            "x".to_string(),
            &Delta {
                before: 1,
                after: 3,
                change: 2,
            },
            true,
        );
        assert_eq!(worse.class, "worse");
        let better = delta_row(
            "x".to_string(),
            &Delta {
                before: 1,
                after: 3,
                change: 2,
            },
            false,
        );
        assert_eq!(better.class, "better");
    }
}
