//! The figures of a programme year — overall, per department and per field
//! — as of a day: what `/api/v1/stats`, the dashboard and the annual report
//! page show. Computed by `reports::figures`; the scope is the programme's
//! tasks, reminder documents count by issue date within the year.

use chrono::{Datelike, NaiveDate};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, Value};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::tasks::fact_store::FactStore;
use crate::{
    Clock,
    accounts::policy::{self, Action},
    accounts::principal::Principal,
    db,
    entity::{department, user},
    error::{Error, Result},
    messages::Msg,
    org::programmes,
    reports::figures::{self, AsOf, DocumentPeriod, Group, Scope},
};

pub use crate::reports::figures::Figures;

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawStatsQuery {
    /// Programme year; default the current year.
    pub year: Option<String>,
    /// The day the figures describe (`YYYY-MM-DD`); default today.
    /// Leaders and admins only.
    pub as_of: Option<String>,
    /// Username of a leader in charge: only the tasks they are in charge
    /// of (the leader's own view).
    pub leader: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DepartmentFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldFigures {
    pub code: String,
    pub name: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// The scope: the tasks of this programme year.
    pub year: i32,
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// The `as_of` value that asks for this moment again (absent: now).
    #[serde(default)]
    pub as_of_query: Option<String>,
    /// Present when the figures are limited to one department (staff).
    pub department: Option<String>,
    /// Present when the figures are limited to the tasks of one leader in
    /// charge (username).
    #[serde(default)]
    pub leader: Option<String>,
    pub overall: Figures,
    pub departments: Vec<DepartmentFigures>,
    pub fields: Vec<FieldFigures>,
    /// Per leader in charge (username; "" = none).
    #[serde(default)]
    pub leaders: Vec<Group>,
    /// The task-list query of these figures: `tasks_query` + `&figure=…`
    /// (+ `&department=…` for a row) lists exactly the tasks counted.
    #[serde(default)]
    pub tasks_query: String,
}

/// Reads the `year` of a query; `today` gives the default.
pub fn parse_year_param(raw: Option<&str>, today: NaiveDate) -> Result<i32> {
    match raw.map(str::trim).filter(|y| !y.is_empty()) {
        Some(text) => text
            .parse::<i64>()
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
        None => Ok(today.year()),
    }
}

/// The year's figures as `user` may see them (staff: their department
/// only, and only as of now).
pub async fn compute<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    clock: &Clock,
    user: &Principal,
    raw: &RawStatsQuery,
    due_soon_days: u32,
) -> Result<Stats> {
    policy::require(user, Action::ReadStats, None)?;
    let year = parse_year_param(raw.year.as_deref(), clock.today())?;
    let as_of = AsOf::parse(raw.as_of.as_deref(), clock)?;
    if !as_of.is_now() {
        policy::require(user, Action::ChooseAsOfDate, None)?;
    }
    let scope = policy::visible_department(user);
    let leader = match raw
        .leader
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        Some(username) => {
            let username = username.to_ascii_lowercase();
            let Some(found) = user::Entity::find()
                .filter(user::Column::Username.eq(username.clone()))
                .one(db)
                .await?
            else {
                return Err(Error::field(
                    "leader",
                    "unknown",
                    Msg::UnknownUser { username },
                ));
            };
            Some((found.id, found.username))
        }
        None => None,
    };
    figures_for_scope(db, store, year, scope, leader, &as_of, due_soon_days).await
}

/// The figures of `year` as of `as_of`, optionally limited to one lead
/// department.
pub async fn figures_for_year<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    year: i32,
    department_id: Option<i64>,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Stats> {
    figures_for_scope(db, store, year, department_id, None, as_of, due_soon_days).await
}

/// The figures of `year` as of `as_of`, optionally limited to one lead
/// department and to the tasks of one leader in charge (id, username); the
/// list query then names the leader, so every number opens its tasks.
/// Notices sent are counted per department only, not per leader.
pub async fn figures_for_scope<C: ConnectionTrait>(
    db: &C,
    store: &FactStore,
    year: i32,
    department_id: Option<i64>,
    leader: Option<(i64, String)>,
    as_of: &AsOf,
    due_soon_days: u32,
) -> Result<Stats> {
    let scope_code = match department_id {
        Some(id) => department::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|d| d.code),
        None => None,
    };
    let mut stats = Stats {
        year,
        as_of: as_of.day,
        as_of_query: as_of.query_value(),
        department: scope_code,
        overall: Figures::default(),
        departments: Vec::new(),
        fields: Vec::new(),
        leader: leader.as_ref().map(|(_, name)| name.clone()),
        leaders: Vec::new(),
        tasks_query: figures::tasks_query(Some(year), None, None, as_of),
    };
    if let Some((_, username)) = &leader {
        let encoded: String = username
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        let pair = format!("leader={encoded}");
        stats.tasks_query = if stats.tasks_query.is_empty() {
            pair
        } else {
            format!("{}&{pair}", stats.tasks_query)
        };
    }
    let Some(programme) = programmes::find_by_year(db, year).await? else {
        return Ok(stats);
    };
    let scope = Scope {
        programme_id: Some(programme.id),
        department_id,
        leader_id: leader.as_ref().map(|(id, _)| Some(*id)),
        ..Scope::default()
    };
    let from = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(as_of.day);
    let to = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(as_of.day);
    let report = figures::report(
        db,
        store,
        &scope,
        as_of,
        due_soon_days,
        DocumentPeriod {
            from: Some(from),
            to,
        },
    )
    .await?;
    stats.overall = report.overall;
    stats.departments = report
        .departments
        .into_iter()
        .map(|g| DepartmentFigures {
            code: g.key,
            name: g.name,
            figures: g.figures,
        })
        .collect();
    stats.fields = report
        .fields
        .into_iter()
        .map(|g| FieldFigures {
            code: g.key,
            name: g.name,
            figures: g.figures,
        })
        .collect();
    stats.leaders = report.leaders;
    if leader.is_none() {
        add_notices_sent(db, &mut stats, department_id, from, to, as_of).await?;
    }
    Ok(stats)
}

#[derive(Debug, FromQueryResult)]
struct KeyCount {
    key: String,
    n: i64,
}

/// Notices (e-mails) delivered for the year, by the as-of moment.
async fn add_notices_sent<C: ConnectionTrait>(
    db: &C,
    stats: &mut Stats,
    department_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
    as_of: &AsOf,
) -> Result<()> {
    let mut sql = "SELECT CAST(COALESCE(department_id, 0) AS VARCHAR(64)) AS key, COUNT(*) AS n \
                   FROM notifications WHERE state = 'sent' AND for_date >= ? AND for_date <= ?"
        .to_string();
    let mut values: Vec<Value> = vec![from.into(), to.min(as_of.day).into()];
    if let Some(before) = as_of.before {
        sql.push_str(" AND sent_at < ?");
        values.push(before.into());
    }
    if let Some(id) = department_id {
        sql.push_str(" AND department_id = ?");
        values.push(id.into());
    }
    sql.push_str(" GROUP BY COALESCE(department_id, 0)");
    let codes: std::collections::HashMap<i64, String> = department::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d.code))
        .collect();
    for row in KeyCount::find_by_statement(db::statement(db, &sql, values))
        .all(db)
        .await?
    {
        stats.overall.notices_sent += row.n;
        let code = row.key.parse::<i64>().ok().and_then(|id| codes.get(&id));
        if let Some(d) = code.and_then(|c| stats.departments.iter_mut().find(|d| &d.code == c)) {
            d.figures.notices_sent = row.n;
        }
    }
    Ok(())
}
