//! Server-Sent Events for one customer number of the caller's workspace: `event: message` with a Message,
//! `event: status` with `{"id","status","error"}`, `event: reload` (`{}`) when the stream fell behind and may have
//! missed events (the panel re-reads the history), and `event: expiring` (`{"ends_at"}`) 30 s before the relay
//! ends the stream. A user holds at most `SIDECHAT_MAX_STREAMS_PER_USER` streams at once, across every relay on
//! the database (over it: 429 `too_many_streams`).
//!
//! `EventSource` cannot send headers, and a credential in a URL ends up in logs, so the panel first buys a ticket
//! (`POST /api/v1/events/ticket` with `{"phone"}`): single use, valid 60 s, bound to the user and the number, kept
//! in the database so any relay redeems it. `GET /api/v1/events?phone=…&ticket=…` then opens the stream; clients
//! that can send headers may present `Authorization` instead; `?token=` is refused. A stream ends when the
//! credential that opened it expires (with its allowed clock skew) or after an hour, whichever is first.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use futures::Stream;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use sidechat_domain::E164;
use sidechat_domain::wire::{ErrorCode, ExpiringEvent, TicketRequest, TicketResponse};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult};
use crate::events::Event;
use crate::store::{NewStream, NewTicket, WorkspaceId, timestamp};

/// How long a ticket may wait to be redeemed (ms).
const TICKET_MS: i64 = 60_000;
/// The longest a stream stays open (ms).
const STREAM_MS: i64 = 3_600_000;
/// How long before its end a stream says it is ending (ms).
const EXPIRING_NOTICE_MS: i64 = 30_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events/ticket", post(issue_ticket)).route("/api/v1/events", get(stream_events))
}

async fn issue_ticket(
    caller: Caller,
    State(state): State<AppState>,
    body: Result<Json<TicketRequest>, JsonRejection>,
) -> ApiResult<Json<TicketResponse>> {
    let Json(request) = body?;
    let contact = contact(&request.phone)?;
    let now = state.ingest.clock.millis();
    if caller.credential_expires_at.is_some_and(|at| at - now <= EXPIRING_NOTICE_MS) {
        // Its stream would end before it began: the client renews the credential (as for any 401) and asks again.
        return Err(ApiError::unauthorized("the credential expires within 30 s: renew it, then ask for a ticket"));
    }
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let ticket = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
    let new = NewTicket {
        hash: ticket_hash(&ticket),
        user_id: caller.user.id.clone(),
        contact: contact.as_str().to_owned(),
        expires_at: now + TICKET_MS,
        credential_expires_at: caller.credential_expires_at,
    };
    state.store.insert_ticket(&caller.workspace, &new, now).await?;
    Ok(Json(TicketResponse { ticket, expires_at: timestamp(new.expires_at) }))
}

fn ticket_hash(ticket: &str) -> String {
    hex::encode(Sha256::digest(ticket.as_bytes()))
}

fn contact(phone: &str) -> ApiResult<E164> {
    E164::parse(phone.trim()).map_err(|e| ApiError::new(ErrorCode::InvalidPhone, e.to_string()))
}

#[derive(Deserialize)]
struct EventsQuery {
    phone: Option<String>,
    ticket: Option<String>,
    token: Option<String>,
}

/// Who may stream which workspace's conversation, until when (ms).
struct Grant {
    workspace: WorkspaceId,
    user_id: String,
    credential_expires_at: Option<i64>,
}

/// A stream counted against its user's limit: uncounted when it ends, however it ends.
struct Counted {
    store: crate::store::Store,
    id: String,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let (store, id) = (self.store.clone(), std::mem::take(&mut self.id));
        // Dropped inside the runtime (the response body ends); without one the relay is stopping, and its
        // streams are cleared with it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(error) = store.close_stream(&id).await {
                    tracing::warn!(error = %error, "uncounting an ended event stream");
                }
            });
        }
    }
}

