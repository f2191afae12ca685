//! Listing tasks with filters. Query parameters arrive as text and are parsed
//! here, so a bad one is reported by name (`due_from: not a date`), the same
//! for the JSON API and the pages.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    DEFAULT_PER_PAGE, MAX_PER_PAGE, Page,
    view::{TaskView, load_views},
};
use crate::{
    Clock,
    domain::{TaskStatus, Timeliness, figure::Figure, parse_date, text::fold},
    entity::{field, programme, task, task_coordinator, user},
    error::{Error, FieldError, Result},
    messages::{Label, Lang, Msg},
    org::departments::{self, collect},
    tasks::facts::AsOf,
};

// The open and done sets as literal SQL (the same text as the `WHERE` of the
// partial indexes); kept reachable here, where the queries always found them.
pub use super::status_sql::{DONE_SQL, OPEN_SQL, done_condition, open_condition};

/// The `leader` value that lists tasks without a leader in charge (the
/// "no leader" row of a figures table has no username to link with).
pub const NO_LEADER: &str = "-";

/// Query parameters of `GET /api/v1/tasks`, as sent.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RawTaskQuery {
    /// Programme year, e.g. 2026.
    pub year: Option<String>,
    /// Department code (e.g. `TNMT`); see `involvement`.
    pub department: Option<String>,
    /// With `department`: `lead` (default), `coordinating` or `any`.
    pub involvement: Option<String>,
    /// Field code (e.g. `site_clearance`).
    pub field: Option<String>,
    /// One or more statuses, comma-separated.
    pub status: Option<String>,
    /// One or more of `overdue`, `due_soon`, `on_track`, `completed_on_time`,
    /// `completed_on_time_after_extension`, `completed_late`, comma-separated.
    pub timeliness: Option<String>,
    /// A figure's code (`overdue`, `not_started`, `completed_on_time`, …):
    /// exactly the tasks behind that figure, with `year`, the department,
    /// field and leader filters and `as_of` as its scope.
    pub figure: Option<String>,
    /// The day the list describes (`YYYY-MM-DD`, or an instant); each task
    /// as it stood then. Default today. Leaders and admins only.
    pub as_of: Option<String>,
    /// Original due date on or after (`YYYY-MM-DD`): a period of the programme.
    pub original_due_from: Option<String>,
    /// Original due date on or before (`YYYY-MM-DD`).
    pub original_due_to: Option<String>,
    /// Username of the leader in charge; `-` lists tasks without one.
    pub leader: Option<String>,
    /// Words to find in the code or title; case and diacritics do not matter.
    pub q: Option<String>,
    /// Due on or after (`YYYY-MM-DD`).
    pub due_from: Option<String>,
    /// Due on or before (`YYYY-MM-DD`).
    pub due_to: Option<String>,
    /// `due_date` (default), `attention` (open tasks first), `code`, `updated_at`, `progress`; prefix `-` for descending.
    pub sort: Option<String>,
    /// Page number, from 1.
    pub page: Option<String>,
    /// Items per page, 1–200 (default 50).
    pub per_page: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Involvement {
    #[default]
    Lead,
    Coordinating,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskSort {
    /// Open tasks first (oldest due date first), then the rest: what needs attention.
    Attention,
    DueDate,
    Code,
    UpdatedAt,
    Progress,
}

/// A parsed, validated filter.
#[derive(Debug, Clone)]
pub struct TaskFilter {
    pub year: Option<i32>,
    pub department: Option<String>,
    pub involvement: Involvement,
    pub field: Option<String>,
    pub statuses: Vec<TaskStatus>,
    pub timeliness: Vec<Timeliness>,
    pub figure: Option<Figure>,
    /// `None`: now. Set by [`RawTaskQuery::parse_at`].
    pub as_of: Option<AsOf>,
    pub original_due_from: Option<NaiveDate>,
    pub original_due_to: Option<NaiveDate>,
    pub leader: Option<String>,
    pub q: Option<String>,
    pub due_from: Option<NaiveDate>,
    pub due_to: Option<NaiveDate>,
    pub sort: TaskSort,
    pub descending: bool,
    pub page: u64,
    pub per_page: u64,
    /// Set by the permission policy for staff: only tasks this department
    /// leads or coordinates are visible.
    pub visible_to_department: Option<i64>,
}

impl Default for TaskFilter {
    fn default() -> Self {
        Self {
            year: None,
            department: None,
            involvement: Involvement::Lead,
            field: None,
            statuses: Vec::new(),
            timeliness: Vec::new(),
            figure: None,
            as_of: None,
            original_due_from: None,
            original_due_to: None,
            leader: None,
            q: None,
            due_from: None,
            due_to: None,
            sort: TaskSort::DueDate,
            descending: false,
            page: 1,
            per_page: DEFAULT_PER_PAGE,
            visible_to_department: None,
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// Parses `page` and `per_page` the same way for every list.
pub fn parse_paging(page: &Option<String>, per_page: &Option<String>) -> Result<(u64, u64)> {
    let mut errors = Vec::new();
    let page = match non_empty(page) {
        None => 1,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=1_000_000).contains(&n) => n,
            _ => {
                errors.push(FieldError::new("page", "invalid_number", Msg::PageNumber));
                1
            }
        },
    };
    let per_page = match non_empty(per_page) {
        None => DEFAULT_PER_PAGE,
        Some(text) => match text.parse::<u64>() {
            Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => n,
            _ => {
                errors.push(FieldError::new(
                    "per_page",
                    "out_of_range",
                    Msg::PerPageRange { max: MAX_PER_PAGE },
                ));
                DEFAULT_PER_PAGE
            }
        },
    };
    if errors.is_empty() {
        Ok((page, per_page))
    } else {
        Err(Error::Validation(errors))
    }
}

impl RawTaskQuery {
    /// [`parse`](Self::parse), with `as_of` read on `clock`'s day.
    pub fn parse_at(&self, clock: &Clock) -> Result<TaskFilter> {
        let as_of = AsOf::parse(self.as_of.as_deref(), clock);
        let mut filter = self.parse();
        match (&mut filter, as_of) {
            (Ok(f), Ok(as_of)) => f.as_of = Some(as_of),
            (Ok(_), Err(e)) => return Err(e),
            (Err(Error::Validation(errors)), Err(Error::Validation(more))) => {
                errors.extend(more);
            }
            _ => {}
        }
        filter
    }

    /// The filter, or every bad parameter named at once.
    #[allow(
        clippy::too_many_lines,
        reason = "one short, independent block per query parameter, in the order of RawTaskQuery"
    )]
    pub fn parse(&self) -> Result<TaskFilter> {
        let mut errors: Vec<FieldError> = Vec::new();
        let mut filter = TaskFilter::default();

        if let Some(text) = non_empty(&self.year) {
            match text
                .parse::<i64>()
                .map_err(|_| ())
                .and_then(|y| crate::domain::parse_year("year", y).map_err(|_| ()))
            {
                Ok(year) => filter.year = Some(year),
                Err(()) => errors.push(FieldError::new(
                    "year",
                    "invalid_year",
                    Msg::InvalidYear {
                        value: text.to_string(),
                    },
                )),
            }
        }
        filter.department = non_empty(&self.department).map(|d| d.to_ascii_uppercase());
        filter.involvement = match non_empty(&self.involvement) {
            None | Some("lead") => Involvement::Lead,
            Some("coordinating") => Involvement::Coordinating,
            Some("any") => Involvement::Any,
            Some(other) => {
                errors.push(FieldError::new(
                    "involvement",
                    "invalid_choice",
                    Msg::InvalidInvolvement {
                        value: other.to_string(),
                    },
                ));
                Involvement::Lead
            }
        };
        filter.field = non_empty(&self.field).map(str::to_string);
        if let Some(text) = non_empty(&self.status) {
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                if let Some(status) = collect(&mut errors, part.parse::<TaskStatus>()) {
                    filter.statuses.push(status);
                }
            }
        }
        if let Some(text) = non_empty(&self.timeliness) {
            for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match Timeliness::parse(part) {
                    Some(t) => filter.timeliness.push(t),
                    None => errors.push(FieldError::new(
                        "timeliness",
                        "invalid_choice",
                        Msg::InvalidTimeliness {
                            value: part.to_string(),
                        },
                    )),
                }
            }
        }
        if let Some(text) = non_empty(&self.figure) {
            match Figure::parse(text) {
                Some(f) => filter.figure = Some(f),
                None => errors.push(FieldError::new(
                    "figure",
                    "invalid_choice",
                    Msg::InvalidChoice {
                        value: text.to_string(),
                        choices: Figure::ALL
                            .iter()
                            .map(|f| f.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    },
                )),
            }
        }
        filter.original_due_from = non_empty(&self.original_due_from)
            .and_then(|d| collect(&mut errors, parse_date("original_due_from", d)));
        filter.original_due_to = non_empty(&self.original_due_to)
            .and_then(|d| collect(&mut errors, parse_date("original_due_to", d)));
        filter.leader = non_empty(&self.leader).map(|l| l.to_ascii_lowercase());
        filter.q = non_empty(&self.q).map(fold).filter(|q| !q.is_empty());
        if let Some(q) = &filter.q
            && q.chars().count() > 200
        {
            errors.push(FieldError::new("q", "too_long", Msg::SearchTooLong));
        }
        filter.due_from =
            non_empty(&self.due_from).and_then(|d| collect(&mut errors, parse_date("due_from", d)));
        filter.due_to =
            non_empty(&self.due_to).and_then(|d| collect(&mut errors, parse_date("due_to", d)));
        if let Some(text) = non_empty(&self.sort) {
            let (descending, key) = match text.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, text),
            };
            filter.descending = descending;
            filter.sort = match key {
                "due_date" => TaskSort::DueDate,
                "attention" => TaskSort::Attention,
                "code" => TaskSort::Code,
                "updated_at" => TaskSort::UpdatedAt,
                "progress" => TaskSort::Progress,
                other => {
                    errors.push(FieldError::new(
                        "sort",
                        "invalid_choice",
                        Msg::InvalidSort {
                            value: other.to_string(),
                        },
                    ));
                    TaskSort::DueDate
                }
            };
        }
        match parse_paging(&self.page, &self.per_page) {
            Ok((page, per_page)) => {
                filter.page = page;
                filter.per_page = per_page;
            }
            Err(Error::Validation(mut more)) => errors.append(&mut more),
            Err(other) => return Err(other),
        }
        if errors.is_empty() {
            Ok(filter)
        } else {
            Err(Error::Validation(errors))
        }
    }
}

