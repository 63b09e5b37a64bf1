//! Delivery statuses and the one rule for moving between them.

use serde::{Deserialize, Serialize};

/// Where an outbound message is on its way.
///
/// Statuses only move forward: `queued` → `sent` → `delivered` → `read`. `failed` is final unless a later
/// `delivered` or `read` proves the message arrived (Meta reports these out of order). That makes the statuses
/// a chain, `queued < sent < failed < delivered < read`, and [`DeliveryStatus::merge`] its maximum: whatever
/// order and however often reports arrive, the result is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Accepted by the relay, not yet by the provider.
    Queued,
    /// Accepted by the provider.
    Sent,
    /// The provider gave up (final unless proven delivered).
    Failed,
    /// On the customer's phone.
    Delivered,
    /// Seen by the customer.
    Read,
}

impl DeliveryStatus {
    /// The status after a report of `incoming`: never backwards.
    pub fn merge(self, incoming: Self) -> Self {
        self.max(incoming)
    }

    /// The status's wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Delivered => "delivered",
            Self::Read => "read",
        }
    }

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Queued, Self::Sent, Self::Failed, Self::Delivered, Self::Read].into_iter().find(|s| s.as_str() == raw)
    }
}

#[cfg(test)]
mod tests {
    use super::DeliveryStatus::{self, *};
    use proptest::prelude::*;

    #[test]
    fn merge_table() {
        let cases: &[(DeliveryStatus, DeliveryStatus, DeliveryStatus)] = &[
            (Queued, Sent, Sent),
            (Sent, Queued, Sent),
            (Sent, Delivered, Delivered),
            (Read, Delivered, Read),
            (Delivered, Read, Read),
            (Sent, Read, Read),
            (Queued, Failed, Failed),
            (Sent, Failed, Failed),
            (Failed, Sent, Failed),
            (Failed, Delivered, Delivered),
            (Failed, Read, Read),
            (Delivered, Failed, Delivered),
            (Read, Failed, Read),
        ];
        for (current, incoming, expected) in cases {
            assert_eq!(current.merge(*incoming), *expected, "{current:?} + {incoming:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for status in [Queued, Sent, Failed, Delivered, Read] {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
            assert_eq!(serde_json::to_string(&status).unwrap(), format!("\"{}\"", status.as_str()));
        }
        assert_eq!(DeliveryStatus::parse("played"), None);
    }

    fn status() -> impl Strategy<Value = DeliveryStatus> {
        prop_oneof![Just(Queued), Just(Sent), Just(Failed), Just(Delivered), Just(Read)]
    }

    proptest! {
        #[test]
        fn order_and_repeats_of_reports_do_not_matter(reports in proptest::collection::vec(status(), 0..10), seed in any::<u64>()) {
            let forward = reports.iter().fold(Queued, |s, r| s.merge(*r));
            let mut shuffled = reports.clone();
            // a deterministic shuffle, then every report twice
            shuffled.sort_by_key(|s| (*s as u64).wrapping_mul(seed | 1).rotate_left(7));
            let again = shuffled.iter().chain(shuffled.iter()).fold(Queued, |s, r| s.merge(*r));
            prop_assert_eq!(forward, again);
        }

        #[test]
        fn read_never_becomes_delivered_and_delivery_beats_failure(reports in proptest::collection::vec(status(), 1..10)) {
            let end = reports.iter().fold(Queued, |s, r| s.merge(*r));
            if reports.contains(&Read) { prop_assert_eq!(end, Read); }
            else if reports.contains(&Delivered) { prop_assert_eq!(end, Delivered); }
            else if reports.contains(&Failed) { prop_assert_eq!(end, Failed); }
        }
    }
}
