//! Live events between relays sharing one PostgreSQL database: each change goes to the others as a `NOTIFY` on
//! [`CHANNEL`] naming what changed ([`Notice`]); each relay `LISTEN`s, reads what changed from the database and
//! tells its own streams. A logged message and a status change are told by a trigger on `messages` (migration
//! 0010), in the transaction that makes them and to the writing relay too, so a relay killed after a commit loses
//! no notice and every relay tells its streams in commit order; an erased conversation is told by [`send`]. When the listening connection drops, notices may have been lost: every
//! stream on the relay is told to reload once it is back.

use std::time::Duration;

use sidechat_domain::wire::StatusEvent;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::events::{Event, Notice, NoticeKind};
use crate::ingest::Ingest;
use crate::present;
use crate::store::{Store, WorkspaceId};

/// The notification channel.
pub const CHANNEL: &str = "sidechat_events";
/// How long to wait before listening again after the database refused.
const AFTER_ERROR: Duration = Duration::from_secs(1);

/// Sends this relay's notices (erased conversations), in order, until the channel closes.
pub async fn send(store: Store, mut notices: mpsc::UnboundedReceiver<Notice>) {
    while let Some(notice) = notices.recv().await {
        let payload = match serde_json::to_string(&notice) {
            Ok(payload) => payload,
            Err(error) => {
                tracing::error!(error = %error, "encoding a notice for the other relays");
                continue;
            }
        };
        if let Err(error) = store.notify(CHANNEL, &payload).await {
            tracing::warn!(error = %error, "telling the other relays of an event");
        }
    }
}

/// Listens for the other relays' notices until `stop` is cancelled, and tells this relay's streams.
pub async fn listen(database_url: String, relay_id: String, ingest: Ingest, stop: CancellationToken) {
    let mut lost = false;
    loop {
        let mut listener = match connect(&database_url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(error = %error, "listening for the other relays' events");
                lost = true;
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(AFTER_ERROR) => continue,
                }
            }
        };
        if lost {
            ingest.events.reload_everyone();
        }
        loop {
            let received = tokio::select! {
                () = stop.cancelled() => return,
                received = listener.try_recv() => received,
            };
            match received {
                Ok(Some(notification)) => match serde_json::from_str::<Notice>(notification.payload()) {
                    Ok(notice) if notice.relay == relay_id => {}
                    Ok(notice) => {
                        if let Err(error) = tell_here(&ingest, notice).await {
                            tracing::warn!(error = format!("{error:#}"), "reading an event another relay told of");
                        }
                    }
                    Err(error) => tracing::warn!(error = %error, "an unreadable notice on {CHANNEL}"),
                },
                // The connection dropped and was opened again: what was said meanwhile is lost.
                Ok(None) => ingest.events.reload_everyone(),
                Err(error) => {
                    tracing::warn!(error = %error, "listening for the other relays' events");
                    lost = true;
                    break;
                }
            }
        }
    }
}

async fn connect(database_url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Reads what a notice names and tells this relay's streams of it.
async fn tell_here(ingest: &Ingest, notice: Notice) -> anyhow::Result<()> {
    if !ingest.events.watched() {
        return Ok(());
    }
    let workspace = WorkspaceId::trusted(notice.workspace);
    let contact = notice.contact;
    let event = match (notice.kind, notice.id) {
        (NoticeKind::Erased, _) => Event::Erased,
        (NoticeKind::Message | NoticeKind::Status, None) => anyhow::bail!("a notice without its message id"),
        (kind, Some(id)) => {
            // A message erased meanwhile is nothing to tell.
            let Some(row) = ingest.store.message(&workspace, &id).await? else { return Ok(()) };
            let message = present::message(&row, &ingest.signer);
            match kind {
                NoticeKind::Message => Event::Message(message),
                _ => Event::Status(StatusEvent { id: message.id, status: message.status, error: message.error }),
            }
        }
    };
    ingest.events.publish_here(&workspace, &contact, event);
    Ok(())
}
