//! Tasks (nội dung trọng tâm): reading them with their timeliness, and —
//! in `commands` — changing them, always with a history entry in the same
//! transaction.

pub mod access;
pub mod bulk_insert;
pub mod commands;
pub mod creation;
pub mod detail;
pub mod fact_store;
pub mod facts;
pub mod history;
pub mod import;
pub mod list_as_of;
pub mod query;
pub mod recurrence;
pub mod states;
pub mod status_sql;
pub mod view;
pub mod workflow;

pub use query::{Involvement, RawTaskQuery, TaskFilter, TaskSort};
pub use view::{TaskView, load_views};

use serde::Serialize;
use utoipa::ToSchema;

use fact_store::FactStore;

/// One page of a list, as every list endpoint returns it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

pub const DEFAULT_PER_PAGE: u64 = 50;
pub const MAX_PER_PAGE: u64 = 200;

/// One page of tasks matching `filter`, with their timeliness on `today`
/// (or as they stood on the filter's `as_of` day). A filter that needs each
/// task judged (a figure, a timeliness, a past day, a period) is listed
/// from the tasks' facts by `list_as_of`; any other is read in SQL by
/// `query`. Chosen here so that neither of the two imports the other.
pub async fn list<C: sea_orm::ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    today: chrono::NaiveDate,
    due_soon_days: u32,
) -> crate::error::Result<Page<TaskView>> {
    if filter.needs_judging() {
        let as_of = filter.as_of.unwrap_or(facts::AsOf {
            day: today,
            before: None,
            instant: None,
        });
        return list_as_of::list(db, store, filter, &as_of, due_soon_days).await;
    }
    query::list_current(db, filter, today, due_soon_days).await
}

/// Most tasks one export may hold; a longer list asks for a narrower filter.
pub const MAX_EXPORT: u64 = 20_000;

/// Every task matching `filter` (no paging), for an export.
pub async fn list_all<C: sea_orm::ConnectionTrait>(
    db: &C,
    store: &FactStore,
    filter: &TaskFilter,
    today: chrono::NaiveDate,
    due_soon_days: u32,
) -> crate::error::Result<Vec<TaskView>> {
    let mut all = filter.clone();
    all.page = 1;
    all.per_page = MAX_EXPORT + 1;
    let page = list(db, store, &all, today, due_soon_days).await?;
    if page.total > MAX_EXPORT {
        return Err(crate::error::Error::field(
            "per_page",
            "too_many",
            crate::messages::Msg::ExportTooMany {
                total: page.total,
                max: MAX_EXPORT,
            },
        ));
    }
    Ok(page.items)
}
