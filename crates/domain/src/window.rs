//! The 24-hour customer-service window (seed 004).
//!
//! On Meta's Business API a business may send free-form messages only within 24 hours of the customer's last
//! message; each new customer message reopens the window, the business's own messages do not. Outside it only
//! approved templates may be sent. The window is kept per sender number and customer.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::provider::Provider;
use crate::wire::rfc3339;

/// How long the window stays open after the customer's last message.
pub const WINDOW_LENGTH: SignedDuration = SignedDuration::from_hours(24);

/// The state of the window between one sender number and one customer, at a given moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceWindow {
    /// Whether the provider enforces the window at all.
    pub enforced: bool,
    /// Whether the window is open now (always true where it is not enforced and the customer wrote).
    pub open: bool,
    /// The customer's last message + 24 h: in the past when closed, `None` when the customer never wrote.
    #[serde(default, with = "rfc3339::option")]
    pub closes_at: Option<Timestamp>,
}

impl ServiceWindow {
    /// The window at `now`, from the time of the customer's last inbound message.
    pub fn at(provider: Provider, last_inbound: Option<Timestamp>, now: Timestamp) -> Self {
        let enforced = provider.enforces_window();
        let closes_at = last_inbound.and_then(|t| t.checked_add(WINDOW_LENGTH).ok());
        let open = closes_at.is_some_and(|closes_at| now < closes_at);
        Self { enforced, open: open || !enforced, closes_at }
    }

    /// Whether a free-form (non-template) message may be sent now.
    pub fn allows_free_form(&self) -> bool {
        self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn window_table() {
        let last = Some(at("2026-11-20T10:00:00Z"));
        let cases: &[(Provider, Option<Timestamp>, &str, bool)] = &[
            (Provider::Cloud, last, "2026-11-20T10:00:00Z", true),
            (Provider::Cloud, last, "2026-11-21T09:59:59Z", true),
            // at exactly 24 h the window has closed
            (Provider::Cloud, last, "2026-11-21T10:00:00Z", false),
            (Provider::Cloud, last, "2026-11-25T10:00:00Z", false),
            // a clock behind the message still counts as open
            (Provider::Cloud, last, "2026-11-20T09:00:00Z", true),
            // never wrote: closed
            (Provider::Cloud, None, "2026-11-20T10:00:00Z", false),
            (Provider::Sandbox, None, "2026-11-20T10:00:00Z", false),
            // WhatsApp Web numbers have no window
            (Provider::Timelines, None, "2026-11-20T10:00:00Z", true),
            (Provider::Timelines, last, "2026-11-25T10:00:00Z", true),
        ];
        for (provider, last, now, open) in cases {
            let window = ServiceWindow::at(*provider, *last, at(now));
            assert_eq!(window.open, *open, "{provider:?} last {last:?} now {now}");
            assert_eq!(window.allows_free_form(), *open);
            assert_eq!(window.enforced, provider.enforces_window());
            assert_eq!(window.closes_at, last.map(|t| t + WINDOW_LENGTH));
        }
    }

    #[test]
    fn window_travels_with_rfc3339_or_null() {
        let window = ServiceWindow::at(Provider::Cloud, Some(at("2026-11-20T10:00:00Z")), at("2026-11-22T00:00:00Z"));
        let json = serde_json::to_value(window).unwrap();
        assert_eq!(json, serde_json::json!({"enforced": true, "open": false, "closes_at": "2026-11-21T10:00:00Z"}));
        let never = ServiceWindow::at(Provider::Cloud, None, at("2026-11-22T00:00:00Z"));
        assert_eq!(serde_json::to_value(never).unwrap()["closes_at"], serde_json::Value::Null);
    }

    proptest! {
        #[test]
        fn open_exactly_within_24_hours_of_the_last_message(last in 0i64..4_000_000_000, delta in -200_000i64..200_000) {
            let last = Timestamp::from_second(last).unwrap();
            let now = Timestamp::from_second(last.as_second() + delta).unwrap();
            let window = ServiceWindow::at(Provider::Cloud, Some(last), now);
            prop_assert_eq!(window.open, delta < 86_400);
            let closes_at = window.closes_at.unwrap();
            prop_assert_eq!(window.open, now < closes_at);
        }
    }
}
