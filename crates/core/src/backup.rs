//! A consistent copy of the SQLite database while it is in use, with the
//! attached files: those kept on disk are copied into the backup's
//! `attachment_blobs` table, so one file holds everything (a restored
//! database serves them from there and puts them back on disk).

use std::path::Path;

use sea_orm::ConnectionTrait;

use crate::{
    attachments,
    config::AttachmentSettings,
    db::{self, Db},
    error::{Error, Result},
    messages::Msg,
};

/// Writes a consistent copy of the database to `target` with `VACUUM INTO`
/// (safe while the server runs), then the attached files kept on disk into
/// the copy. Returns how many files were copied. PostgreSQL deployments use
/// `pg_dump` (files kept in the database are in it).
pub async fn backup(db: &Db, target: &Path, files: &AttachmentSettings) -> Result<usize> {
    if db::is_postgres(db) {
        return Err(Error::config(
            "database.url",
            "backup FILE copies SQLite databases; for PostgreSQL use `pg_dump -Fc` (see docs/operations.md)",
        ));
    }
    if target.exists() {
        return Err(Error::Conflict(Msg::BackupTargetExists {
            path: target.display().to_string(),
        }));
    }
    if let Some(parent) = target.parent()
        && !parent.as_os_str().is_empty()
        && !parent.is_dir()
    {
        return Err(Error::Conflict(Msg::BackupFolderMissing {
            path: parent.display().to_string(),
        }));
    }
    let path = target.to_string_lossy().replace('\'', "''");
    db.execute_unprepared(&format!("VACUUM INTO '{path}'"))
        .await?;
    let copy = db::connect(&crate::config::DatabaseSettings {
        url: format!("sqlite://{}", target.display()),
        max_connections: 1,
        connect_timeout_secs: 5,
        busy_timeout_ms: 5000,
    })
    .await?;
    let copied = attachments::copy_files_into(db, files, &copy).await;
    copy.close().await?;
    copied
}
