//! What each address of a notification answered (`notification_recipients`)
//! and the addresses refused for good (`refused_addresses`).
//!
//! One refused mailbox must never keep a digest from the others, and a retry
//! must not send again to an address that already took the message. These
//! are facts about what the server said, so they are recorded as soon as the
//! answer comes, whether or not the worker still holds its lease: a stale
//! worker that did send tells the truth too.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Value};
use serde::Serialize;
use utoipa::ToSchema;

use super::ms;
use crate::{
    db::{self, Db},
    error::Result,
};

/// Outcomes in `notification_recipients.outcome`.
pub mod recipient_outcome {
    /// The server took the message for this address.
    pub const SENT: &str = "sent";
    /// The server refused this address permanently (5xx).
    pub const REFUSED: &str = "refused";
}

/// What the server answered for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressOutcome {
    pub address: String,
    /// [`recipient_outcome`]: `sent` or `refused`.
    pub outcome: &'static str,
    pub smtp_code: Option<u16>,
    pub reply: String,
    /// The refusal is the mailbox's (unknown user, mailbox disabled): the
    /// address goes on the refused list. A refusal of the message or the
    /// sender is recorded for this notification only.
    pub mailbox_refused: bool,
}

/// An address the mail server refused permanently, as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RefusedAddress {
    pub address: String,
    pub smtp_code: Option<i32>,
    /// The server's reply, e.g. `550 5.1.1 <x@…>: Recipient address rejected`.
    pub reply: String,
    /// The notification whose delivery met the refusal.
    pub notification_id: i64,
    pub refused_at: DateTime<Utc>,
}

/// Normalised for comparison: mail servers treat addresses case-insensitively
/// in practice, and the same person is often typed both ways.
fn key(address: &str) -> String {
    address.trim().to_lowercase()
}

fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The addresses of notification `id` the server already took.
pub async fn delivered_to(db: &Db, id: i64) -> Result<BTreeSet<String>> {
    let rows = db
        .query_all_raw(db::statement(
            db,
            "SELECT address FROM notification_recipients WHERE notification_id = ? AND outcome = ?",
            vec![Value::from(id), recipient_outcome::SENT.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "address")?))
        .collect()
}

/// Which of `addresses` are refused for good (normalised).
pub async fn refused_among(db: &Db, addresses: &[String]) -> Result<BTreeSet<String>> {
    if addresses.is_empty() {
        return Ok(BTreeSet::new());
    }
    let keys: Vec<Value> = addresses.iter().map(|a| key(a).into()).collect();
    let sql = format!(
        "SELECT address FROM refused_addresses WHERE address IN ({})",
        placeholders(keys.len())
    );
    let rows = db.query_all_raw(db::statement(db, &sql, keys)).await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "address")?))
        .collect()
}

/// Records what the server answered for each address of notification `id`,
/// in one transaction. A refusal puts the address on the refused list; an
/// acceptance takes it off (the mailbox works again).
pub async fn record(
    db: &Db,
    id: i64,
    outcomes: &[AddressOutcome],
    now: DateTime<Utc>,
) -> Result<()> {
    if outcomes.is_empty() {
        return Ok(());
    }
    let now = ms(now);
    let txn = db::begin_write(db).await?;
    for o in outcomes {
        let address = key(&o.address);
        let code = o.smtp_code.map(i32::from);
        txn.execute_raw(db::statement(
            &txn,
            "INSERT INTO notification_recipients (notification_id, address, outcome, smtp_code, reply, recorded_at) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (notification_id, address) DO UPDATE SET \
             outcome = excluded.outcome, smtp_code = excluded.smtp_code, reply = excluded.reply, \
             recorded_at = excluded.recorded_at",
            vec![
                Value::from(id),
                address.clone().into(),
                o.outcome.into(),
                code.into(),
                o.reply.clone().into(),
                Value::from(now),
            ],
        ))
        .await?;
        let (sql, values) = if o.outcome == recipient_outcome::REFUSED && o.mailbox_refused {
            (
                "INSERT INTO refused_addresses (address, smtp_code, reply, notification_id, refused_at) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (address) DO UPDATE SET smtp_code = excluded.smtp_code, \
                 reply = excluded.reply, notification_id = excluded.notification_id, refused_at = excluded.refused_at",
                vec![
                    address.into(),
                    code.into(),
                    o.reply.clone().into(),
                    Value::from(id),
                    Value::from(now),
                ],
            )
        } else if o.outcome == recipient_outcome::SENT {
            (
                "DELETE FROM refused_addresses WHERE address = ?",
                vec![address.into()],
            )
        } else {
            continue;
        };
        txn.execute_raw(db::statement(&txn, sql, values)).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Takes the refusals met by notifications `ids` back: their addresses are
/// tried again and their per-address refusals forgotten. For an operator's
/// retry, and for refusals that turned out to be the whole server's (a wave
/// of identical refusals), not the mailboxes'.
pub async fn forget_refusals<C: ConnectionTrait>(db: &C, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let values: Vec<Value> = ids.iter().map(|id| Value::from(*id)).collect();
    for sql in [
        "DELETE FROM refused_addresses WHERE address IN \
         (SELECT address FROM notification_recipients WHERE outcome = 'refused' AND notification_id IN ({}))",
        "DELETE FROM notification_recipients WHERE outcome = 'refused' AND notification_id IN ({})",
    ] {
        let sql = sql.replace("{}", &placeholders(ids.len()));
        db.execute_raw(db::statement(db, &sql, values.clone()))
            .await?;
    }
    Ok(())
}

/// Every address refused for good, most recent first (the admin page).
pub async fn refused_addresses(db: &Db) -> Result<Vec<RefusedAddress>> {
    let rows = db
        .query_all_raw(db::statement(
            db,
            "SELECT address, smtp_code, reply, notification_id, refused_at FROM refused_addresses \
             ORDER BY refused_at DESC, address",
            vec![],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(RefusedAddress {
                address: row.try_get("", "address")?,
                smtp_code: row.try_get("", "smtp_code")?,
                reply: row.try_get("", "reply")?,
                notification_id: row.try_get("", "notification_id")?,
                refused_at: row.try_get("", "refused_at")?,
            })
        })
        .collect()
}
