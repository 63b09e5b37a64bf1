//! A per-workspace limit on new messages and uploads, against a runaway script or a leaked token:
//! `SIDECHAT_SEND_RATE_LIMIT` per second, with a burst of as many (0 turns it off). Retries of a message the
//! relay already accepted are answered from the log and never counted.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use sidechat_domain::wire::ErrorCode;

use crate::error::ApiError;
use crate::store::WorkspaceId;

/// The limiter, or none when the limit is off.
pub struct SendLimit {
    limiter: Option<DefaultKeyedRateLimiter<WorkspaceId>>,
    per_second: u32,
}

impl SendLimit {
    /// A limit of `per_second` per workspace; 0 means none.
    pub fn new(per_second: u32) -> Self {
        let limiter = NonZeroU32::new(per_second).map(|rate| RateLimiter::keyed(Quota::per_second(rate)));
        Self { limiter, per_second }
    }

    /// Counts one new message or upload for `workspace`; `rate_limited` when over the limit.
    pub fn check(&self, workspace: &WorkspaceId) -> Result<(), ApiError> {
        let Some(limiter) = &self.limiter else { return Ok(()) };
        limiter.check_key(workspace).map_err(|_| {
            ApiError::new(
                ErrorCode::RateLimited,
                format!(
                    "too many messages: at most {} per second for this workspace; try again in a moment",
                    self.per_second
                ),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspaces_have_their_own_budget_and_zero_is_no_limit() {
        let (a, b) = (WorkspaceId::trusted("a".into()), WorkspaceId::trusted("b".into()));
        let limit = SendLimit::new(2);
        assert!(limit.check(&a).is_ok() && limit.check(&a).is_ok());
        assert!(limit.check(&a).is_err(), "a third at once is over the limit");
        assert!(limit.check(&b).is_ok(), "another workspace is not affected");
        let off = SendLimit::new(0);
        assert!((0..1000).all(|_| off.check(&a).is_ok()));
    }
}
