//! Pipedrive's JSON, as its API documentation describes it: only the fields Sidechat reads.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::PipedriveError;

/// Every answer: `{"success": true, "data": …}`.
#[derive(Debug, Deserialize)]
pub(super) struct Envelope<T> {
    /// Whether Pipedrive did what was asked.
    pub success: bool,
    /// The answer.
    pub data: T,
}

/// A v2 list answer, with the cursor of the next page.
#[derive(Debug, Deserialize)]
pub(super) struct Page<T> {
    /// Whether Pipedrive did what was asked.
    pub success: bool,
    /// This page.
    pub data: Vec<T>,
    /// Paging.
    #[serde(default)]
    pub additional_data: Option<Paging>,
}

/// Where the next page starts.
#[derive(Debug, Deserialize)]
pub(super) struct Paging {
    /// `null` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// `GET /api/v1/users/me`: the user who installed, and their company.
#[derive(Debug, Deserialize)]
pub(super) struct Me {
    /// The user's id.
    pub id: u64,
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Their email.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether they are an admin of the company: Pipedrive answers `1` or `0` (a boolean is taken too).
    #[serde(default)]
    pub is_admin: serde_json::Value,
    /// Their access per Pipedrive app; `admin` on any makes them an admin too.
    #[serde(default)]
    pub access: Vec<Access>,
    /// Their time zone (IANA), the default of a workspace they install.
    #[serde(default)]
    pub timezone_name: Option<String>,
    /// The company's id.
    pub company_id: u64,
    /// The company's name.
    #[serde(default)]
    pub company_name: Option<String>,
}

/// One entry of a user's `access`.
#[derive(Debug, Deserialize)]
pub(super) struct Access {
    /// Whether the user administers that app.
    #[serde(default)]
    pub admin: bool,
}

impl Me {
    /// What Sidechat keeps of the user: name, email, and their role from `is_admin` or any `access[].admin`.
    pub fn profile(&self) -> crate::store::UserProfile {
        let flagged = self.is_admin.as_bool().unwrap_or(false) || self.is_admin.as_i64().is_some_and(|flag| flag != 0);
        let admin = flagged || self.access.iter().any(|access| access.admin);
        crate::store::UserProfile {
            name: self.name.clone(),
            email: self.email.clone().filter(|email| !email.is_empty()),
            role: if admin { sidechat_domain::wire::Role::Admin } else { sidechat_domain::wire::Role::Member },
        }
    }
}

/// A v2 phone of a person.
#[derive(Debug, Deserialize)]
pub(super) struct V2Phone {
    /// `work`, `home`, `mobile`, `other`.
    #[serde(default)]
    pub label: Option<String>,
    /// The number as stored.
    #[serde(default)]
    pub value: Option<String>,
    /// Whether it is the main number.
    #[serde(default)]
    pub primary: Option<bool>,
}

/// A v2 field definition (`/api/v2/personFields`, `/api/v2/dealFields`).
#[derive(Debug, Deserialize)]
pub(super) struct FieldDefinition {
    /// The label people see.
    pub field_name: String,
    /// The key of the value in a record (a 40-character hash for custom fields).
    pub field_code: String,
    /// The choices of an option field.
    #[serde(default)]
    pub options: Option<Vec<FieldOption>>,
}

/// One choice of an option field.
#[derive(Debug, Deserialize)]
pub(super) struct FieldOption {
    /// What records store.
    pub id: serde_json::Value,
    /// What people see.
    pub label: String,
}

/// A v1 file.
#[derive(Debug, Deserialize)]
pub(super) struct V1File {
    /// Its id.
    pub id: u64,
    /// The stored file's name, with its extension.
    #[serde(default)]
    pub file_name: Option<String>,
    /// The name shown in Pipedrive.
    #[serde(default)]
    pub name: Option<String>,
    /// Its size in bytes.
    #[serde(default)]
    pub file_size: Option<u64>,
    /// `false` once deleted.
    #[serde(default)]
    pub active_flag: Option<bool>,
}

impl V1File {
    /// The name to send it under.
    pub fn display_name(&self) -> String {
        self.file_name
            .as_deref()
            .or(self.name.as_deref())
            .filter(|name| !name.trim().is_empty())
            .map_or_else(|| format!("file-{}", self.id), str::to_owned)
    }
}

/// Reads a JSON answer.
pub(super) async fn read_json<T: DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, PipedriveError> {
    let bytes =
        response.bytes().await.map_err(|source| PipedriveError::Unreachable { what: what.to_owned(), source })?;
    serde_json::from_slice(&bytes)
        .map_err(|error| PipedriveError::Malformed { what: what.to_owned(), problem: error.to_string() })
}

/// Reads an `{"success": true, "data": …}` answer.
pub(super) async fn read_data<T: DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, PipedriveError> {
    let envelope: Envelope<T> = read_json(response, what).await?;
    if !envelope.success {
        return Err(PipedriveError::Malformed { what: what.to_owned(), problem: "`success` is false".to_owned() });
    }
    Ok(envelope.data)
}

/// A record or file id from a URL: Pipedrive's ids are positive integers, anything else names nothing.
pub(super) fn parse_id(raw: &str, what: &'static str) -> Result<u64, PipedriveError> {
    raw.trim().parse::<u64>().ok().filter(|id| *id > 0).ok_or(PipedriveError::NotFound(what))
}
