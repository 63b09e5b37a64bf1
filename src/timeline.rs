//! The conversation as the panel shows it: messages in time order, merged from the relay's answer, the live
//! event stream and the panel's own sends, whichever arrives first. Statuses only move forward
//! (`DeliveryStatus::merge`), so a late or repeated event never undoes a newer one.

use sidechat_domain::wire::{DeliveryStatus, Message, StatusEvent};

/// The prefix of a message the panel shows before the relay has answered its send.
const LOCAL_PREFIX: &str = "local:";

/// The messages with one number, oldest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    messages: Vec<Message>,
}

impl Timeline {
    /// A timeline of the relay's messages (already oldest first, but sorted again to be sure).
    pub fn new(messages: Vec<Message>) -> Self {
        let mut timeline = Self::default();
        for message in messages {
            timeline.upsert(message);
        }
        timeline
    }

    /// The messages, oldest first.
    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Adds a message, or merges it into the one with its id (its status only moves forward).
    pub fn upsert(&mut self, message: Message) {
        if let Some(known) = self.messages.iter_mut().find(|m| m.id == message.id) {
            let status = known.status.merge(message.status);
            let error = if status == DeliveryStatus::Failed { message.error.or(known.error.take()) } else { None };
            *known = Message { status, error, ..message };
            return;
        }
        let at = self.messages.partition_point(|m| m.timestamp <= message.timestamp);
        self.messages.insert(at, message);
    }

    /// Applies a status event to its message, if the panel shows it.
    pub fn apply(&mut self, event: &StatusEvent) {
        if let Some(known) = self.messages.iter_mut().find(|m| m.id == event.id) {
            known.status = known.status.merge(event.status);
            known.error =
                if known.status == DeliveryStatus::Failed { event.error.clone().or(known.error.take()) } else { None };
        }
    }

    /// Shows a message the panel is sending, under the id [`local_id`] gives its key.
    pub fn add_local(&mut self, message: Message) {
        self.upsert(message);
    }

    /// Replaces the stand-in for `key` with the relay's message.
    pub fn confirm_local(&mut self, key: &str, message: Message) {
        self.drop_local(key);
        self.upsert(message);
    }

    /// Removes the stand-in for `key` (the relay did not take it; the text stays in the message box).
    pub fn drop_local(&mut self, key: &str) {
        let id = local_id(key);
        self.messages.retain(|m| m.id != id);
    }
}

/// The id the panel shows a message under while its send is under way.
pub fn local_id(key: &str) -> String {
    format!("{LOCAL_PREFIX}{key}")
}

/// Messages in runs of the same day, for day separators; `day_of` names a message's day in the user's zone.
pub fn by_day(messages: &[Message], day_of: impl Fn(&Message) -> String) -> Vec<(String, Vec<&Message>)> {
    let mut days: Vec<(String, Vec<&Message>)> = Vec::new();
    for message in messages {
        let day = day_of(message);
        match days.last_mut() {
            Some((last, run)) if *last == day => run.push(message),
            _ => days.push((day, vec![message])),
        }
    }
    days
}

#[cfg(test)]
mod tests;
