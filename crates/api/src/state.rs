//! The state every handler shares: one per application, never global.

use std::sync::Arc;

use dondoc_core::{Clock, Settings, db::Db};

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub clock: Clock,
    /// The OpenAPI document, generated from the routes once at start-up.
    pub openapi_json: Arc<String>,
    /// Today's facts of every task, kept in memory for the figures.
    pub facts: Arc<dondoc_core::tasks::fact_store::FactStore>,
    /// Writes refused for a full disk or a read-only database, for `/readyz`.
    pub writes: Arc<dondoc_core::db::WriteCheck>,
    /// Tokens authenticated a moment ago.
    pub auth_cache: Arc<crate::auth_cache::AuthCache>,
    /// Answers to identical reads, while nothing changed.
    pub answers: Arc<crate::answer_cache::AnswerCache>,
    /// Credentials that wrote since their last read.
    pub own_writes: Arc<crate::own_writes::OwnWrites>,
}

impl AppState {
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    pub fn due_soon_days(&self) -> u32 {
        self.settings.policy.due_soon_days
    }

    pub fn secure_cookies(&self) -> bool {
        self.settings.server.public_url.starts_with("https://")
    }
}
