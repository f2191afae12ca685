//! Reading a file off the async workers: parsing is CPU work that can take
//! seconds, and a web worker blocked on it answers nobody else (not even
//! `/healthz`). At most two files are read at once in the whole process,
//! each within a time budget; what is over the budget is refused.

use std::{
    sync::{Arc, LazyLock},
    time::Duration,
};

use tokio::sync::Semaphore;

use super::{ImportRefused, RawRow, read_rows};
use crate::error::{Error, Result};

/// Files read at the same time (each holds its bytes and its rows).
pub const MAX_PARALLEL_READS: usize = 2;

/// How long reading one file may take.
pub const READ_BUDGET: Duration = Duration::from_secs(60);

static READERS: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(MAX_PARALLEL_READS)));

/// `read_rows` on the blocking pool, waiting for a free reader first.
pub async fn read_rows_off_thread(
    bytes: Vec<u8>,
    file_name: String,
) -> Result<std::result::Result<Vec<RawRow>, ImportRefused>> {
    let permit = READERS
        .clone()
        .acquire_owned()
        .await
        .map_err(|err| Error::Unexpected(err.into()))?;
    let work = tokio::task::spawn_blocking(move || {
        // Held until the reading ends, even when the caller stopped waiting:
        // a slow file keeps its slot, so slow files cannot pile up.
        let _permit = permit;
        read_rows(&bytes, &file_name)
    });
    match tokio::time::timeout(READ_BUDGET, work).await {
        Ok(Ok(rows)) => Ok(rows),
        Ok(Err(join)) => Err(Error::Unexpected(anyhow::anyhow!(
            "reading the import file failed: {join}"
        ))),
        Err(_) => Ok(Err(ImportRefused::too_large(format!(
            "Đọc tệp mất quá {} giây; hãy chia tệp nhỏ hơn",
            READ_BUDGET.as_secs()
        )))),
    }
}
