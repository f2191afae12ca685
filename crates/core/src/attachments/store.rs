//! Where the bytes of attached files live, named by their SHA-256 (the same
//! file attached twice is kept once).
//!
//! - **Disk** (the default with SQLite): `<dir>/<first two hex>/<sha256>`,
//!   `<dir>` being `attachments/` beside the database file unless
//!   configured. A file is written to a temporary name in the same folder,
//!   flushed to the disk (`fsync`), then renamed into place and the folder
//!   flushed: a crash leaves either no file or the whole file, never part.
//! - **Database** (the default with PostgreSQL): the `attachment_blobs`
//!   table, written in the same transaction as the attachment's row, so
//!   every instance sees the same files.
//!
//! A disk store also reads `attachment_blobs` when a file is missing on
//! disk: a backup made by `dondoc backup` carries the files in that table,
//! so a restored database serves them (and puts them back on disk).

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::OnConflict,
};

use crate::{
    config::{AttachmentSettings, AttachmentStorage},
    db::{self, Db},
    entity::{attachment, attachment_blob},
    error::{Error, Result},
};

/// The store in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    Disk(PathBuf),
    Database,
}

impl Store {
    /// The store the settings choose for this database.
    pub async fn resolve(db: &Db, settings: &AttachmentSettings) -> Result<Store> {
        let postgres = db::is_postgres(db);
        let disk = match settings.storage {
            AttachmentStorage::Database => false,
            AttachmentStorage::Disk => true,
            AttachmentStorage::Auto => !postgres,
        };
        if !disk {
            return Ok(Store::Database);
        }
        let dir = settings.dir.trim();
        if !dir.is_empty() {
            return Ok(Store::Disk(PathBuf::from(dir)));
        }
        if postgres {
            return Err(Error::config(
                "attachments.dir",
                "disk storage with PostgreSQL needs a folder every instance shares",
            ));
        }
        let file = sqlite_file(db).await?;
        let parent = Path::new(&file)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        Ok(Store::Disk(parent.join("attachments")))
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Disk(_) => "disk",
            Store::Database => "database",
        }
    }
}

/// The main SQLite database's file (`PRAGMA database_list`).
async fn sqlite_file(db: &Db) -> Result<String> {
    let row = db
        .query_one_raw(db::statement(
            db,
            "SELECT file FROM pragma_database_list WHERE name = 'main'",
            vec![],
        ))
        .await?;
    let file: String = match row {
        Some(row) => row.try_get("", "file")?,
        None => String::new(),
    };
    if file.is_empty() {
        return Err(Error::config(
            "attachments.dir",
            "an in-memory SQLite database has no folder to keep files beside: set attachments.dir",
        ));
    }
    Ok(file)
}

/// `<dir>/ab/abcdef…`.
pub fn disk_path(dir: &Path, sha256: &str) -> PathBuf {
    dir.join(&sha256[..2]).join(sha256)
}

/// Writes the file to disk before its row is committed. Returns whether
/// this call created it (false: the same content was already kept).
pub async fn put_on_disk(dir: &Path, sha256: &str, bytes: Vec<u8>) -> Result<bool> {
    let path = disk_path(dir, sha256);
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || write_atomically(&dir, &path, &bytes))
        .await
        .map_err(|err| Error::Unexpected(anyhow::anyhow!("file writer stopped: {err}")))?
}

fn write_atomically(dir: &Path, path: &Path, bytes: &[u8]) -> Result<bool> {
    let io = |what: &'static str| {
        move |err: std::io::Error| Error::Unexpected(anyhow::anyhow!("{what}: {err}"))
    };
    if path.is_file() {
        return Ok(false);
    }
    let folder = path.parent().unwrap_or(dir);
    fs::create_dir_all(folder).map_err(io("creating the attachments folder"))?;
    let temp = folder.join(format!(".tmp-{}", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        let mut file = fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        // The rename itself is durable once the folder is flushed.
        fs::File::open(folder)?.sync_all()
    })();
    if let Err(err) = written {
        let _ = fs::remove_file(&temp);
        return Err(io("writing an attached file")(err));
    }
    Ok(true)
}

/// Removes a file this request wrote when its row was not committed, unless
/// another attachment (committed meanwhile) holds the same content.
pub async fn forget_unused<C: ConnectionTrait>(db: &C, dir: &Path, sha256: &str) -> Result<()> {
    let used = attachment::Entity::find()
        .filter(attachment::Column::Sha256.eq(sha256))
        .select_only()
        .column(attachment::Column::Id)
        .into_tuple::<i64>()
        .one(db)
        .await?
        .is_some();
    if !used {
        let _ = fs::remove_file(disk_path(dir, sha256));
    }
    Ok(())
}

/// Keeps the bytes in `attachment_blobs` (inside the caller's transaction).
pub async fn put_in_database<C: ConnectionTrait>(
    db: &C,
    sha256: &str,
    bytes: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<()> {
    let size = bytes.len() as i64;
    attachment_blob::Entity::insert(attachment_blob::ActiveModel {
        sha256: Set(sha256.to_string()),
        size: Set(size),
        bytes: Set(bytes),
        created_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(attachment_blob::Column::Sha256)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// The bytes of a kept file.
pub async fn get(db: &Db, store: &Store, sha256: &str) -> Result<Vec<u8>> {
    if let Store::Disk(dir) = store {
        let path = disk_path(dir, sha256);
        let read = tokio::task::spawn_blocking(move || fs::read(path))
            .await
            .map_err(|err| Error::Unexpected(anyhow::anyhow!("file reader stopped: {err}")))?;
        match read {
            Ok(bytes) => return Ok(bytes),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => {
                return Err(Error::Unexpected(anyhow::anyhow!(
                    "reading an attached file: {err}"
                )));
            }
        }
    }
    let blob = attachment_blob::Entity::find_by_id(sha256.to_string())
        .one(db)
        .await?
        .ok_or_else(|| {
            Error::Unexpected(anyhow::anyhow!(
                "attached file {sha256} is missing from the {} store",
                store.kind()
            ))
        })?;
    if let Store::Disk(dir) = store {
        // Restored from a backup: put the file back where the store keeps it.
        put_on_disk(dir, sha256, blob.bytes.clone()).await?;
    }
    Ok(blob.bytes)
}
