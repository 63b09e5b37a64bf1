//! What the Pipedrive stand-in holds: companies, each with its users, persons, deals, files and field
//! definitions, the app allowed to trade codes for tokens, and the access tokens issued before it started.
//! A data set ([`World::test_data`](super::test_data), [`World::demo`](super::demo)) is a value of these types;
//! more companies, users or hidden records are a change of data, not of the server.

use super::records::{Deal, FieldDefinition, File, Person};
use crate::assumptions::{PIPEDRIVE_ADMINS_SEE_EVERY_RECORD, PIPEDRIVE_OWNER_ONLY_VISIBILITY};

/// Everything the stand-in knows.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// The OAuth app that may trade codes and refresh tokens; `None`: the token endpoint refuses every client.
    pub app: Option<App>,
    /// The companies (Pipedrive accounts).
    pub companies: Vec<Company>,
    /// Access tokens valid from the start, never expiring (the demo's: it installs without OAuth).
    pub standing_tokens: Vec<StandingToken>,
    /// Request paths (without query) answered `503`, as during Pipedrive's maintenance, after the token check.
    pub unavailable: Vec<String>,
}

/// A Marketplace app's OAuth credentials.
#[derive(Debug, Clone)]
pub struct App {
    /// The client id.
    pub client_id: String,
    /// The client secret.
    pub client_secret: String,
    /// The callback URL registered for the app: a code is traded only with this `redirect_uri`.
    pub redirect_uri: String,
}

/// An access token a user held before the stand-in started.
#[derive(Debug, Clone)]
pub struct StandingToken {
    /// The token.
    pub access_token: String,
    /// Its company.
    pub company_id: u64,
    /// Its user.
    pub user_id: u64,
}

/// A Pipedrive company with its users and records.
#[derive(Debug, Clone)]
pub struct Company {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its subdomain (`acme` for `acme.pipedrive.com`).
    pub domain: String,
    /// Its country code (`DE`).
    pub country: String,
    /// Its users; the first admin is who installs when a test names only the company.
    pub users: Vec<User>,
    /// Its persons.
    pub persons: Vec<Person>,
    /// Its deals.
    pub deals: Vec<Deal>,
    /// Its files.
    pub files: Vec<File>,
    /// Its person field definitions, in order.
    pub person_fields: Vec<FieldDefinition>,
    /// Its deal field definitions, in order.
    pub deal_fields: Vec<FieldDefinition>,
    /// The most field definitions one page holds, whatever `limit` asks (a small number makes clients follow
    /// the cursor).
    pub field_page_size: usize,
}

/// A user of a company.
#[derive(Debug, Clone)]
pub struct User {
    /// Its id.
    pub id: u64,
    /// Its name.
    pub name: String,
    /// Its e-mail address.
    pub email: String,
    /// Whether it administers the company.
    pub is_admin: bool,
    /// Its time zone (`Europe/Berlin`).
    pub timezone_name: String,
    /// Its locale (`en_US`).
    pub locale: String,
}

/// Who may see a person or a deal: Pipedrive's `visible_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility(pub u8);

impl Visibility {
    /// Only the owner (`1`).
    pub const OWNER: Self = Self(PIPEDRIVE_OWNER_ONLY_VISIBILITY);
    /// The entire company (`3`); what each value means is assumed, see [`PIPEDRIVE_OWNER_ONLY_VISIBILITY`].
    pub const COMPANY: Self = Self(3);

    /// Whether `user` sees a record owned by `owner_id` with this visibility.
    pub fn lets_see(self, user: &User, owner_id: u64) -> bool {
        self != Self::OWNER || user.id == owner_id || (PIPEDRIVE_ADMINS_SEE_EVERY_RECORD && user.is_admin)
    }
}

impl World {
    /// The company with this id.
    pub fn company(&self, id: u64) -> Option<&Company> {
        self.companies.iter().find(|c| c.id == id)
    }
}

impl Company {
    /// The user with this id.
    pub fn user(&self, id: u64) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The first admin: who installs when only the company is named.
    pub fn first_admin(&self) -> Option<&User> {
        self.users.iter().find(|u| u.is_admin)
    }

    /// The person `id`, if `user` sees it.
    pub fn visible_person(&self, id: u64, user: &User) -> Option<&Person> {
        self.persons.iter().find(|p| p.id == id && p.visible_to.lets_see(user, p.owner_id))
    }

    /// The deal `id`, if `user` sees it.
    pub fn visible_deal(&self, id: u64, user: &User) -> Option<&Deal> {
        self.deals.iter().find(|d| d.id == id && d.visible_to.lets_see(user, d.owner_id))
    }

    /// The file `id`, if `user` sees the person or deal it belongs to.
    pub fn visible_file(&self, id: u64, user: &User) -> Option<&File> {
        self.files.iter().find(|f| f.id == id && self.file_is_visible(f, user))
    }

    /// The files of a person or deal, in the company's order.
    pub fn files_of(&self, person_id: Option<u64>, deal_id: Option<u64>) -> Vec<&File> {
        self.files
            .iter()
            .filter(|f| {
                person_id.is_some_and(|p| f.person_id == Some(p)) || deal_id.is_some_and(|d| f.deal_id == Some(d))
            })
            .collect()
    }

    fn file_is_visible(&self, file: &File, user: &User) -> bool {
        crate::assumptions::pipedrive_file_visibility(
            file.person_id.map(|id| self.visible_person(id, user).is_some()),
            file.deal_id.map(|id| self.visible_deal(id, user).is_some()),
        )
    }
}
