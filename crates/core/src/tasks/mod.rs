//! Tasks (nội dung trọng tâm): reading them with their timeliness, and —
//! in `commands` — changing them, always with a history entry in the same
//! transaction.

pub mod access;
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
pub mod view;
pub mod workflow;

pub use query::{Involvement, RawTaskQuery, TaskFilter, TaskSort, list};
pub use view::{TaskView, load_views};

use serde::Serialize;
use utoipa::ToSchema;

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
