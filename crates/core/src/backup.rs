//! A consistent copy of the SQLite database while it is in use.

use std::path::Path;

use sea_orm::ConnectionTrait;

use crate::{
    db::{self, Db},
    error::{Error, Result},
    messages::Msg,
};

/// Writes a consistent copy of the database to `target` with `VACUUM INTO`
/// (safe while the server runs). PostgreSQL deployments use `pg_dump`.
pub async fn backup(db: &Db, target: &Path) -> Result<()> {
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
    Ok(())
}
