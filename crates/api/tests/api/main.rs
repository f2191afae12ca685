//! API integration tests: the real server on port 0 with a fresh database per
//! test, on SQLite and (when DONDOC_TEST_POSTGRES_URL is set) PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod annexes;
mod helpers;
mod imports;

mod account_prefs;
mod admin_pages;
mod attachments;
mod attachments_pages;
mod authorization;
mod calendar;
mod edge_input;
mod errors;
mod evidence;
mod exports;
mod feeds_stop;
mod figures;
mod figures_model;
mod letters;
mod notices;
mod openapi;
mod pages_access;
mod pages_completion;
mod pages_dates;
mod pages_drafts;
mod pages_errors;
mod pages_feeds;
mod pages_figures;
mod races;
mod readme_accounts;
mod reads;
mod recurrence;
mod snapshots_explanations;
mod throttling;
mod workflow;
