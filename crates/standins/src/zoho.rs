//! A local Zoho data centre: its Accounts server (the consent page, `POST /oauth/v2/token`) and the Zoho CRM API
//! calls the relay makes to know who signed in (`GET /crm/v8/users?type=CurrentUser`, `GET /crm/v8/org`), in
//! the shapes `crm-sync-apis.md` §2 documents. One base URL serves both the accounts server and the `api_domain`.
//! Start one per data centre: each holds its own orgs and users, and names itself as `accounts-server` on the
//! redirect, as Zoho does.
//!
//! The consent page (`GET /oauth/v2/auth`) offers a button per user (`data-testid="zoho-allow-{user id}"`), so the
//! demo and the browser tests sign in through it; API tests take a code from [`Zoho::issue_code`].

mod routes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Router;

use crate::server::Served;

/// The OAuth client the stand-in knows.
pub const CLIENT_ID: &str = "1000.SIDECHATTESTCLIENT";
/// Its secret.
pub const CLIENT_SECRET: &str = "zoho-test-client-secret";

/// A Zoho CRM user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The CRM's user id.
    pub id: String,
    /// Their name.
    pub full_name: String,
    /// Their email.
    pub email: String,
    /// Their profile: `Administrator`, `Standard`…
    pub profile: String,
    /// `active`, or `disabled` once an admin deactivated them.
    pub status: String,
}

/// A Zoho CRM org and its users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    /// The org id (`GET /crm/v8/org` → `id`).
    pub id: String,
    /// Its name.
    pub company_name: String,
    /// Its time zone.
    pub time_zone: String,
    /// Its users.
    pub users: Vec<User>,
}

/// A data centre's orgs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataCentre {
    /// Zoho's name for it, as the redirect's `location` says (`us`, `eu`…).
    pub location: String,
    /// Its orgs.
    pub orgs: Vec<Org>,
}

fn user(id: &str, full_name: &str, email: &str, profile: &str) -> User {
    User {
        id: id.to_owned(),
        full_name: full_name.to_owned(),
        email: email.to_owned(),
        profile: profile.to_owned(),
        status: "active".to_owned(),
    }
}

/// The US data centre's org of the tests and the demo.
pub const US_ORG: &str = "60001";
/// Its administrator.
pub const US_ADMIN: &str = "4150868000000225013";
/// Its salesperson (a `Standard` profile).
pub const US_MEMBER: &str = "4150868000000225014";
/// The EU data centre's org.
pub const EU_ORG: &str = "20070001";
/// Its administrator.
pub const EU_ADMIN: &str = "20070000000112001";

impl DataCentre {
    /// The US data centre: Zylker Inc, an administrator and a salesperson.
    pub fn us() -> Self {
        Self {
            location: "us".to_owned(),
            orgs: vec![Org {
                id: US_ORG.to_owned(),
                company_name: "Zylker Inc".to_owned(),
                time_zone: "America/New_York".to_owned(),
                users: vec![
                    user(US_ADMIN, "Zoe Admin", "zoe@zylker.example", "Administrator"),
                    user(US_MEMBER, "Sam Seller", "sam@zylker.example", "Standard"),
                ],
            }],
        }
    }

    /// The EU data centre: Zylker GmbH and its administrator.
    pub fn eu() -> Self {
        Self {
            location: "eu".to_owned(),
            orgs: vec![Org {
                id: EU_ORG.to_owned(),
                company_name: "Zylker GmbH".to_owned(),
                time_zone: "Europe/Berlin".to_owned(),
                users: vec![user(EU_ADMIN, "Eva Admin", "eva@zylker.example", "Administrator")],
            }],
        }
    }
}

/// Whose a code or token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Holder {
    org: String,
    user: String,
}

/// The stand-in's state.
pub(crate) struct Shared {
    centre: Mutex<DataCentre>,
    grants: Mutex<Grants>,
}

/// Codes and tokens issued.
#[derive(Default)]
struct Grants {
    next: u64,
    codes: HashMap<String, Holder>,
    access: HashMap<String, Holder>,
    refresh: HashMap<String, Holder>,
    /// Every token issued, access and refresh alike, in order.
    issued: Vec<String>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    fn new(centre: DataCentre) -> Self {
        Self { centre: Mutex::new(centre), grants: Mutex::default() }
    }

    fn centre(&self) -> MutexGuard<'_, DataCentre> {
        lock(&self.centre)
    }

    /// The org and user with this user id.
    fn find(&self, user_id: &str) -> Option<(Org, User)> {
        let centre = self.centre();
        centre
            .orgs
            .iter()
            .find_map(|org| org.users.iter().find(|user| user.id == user_id).map(|user| (org.clone(), user.clone())))
    }

    fn issue(&self, kind: &str, holder: Holder) -> String {
        let mut grants = lock(&self.grants);
        grants.next += 1;
        let value = format!("1000.{kind}{:04}.{}", grants.next, uuid::Uuid::new_v4().simple());
        match kind {
            "code" => grants.codes.insert(value.clone(), holder),
            "access" => grants.access.insert(value.clone(), holder),
            _ => grants.refresh.insert(value.clone(), holder),
        };
        if kind != "code" {
            grants.issued.push(value.clone());
        }
        value
    }

    fn code_holder(&self, code: &str) -> Option<Holder> {
        lock(&self.grants).codes.remove(code)
    }

    fn refresh_holder(&self, token: &str) -> Option<Holder> {
        lock(&self.grants).refresh.get(token).cloned()
    }

    fn access_holder(&self, token: &str) -> Option<Holder> {
        lock(&self.grants).access.get(token).cloned()
    }
}

/// The stand-in's routes over `centre`, to nest in another server (the demo's dev host pages do).
pub fn router<S: Clone + Send + Sync + 'static>(centre: DataCentre) -> Router<S> {
    routes::router(Arc::new(Shared::new(centre)))
}

/// A running Zoho data centre, stopped when dropped.
pub struct Zoho {
    /// Its base URL: the accounts server and the `api_domain`.
    pub url: String,
    shared: Arc<Shared>,
    _served: Served,
}

impl Zoho {
    /// Serves `centre` on a loopback port.
    pub async fn start(centre: DataCentre) -> Self {
        let shared = Arc::new(Shared::new(centre));
        let served = Served::start(routes::router(shared.clone())).await;
        Self { url: served.url.clone(), shared, _served: served }
    }

    /// A code for a user, as after they allowed the client on the consent page.
    ///
    /// # Panics
    /// When the data centre has no such user: the test's data is wrong.
    pub fn issue_code(&self, user_id: &str) -> String {
        let (org, user) = self.shared.find(user_id).unwrap_or_else(|| panic!("no Zoho user {user_id}"));
        self.shared.issue("code", Holder { org: org.id, user: user.id })
    }

    /// Deactivates a user, as an administrator does in Zoho CRM: their tokens stop working.
    pub fn deactivate(&self, user_id: &str) {
        for org in &mut self.shared.centre().orgs {
            for user in org.users.iter_mut().filter(|user| user.id == user_id) {
                user.status = "disabled".to_owned();
            }
        }
    }

    /// Makes every access token invalid, as when they expire; refresh tokens still work.
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.grants).access.clear();
    }

    /// Every access and refresh token issued, in order.
    pub fn issued_tokens(&self) -> Vec<String> {
        lock(&self.shared.grants).issued.clone()
    }
}
