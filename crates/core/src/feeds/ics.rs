//! Private calendar feeds (lịch hạn nhiệm vụ): an ICS URL per department
//! (the open tasks it leads) or per leader (the open tasks in their
//! charge), so deadlines show up in Outlook, Google Calendar or a phone.
//!
//! The URL carries a random token; only its SHA-256 is stored, so the URL
//! is shown once, when the feed is made. Regenerating revokes the old
//! token. The feed is RFC 5545: CRLF line ends, lines folded at 75 octets
//! (never inside a UTF-8 character), TEXT values escaped, one all-day
//! VEVENT per task on its due date with a UID stable per task.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::Expr,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    Clock,
    accounts::policy::{self, FeedTarget},
    accounts::principal::Principal,
    accounts::secrets::{random_token, token_hash},
    accounts::users::UserRef,
    db::{self, Db},
    domain::{Role, Timeliness},
    entity::{calendar_feed, department, task, user},
    error::{Error, Result},
    messages::{Lang, Msg},
    org::departments::DepartmentRef,
    tasks::{TaskView, load_views, status_sql::open_condition},
};

pub const SCOPE_DEPARTMENT: &str = "department";
pub const SCOPE_LEADER: &str = "leader";

/// How many days before the due date a not-yet-overdue task's alarm rings.
pub const ALARM_DAYS_BEFORE: i64 = 3;

/// A feed as its owner sees it (never the token).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FeedView {
    pub id: i64,
    /// `department` or `leader`.
    pub scope: String,
    pub department: Option<DepartmentRef>,
    pub leader: Option<UserRef>,
    pub created_by: Option<UserRef>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A feed just made: the only time its URL is shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CreatedFeed {
    #[serde(flatten)]
    pub feed: FeedView,
    /// The private address to subscribe to; shown once.
    pub url: String,
    /// The secret part of `url`.
    pub token: String,
}

/// Something the user may have a feed for, with its live feed if any.
#[derive(Debug, Clone)]
pub struct FeedSlot {
    pub target: FeedTarget,
    /// The department's name or the leader's full name.
    pub label: String,
    /// `department` or `leader`.
    pub scope: &'static str,
    /// The department code or the leader's username (what the API takes).
    pub key: String,
    pub active: Option<FeedView>,
}

fn scope_of(target: FeedTarget) -> &'static str {
    match target {
        FeedTarget::Department(_) => SCOPE_DEPARTMENT,
        FeedTarget::Leader(_) => SCOPE_LEADER,
    }
}

fn target_of(feed: &calendar_feed::Model) -> Option<FeedTarget> {
    match (feed.scope.as_str(), feed.department_id, feed.leader_id) {
        (SCOPE_DEPARTMENT, Some(d), _) => Some(FeedTarget::Department(d)),
        (SCOPE_LEADER, _, Some(l)) => Some(FeedTarget::Leader(l)),
        _ => None,
    }
}

/// The feed's address under the product's public URL.
pub fn feed_url(public_url: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", public_url.trim_end_matches('/'))
}

/// Parses what a client names: `department` + a department code (or name),
/// or `leader` + a username. A staff member may leave the department out
/// (their own); a leader may leave the username out (themselves).
pub async fn resolve_target<C: ConnectionTrait>(
    db: &C,
    user: &Principal,
    scope: &str,
    department: Option<&str>,
    leader: Option<&str>,
) -> Result<FeedTarget> {
    match scope.trim() {
        SCOPE_DEPARTMENT => {
            let wanted = department.map(str::trim).filter(|d| !d.is_empty());
            match wanted {
                None => user
                    .department_id
                    .map(FeedTarget::Department)
                    .ok_or_else(|| Error::field("department", "required", Msg::DepartmentRequired)),
                Some(code) => match crate::org::departments::resolve(db, code).await? {
                    Some(d) => Ok(FeedTarget::Department(d.id)),
                    None => Err(Error::field(
                        "department",
                        "unknown",
                        Msg::UnknownDepartment {
                            code: code.to_string(),
                        },
                    )),
                },
            }
        }
        SCOPE_LEADER => {
            let wanted = leader.map(str::trim).filter(|l| !l.is_empty());
            let Some(username) = wanted else {
                return if user.role == Role::Staff {
                    Err(Error::field("leader", "required", Msg::LeaderRequired))
                } else {
                    Ok(FeedTarget::Leader(user.user_id))
                };
            };
            let found = user::Entity::find()
                .filter(user::Column::Username.eq(username.to_ascii_lowercase()))
                .one(db)
                .await?;
            match found {
                Some(u) if u.role != Role::Staff => Ok(FeedTarget::Leader(u.id)),
                Some(_) => Err(Error::field(
                    "leader",
                    "not_a_leader",
                    Msg::NotALeader {
                        name: username.to_string(),
                    },
                )),
                None => Err(Error::field(
                    "leader",
                    "unknown",
                    Msg::UnknownLeader {
                        name: username.to_string(),
                    },
                )),
            }
        }
        other => Err(Error::field(
            "scope",
            "invalid_choice",
            Msg::InvalidFeedScope {
                value: other.to_string(),
            },
        )),
    }
}

