//! Live updates: the relay's event stream for the number messages go to, kept open for as long as the
//! conversation shows, and what it says applied to the messages.
//!
//! Each stream is opened with a single-use ticket and is over at its first error (see
//! [`EventStream`]). A new stream is held as `next` until it is open, then becomes the `live` one:
//! - when the relay announces the end of the live stream (`expiring`, 30 s before), the next one is opened at
//!   once with a fresh credential; the live stream keeps delivering until the next is open, is closed then,
//!   and the history is read again (what happened during the switch may have been told by neither);
//! - a stream that ends, or that could not be opened, is opened again later: 1 s after the first failure, the
//!   wait doubling after each failure in a row up to a minute; once one is open, the history is read again;
//! - a stream that opens while the history had failed to load reads it again too (the relay is back);
//! - a stream the relay says fell behind (`reload`) reads the history again.

use leptos::prelude::*;
use sidechat_domain::E164;

use crate::context::PanelCtx;
use crate::relay::{EventStream, RelayEvent, StreamChange};
use crate::state::{ChatState, History, Recipient};

/// The conversation's event streams, and what opening them again needs. All handles are `Copy`.
#[derive(Clone, Copy)]
struct Streams {
    /// The stream delivering events.
    live: StoredValue<Option<EventStream>, LocalStorage>,
    /// The stream opened to take over, until it is open.
    next: StoredValue<Option<EventStream>, LocalStorage>,
    /// Counts the streams opened: only the newest one's changes count.
    newest: StoredValue<u32>,
    /// The failures in a row.
    failures: StoredValue<u32>,
    /// Opens a stream again, after a failure's wait.
    reopen: Trigger,
    /// Reads the history again.
    reload: Trigger,
}

/// Keeps an event stream open for the number messages go to (see the module's documentation); `reload` reads
/// the history again.
pub(super) fn follow_events(ctx: PanelCtx, state: ChatState, reload: Trigger) {
    let streams = Streams {
        live: StoredValue::new_local(None),
        next: StoredValue::new_local(None),
        newest: StoredValue::new(0),
        failures: StoredValue::new(0),
        reopen: Trigger::new(),
        reload,
    };
    Effect::new(move |_| {
        streams.reopen.track();
        let recipient = state.recipient.get();
        streams.live.set_value(None);
        streams.next.set_value(None);
        if let Recipient::Ready(number) = recipient {
            open(ctx, state, streams, number, false);
        }
    });
}

/// Buys a ticket and opens a stream for `number` as the `next` one; `renewal` (after `expiring`) asks the host
/// for a fresh credential first, so that the new stream outlasts the old one.
fn open(ctx: PanelCtx, state: ChatState, streams: Streams, number: E164, renewal: bool) {
    streams.newest.update_value(|n| *n = n.wrapping_add(1));
    let serial = streams.newest.get_value();
    let newest = move || streams.newest.get_value() == serial;
    leptos::task::spawn_local(async move {
        let on_event = move |event| match event {
            RelayEvent::Message(message) => state.timeline.update(|t| t.upsert(message)),
            RelayEvent::Status(status) => state.timeline.update(|t| t.apply(&status)),
            // The stream fell behind at the relay and missed events: the history says what they were.
            RelayEvent::Reload => streams.reload.notify(),
        };
        let followed = number.clone();
        // An older stream's changes (its end, after the next one was opened) do not count.
        let on_change = move |change| match change {
            _ if !newest() => {}
            StreamChange::Opened => streams.take_over(state),
            StreamChange::Expiring => open(ctx, state, streams, followed.clone(), true),
            StreamChange::Closed => streams.retry_later(),
        };
        let opened = ctx.relay().events(number.as_str(), renewal, on_event, on_change).await;
        // Dropped unused (which closes it) when the number changed or another stream was opened meanwhile.
        if !newest() || state.recipient.get_untracked() != Recipient::Ready(number) {
            return;
        }
        match opened {
            Ok(stream) => streams.next.set_value(Some(stream)),
            // No stream at all (no ticket, no fresh credential from the host, the URL refused): a failure too.
            Err(_) => streams.retry_later(),
        }
    });
}

impl Streams {
    /// The next stream is open: it becomes the live one, closing the one before. The history is read again
    /// after a switch or failures (something may have been missed), or if it had failed to load.
    fn take_over(self, state: ChatState) {
        let missed = self.failures.get_value() > 0
            || self.live.with_value(Option::is_some)
            || matches!(state.history.get_untracked(), History::Failed(_));
        self.failures.set_value(0);
        // Called from the next stream's own handler: it is moved, not dropped; the old one's handlers are idle.
        if let Some(next) = self.next.try_update_value(Option::take).flatten() {
            self.live.set_value(Some(next));
        }
        if missed {
            self.reload.notify();
        }
    }

    /// Counts a failure and opens a stream again after the wait it calls for. The streams are replaced from a
    /// timer, never from inside one of their own handlers.
    fn retry_later(self) {
        self.failures.update_value(|n| *n = n.saturating_add(1));
        let reopen = self.reopen;
        set_timeout(move || reopen.notify(), reopen_delay(self.failures.get_value()));
    }
}

/// How long to wait before opening a stream again: 1 s after the first failure, doubling up to a minute.
fn reopen_delay(failures: u32) -> std::time::Duration {
    std::time::Duration::from_secs(1_u64 << failures.saturating_sub(1).min(6)).min(std::time::Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::reopen_delay;
    use std::time::Duration;

    #[test]
    fn a_closed_stream_is_reopened_later_after_each_failure_up_to_a_minute() {
        let delays: Vec<u64> = (1..=9).map(|n| reopen_delay(n).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(reopen_delay(u32::MAX), Duration::from_secs(60));
    }
}
