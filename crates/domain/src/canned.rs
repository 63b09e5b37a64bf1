//! Canned texts (seed 004): named message bodies with merge fields such as `$[Leads.First Name]`, filled
//! from the CRM record when inserted.
//!
//! A body is parsed once into text and field parts. A field may carry a fallback for records that lack it:
//! `$[Leads.First Name|there]`. Every field belongs to the canned text's module, and that module cannot change
//! once the canned text exists: its fields would no longer match.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A CRM module, by its API name (`Leads`, `Contacts`, `Deals`, `Persons`, `Organizations`, `Custom_Module`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Module(String);

impl Module {
    /// The modules the widget offers by name: Zoho CRM's and Pipedrive's record types.
    pub const KNOWN: [&'static str; 5] = ["Leads", "Contacts", "Deals", "Persons", "Organizations"];

    /// Reads a module name: a letter, then letters, digits or `_`, at most 50 characters.
    pub fn parse(raw: &str) -> Result<Self, CannedError> {
        let valid = raw.len() <= 50
            && raw.starts_with(|c: char| c.is_ascii_alphabetic())
            && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid { Ok(Self(raw.to_owned())) } else { Err(CannedError::InvalidModule(raw.to_owned())) }
    }

    /// The module's API name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Module {
    type Error = CannedError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Module> for String {
    fn from(value: Module) -> Self {
        value.0
    }
}

/// A merge field: the record value it stands for, and what to write where the record has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergeField {
    /// The module the field belongs to.
    pub module: String,
    /// The field's label, as the CRM shows it (`First Name`).
    pub label: String,
    /// Written instead of the value where the record has none.
    pub fallback: Option<String>,
}

impl MergeField {
    /// The key record values are found under: `Leads.First Name`.
    pub fn key(&self) -> String {
        format!("{}.{}", self.module, self.label)
    }
}

/// A piece of a canned text's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Written as it is.
    Text(String),
    /// Filled from the record.
    Field(MergeField),
}

/// A canned text's body, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    parts: Vec<Part>,
}

/// A body filled with a record's values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The message text.
    pub text: String,
    /// Keys of the fields the record lacks and that have no fallback: left empty, to be flagged before sending.
    pub missing: Vec<String>,
}

/// What is wrong with a canned text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CannedError {
    /// A `$[` with no `]` after it.
    #[error("the merge field at character {} is not closed: add `]`", .at + 1)]
    Unclosed {
        /// Where the field starts (0-based, in characters).
        at: usize,
    },
    /// `$[]`.
    #[error("the merge field at character {} is empty: write `$[Module.Field Label]`", .at + 1)]
    EmptyField {
        /// Where the field starts (0-based, in characters).
        at: usize,
    },
    /// `$[First Name]` or `$[.First Name]`.
    #[error("the merge field at character {} names no module: write `$[Module.Field Label]`", .at + 1)]
    MissingModule {
        /// Where the field starts (0-based, in characters).
        at: usize,
    },
    /// `$[Leads.]`.
    #[error("the merge field at character {} names no field after the module", .at + 1)]
    MissingLabel {
        /// Where the field starts (0-based, in characters).
        at: usize,
    },
    /// A field of another module than the canned text's.
    #[error("the merge field at character {} belongs to {found}, but this canned text is for {expected}", .at + 1)]
    WrongModule {
        /// Where the field starts (0-based, in characters).
        at: usize,
        /// The canned text's module.
        expected: String,
        /// The field's module.
        found: String,
    },
    /// Not a module name.
    #[error("`{0}` is not a module name")]
    InvalidModule(String),
    /// A canned text needs a name.
    #[error("the canned text needs a name")]
    EmptyName,
    /// Names are kept short enough to pick from a list.
    #[error("the name is longer than {MAX_NAME_CHARS} characters")]
    NameTooLong,
    /// A canned text needs a body.
    #[error("the canned text needs a body")]
    EmptyBody,
    /// The body is longer than a WhatsApp message may be.
    #[error("the body is longer than {} characters", crate::wire::MAX_BODY_CHARS)]
    BodyTooLong,
    /// Editing may not move a canned text to another module (seed 004).
    #[error("a canned text's module cannot change (from {from} to {to}): create a new one instead")]
    ModuleImmutable {
        /// The module it has.
        from: String,
        /// The module asked for.
        to: String,
    },
}

/// The longest name a canned text may have, in characters.
pub const MAX_NAME_CHARS: usize = 100;

