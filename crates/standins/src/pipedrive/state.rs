//! The stand-in's state while it runs: its world, the codes and tokens it issued, and what it observed (calls,
//! grants, refusals, downloads, protocol problems).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::world::{Company, User, World};
use crate::assumptions::{PIPEDRIVE_CODE_IS_SINGLE_USE, PIPEDRIVE_REFRESH_TOKEN_ROTATES};

/// Who a code or token belongs to: a user of a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    /// The company.
    pub company_id: u64,
    /// The user.
    pub user_id: u64,
}

/// An API call that passed the token check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The request path, without query.
    pub path: String,
    /// The token's company.
    pub company_id: u64,
    /// The token's user.
    pub user_id: u64,
}

/// An access and refresh token pair the stand-in issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// The access token.
    pub access: String,
    /// The refresh token.
    pub refresh: String,
}

#[derive(Default)]
struct Tokens {
    next: u64,
    codes: HashMap<String, Holder>,
    access: HashMap<String, Holder>,
    refresh: HashMap<String, Holder>,
    /// Every pair issued, revoked or not.
    issued: Vec<TokenPair>,
}

/// Shared by the handle and the handlers.
pub(super) struct Shared {
    world: Mutex<World>,
    tokens: Mutex<Tokens>,
    pub code_grants: AtomicUsize,
    pub refresh_grants: AtomicUsize,
    pub unauthorized: AtomicUsize,
    calls: Mutex<Vec<Call>>,
    downloads: Mutex<HashMap<u64, usize>>,
    problems: Mutex<Vec<String>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    /// The state of a fresh stand-in holding `world`, its standing tokens valid.
    pub fn new(world: World) -> Self {
        let mut tokens = Tokens::default();
        for standing in &world.standing_tokens {
            let holder = Holder { company_id: standing.company_id, user_id: standing.user_id };
            tokens.access.insert(standing.access_token.clone(), holder);
        }
        Self {
            world: Mutex::new(world),
            tokens: Mutex::new(tokens),
            code_grants: AtomicUsize::new(0),
            refresh_grants: AtomicUsize::new(0),
            unauthorized: AtomicUsize::new(0),
            calls: Mutex::default(),
            downloads: Mutex::default(),
            problems: Mutex::default(),
        }
    }

    /// The world, locked.
    pub fn world(&self) -> MutexGuard<'_, World> {
        lock(&self.world)
    }

    /// Runs `read` on the holder's company and user, if both still exist.
    pub fn as_holder<T>(&self, holder: Holder, read: impl FnOnce(&Company, &User) -> T) -> Option<T> {
        let world = self.world();
        let company = world.company(holder.company_id)?;
        let user = company.user(holder.user_id)?;
        Some(read(company, user))
    }

    /// A new authorization code for `holder`.
    pub fn issue_code(&self, holder: Holder) -> String {
        let mut tokens = lock(&self.tokens);
        tokens.next += 1;
        let code = format!("code-{}-{}-{}", holder.company_id, holder.user_id, tokens.next);
        tokens.codes.insert(code.clone(), holder);
        code
    }

    /// The holder of `code`, which is used up.
    pub fn trade_code(&self, code: &str) -> Option<Holder> {
        let mut tokens = lock(&self.tokens);
        if PIPEDRIVE_CODE_IS_SINGLE_USE { tokens.codes.remove(code) } else { tokens.codes.get(code).copied() }
    }

    /// The holder of `refresh_token`, which stops working if refresh tokens rotate.
    pub fn trade_refresh_token(&self, refresh_token: &str) -> Option<Holder> {
        let mut tokens = lock(&self.tokens);
        if PIPEDRIVE_REFRESH_TOKEN_ROTATES {
            tokens.refresh.remove(refresh_token)
        } else {
            tokens.refresh.get(refresh_token).copied()
        }
    }

    /// New tokens for `holder`.
    pub fn issue_tokens(&self, holder: Holder) -> TokenPair {
        let mut tokens = lock(&self.tokens);
        tokens.next += 1;
        let suffix = format!("{}-{}-{}", holder.company_id, holder.user_id, tokens.next);
        let pair = TokenPair { access: format!("access-{suffix}"), refresh: format!("refresh-{suffix}") };
        tokens.access.insert(pair.access.clone(), holder);
        tokens.refresh.insert(pair.refresh.clone(), holder);
        tokens.issued.push(pair.clone());
        pair
    }

    /// Every token pair issued so far, in order.
    pub fn issued_tokens(&self) -> Vec<TokenPair> {
        lock(&self.tokens).issued.clone()
    }

    /// Who holds a valid access token.
    pub fn access_holder(&self, access_token: &str) -> Option<Holder> {
        lock(&self.tokens).access.get(access_token).copied()
    }

    /// Invalidates every access token.
    pub fn revoke_access_tokens(&self) {
        lock(&self.tokens).access.clear();
    }

    /// Invalidates every refresh token.
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.tokens).refresh.clear();
    }

    /// Notes a call that passed the token check.
    pub fn record_call(&self, path: &str, holder: Holder) {
        lock(&self.calls).push(Call { path: path.to_owned(), company_id: holder.company_id, user_id: holder.user_id });
    }

    /// The calls so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.calls).clone()
    }

    /// Counts one download request of a file.
    pub fn count_download(&self, file_id: u64) {
        *lock(&self.downloads).entry(file_id).or_default() += 1;
    }

    /// How often a file was asked for.
    pub fn downloads(&self, file_id: u64) -> usize {
        lock(&self.downloads).get(&file_id).copied().unwrap_or(0)
    }

    /// Notes a request that broke Pipedrive's protocol.
    pub fn problem(&self, problem: String) {
        lock(&self.problems).push(problem);
    }

    /// The problems so far.
    pub fn problems(&self) -> Vec<String> {
        lock(&self.problems).clone()
    }

    /// Adds one to a counter.
    pub fn count(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::SeqCst);
    }
}
