//! Private calendar feeds (lịch hạn nhiệm vụ): an ICS URL per department
//! (the open tasks it leads) or per leader (the open tasks in their
//! charge), so deadlines show up in Outlook, Google Calendar or a phone.
//!
//! The URL carries a random token; only its SHA-256 is stored, so the URL
//! is shown once, when the feed is made. Regenerating revokes the old
//! token.
//!
//! This file makes, lists and revokes feeds and reads a feed's tasks by its
//! token; `ics` writes them as iCalendar text (RFC 5545).

use chrono::{DateTime, Duration, Utc};
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
    domain::Role,
    entity::{calendar_feed, department, task, user},
    error::{Error, Result},
    messages::Msg,
    org::departments::DepartmentRef,
    tasks::{load_views, status_sql::open_condition},
};

use super::ics::FeedContent;

pub const SCOPE_DEPARTMENT: &str = "department";

pub const SCOPE_LEADER: &str = "leader";

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
    /// The feed answers 404: its maker may no longer see what it shows
    /// (moved to another department, no longer a leader, deactivated).
    /// The maker can still see and revoke it.
    pub stopped: bool,
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

/// Whether a feed's maker, as the account is now, may still have it: a
/// feed shows what its maker may see, so it stops with the maker's right.
fn maker_may(maker: Option<&user::Model>, target: FeedTarget) -> bool {
    maker.is_some_and(|m| m.active && policy::may_feed(m.role, m.id, m.department_id, target))
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
            stopped: !target_of(&r)
                .is_some_and(|t| maker_may(people.iter().find(|u| u.id == r.created_by), t)),
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

/// Whether `user` may see and revoke `feed`: they may manage its target,
/// or they made it (a maker who lost the right can still stop it).
fn may_handle(user: &Principal, feed: &calendar_feed::Model) -> bool {
    feed.created_by == user.user_id
        || target_of(feed).is_some_and(|t| policy::can_manage_feed(user, t))
}

/// The feeds the user may manage or made, live ones only, newest first.
pub async fn list(db: &Db, user: &Principal) -> Result<Vec<FeedView>> {
    let rows = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::RevokedAt.is_null())
        .order_by_desc(calendar_feed::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|f| may_handle(user, f))
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
    if feed.created_by != user.user_id {
        policy::require_feed(user, target)?;
    }
    if feed.revoked_at.is_none() {
        let mut active: calendar_feed::ActiveModel = feed.into();
        active.revoked_at = Set(Some(clock.now()));
        active.update(&txn).await?;
    }
    txn.commit().await?;
    tracing::info!(feed = feed_id, by = %user.username, "calendar feed revoked");
    Ok(())
}

/// The open tasks behind a live token; 404 for an unknown or revoked one,
/// one whose leader has left, or one whose maker may no longer see what it
/// shows (moved department, no longer a leader, deactivated).
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
    let target = target_of(&feed).ok_or_else(not_found)?;
    let maker = user::Entity::find_by_id(feed.created_by).one(db).await?;
    if !maker_may(maker.as_ref(), target) {
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
    let (name, rows) = match target {
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
