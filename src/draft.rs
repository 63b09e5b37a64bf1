//! What the Send button sends: the checks on a draft before it leaves the panel, and the requests it becomes.
//!
//! WhatsApp carries one file per message, so a draft with several files becomes several requests: the text
//! with the first file, then one request per further file. Each request has its own idempotency key derived
//! from the draft's, so a retry of the whole draft never sends any part twice. A request that attaches a file
//! of the CRM record names the record, which the relay reads the file from.

use sidechat_domain::Country;
use sidechat_domain::window::ServiceWindow;
use sidechat_domain::wire::{AttachmentRef, MAX_BODY_CHARS, RecordRef, SendRequest, TemplateSend};

/// Why a draft cannot be sent yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftProblem {
    /// No text, no file, no template.
    Empty,
    /// More than [`MAX_BODY_CHARS`] characters.
    TooLong,
    /// Free text or files while the 24-hour window is closed: only a template may go.
    WindowClosed,
}

/// Characters as WhatsApp and the relay count them: Unicode code points.
pub fn char_count(body: &str) -> usize {
    body.chars().count()
}

/// Whether the window lets free text through (a provider without a window always does).
pub fn free_text_allowed(window: Option<&ServiceWindow>) -> bool {
    window.is_none_or(|window| !window.enforced || window.open)
}

/// Checks a draft before sending.
pub fn check(
    body: &str,
    files: usize,
    template: Option<&TemplateSend>,
    window: Option<&ServiceWindow>,
) -> Result<(), DraftProblem> {
    if template.is_some() {
        return Ok(());
    }
    if !free_text_allowed(window) {
        return Err(DraftProblem::WindowClosed);
    }
    if char_count(body) > MAX_BODY_CHARS {
        return Err(DraftProblem::TooLong);
    }
    if body.trim().is_empty() && files == 0 {
        return Err(DraftProblem::Empty);
    }
    Ok(())
}

/// Who a draft goes to and from, and the record it is written on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The sender's id.
    pub from: String,
    /// The number as stored on the record.
    pub to: String,
    /// The chosen country, for a number stored without a country code.
    pub country: Option<Country>,
    /// The panel's record, whose files may be attached.
    pub record: RecordRef,
}

/// The requests a checked draft becomes, each with its idempotency key.
pub fn requests(
    key: &str,
    route: &Route,
    body: &str,
    files: Vec<AttachmentRef>,
    template: Option<TemplateSend>,
) -> Vec<(String, SendRequest)> {
    let request = |body: String, attachments: Vec<AttachmentRef>, template: Option<TemplateSend>| SendRequest {
        from: route.from.clone(),
        to: route.to.clone(),
        country: route.country,
        body,
        template,
        // Only with a record file: other requests stay as they were, byte for byte (and hash as before).
        record: attachments
            .iter()
            .any(|file| matches!(file, AttachmentRef::RecordFile { .. }))
            .then(|| route.record.clone()),
        attachments,
    };
    if template.is_some() {
        return vec![(key.to_owned(), request(String::new(), vec![], template))];
    }
    let mut files = files.into_iter();
    let first = request(body.to_owned(), files.next().into_iter().collect(), None);
    let mut all = vec![(key.to_owned(), first)];
    all.extend(
        files.enumerate().map(|(i, file)| (format!("{key}:{}", i + 2), request(String::new(), vec![file], None))),
    );
    all
}

#[cfg(test)]
mod tests;
