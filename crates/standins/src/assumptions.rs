//! What the stand-ins do that no source document states: each item says what is assumed and why, and the code
//! doing it uses the item. Everything else they do follows the vendors' documentation as summarised in
//! `crm-sync-apis.md` (Pipedrive, with the Node SDK `pipedrive/client-nodejs` it cites), `crm-hosts.md` (§1.6,
//! Pipedrive's REST API) and `whatsapp-and-peers.md` (A1 Graph, A2 TimelinesAI).
//!
//! When a stand-in must do something and the sources are silent, the choice here is the one the relay's clients
//! already cope with, or the plainest reading of the documented shape. Finding a source for one of these turns
//! it into a documented behaviour: fix the stand-in if it differs, and remove the item.

use std::time::Duration;

// ---------------------------------------------------------------------------------------------------- Pipedrive

/// How Pipedrive answers an error: HTTP status and the fields of the JSON body.
#[derive(Debug, Clone, Copy)]
pub struct PipedriveError {
    /// The HTTP status.
    pub status: u16,
    /// `error`: documented as the failure's message, its wording is not.
    pub error: &'static str,
    /// `errorCode`, when the answer carries one.
    pub error_code: Option<u16>,
    /// `error_info`.
    pub error_info: &'static str,
}

impl PipedriveError {
    /// The body: `{success: false, error, errorCode?, error_info, data: null}`, `{kind}` in `error` replaced.
    pub fn body(&self, kind: &str) -> serde_json::Value {
        let mut body = serde_json::json!({
            "success": false, "error": self.error.replace("{kind}", kind), "error_info": self.error_info, "data": null,
        });
        if let Some(code) = self.error_code {
            body["errorCode"] = code.into();
        }
        body
    }
}

/// A missing, expired or revoked access token: `401`. Documented: 401 means an invalid token (PD-CODES) and a
/// failure is `{success: false, error}` (the SDK's `FailResponse`). Assumed: the wording, `errorCode`,
/// `error_info` and `data: null`.
pub const PIPEDRIVE_TOKEN_REFUSED: PipedriveError = PipedriveError {
    status: 401,
    error: "unauthorized access",
    error_code: Some(401),
    error_info: "Please check developers.pipedrive.com for more information about Pipedrive API.",
};

/// A record or file that is not there: `404` with `error` = `"<Kind> not found"` (`{kind}` is replaced), an
/// empty `error_info` and `data: null`. Documented: the status and `{success: false, error}`; assumed: the rest.
pub const PIPEDRIVE_NOT_FOUND: PipedriveError =
    PipedriveError { status: 404, error: "{kind} not found", error_code: None, error_info: "" };

/// A record the user may not see answers exactly as a missing one (the 404 above), not 403: a user is not told
/// that a record they cannot see exists. No source we hold states it.
pub const PIPEDRIVE_HIDDEN_RECORD_IS_MISSING: bool = true;

/// The answer to a record hidden from the user if [`PIPEDRIVE_HIDDEN_RECORD_IS_MISSING`] were false.
pub const PIPEDRIVE_HIDDEN_RECORD_FORBIDDEN: PipedriveError = PipedriveError {
    status: 403,
    error: "You do not have permission to view this item",
    error_code: None,
    error_info: "",
};

/// The `visible_to` value that limits a record to its owner. The sources list the values a record may carry
/// (`1|3|5|7`, for leads) but not what each means; assumed: `1` the owner (and followers, not modelled),
/// `3` the entire company, `5` and `7` visibility groups, which the stand-in does not model: every user of the
/// company sees those.
pub const PIPEDRIVE_OWNER_ONLY_VISIBILITY: u8 = 1;

/// Admins see every record of their company, whatever its `visible_to`. Not in the sources we hold.
pub const PIPEDRIVE_ADMINS_SEE_EVERY_RECORD: bool = true;

/// Files carry no `visible_to` in the documented models. Assumed: a user sees a file when they see a person or
/// deal it is attached to; a file attached to neither is seen by every user of the company.
pub fn pipedrive_file_visibility(person_visible: Option<bool>, deal_visible: Option<bool>) -> bool {
    match (person_visible, deal_visible) {
        (None, None) => true,
        (person, deal) => person == Some(true) || deal == Some(true),
    }
}

/// Whether the file list of a person or deal the user cannot read (missing, or hidden from them) answers as the
/// record does (404). Not in the sources; assumed not: it is an empty list (the files of a hidden record are
/// hidden with it, see [`pipedrive_file_visibility`]). The relay reads a record and its files at once, and its
/// tests expect the record's own answer (a 503, say) to decide the outcome.
pub const PIPEDRIVE_FILE_LIST_NEEDS_THE_RECORD: bool = false;

