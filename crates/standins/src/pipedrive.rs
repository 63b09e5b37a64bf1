//! A local Pipedrive: its OAuth token endpoint and the REST endpoints the relay reads, answering in the JSON
//! shapes Pipedrive documents, over a [`World`] of companies, users and records. It checks what it receives
//! (Basic client credentials, grant types, the redirect URI, Bearer tokens, paging parameters) and notes every
//! deviation, so tests can assert there was none.
//!
//! One base URL serves both the OAuth server and every company's `api_domain` (Pipedrive has
//! `oauth.pipedrive.com` and a domain per company): the token answer's `api_domain` is the URL the token request
//! reached, less `/oauth/token`, so the same router works on its own port and nested under a path.
//!
//! Data sets: [`World::test_data`] (the API tests) and [`World::demo`] (the relay's demo mode).

mod api;
pub mod demo;
mod oauth;
mod records;
mod shapes;
mod state;
pub mod test_data;
mod world;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::routing::{get, post};

use crate::server::Served;
use state::Shared;

pub use records::{Deal, FieldDefinition, File, Labelled, Person};
pub use state::{Call, Holder, TokenPair};
pub use world::{App, Company, StandingToken, User, Visibility, World};

/// The stand-in's routes over `world`, to nest in another router (the relay's demo mode does, under
/// `/demo/pipedrive`).
pub fn router<S: Clone + Send + Sync + 'static>(world: World) -> Router<S> {
    routes(Arc::new(Shared::new(world)))
}

fn routes<S: Clone + Send + Sync + 'static>(shared: Arc<Shared>) -> Router<S> {
    let api = Router::new()
        .route("/api/v1/users/me", get(api::users_me))
        .route("/api/v2/persons/{id}", get(api::person))
        .route("/api/v2/deals/{id}", get(api::deal))
        .route("/api/v2/personFields", get(api::person_fields))
        .route("/api/v2/dealFields", get(api::deal_fields))
        .route("/api/v1/persons/{id}/files", get(api::person_files))
        .route("/api/v1/deals/{id}/files", get(api::deal_files))
        .route("/api/v1/files/{id}", get(api::file))
        .route("/api/v1/files/{id}/download", get(api::download))
        .route_layer(axum::middleware::from_fn_with_state(shared.clone(), api::authorize));
    Router::new().route("/oauth/token", post(oauth::token)).merge(api).with_state(shared)
}

/// A running Pipedrive stand-in, stopped when dropped.
pub struct Pipedrive {
    /// Its base URL: the OAuth server and every company's `api_domain`.
    pub url: String,
    shared: Arc<Shared>,
    _served: Served,
}

impl Pipedrive {
    /// Serves `world` on a loopback port.
    pub async fn start(world: World) -> Self {
        let shared = Arc::new(Shared::new(world));
        let served = Served::start(routes(shared.clone())).await;
        Self { url: served.url.clone(), shared, _served: served }
    }

    /// An authorization code for the company's first admin, as Pipedrive puts on the install redirect.
    ///
    /// # Panics
    /// When the world has no such company, or it has no admin: the test's data is wrong.
    pub fn issue_code(&self, company_id: u64) -> String {
        let admin = self.shared.world().company(company_id).and_then(|c| c.first_admin()).map(|u| u.id);
        let user_id = admin.unwrap_or_else(|| panic!("the world has no company {company_id} with an admin"));
        self.issue_code_for(company_id, user_id)
    }

    /// An authorization code for a user of a company, as after that user allowed the installation.
    ///
    /// # Panics
    /// When the world has no such user: the test's data is wrong.
    pub fn issue_code_for(&self, company_id: u64, user_id: u64) -> String {
        let holder = Holder { company_id, user_id };
        assert!(self.shared.as_holder(holder, |_, _| ()).is_some(), "the world has no user {user_id} in {company_id}");
        self.shared.issue_code(holder)
    }

    /// Changes the world while the stand-in runs (a record's visibility, a user's role…).
    pub fn change_world(&self, change: impl FnOnce(&mut World)) {
        change(&mut self.shared.world());
    }

    /// Makes every access token invalid, as when Pipedrive expires them early; refresh tokens still work.
    pub fn revoke_access_tokens(&self) {
        self.shared.revoke_access_tokens();
    }

    /// Makes every token invalid, as when the company uninstalled the app.
    pub fn revoke_everything(&self) {
        self.shared.revoke_access_tokens();
        self.shared.revoke_refresh_tokens();
    }

    /// The company an access token belongs to, if it is valid.
    pub fn company_of(&self, access_token: &str) -> Option<u64> {
        self.holder_of(access_token).map(|holder| holder.company_id)
    }

    /// The company and user an access token belongs to, if it is valid.
    pub fn holder_of(&self, access_token: &str) -> Option<Holder> {
        self.shared.access_holder(access_token)
    }

    /// Every access and refresh token pair issued (for codes and refresh tokens), revoked or not, in order: what a
    /// test may look for where no token should appear.
    pub fn issued_tokens(&self) -> Vec<TokenPair> {
        self.shared.issued_tokens()
    }

    /// How many codes were traded for tokens.
    pub fn code_grants(&self) -> usize {
        self.shared.code_grants.load(Ordering::SeqCst)
    }

    /// How many refresh tokens were traded for tokens.
    pub fn refresh_grants(&self) -> usize {
        self.shared.refresh_grants.load(Ordering::SeqCst)
    }

    /// How many API calls were refused for their token.
    pub fn unauthorized(&self) -> usize {
        self.shared.unauthorized.load(Ordering::SeqCst)
    }

    /// Every API call that passed the token check, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls()
    }

    /// The companies whose tokens called `path` (without query).
    pub fn callers_of(&self, path: &str) -> Vec<u64> {
        self.calls().into_iter().filter(|call| call.path == path).map(|call| call.company_id).collect()
    }

    /// How often a file's download was asked for.
    pub fn downloads(&self, file_id: u64) -> usize {
        self.shared.downloads(file_id)
    }

    /// Asserts that every request followed Pipedrive's protocol.
    ///
    /// # Panics
    /// When one did not, listing the problems.
    pub fn assert_no_problems(&self) {
        let problems = self.shared.problems();
        assert!(problems.is_empty(), "the relay broke Pipedrive's protocol: {problems:?}");
    }
}