impl Body {
    /// Parses a body whose merge fields must all belong to `module`.
    pub fn parse(source: &str, module: &Module) -> Result<Self, CannedError> {
        let chars: Vec<char> = source.chars().collect();
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut i = 0;
        while i < chars.len() {
            if chars[i] == '$' && chars.get(i + 1) == Some(&'[') {
                let close = chars[i + 2..].iter().position(|&c| c == ']' || c == '[').map(|p| i + 2 + p);
                let Some(close) = close.filter(|&c| chars[c] == ']') else {
                    return Err(CannedError::Unclosed { at: i });
                };
                let inside: String = chars[i + 2..close].iter().collect();
                let field = parse_field(&inside, i, module)?;
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(Part::Field(field));
                i = close + 1;
            } else {
                text.push(chars[i]);
                i += 1;
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Self { parts })
    }

    /// The parts, in order.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// The keys of the fields the body uses, each once, in order of first use.
    pub fn fields(&self) -> Vec<String> {
        let mut keys: Vec<String> = Vec::new();
        for part in &self.parts {
            if let Part::Field(field) = part {
                let key = field.key();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
        }
        keys
    }

    /// Fills the fields from a record's values (keyed `Module.Field label`). A blank value counts as missing.
    pub fn render(&self, values: &BTreeMap<String, String>) -> Rendered {
        let mut rendered = Rendered { text: String::new(), missing: Vec::new() };
        for part in &self.parts {
            match part {
                Part::Text(text) => rendered.text.push_str(text),
                Part::Field(field) => {
                    let key = field.key();
                    match (values.get(&key).filter(|v| !v.trim().is_empty()), &field.fallback) {
                        (Some(value), _) => rendered.text.push_str(value),
                        (None, Some(fallback)) => rendered.text.push_str(fallback),
                        (None, None) => {
                            if !rendered.missing.contains(&key) {
                                rendered.missing.push(key);
                            }
                        }
                    }
                }
            }
        }
        rendered
    }
}

impl fmt::Display for Body {
    /// Writes the body back in its source form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for part in &self.parts {
            match part {
                Part::Text(text) => f.write_str(text)?,
                Part::Field(MergeField { module, label, fallback: None }) => write!(f, "$[{module}.{label}]")?,
                Part::Field(MergeField { module, label, fallback: Some(fallback) }) => {
                    write!(f, "$[{module}.{label}|{fallback}]")?
                }
            }
        }
        Ok(())
    }
}

fn parse_field(inside: &str, at: usize, module: &Module) -> Result<MergeField, CannedError> {
    let (key, fallback) = match inside.split_once('|') {
        Some((key, fallback)) => (key, Some(fallback.to_owned())),
        None => (inside, None),
    };
    if key.trim().is_empty() {
        return Err(CannedError::EmptyField { at });
    }
    let Some((field_module, label)) = key.split_once('.') else {
        return Err(CannedError::MissingModule { at });
    };
    let (field_module, label) = (field_module.trim(), label.trim());
    if field_module.is_empty() {
        return Err(CannedError::MissingModule { at });
    }
    if label.is_empty() {
        return Err(CannedError::MissingLabel { at });
    }
    if field_module != module.as_str() {
        return Err(CannedError::WrongModule { at, expected: module.to_string(), found: field_module.to_owned() });
    }
    Ok(MergeField { module: field_module.to_owned(), label: label.to_owned(), fallback })
}

/// A canned text that passed every check: a name, a module, and a body whose fields belong to that module.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CannedText {
    name: String,
    module: Module,
    body: Body,
}

impl CannedText {
    /// Checks a new canned text.
    pub fn new(name: &str, module: &str, body: &str) -> Result<Self, CannedError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(CannedError::EmptyName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(CannedError::NameTooLong);
        }
        let module = Module::parse(module.trim())?;
        if body.trim().is_empty() {
            return Err(CannedError::EmptyBody);
        }
        if body.chars().count() > crate::wire::MAX_BODY_CHARS {
            return Err(CannedError::BodyTooLong);
        }
        let body = Body::parse(body, &module)?;
        Ok(Self { name: name.to_owned(), module, body })
    }

    /// Checks an edit: anything may change but the module.
    pub fn edit(&self, name: &str, module: &str, body: &str) -> Result<Self, CannedError> {
        if module.trim() != self.module.as_str() {
            return Err(CannedError::ModuleImmutable { from: self.module.to_string(), to: module.trim().to_owned() });
        }
        Self::new(name, module, body)
    }

    /// The name users pick it by.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The module whose records fill it.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The parsed body.
    pub fn body(&self) -> &Body {
        &self.body
    }
}

#[cfg(test)]
mod tests;
