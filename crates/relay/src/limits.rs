//! A per-workspace limit on new messages and uploads, against a runaway script or a leaked token:
//! `SIDECHAT_SEND_RATE_LIMIT` per second (0 turns it off). Retries of a message the relay already accepted are
//! answered from the log and never counted.
//!
//! Up to as many at once, refilled at that rate (a token bucket). A relay alone on its SQLite file counts in
//! memory; relays sharing a PostgreSQL database count in it, so the limit holds whichever relay a request reaches.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sidechat_domain::wire::ErrorCode;

use crate::error::ApiError;
use crate::store::{Store, WorkspaceId};

/// The limiter, or none when the limit is off.
pub struct SendLimit {
    limiter: Option<DefaultKeyedRateLimiter<WorkspaceId>>,
    per_second: u32,
    /// Where relays sharing a database count (PostgreSQL), instead of `limiter`.
    shared: Option<Store>,
}

impl SendLimit {
    /// A limit of `per_second` per workspace, counted in memory; 0 means none.
    pub fn new(per_second: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| RateLimiter::keyed(Quota::per_second(rate)));
        Self { limiter, per_second, shared: None }
    }

    /// A limit of `per_second` per workspace counted in `store` (PostgreSQL): it holds across relays.
    pub fn shared(per_second: u32, store: Store) -> Self {
        Self { limiter: None, per_second, shared: (per_second > 0).then_some(store) }
    }

    /// Counts one new message or upload for `workspace`, `now` (ms); `rate_limited` when over the limit.
    pub async fn check(&self, workspace: &WorkspaceId, now: i64) -> Result<(), ApiError> {
        let within = match (&self.limiter, &self.shared) {
            (Some(limiter), _) => limiter.check_key(workspace).is_ok(),
            (None, Some(store)) => store.take_send_allowance(workspace, self.per_second, now).await?,
            (None, None) => true,
        };
        if within {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorCode::RateLimited,
            format!(
                "too many messages: at most {} per second for this workspace; try again in a moment",
                self.per_second
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn workspaces_have_their_own_budget_and_zero_is_no_limit() {
        let (a, b) = (WorkspaceId::trusted("a".into()), WorkspaceId::trusted("b".into()));
        let limit = SendLimit::new(2);
        assert!(limit.check(&a, 0).await.is_ok() && limit.check(&a, 0).await.is_ok());
        assert!(limit.check(&a, 0).await.is_err(), "a third at once is over the limit");
        assert!(limit.check(&b, 0).await.is_ok(), "another workspace is not affected");
        let off = SendLimit::new(0);
        for _ in 0..1000 {
            assert!(off.check(&a, 0).await.is_ok());
        }
    }
}