async fn stream_events(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let Query(query) = query?;
    let phone = query.phone.as_deref().ok_or_else(|| ApiError::invalid("the `phone` parameter is required"))?;
    let contact = contact(phone)?;
    let now = state.ingest.clock.millis();
    let grant = grant(&state, &headers, &query, &contact, now).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let stream = NewStream { id: &id, workspace: &grant.workspace, user_id: &grant.user_id, relay_id: &state.relay_id };
    if !state.store.open_stream(&stream, state.config.max_streams_per_user, now).await? {
        return Err(ApiError::new(
            ErrorCode::TooManyStreams,
            format!(
                "this user already has {} live event streams open: close a panel, or wait for one to end",
                state.config.max_streams_per_user
            ),
        ));
    }
    let counted = Counted { store: state.store.clone(), id };
    let ends_at = grant.credential_expires_at.map_or(now + STREAM_MS, |at| at.min(now + STREAM_MS));
    let closing = state.closing.clone().cancelled_owned();
    let workspace = grant.workspace;
    // An erased conversation's streams end.
    let erased = tokio_util::sync::CancellationToken::new();
    let erasing = erased.clone();
    let events = BroadcastStream::new(state.events.subscribe()).filter_map(move |envelope| {
        // Kept by the stream: uncounted when the stream is dropped.
        let _counted = &counted;
        let event = match envelope {
            // Fell behind: what it missed is lost here, so the panel re-reads the history.
            Err(_lagged) => Event::Reload,
            Ok(envelope) if envelope.everyone => envelope.event,
            Ok(envelope) if envelope.workspace != workspace || envelope.contact != contact.as_str() => return None,
            Ok(envelope) => envelope.event,
        };
        let event = match event {
            Event::Message(message) => SseEvent::default().event("message").json_data(message),
            Event::Status(status) => SseEvent::default().event("status").json_data(status),
            Event::Reload => SseEvent::default().event("reload").json_data(serde_json::json!({})),
            Event::Erased => {
                erasing.cancel();
                return None;
            }
        };
        event.ok().map(Ok)
    });
    let notice = tokio::time::sleep(until(ends_at - EXPIRING_NOTICE_MS, now));
    let expiring = futures::stream::once(notice).filter_map(move |()| {
        SseEvent::default().event("expiring").json_data(ExpiringEvent { ends_at: timestamp(ends_at) }).ok().map(Ok)
    });
    let stream = events.merge(expiring);
    let ended = tokio::time::sleep(until(ends_at, now));
    // The stream also ends when the relay shuts down, so graceful shutdown does not wait on open panels forever.
    let stream = futures::StreamExt::take_until(futures::StreamExt::take_until(stream, ended), closing);
    let stream = futures::StreamExt::take_until(stream, erased.cancelled_owned());
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}

/// The duration from `now` until `at` (both ms since the epoch), zero when it has passed.
fn until(at: i64, now: i64) -> Duration {
    Duration::from_millis((at - now).max(0) as u64)
}

/// Checks the stream's credential: a ticket for this number, or an `Authorization` header.
async fn grant(
    state: &AppState,
    headers: &HeaderMap,
    query: &EventsQuery,
    contact: &E164,
    now: i64,
) -> ApiResult<Grant> {
    if let Some(ticket) = &query.ticket {
        let redeemed = state
            .store
            .redeem_ticket(&ticket_hash(ticket), now)
            .await?
            .ok_or_else(|| ApiError::unauthorized("the ticket is unknown, used or expired: ask for a new one"))?;
        if redeemed.contact != contact.as_str() {
            return Err(ApiError::unauthorized("the ticket was issued for another number"));
        }
        return Ok(Grant {
            workspace: redeemed.workspace,
            user_id: redeemed.user_id,
            credential_expires_at: redeemed.credential_expires_at,
        });
    }
    if let Some(token) = auth::bearer(headers)? {
        let caller = auth::authenticate(state, token).await?;
        return Ok(Grant {
            workspace: caller.workspace,
            user_id: caller.user.id,
            credential_expires_at: caller.credential_expires_at,
        });
    }
    if query.token.is_some() {
        return Err(ApiError::unauthorized(
            "credentials in the URL are refused: buy a ticket (POST /api/v1/events/ticket) or send Authorization",
        ));
    }
    Err(ApiError::unauthorized("missing credentials: a `ticket` or an Authorization header"))
}
