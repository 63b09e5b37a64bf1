//! Grouping messages per contact per calendar day, for syncing conversations into the CRM (seeds 000, 003):
//! one Pipedrive activity or one Zoho note per contact per day.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::e164::E164;
use crate::wire::Message;

/// One contact's messages on one calendar day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatDay<'a> {
    /// The customer's number.
    pub contact: E164,
    /// The calendar day, in the time zone grouped in.
    pub date: Date,
    /// The messages, oldest first.
    pub messages: Vec<&'a Message>,
}

/// Groups messages per contact and calendar day in `zone`, ordered by contact then day, each day's messages
/// oldest first (messages at the same instant keep their input order).
pub fn group_by_contact_day<'a>(messages: &'a [Message], zone: &TimeZone) -> Vec<ChatDay<'a>> {
    let mut keyed: Vec<(&E164, Date, &Message)> =
        messages.iter().map(|m| (m.contact(), m.timestamp.to_zoned(zone.clone()).date(), m)).collect();
    keyed.sort_by(|a, b| (a.0, a.1, a.2.timestamp).cmp(&(b.0, b.1, b.2.timestamp)));

    let mut days: Vec<ChatDay<'a>> = Vec::new();
    for (contact, date, message) in keyed {
        match days.last_mut() {
            Some(day) if &day.contact == contact && day.date == date => day.messages.push(message),
            _ => days.push(ChatDay { contact: contact.clone(), date, messages: vec![message] }),
        }
    }
    days
}

/// The Zoho note title for a day's chat: `WhatsApp chat with [Name] (DD/MM/YYYY)`.
pub fn note_title(name: &str, date: Date) -> String {
    format!("WhatsApp chat with {} ({:02}/{:02}/{:04})", name.trim(), date.day(), date.month(), date.year())
}

#[cfg(test)]
mod tests;
