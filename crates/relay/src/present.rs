//! Turning stored rows into the wire types the widget reads.

use sidechat_domain::wire::{Attachment, Direction, Message, MessageError};

use crate::signing::UrlSigner;
use crate::store::{MessageRow, timestamp};

/// A stored message as the API shows it, with signed URLs for its files.
pub fn message(row: &MessageRow, signer: &UrlSigner) -> Message {
    let now = jiff::Timestamp::now().as_second();
    let (business, contact) = (row.business_phone.clone(), row.contact.clone());
    let direction = row.direction;
    let (from, to) = match direction {
        Direction::In => (contact, business),
        Direction::Out => (business, contact),
    };
    Message {
        id: row.id.clone(),
        direction,
        from,
        to,
        body: row.body.clone(),
        attachments: row
            .attachments
            .iter()
            .map(|a| Attachment {
                id: a.id.clone(),
                name: a.name.clone(),
                size: a.size.max(0) as u64,
                mime: a.mime.clone(),
                url: signer.url(&row.workspace, &a.id, now),
            })
            .collect(),
        status: row.status,
        error: row
            .error_code
            .as_ref()
            .map(|code| MessageError { code: code.clone(), message: row.error_message.clone().unwrap_or_default() }),
        timestamp: timestamp(row.created_at),
        author: row.author.clone(),
    }
}
