//! Reading TimelinesAI's answers leniently: phones with or without `+`, statuses in any case, times as seconds,
//! milliseconds or text.

use serde_json::Value;
use sidechat_domain::E164;
use sidechat_domain::wire::{DeliveryStatus, Sender};

/// The active accounts of a `/whatsapp_accounts` answer, as senders.
pub fn active_senders(body: &Value) -> Vec<Sender> {
    body["data"]["whatsapp_accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|account| account["status"].as_str().is_some_and(|s| s.eq_ignore_ascii_case("active")))
        .filter_map(|account| {
            let id = account["id"].as_str()?.to_owned();
            let phone = phone(&account["phone"])?;
            let label = account["account_name"]
                .as_str()
                .map(str::trim)
                .filter(|name| !name.is_empty())
                .map_or_else(|| phone.as_str().to_owned(), str::to_owned);
            Some(Sender { id, phone, label, provider: sidechat_domain::Provider::Timelines })
        })
        .collect()
}

/// A phone number as TimelinesAI writes it (`+49…`, `49…`, `+49 89 …`), in E.164.
pub fn phone(value: &Value) -> Option<E164> {
    let digits: String = value.as_str()?.chars().filter(char::is_ascii_digit).collect();
    E164::parse(&format!("+{digits}")).ok()
}

/// A status name from TimelinesAI (`Sent`, `DELIVERED`, `read`…), where the log tracks it.
pub fn parse_status(raw: &str) -> Option<DeliveryStatus> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "sent" => Some(DeliveryStatus::Sent),
        "delivered" => Some(DeliveryStatus::Delivered),
        "read" | "seen" => Some(DeliveryStatus::Read),
        "failed" | "error" => Some(DeliveryStatus::Failed),
        _ => None,
    }
}

/// The most advanced status in a status history (`[{status, timestamp}]`).
pub fn latest_status(history: &Value) -> Option<DeliveryStatus> {
    history
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| entry["status"].as_str().and_then(parse_status))
        .reduce(DeliveryStatus::merge)
}

/// A time (ms since the epoch) from seconds, milliseconds, RFC 3339 or `YYYY-MM-DD HH:MM:SS ±ZZZZ`.
pub fn millis(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    if let Some(n) = number {
        // Seconds until the year 5138; milliseconds beyond.
        return Some(if n < 100_000_000_000 { n.saturating_mul(1000) } else { n });
    }
    let text = value.as_str()?.trim();
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Some(at.as_millisecond());
    }
    ["%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S%.f %z"]
        .iter()
        .find_map(|format| jiff::Timestamp::strptime(format, text).ok())
        .map(|at| at.as_millisecond())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_active_accounts_become_senders() {
        let body = json!({"status": "ok", "data": {"whatsapp_accounts": [
            {"id": "4930901820@s.whatsapp.net", "phone": "+4930901820", "status": "active", "account_name": "Berlin"},
            {"id": "551133334444@s.whatsapp.net", "phone": "551133334444", "status": "Active", "account_name": ""},
            {"id": "4915112345678@s.whatsapp.net", "phone": "+4915112345678", "status": "disconnected"}
        ]}});
        let senders = active_senders(&body);
        let summary: Vec<(&str, &str, &str)> =
            senders.iter().map(|s| (s.id.as_str(), s.phone.as_str(), s.label.as_str())).collect();
        assert_eq!(
            summary,
            [
                ("4930901820@s.whatsapp.net", "+4930901820", "Berlin"),
                ("551133334444@s.whatsapp.net", "+551133334444", "+551133334444")
            ]
        );
    }

    #[test]
    fn statuses_in_any_case_and_the_most_advanced_wins() {
        assert_eq!(parse_status(" DELIVERED "), Some(DeliveryStatus::Delivered));
        assert_eq!(parse_status("Pending"), None);
        let history = json!([{"status": "Sent"}, {"status": "read"}, {"status": "Delivered"}, {"status": "Queued"}]);
        assert_eq!(latest_status(&history), Some(DeliveryStatus::Read));
        assert_eq!(latest_status(&json!([])), None);
    }

    #[test]
    fn times_in_the_forms_seen() {
        let expected = 1_763_785_800_000;
        for raw in [
            json!(1_763_785_800),
            json!(1_763_785_800_000_i64),
            json!("1763785800"),
            json!("2025-11-22T04:30:00Z"),
            json!("2025-11-22 05:30:00 +0100"),
        ] {
            assert_eq!(millis(&raw), Some(expected), "{raw}");
        }
        assert_eq!(millis(&json!("yesterday")), None);
    }
}