/// Resolves the filter's codes to ids and builds the WHERE clause. Returns
/// `None` when a code names nothing, so the answer is an empty page.
///
/// Timeliness, figures and past days are judged by `domain::figure`, never
/// in SQL: a list with those filters is built by `list_as_of`.
pub async fn build_condition<C: ConnectionTrait>(
    db: &C,
    filter: &TaskFilter,
) -> Result<Option<Condition>> {
    let mut cond = Condition::all();
    if let Some(year) = filter.year {
        match programme::Entity::find()
            .filter(programme::Column::Year.eq(year))
            .one(db)
            .await?
        {
            Some(p) => cond = cond.add(task::Column::ProgrammeId.eq(p.id)),
            None => return Ok(None),
        }
    }
    if let Some(dept_id) = filter.visible_to_department {
        cond = cond.add(involvement_condition(dept_id, Involvement::Any));
    }
    if let Some(code) = &filter.department {
        let Some(dept) = departments::find_by_code(db, code).await? else {
            return Err(Error::field(
                "department",
                "unknown",
                Msg::UnknownDepartmentCode {
                    code: code.to_string(),
                },
            ));
        };
        cond = cond.add(involvement_condition(dept.id, filter.involvement));
    }
    if let Some(code) = &filter.field {
        if field::Entity::find_by_id(code.clone())
            .one(db)
            .await?
            .is_none()
        {
            return Err(Error::field(
                "field",
                "unknown",
                Msg::UnknownFieldCode {
                    code: code.to_string(),
                },
            ));
        }
        cond = cond.add(task::Column::FieldCode.eq(code.clone()));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(task::Column::Status.is_in(filter.statuses.clone()));
    }
    if filter.leader.as_deref() == Some(NO_LEADER) {
        cond = cond.add(task::Column::LeaderInChargeId.is_null());
    } else if let Some(username) = &filter.leader {
        let Some(leader) = user::Entity::find()
            .filter(user::Column::Username.eq(username.clone()))
            .one(db)
            .await?
        else {
            return Err(Error::field(
                "leader",
                "unknown",
                Msg::UnknownUser {
                    username: username.to_string(),
                },
            ));
        };
        cond = cond.add(task::Column::LeaderInChargeId.eq(leader.id));
    }
    if let Some(q) = &filter.q {
        for word in q.split(' ').filter(|w| !w.is_empty()) {
            let escaped = word
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            cond = cond.add(
                Expr::col((task::Entity, task::Column::SearchText))
                    .like(sea_orm::sea_query::LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
        }
    }
    if let Some(from) = filter.due_from {
        cond = cond.add(task::Column::DueDate.gte(from));
    }
    if let Some(to) = filter.due_to {
        cond = cond.add(task::Column::DueDate.lte(to));
    }
    Ok(Some(cond))
}

/// Tasks a department leads, coordinates, or either.
pub fn involvement_condition(department_id: i64, involvement: Involvement) -> Condition {
    let coordinated = task::Column::Id.in_subquery(
        Query::select()
            .column(task_coordinator::Column::TaskId)
            .from(task_coordinator::Entity)
            .and_where(task_coordinator::Column::DepartmentId.eq(department_id))
            .to_owned(),
    );
    match involvement {
        Involvement::Lead => Condition::all().add(task::Column::LeadDepartmentId.eq(department_id)),
        Involvement::Coordinating => Condition::all().add(coordinated),
        Involvement::Any => Condition::any()
            .add(task::Column::LeadDepartmentId.eq(department_id))
            .add(coordinated),
    }
}

impl TaskFilter {
    /// Whether the list needs each task judged (a figure, a timeliness, a
    /// past day or a period of the programme): then `list_as_of` builds it
    /// from the tasks' facts, with the same predicates as the figures.
    pub fn needs_judging(&self) -> bool {
        self.figure.is_some()
            || !self.timeliness.is_empty()
            || self.as_of.is_some_and(|a| !a.is_now())
            || self.original_due_from.is_some()
            || self.original_due_to.is_some()
    }
}

/// One page of tasks matching a `filter` that needs no judging (see
/// [`TaskFilter::needs_judging`]), read in SQL, with their timeliness on
/// `today`. `tasks::list` chooses between this and `list_as_of`.
pub async fn list_current<C: ConnectionTrait>(
    db: &C,
    filter: &TaskFilter,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<Page<TaskView>> {
    let empty = Page {
        items: Vec::new(),
        total: 0,
        page: filter.page,
        per_page: filter.per_page,
    };
    let Some(cond) = build_condition(db, filter).await? else {
        return Ok(empty);
    };
    let base = task::Entity::find().filter(cond);
    let total = base.clone().count(db).await?;
    let sort_column = match filter.sort {
        TaskSort::DueDate | TaskSort::Attention => task::Column::DueDate,
        TaskSort::Code => task::Column::Code,
        TaskSort::UpdatedAt => task::Column::UpdatedAt,
        TaskSort::Progress => task::Column::Progress,
    };
    let base = if filter.sort == TaskSort::Attention {
        base.order_by(
            Expr::cust(format!("CASE WHEN {OPEN_SQL} THEN 0 ELSE 1 END")),
            sea_orm::Order::Asc,
        )
    } else {
        base
    };
    let query = if filter.descending {
        base.order_by_desc(sort_column)
            .order_by_desc(task::Column::Id)
    } else {
        base.order_by_asc(sort_column)
            .order_by_asc(task::Column::Id)
    };
    let rows = query
        .offset((filter.page - 1) * filter.per_page)
        .limit(filter.per_page)
        .all(db)
        .await?;
    let items = load_views(db, rows, today, due_soon_days).await?;
    Ok(Page {
        items,
        total,
        page: filter.page,
        per_page: filter.per_page,
    })
}

impl TaskFilter {
    /// What the list is, in words, for the heading of its export (a
    /// Vietnamese document).
    pub fn describe_vi(&self) -> String {
        let mut parts = vec!["DANH SÁCH NHIỆM VỤ".to_string()];
        if let Some(f) = self.figure {
            parts.push(f.label(Lang::Vi).to_uppercase());
        }
        for t in &self.timeliness {
            parts.push(t.label(Lang::Vi).to_uppercase());
        }
        if let Some(year) = self.year {
            parts.push(format!("Chương trình năm {year}"));
        }
        if let (Some(from), Some(to)) = (self.original_due_from, self.original_due_to) {
            parts.push(format!(
                "hạn ban đầu từ {} đến {}",
                from.format("%d/%m/%Y"),
                to.format("%d/%m/%Y")
            ));
        } else if let Some(from) = self.original_due_from {
            parts.push(format!("hạn ban đầu từ {}", from.format("%d/%m/%Y")));
        } else if let Some(to) = self.original_due_to {
            parts.push(format!("hạn ban đầu đến {}", to.format("%d/%m/%Y")));
        }
        if let Some(d) = &self.department {
            parts.push(format!("đơn vị {d}"));
        }
        if let Some(f) = &self.field {
            parts.push(format!("lĩnh vực {f}"));
        }
        if self.leader.as_deref() == Some(NO_LEADER) {
            parts.push("chưa có lãnh đạo phụ trách".to_string());
        } else if let Some(l) = &self.leader {
            parts.push(format!("lãnh đạo phụ trách {l}"));
        }
        if let Some(as_of) = self.as_of.filter(|a| !a.is_now()) {
            parts.push(format!(
                "tính đến hết ngày {}",
                as_of.day.format("%d/%m/%Y")
            ));
        }
        parts.join(" — ")
    }
}

/// One task's view, or NotFound.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    id: i64,
    today: NaiveDate,
    due_soon_days: u32,
) -> Result<TaskView> {
    let Some(model) = task::Entity::find_by_id(id).one(db).await? else {
        return Err(Error::NotFound(Msg::NotFoundTask { id }));
    };
    let mut views = load_views(db, vec![model], today, due_soon_days).await?;
    views
        .pop()
        .ok_or_else(|| Error::NotFound(Msg::NotFoundTask { id }))
}

/// Active fields in their report order.
pub async fn list_fields<C: ConnectionTrait>(db: &C) -> Result<Vec<field::Model>> {
    Ok(field::Entity::find()
        .filter(field::Column::Active.eq(true))
        .order_by_asc(field::Column::SortOrder)
        .all(db)
        .await?)
}
