//! The WhatsApp providers Sidechat sends through, and the rules that differ between them.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Which service carries a sender number's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// A local stand-in that plays a WhatsApp counterpart, for the demo and for trying Sidechat without an account.
    /// It follows the Cloud API's rules.
    Sandbox,
    /// Meta's WhatsApp Business Cloud API.
    Cloud,
    /// TimelinesAI, which drives WhatsApp Web numbers.
    Timelines,
}

impl Provider {
    /// Whether the provider allows free-form messages only within 24 hours of the customer's last message.
    /// Meta's Business API does; WhatsApp Web numbers (TimelinesAI) do not.
    pub fn enforces_window(self) -> bool {
        match self {
            Self::Sandbox | Self::Cloud => true,
            Self::Timelines => false,
        }
    }

    /// Whether the provider has approved message templates, the only thing it sends outside the window.
    pub fn has_templates(self) -> bool {
        self.enforces_window()
    }

    /// The provider's name for people.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Sandbox => "Sidechat sandbox",
            Self::Cloud => "WhatsApp Cloud API",
            Self::Timelines => "TimelinesAI",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.display_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_business_api_enforces_the_window() {
        assert!(Provider::Cloud.enforces_window());
        assert!(Provider::Sandbox.enforces_window());
        assert!(!Provider::Timelines.enforces_window());
        assert!(!Provider::Timelines.has_templates());
    }

    #[test]
    fn providers_travel_by_their_config_names() {
        let names: Vec<String> = [Provider::Sandbox, Provider::Cloud, Provider::Timelines]
            .iter()
            .map(|p| serde_json::to_string(p).unwrap())
            .collect();
        assert_eq!(names, ["\"sandbox\"", "\"cloud\"", "\"timelines\""]);
    }
}
