//! The CRMs Sidechat lives in.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A CRM whose companies install Sidechat: where its users, accounts and sessions come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Crm {
    /// Pipedrive: its companies are the accounts.
    Pipedrive,
    /// Zoho CRM: its organisations are the accounts.
    Zoho,
}

impl Crm {
    /// Every CRM.
    pub const ALL: [Crm; 2] = [Crm::Pipedrive, Crm::Zoho];

    /// The CRM's name in the log, in URLs and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pipedrive => "pipedrive",
            Self::Zoho => "zoho",
        }
    }

    /// Reads a name written by [`Crm::as_str`].
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|crm| crm.as_str() == raw)
    }

    /// The CRM's name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Pipedrive => "Pipedrive",
            Self::Zoho => "Zoho CRM",
        }
    }

    /// What the CRM calls one of its accounts, for people.
    pub fn account_noun(self) -> &'static str {
        match self {
            Self::Pipedrive => "Pipedrive company",
            Self::Zoho => "Zoho org",
        }
    }
}

impl fmt::Display for Crm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_match_the_wire() {
        for crm in Crm::ALL {
            assert_eq!(Crm::parse(crm.as_str()), Some(crm));
            assert_eq!(serde_json::to_string(&crm).unwrap(), format!("\"{}\"", crm.as_str()));
        }
        assert_eq!(Crm::parse("Pipedrive"), None);
        assert_eq!(Crm::parse("salesforce"), None);
    }
}
