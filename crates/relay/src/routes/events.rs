//! `GET /api/v1/events?phone=…`: Server-Sent Events for one customer number: `event: message` with a
//! Message, `event: status` with `{"id","status","error"}`.

use std::convert::Infallible;
use std::time::Duration;

use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use futures::Stream;
use serde::Deserialize;
use sidechat_domain::E164;
use sidechat_domain::wire::ErrorCode;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::AppState;
use crate::auth::StreamCaller;
use crate::error::{ApiError, ApiResult};
use crate::events::Event;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/events", get(stream_events))
}

#[derive(Deserialize)]
struct EventsQuery {
    phone: Option<String>,
}

async fn stream_events(
    _caller: StreamCaller,
    State(state): State<AppState>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> ApiResult<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>> {
    let Query(query) = query?;
    let phone = query.phone.as_deref().ok_or_else(|| ApiError::invalid("the `phone` parameter is required"))?;
    let contact = E164::parse(phone.trim()).map_err(|e| ApiError::new(ErrorCode::InvalidPhone, e.to_string()))?;
    let closing = state.closing.clone().cancelled_owned();
    let stream = BroadcastStream::new(state.events.subscribe()).filter_map(move |envelope| {
        // A lagging stream skips what it missed; the widget reloads the list when it reconnects.
        let envelope = envelope.ok()?;
        if envelope.contact != contact.as_str() {
            return None;
        }
        let event = match envelope.event {
            Event::Message(message) => SseEvent::default().event("message").json_data(message),
            Event::Status(status) => SseEvent::default().event("status").json_data(status),
        };
        event.ok().map(Ok)
    });
    // The stream ends when the relay shuts down, so graceful shutdown does not wait on open panels forever.
    let stream = futures::StreamExt::take_until(stream, closing);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