async fn views<C: ConnectionTrait>(
    db: &C,
    rows: Vec<calendar_feed::Model>,
) -> Result<Vec<FeedView>> {
    let departments = department::Entity::find().all(db).await?;
    let mut user_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| [Some(r.created_by), r.leader_id])
        .flatten()
        .collect();
    user_ids.sort_unstable();
    user_ids.dedup();
    let people = if user_ids.is_empty() {
        Vec::new()
    } else {
        user::Entity::find()
            .filter(user::Column::Id.is_in(user_ids))
            .all(db)
            .await?
    };
    let person = |id: i64| people.iter().find(|u| u.id == id).map(UserRef::from);
    Ok(rows
        .into_iter()
        .map(|r| FeedView {
            id: r.id,
            department: r.department_id.and_then(|id| {
                departments
                    .iter()
                    .find(|d| d.id == id)
                    .map(|d| DepartmentRef {
                        code: d.code.clone(),
                        name: d.name.clone(),
                    })
            }),
            leader: r.leader_id.and_then(person),
            created_by: person(r.created_by),
            scope: r.scope,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            revoked_at: r.revoked_at,
        })
        .collect())
}

fn live_feeds_of(target: FeedTarget) -> sea_orm::Condition {
    let condition = sea_orm::Condition::all()
        .add(calendar_feed::Column::RevokedAt.is_null())
        .add(calendar_feed::Column::Scope.eq(scope_of(target)));
    match target {
        FeedTarget::Department(id) => condition.add(calendar_feed::Column::DepartmentId.eq(id)),
        FeedTarget::Leader(id) => condition.add(calendar_feed::Column::LeaderId.eq(id)),
    }
}

/// The feeds the user may manage, live ones only, newest first.
pub async fn list(db: &Db, user: &Principal) -> Result<Vec<FeedView>> {
    let rows = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .order_by_desc(calendar_feed::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|f| target_of(f).is_some_and(|t| policy::can_manage_feed(user, t)))
        .collect();
    views(db, rows).await
}

/// What the settings page offers: each target the user may manage, with
/// its live feed.
pub async fn slots(db: &Db, user: &Principal) -> Result<Vec<FeedSlot>> {
    let mut targets: Vec<(FeedTarget, String, String)> = Vec::new();
    let departments = department::Entity::find()
        .filter(department::Column::Active.eq(true))
        .order_by_asc(department::Column::Code)
        .all(db)
        .await?;
    let leaders = user::Entity::find()
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.is_in([Role::Leader, Role::Admin]))
        .order_by_asc(user::Column::FullName)
        .all(db)
        .await?;
    for l in &leaders {
        if l.role == Role::Leader || l.id == user.user_id {
            targets.push((
                FeedTarget::Leader(l.id),
                l.full_name.clone(),
                l.username.clone(),
            ));
        }
    }
    for d in &departments {
        targets.push((FeedTarget::Department(d.id), d.name.clone(), d.code.clone()));
    }
    let live = list(db, user).await?;
    let mut out = Vec::new();
    for (target, label, key) in targets {
        if !policy::can_manage_feed(user, target) {
            continue;
        }
        let scope = scope_of(target);
        let active = live
            .iter()
            .find(|f| {
                f.scope == scope
                    && match target {
                        FeedTarget::Department(_) => {
                            f.department.as_ref().is_some_and(|d| d.code == key)
                        }
                        FeedTarget::Leader(_) => {
                            f.leader.as_ref().is_some_and(|u| u.username == key)
                        }
                    }
            })
            .cloned();
        out.push(FeedSlot {
            target,
            label,
            scope,
            key,
            active,
        });
    }
    Ok(out)
}

