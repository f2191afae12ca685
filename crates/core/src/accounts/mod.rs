//! Accounts: who is signed in (sessions and tokens), the user accounts
//! themselves, and the one permission policy every feature asks.

pub mod drafts;
pub mod leader_view;
pub mod passwords;
pub mod policy;
pub mod principal;
pub mod secrets;
pub mod sessions;
pub mod throttle;
pub mod users;