/// An empty v1 file list has `data: null`, not `[]`. The SDK types `data` as an array; the relay was written
/// against `null` and reads both, so the stand-in sends the less convenient one.
pub const PIPEDRIVE_EMPTY_FILE_LIST_IS_NULL: bool = true;

/// A download answers its bytes as `application/octet-stream`, whatever the file's type: the sources say
/// nothing of the download's headers.
pub const PIPEDRIVE_DOWNLOAD_CONTENT_TYPE: &str = "application/octet-stream";

/// A file item's `url`: documented as "the URL of the download file"; its form is assumed to be the API's own
/// download path.
pub fn pipedrive_file_url(api_domain: &str, file_id: u64) -> String {
    format!("{api_domain}/api/v1/files/{file_id}/download")
}

/// A request path the data set marks unavailable answers `503` with this plain-text body. Documented: 503
/// during maintenance (PD-CODES); assumed: the body.
pub const PIPEDRIVE_UNAVAILABLE_BODY: &str = "upstream overloaded";

/// A v2 list page may hold fewer items than `limit` while `next_cursor` still points further: clients must
/// follow the cursor, not count items. The pagination page (PD-PAG) does not promise full pages; the stand-in
/// uses this to make clients read several pages of a short list.
pub const PIPEDRIVE_PAGES_MAY_BE_SHORT: bool = true;

/// A cursor the stand-in did not issue: `400` `{success: false, error: "bad cursor"}`. Cursors are opaque in
/// PD-PAG; what an unknown one gets is assumed.
pub const PIPEDRIVE_BAD_CURSOR: PipedriveError =
    PipedriveError { status: 400, error: "bad cursor", error_code: None, error_info: "" };

/// A `limit` above the documented maximum (500 for v2 cursor lists, PD-PAG; 100 for file lists, `crm-hosts.md`
/// §1.6): `400`. Whether Pipedrive refuses or clamps is not stated; refusing shows a client that asks too much.
pub const PIPEDRIVE_LIMIT_TOO_HIGH: PipedriveError =
    PipedriveError { status: 400, error: "limit is above the maximum", error_code: None, error_info: "" };

/// `GET /v1/users/me` still carries `is_admin` (`1`/`0`) beside the documented `access` list: the SDK's
/// changelog deprecated the field in 2022 without saying it was removed, and older clients read it.
pub const PIPEDRIVE_ME_CARRIES_IS_ADMIN: bool = true;

/// Pipedrive's uninstall call (a `DELETE` with JSON `{client_id, company_id, user_id, timestamp}` to the app's
/// callback URL, documented in "Handling user app uninstallation") carries the app's client id and secret as HTTP
/// Basic credentials. The page says what the body holds, not how the call proves it comes from Pipedrive; Basic
/// client credentials are what Pipedrive's OAuth server takes from the app in the other direction. The relay
/// refuses an uninstall call without them (`crm::pipedrive::uninstall`), and its tests make the call this way.
pub const PIPEDRIVE_UNINSTALL_BASIC_AUTH: bool = true;

/// `is_admin` in `GET /v1/users/me` is a number, `1` or `0` (as Pipedrive's v1 API writes flags), not a JSON
/// boolean. The relay reads either.
pub const PIPEDRIVE_IS_ADMIN_IS_A_NUMBER: bool = true;

/// The token endpoint's answer to a request without the app's Basic credentials: `401`
/// `{success: false, message: "Invalid client"}`. The sources document the credentials, not the refusal.
pub const PIPEDRIVE_INVALID_CLIENT: (u16, &str) = (401, "Invalid client");

/// The token endpoint's answer to an unknown, used or revoked code or refresh token, a `redirect_uri` other
/// than the app's, or an unknown grant type: `400` `{success: false, message: "Invalid grant"}`. Assumed, as
/// above; OAuth 2.0 (RFC 6749 §5.2) names the status, not Pipedrive's body.
pub const PIPEDRIVE_INVALID_GRANT: (u16, &str) = (400, "Invalid grant");

/// A code is traded with the `redirect_uri` the app registered, and only with it: OAuth 2.0's rule (RFC 6749
/// §4.1.3), assumed enforced by Pipedrive.
pub const PIPEDRIVE_REDIRECT_URI_MUST_MATCH: bool = true;

