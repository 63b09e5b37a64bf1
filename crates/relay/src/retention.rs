//! `SIDECHAT_RETENTION_DAYS`: once at start and then daily, every workspace's messages older than the retention
//! period are deleted, with the files only they held. A message still waiting to go out is kept. Several relays
//! may run it at once: deleting what is gone already deletes nothing.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::store::Store;

/// How often the old messages are looked for.
const EVERY: Duration = Duration::from_secs(24 * 3600);

/// Deletes what is older than `keep`, daily, until `stop` is cancelled.
pub async fn run(store: Store, keep: Duration, stop: CancellationToken) {
    loop {
        let before = jiff::Timestamp::now().as_millisecond() - keep.as_millis() as i64;
        match sweep(&store, before).await {
            Ok((messages, files)) if messages > 0 => {
                tracing::info!(messages, files, "messages past the retention period were deleted");
            }
            Ok(_) => {}
            Err(error) => tracing::error!(error = %error, "deleting messages past the retention period"),
        }
        tokio::select! {
            () = stop.cancelled() => break,
            () = tokio::time::sleep(EVERY) => {}
        }
    }
}

/// Deletes every workspace's messages created before `before` (ms); answers how many messages and files went.
pub async fn sweep(store: &Store, before: i64) -> Result<(u64, u64), sqlx::Error> {
    let (mut messages, mut files) = (0, 0);
    for workspace in store.workspace_ids().await? {
        let removed = store.remove_older_than(&workspace, before).await?;
        messages += removed.messages;
        files += removed.files;
    }
    Ok((messages, files))
}
