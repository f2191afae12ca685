//! Counting password attempts, so that guessing is slow.
//!
//! Every password check — a login, or the current password of a password
//! change — is counted *before* the password is verified: the count, the
//! limit check and the insert of the attempt happen in one write
//! transaction that no other attempt can interleave with (SQLite's write
//! lock from `BEGIN IMMEDIATE`; a transaction-scoped advisory lock on
//! PostgreSQL, where a plain transaction would let 40 parallel attempts all
//! count the same four rows). So at most `max_failed_logins` passwords of an
//! account are ever checked per window, however many arrive at once.
//! A successful check clears the account's attempts.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set,
};

use crate::{
    config::AuthSettings,
    db::{self, Db},
    entity::login_failure,
    error::{Error, Result},
};

/// The advisory lock key attempts are counted under on PostgreSQL
/// ("dthrot" in ASCII); one key for all accounts because the per-address
/// limit spans accounts.
const THROTTLE_LOCK_KEY: i64 = 0x6474_6872_6f74;

/// The longest username stored with an attempt (the column's width).
const MAX_USERNAME_CHARS: usize = 64;

/// Records one password attempt for `username` (from `remote_addr`), or
/// refuses it with [`Error::TooManyAttempts`] when the account or the
/// address has used up its attempts for the window. Call it before the
/// password is verified; call [`clear`] once it matched.
pub async fn count_attempt(
    db: &Db,
    settings: &AuthSettings,
    username: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let username: String = username.chars().take(MAX_USERNAME_CHARS).collect();
    let txn = db::begin_write(db).await?;
    if db::is_postgres(&txn) {
        txn.execute_unprepared(&format!(
            "SELECT pg_advisory_xact_lock({THROTTLE_LOCK_KEY})"
        ))
        .await?;
    }
    // Refused attempts are not recorded: the window ends on time even for
    // someone who keeps trying.
    check(&txn, settings, &username, remote_addr, now).await?;
    login_failure::ActiveModel {
        username: Set(username),
        remote_addr: Set(remote_addr.map(str::to_string)),
        at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets the attempts of an account whose password just matched.
pub async fn clear<C: ConnectionTrait>(db: &C, username: &str) -> Result<()> {
    let username: String = username.chars().take(MAX_USERNAME_CHARS).collect();
    login_failure::Entity::delete_many()
        .filter(login_failure::Column::Username.eq(username))
        .exec(db)
        .await?;
    Ok(())
}

async fn check<C: ConnectionTrait>(
    db: &C,
    settings: &AuthSettings,
    username: &str,
    remote_addr: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let max = u64::from(settings.max_failed_logins);
    if max == 0 {
        return Ok(());
    }
    let window = Duration::seconds(settings.failed_login_window_secs as i64);
    let since = now - window;
    let by_account = login_failure::Entity::find()
        .filter(login_failure::Column::Username.eq(username))
        .filter(login_failure::Column::At.gt(since));
    let mut oldest_blocking = oldest_if_over(db, by_account, max).await?;
    // An address gets more room (offices share one NAT address) but not unlimited.
    if oldest_blocking.is_none()
        && let Some(addr) = remote_addr
    {
        let by_addr = login_failure::Entity::find()
            .filter(login_failure::Column::RemoteAddr.eq(addr))
            .filter(login_failure::Column::At.gt(since));
        oldest_blocking = oldest_if_over(db, by_addr, max * 4).await?;
    }
    if let Some(oldest) = oldest_blocking {
        let retry_after = (oldest + window - now).num_seconds().max(1) as u64;
        tracing::warn!(username = %username, remote_addr = ?remote_addr, retry_after, "password attempts throttled");
        return Err(Error::TooManyAttempts {
            retry_after_secs: retry_after,
        });
    }
    Ok(())
}

/// The oldest attempt of `attempts` when there are `max` or more of them.
async fn oldest_if_over<C: ConnectionTrait>(
    db: &C,
    attempts: sea_orm::Select<login_failure::Entity>,
    max: u64,
) -> Result<Option<DateTime<Utc>>> {
    if attempts.clone().count(db).await? < max {
        return Ok(None);
    }
    Ok(attempts
        .order_by_asc(login_failure::Column::At)
        .one(db)
        .await?
        .map(|f| f.at))
}