/// An authorization code is traded once; the stand-in's codes never lapse with time (their lifetime at
/// Pipedrive is not in the sources, and no test waits for one to expire).
pub const PIPEDRIVE_CODE_IS_SINGLE_USE: bool = true;

/// A refresh grant returns a new refresh token and the old one stops working. The documented token answer
/// carries a `refresh_token`; whether the old one survives is not stated.
pub const PIPEDRIVE_REFRESH_TOKEN_ROTATES: bool = true;

/// The `expires_in` of new access tokens (seconds). The field is documented, its value is not; the stand-in
/// never expires a token by time (tests revoke them instead).
pub const PIPEDRIVE_ACCESS_TOKEN_SECONDS: u64 = 3599;

/// The `scope` of new tokens: the scopes the relay needs, comma-separated (the separator is assumed).
pub const PIPEDRIVE_GRANTED_SCOPE: &str = "base,deals:read,contacts:read";

// ------------------------------------------------------------------------------------------- Uploads

/// The most an upload to Graph or TimelinesAI may carry, its form parts included: both take files of up to
/// 100 MB (documented); the room above it for the form's other parts is assumed.
pub const MAX_UPLOAD_BYTES: u64 = 101 * 1024 * 1024;

/// An upload over [`MAX_UPLOAD_BYTES`] is refused with `413` as soon as it passes the limit, in each service's
/// error body. The sources give the limit, not the answer past it.
pub const UPLOAD_TOO_LARGE_STATUS: u16 = 413;

// ------------------------------------------------------------------------------------------- Meta's Graph API

/// The Graph API version in the stand-in's paths (`/v23.0/…`): the sources write `vNN.N`.
pub const GRAPH_API_VERSION: &str = "v23.0";

/// How Graph answers an error: `{error: {message, type: "OAuthException", code, error_data: {messaging_product,
/// details}, fbtrace_id}}`. The sources cite error codes (130429, 131026…) but not the body around them.
pub fn graph_error_body(code: i64, message: &str) -> serde_json::Value {
    serde_json::json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message}, "fbtrace_id": "AbCdEf"}})
}

/// A wrong or missing token: `401` with error code 190. Assumed.
pub const GRAPH_INVALID_TOKEN: (u16, i64, &str) = (401, 190, "Invalid OAuth access token");

/// A request naming an unknown phone number id, media id, or an upload missing its parts: error code 100 with
/// `400` (post) or `404` (get). Assumed.
pub const GRAPH_UNSUPPORTED_REQUEST: i64 = 100;

/// A token asking for an object of another business, or one that does not exist: `400` with error code 100 and
/// Graph's "Unsupported {get|post} request. Object with ID '…' does not exist, cannot be loaded due to missing
/// permissions, or does not support this operation". The sources quote the code, not the status or the words.
pub fn graph_not_reachable(method: &str, id: &str) -> (u16, i64, String) {
    (
        400,
        GRAPH_UNSUPPORTED_REQUEST,
        format!(
            "Unsupported {method} request. Object with ID '{id}' does not exist, cannot be loaded due to missing \
             permissions, or does not support this operation"
        ),
    )
}

/// The errors the stand-in answers a send with in its fault mode ([`crate::graph::Faults`]), as (status, code,
/// message): throttling (130429 as a `400`, 80007 as a `429`) and the server errors Graph gives under load (`500`
/// with code 1, `503` with code 2). The sources name the codes and say Graph answers 429 and 503 under load; which
/// status carries which code is assumed, and so is that a call refused this way sent nothing.
pub const GRAPH_FAULTS: [(u16, i64, &str); 4] = [
    (400, 130429, "Rate limit hit"),
    (429, 80007, "Rate limit issues"),
    (500, 1, "An unknown error occurred"),
    (503, 2, "Service temporarily unavailable"),
];

/// `GET /{phone_number_id}` writes `display_phone_number` as people read it (`+49 40 123456780`): a `+`, the
/// country code, a space, the rest. The sources show one example with spaces and dashes, not the rule.
pub fn graph_display_number(e164: &str) -> String {
    let digits = e164.trim_start_matches('+');
    let split = if digits.starts_with('1') || digits.starts_with('7') { 1 } else { 2 };
    format!("+{} {}", &digits[..split], &digits[split..])
}

/// `POST /{waba_id}/subscribed_apps` answers `{"success": true}`, whether or not the app was subscribed before.
/// Documented for the success; assumed to be idempotent.
pub fn graph_subscribed_answer() -> serde_json::Value {
    serde_json::json!({"success": true})
}