/// Makes a feed for `target`, revoking the one it replaces, in one
/// transaction. The returned URL is the only time the token is shown.
pub async fn create(
    db: &Db,
    clock: &Clock,
    public_url: &str,
    user: &Principal,
    target: FeedTarget,
) -> Result<CreatedFeed> {
    policy::require_feed(user, target)?;
    let txn = db::begin_write(db).await?;
    match target {
        FeedTarget::Department(id) => {
            if department::Entity::find_by_id(id)
                .one(&txn)
                .await?
                .is_none()
            {
                return Err(Error::field(
                    "department",
                    "unknown",
                    Msg::UnknownThisDepartment,
                ));
            }
        }
        FeedTarget::Leader(id) => {
            let found = user::Entity::find_by_id(id).one(&txn).await?;
            if !found.is_some_and(|u| u.role != Role::Staff) {
                return Err(Error::field("leader", "unknown", Msg::UnknownThisLeader));
            }
        }
    }
    let now = clock.now();
    calendar_feed::Entity::update_many()
        .col_expr(calendar_feed::Column::RevokedAt, Expr::value(Some(now)))
        .filter(live_feeds_of(target))
        .exec(&txn)
        .await?;
    let token = random_token();
    let (department_id, leader_id) = match target {
        FeedTarget::Department(id) => (Some(id), None),
        FeedTarget::Leader(id) => (None, Some(id)),
    };
    let row = calendar_feed::ActiveModel {
        token_hash: Set(token_hash(&token)),
        scope: Set(scope_of(target).to_string()),
        department_id: Set(department_id),
        leader_id: Set(leader_id),
        created_by: Set(user.user_id),
        created_at: Set(now),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    tracing::info!(feed = row.id, scope = %row.scope, by = %user.username, "calendar feed created");
    let feed = views(db, vec![row])
        .await?
        .pop()
        .ok_or_else(|| Error::Unexpected(anyhow::anyhow!("feed vanished")))?;
    Ok(CreatedFeed {
        url: feed_url(public_url, &token),
        token,
        feed,
    })
}

/// Revokes a feed: its URL answers 404 from now on.
pub async fn revoke(db: &Db, clock: &Clock, user: &Principal, feed_id: i64) -> Result<()> {
    let txn = db::begin_write(db).await?;
    let Some(feed) = calendar_feed::Entity::find_by_id(feed_id).one(&txn).await? else {
        return Err(Error::NotFound(Msg::NotFoundFeed { id: feed_id }));
    };
    let Some(target) = target_of(&feed) else {
        return Err(Error::NotFound(Msg::NotFoundFeed { id: feed_id }));
    };
    policy::require_feed(user, target)?;
    if feed.revoked_at.is_none() {
        let mut active: calendar_feed::ActiveModel = feed.into();
        active.revoked_at = Set(Some(clock.now()));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    tracing::info!(feed = feed_id, by = %user.username, "calendar feed revoked");
    Ok(())
}

/// What the feed shows, read for a token.
#[derive(Debug, Clone)]
pub struct FeedContent {
    /// The calendar's name (X-WR-CALNAME).
    pub name: String,
    pub tasks: Vec<TaskView>,
}

/// The open tasks behind a live token; 404 for an unknown or revoked one,
/// or one whose maker or leader has left.
pub async fn content(
    db: &Db,
    clock: &Clock,
    token: &str,
    due_soon_days: u32,
) -> Result<FeedContent> {
    let token = token.trim();
    let not_found = || Error::NotFound(Msg::NotFoundFeedToken);
    if token.is_empty() || token.len() > 256 {
        return Err(not_found());
    }
    let Some(feed) = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::TokenHash.eq(token_hash(token)))
        .one(db)
        .await?
    else {
        return Err(not_found());
    };
    if feed.revoked_at.is_some() {
        return Err(not_found());
    }
    let maker = user::Entity::find_by_id(feed.created_by).one(db).await?;
    if !maker.is_some_and(|u| u.active) {
        return Err(not_found());
    }
    let now = clock.now();
    // Calendar apps poll often: record use at most every hour.
    if feed
        .last_used_at
        .is_none_or(|at| now - at > Duration::hours(1))
    {
        calendar_feed::Entity::update_many()
            .col_expr(calendar_feed::Column::LastUsedAt, Expr::value(Some(now)))
            .filter(calendar_feed::Column::Id.eq(feed.id))
            .exec(db)
            .await?;
    }
    let open = task::Entity::find()
        .filter(open_condition())
        .order_by_asc(task::Column::DueDate)
        .order_by_asc(task::Column::Id);
    let (name, rows) = match target_of(&feed).ok_or_else(not_found)? {
        FeedTarget::Department(id) => {
            let Some(dept) = department::Entity::find_by_id(id).one(db).await? else {
                return Err(not_found());
            };
            let rows = open
                .filter(task::Column::LeadDepartmentId.eq(id))
                .all(db)
                .await?;
            (format!("Hạn nhiệm vụ — {}", dept.name), rows)
        }
        FeedTarget::Leader(id) => {
            let Some(leader) = user::Entity::find_by_id(id).one(db).await? else {
                return Err(not_found());
            };
            if !leader.active {
                return Err(not_found());
            }
            let rows = open
                .filter(task::Column::LeaderInChargeId.eq(id))
                .all(db)
                .await?;
            (format!("Hạn nhiệm vụ — {}", leader.full_name), rows)
        }
    };
    let tasks = load_views(db, rows, clock.today(), due_soon_days).await?;
    Ok(FeedContent { name, tasks })
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma
/// and newlines; other control characters are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds one content line (RFC 5545 §3.1): no physical line longer than 75
/// octets, continuation lines start with one space, and a UTF-8 character
/// is never split. Every line ends with CRLF.
pub fn fold_line(line: &str) -> String {
    const LIMIT: usize = 75;
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > LIMIT {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

fn date_value(day: NaiveDate) -> String {
    day.format("%Y%m%d").to_string()
}

/// Renders the feed. `public_url` makes each task's link; `host` the UIDs.
pub fn render_ics(
    content: &FeedContent,
    public_url: &str,
    timezone: &str,
    now: DateTime<Utc>,
) -> String {
    let base = public_url.trim_end_matches('/');
    let host = base
        .split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .filter(|h| !h.is_empty())
        .unwrap_or("dondoc");
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//dondoc//Lich han nhiem vu//VI".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", escape_text(&content.name)),
        format!("X-WR-TIMEZONE:{timezone}"),
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H".into(),
        "X-PUBLISHED-TTL:PT1H".into(),
    ];
    for t in &content.tasks {
        let url = format!("{base}/tasks/{}", t.id);
        let overdue = t.timeliness == Some(Timeliness::Overdue);
        let summary = match (overdue, t.days_overdue) {
            (true, Some(days)) => format!("[QUÁ HẠN {days} ngày] {} — {}", t.code, t.title),
            _ => format!("{} — {}", t.code, t.title),
        };
        let mut description = vec![
            format!(
                "Đơn vị chủ trì: {} ({})",
                t.lead_department.name, t.lead_department.code
            ),
            format!(
                "Tình trạng: {} · Tiến độ {}%",
                t.status.label(Lang::Vi),
                t.progress
            ),
            format!("Thời hạn: {}", t.due_date.format("%d/%m/%Y")),
        ];
        if t.extended {
            description.push(format!(
                "Thời hạn ban đầu: {}",
                t.original_due_date.format("%d/%m/%Y")
            ));
        }
        if let Some(leader) = &t.leader_in_charge {
            description.push(format!("Lãnh đạo phụ trách: {}", leader.full_name));
        }
        if !t.coordinating_departments.is_empty() {
            description.push(format!(
                "Đơn vị phối hợp: {}",
                t.coordinating_departments
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        description.push(url.clone());
        lines.extend([
            "BEGIN:VEVENT".to_string(),
            format!("UID:dondoc-task-{}@{host}", t.id),
            format!("DTSTAMP:{stamp}"),
            format!("LAST-MODIFIED:{}", t.updated_at.format("%Y%m%dT%H%M%SZ")),
            format!("DTSTART;VALUE=DATE:{}", date_value(t.due_date)),
            format!(
                "DTEND;VALUE=DATE:{}",
                date_value(t.due_date.succ_opt().unwrap_or(t.due_date))
            ),
            format!("SUMMARY:{}", escape_text(&summary)),
            format!("DESCRIPTION:{}", escape_text(&description.join("\n"))),
            format!("URL:{url}"),
            format!(
                "CATEGORIES:{}",
                escape_text(if overdue {
                    "Quá hạn"
                } else {
                    "Hạn nhiệm vụ"
                })
            ),
            "TRANSP:TRANSPARENT".to_string(),
            "STATUS:CONFIRMED".to_string(),
        ]);
        if !overdue {
            lines.extend([
                "BEGIN:VALARM".to_string(),
                "ACTION:DISPLAY".to_string(),
                format!(
                    "DESCRIPTION:{}",
                    escape_text(&format!("Sắp đến hạn: {} — {}", t.code, t.title))
                ),
                format!("TRIGGER:-P{ALARM_DAYS_BEFORE}D"),
                "END:VALARM".to_string(),
            ]);
        }
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    lines.iter().map(|l| fold_line(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_values() {
        assert_eq!(
            escape_text("a,b;c\\d\r\ne\nf\rg"),
            "a\\,b\\;c\\\\d\\ne\\nf\\ng"
        );
        assert_eq!(escape_text("bell\u{7}"), "bell");
    }

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Đôn đốc giải phóng mặt bằng ".repeat(10));
        let folded = fold_line(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 3);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} is {} octets", p.len());
            if i > 0 {
                assert!(p.starts_with(' '));
            }
        }
        let unfolded: String = folded.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
        // Short lines are untouched.
        assert_eq!(fold_line("VERSION:2.0"), "VERSION:2.0\r\n");
        // Exactly 75 octets stays on one line.
        let exact = "X".repeat(75);
        assert_eq!(fold_line(&exact), format!("{exact}\r\n"));
    }
}
