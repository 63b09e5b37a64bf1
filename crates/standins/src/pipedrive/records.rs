//! The records of a company: persons, deals, files and field definitions, as the world holds them (the JSON
//! shapes are made from them in `shapes`).

use serde_json::{Map, Value};

use super::world::Visibility;

/// A phone or e-mail entry of a person: `{label, value, primary}`.
#[derive(Debug, Clone)]
pub struct Labelled {
    /// `work`, `home`, `mobile`, `other`.
    pub label: String,
    /// The value as stored.
    pub value: String,
    /// Whether it is the main one.
    pub primary: bool,
}

impl Labelled {
    /// An entry.
    pub fn new(label: &str, value: &str, primary: bool) -> Self {
        Self { label: label.to_owned(), value: value.to_owned(), primary }
    }
}

/// A person.
#[derive(Debug, Clone)]
pub struct Person {
    /// Its id.
    pub id: u64,
    /// Its first name.
    pub first_name: String,
    /// Its last name.
    pub last_name: String,
    /// The user who owns it.
    pub owner_id: u64,
    /// Who sees it.
    pub visible_to: Visibility,
    /// Its e-mail addresses.
    pub emails: Vec<Labelled>,
    /// Its phones, as stored (any format, junk included).
    pub phones: Vec<Labelled>,
    /// Custom field values by field key.
    pub custom_fields: Map<String, Value>,
    /// When it was added (RFC 3339).
    pub add_time: String,
    /// When it last changed (RFC 3339).
    pub update_time: String,
}

impl Person {
    /// `first last`.
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// A deal.
#[derive(Debug, Clone)]
pub struct Deal {
    /// Its id.
    pub id: u64,
    /// Its title.
    pub title: String,
    /// The user who owns it.
    pub owner_id: u64,
    /// Who sees it.
    pub visible_to: Visibility,
    /// Its person.
    pub person_id: Option<u64>,
    /// Its value.
    pub value: u64,
    /// The value's currency.
    pub currency: String,
    /// `open`, `won`, `lost`.
    pub status: String,
    /// Custom field values by field key.
    pub custom_fields: Map<String, Value>,
    /// When it was added (RFC 3339).
    pub add_time: String,
    /// When it last changed (RFC 3339).
    pub update_time: String,
}

/// A file attached to a person or a deal.
#[derive(Debug, Clone)]
pub struct File {
    /// Its id.
    pub id: u64,
    /// Its name, with its extension.
    pub name: String,
    /// The size Pipedrive lists.
    pub size: u64,
    /// Its bytes; `None` for a file listed only, which no client should download (one over every size limit).
    pub content: Option<Vec<u8>>,
    /// The user who added it.
    pub user_id: u64,
    /// Its person.
    pub person_id: Option<u64>,
    /// Its deal.
    pub deal_id: Option<u64>,
    /// When it was added (`YYYY-MM-DD HH:MM:SS`, as v1 writes times).
    pub add_time: String,
}

impl File {
    /// A file with its bytes, listed at their size.
    pub fn with_content(id: u64, name: &str, content: Vec<u8>, user_id: u64, add_time: &str) -> Self {
        let size = content.len() as u64;
        Self {
            id,
            name: name.to_owned(),
            size,
            content: Some(content),
            user_id,
            person_id: None,
            deal_id: None,
            add_time: add_time.to_owned(),
        }
    }

    /// A file listed at `size` with no bytes to download.
    pub fn listed_only(id: u64, name: &str, size: u64, user_id: u64, add_time: &str) -> Self {
        Self { size, content: None, ..Self::with_content(id, name, Vec::new(), user_id, add_time) }
    }

    /// The same file, attached to a person.
    pub fn on_person(self, person_id: u64) -> Self {
        Self { person_id: Some(person_id), ..self }
    }

    /// The same file, attached to a deal.
    pub fn on_deal(self, deal_id: u64) -> Self {
        Self { deal_id: Some(deal_id), ..self }
    }
}

/// A v2 field definition.
#[derive(Debug, Clone)]
pub struct FieldDefinition {
    /// The key of the value in a record: a built-in name or a 40-character hash.
    pub code: String,
    /// The label people see.
    pub name: String,
    /// `varchar`, `enum`, `monetary`…
    pub field_type: String,
    /// The choices of an option field: `[{id, label}]`.
    pub options: Option<Value>,
    /// Whether the company added it.
    pub is_custom: bool,
}

impl FieldDefinition {
    /// A field without options.
    pub fn new(code: &str, name: &str, field_type: &str, is_custom: bool) -> Self {
        Self {
            code: code.to_owned(),
            name: name.to_owned(),
            field_type: field_type.to_owned(),
            options: None,
            is_custom,
        }
    }

    /// The same field with choices.
    pub fn with_options(self, options: Value) -> Self {
        Self { options: Some(options), ..self }
    }
}