/// Where an inbound media file's bytes are fetched: the sources say "a short-lived URL fetched with the Bearer
/// token"; the stand-in serves it itself at `/{version}/files/{media_id}`.
pub fn graph_media_url(base: &str, media_id: &str) -> String {
    format!("{base}/files/{media_id}")
}

/// `GET /{waba_id}/message_templates` answers `{data: [{name, language, status, category, id, components}],
/// paging: {cursors: {before, after}}}`, all in one page. The sources document sending templates, not listing
/// them.
pub fn graph_template_page(templates: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"data": templates, "paging": {"cursors": {"before": "a", "after": "b"}}})
}

// -------------------------------------------------------------------------------------------------- TimelinesAI

/// The errors the stand-in answers a send with in its fault mode: `429` (with `Retry-After`), `500` and `502`. The
/// sources document 429 for the rate limit; the server errors, and that a refused send sent nothing, are assumed.
pub const TIMELINES_FAULTS: [(u16, &str); 3] =
    [(429, "Too many requests"), (500, "Internal server error"), (502, "Bad gateway")];

/// While a paced message waits for its turn (the sources: "~2 s random delay between sends, excess queued"), its
/// status history is empty and it is not in the chat history yet. The sources say nothing of a queued message's
/// status.
pub const TIMELINES_QUEUED_STATUSES: [&str; 0] = [];

/// Every TimelinesAI error answers `{status: "error", message}`: documented for 401, assumed for the others.
pub fn timelines_error_body(message: &str) -> serde_json::Value {
    serde_json::json!({"status": "error", "message": message})
}

/// A throttled request (`429`, documented) says when to retry: `Retry-After` is assumed, at one second.
pub const TIMELINES_RETRY_AFTER: Duration = Duration::from_secs(1);

/// `GET /chats?phone=` keeps the chats with exactly that phone. The sources say clients pass `phone`, not that
/// the API filters on it.
pub const TIMELINES_CHATS_FILTER_BY_PHONE: bool = true;

/// `GET /chats/{id}/messages?after=` keeps the messages after that time, given in RFC 3339; the sources name the
/// filter, not its format. (The relay also filters by time itself and deduplicates by uid.)
pub const TIMELINES_MESSAGES_AFTER_RFC3339: bool = true;

/// Lists (`/chats`, `/chats/{id}/messages`) come a page of [`TIMELINES_PAGE_SIZE`] at a time, with
/// `has_more_pages`; the sources show `page` and `has_more_pages`, not the page size.
pub const TIMELINES_PAGE_SIZE: usize = 50;

/// A message sent through the API enters the chat history with `status: "Sent"`, `origin: "Public API"` and
/// `message_type: "whatsapp"`, and its status history starts with `Sent`. The history's fields are assumed.
pub const TIMELINES_SENT_STATUS: &str = "Sent";

/// The origin of messages sent through the API in the chat history.
pub const TIMELINES_API_ORIGIN: &str = "Public API";

/// A send naming a `whatsapp_account_phone` of no active account: `400` "No active WhatsApp account with this
/// phone". Assumed.
pub const TIMELINES_UNKNOWN_ACCOUNT: &str = "No active WhatsApp account with this phone";

/// `GET /messages/{uid}/status_history` answers the documented `[{status, timestamp}]` inside the usual
/// `{status: "ok", data}` envelope. Assumed.
pub const TIMELINES_STATUS_HISTORY_ENVELOPED: bool = true;

// ----------------------------------------------------------------------------------------------------- Zoho

/// An access token lives an hour (`expires_in: 3600`, documented for the refresh answer; assumed for the code's).
pub const ZOHO_ACCESS_TOKEN_SECONDS: u64 = 3600;

/// A refused token request answers HTTP 200 with `{"error": "invalid_code"}` (or `invalid_client`…), not an HTTP
/// error. The sources name the error values, not the status.
pub fn zoho_token_error(error: &str) -> axum::response::Response {
    axum::response::IntoResponse::into_response(axum::Json(serde_json::json!({"error": error})))
}

/// Once an administrator deactivates a user, refreshing that user's token fails (`invalid_code`), and a token still
/// alive reads the user with `status: "disabled"`. The sources list the statuses, not what deactivation does to
/// tokens.
pub const ZOHO_DEACTIVATED_USER_REFRESH_FAILS: bool = true;

/// A call with an unknown or expired token: 401 `{"code": "INVALID_TOKEN", "message": "invalid oauth token"}`
/// (the code is documented, the words assumed).
pub const ZOHO_INVALID_TOKEN: (&str, &str) = ("INVALID_TOKEN", "invalid oauth token");
