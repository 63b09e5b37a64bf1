//! The REST endpoints the relay reads, behind a Bearer token: `GET /api/v1/users/me`, v2 persons, deals and
//! field definitions (cursor paging), v1 file lists (offset paging), file items and downloads. Each answers as
//! the token's user sees the company's records.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{Value, json};

use super::shapes::{self, error, ok, page};
use super::state::{Holder, Shared};
use super::world::{Company, User};
use crate::assumptions::{
    PIPEDRIVE_BAD_CURSOR, PIPEDRIVE_DOWNLOAD_CONTENT_TYPE, PIPEDRIVE_EMPTY_FILE_LIST_IS_NULL,
    PIPEDRIVE_FILE_LIST_NEEDS_THE_RECORD, PIPEDRIVE_HIDDEN_RECORD_FORBIDDEN, PIPEDRIVE_HIDDEN_RECORD_IS_MISSING,
    PIPEDRIVE_LIMIT_TOO_HIGH, PIPEDRIVE_NOT_FOUND, PIPEDRIVE_PAGES_MAY_BE_SHORT, PIPEDRIVE_TOKEN_REFUSED,
    PIPEDRIVE_UNAVAILABLE_BODY,
};
use crate::server::BaseUrl;

/// The most items of a v2 cursor list (PD-PAG) and its default.
const CURSOR_LIMIT: (usize, usize) = (500, 100);
/// The most files of a v1 file list (`crm-hosts.md` §1.6) and its default.
const FILE_LIMIT: (usize, usize) = (100, 100);

type Params = Query<HashMap<String, String>>;

/// Lets a call through with a valid access token, noting it; refuses (and counts) the others; answers 503 for
/// a path the world marks unavailable.
pub(super) async fn authorize(State(shared): State<Arc<Shared>>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let token = bearer(request.headers());
    let holder =
        token.and_then(|token| shared.access_holder(token)).filter(|h| shared.as_holder(*h, |_, _| ()).is_some());
    let Some(holder) = holder else {
        Shared::count(&shared.unauthorized);
        return error(PIPEDRIVE_TOKEN_REFUSED, "");
    };
    shared.record_call(&path, holder);
    if shared.world().unavailable.contains(&path) {
        return (StatusCode::SERVICE_UNAVAILABLE, PIPEDRIVE_UNAVAILABLE_BODY).into_response();
    }
    request.extensions_mut().insert(holder);
    next.run(request).await
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "))
}

/// Runs `answer` as the caller's user in its company.
fn as_caller(shared: &Shared, holder: Holder, answer: impl FnOnce(&Company, &User) -> Response) -> Response {
    shared.as_holder(holder, answer).unwrap_or_else(|| error(PIPEDRIVE_TOKEN_REFUSED, ""))
}

/// The answer for a `kind` of record the user cannot read: missing, or there but hidden from them.
fn unreadable(kind: &str, exists: bool) -> Response {
    if exists && !PIPEDRIVE_HIDDEN_RECORD_IS_MISSING {
        return error(PIPEDRIVE_HIDDEN_RECORD_FORBIDDEN, kind);
    }
    error(PIPEDRIVE_NOT_FOUND, kind)
}

/// `GET /api/v1/users/me`.
pub(super) async fn users_me(State(shared): State<Arc<Shared>>, Extension(holder): Extension<Holder>) -> Response {
    as_caller(&shared, holder, |company, user| ok(shapes::me(user, company)))
}

/// `GET /api/v2/persons/{id}`.
pub(super) async fn person(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    Path(id): Path<u64>,
) -> Response {
    as_caller(&shared, holder, |company, user| match company.visible_person(id, user) {
        Some(person) => ok(shapes::person(person)),
        None => unreadable("Person", company.persons.iter().any(|p| p.id == id)),
    })
}

/// `GET /api/v2/deals/{id}`.
pub(super) async fn deal(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    Path(id): Path<u64>,
) -> Response {
    as_caller(&shared, holder, |company, user| match company.visible_deal(id, user) {
        Some(deal) => ok(shapes::deal(deal)),
        None => unreadable("Deal", company.deals.iter().any(|d| d.id == id)),
    })
}

/// `GET /api/v2/personFields`.
pub(super) async fn person_fields(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    Query(query): Params,
) -> Response {
    as_caller(&shared, holder, |company, _| {
        let fields: Vec<Value> = company.person_fields.iter().map(shapes::definition).collect();
        cursor_page(&shared, &fields, company.field_page_size, &query)
    })
}

/// `GET /api/v2/dealFields`.
pub(super) async fn deal_fields(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    Query(query): Params,
) -> Response {
    as_caller(&shared, holder, |company, _| {
        let fields: Vec<Value> = company.deal_fields.iter().map(shapes::definition).collect();
        cursor_page(&shared, &fields, company.field_page_size, &query)
    })
}

/// `limit` from the query: its default when absent, `None` (noted as a problem) when above `max` or unreadable.
fn limit(shared: &Shared, query: &HashMap<String, String>, (max, default): (usize, usize)) -> Option<usize> {
    let Some(raw) = query.get("limit") else { return Some(default) };
    let limit = raw.parse::<usize>().ok().filter(|limit| (1..=max).contains(limit));
    if limit.is_none() {
        shared.problem(format!("limit was {raw}, the most is {max}"));
    }
    limit
}

/// One page of a v2 list: from the cursor's position, at most `limit` items (fewer when pages are short).
fn cursor_page(shared: &Shared, items: &[Value], page_size: usize, query: &HashMap<String, String>) -> Response {
    let Some(mut size) = limit(shared, query, CURSOR_LIMIT) else { return error(PIPEDRIVE_LIMIT_TOO_HIGH, "") };
    if PIPEDRIVE_PAGES_MAY_BE_SHORT {
        size = size.min(page_size.max(1));
    }
    let start = match query.get("cursor") {
        None => 0,
        Some(cursor) => match decode_cursor(cursor).filter(|start| *start < items.len()) {
            Some(start) => start,
            None => {
                shared.problem(format!("unknown cursor {cursor}"));
                return error(PIPEDRIVE_BAD_CURSOR, "");
            }
        },
    };
    let end = (start + size).min(items.len());
    let next = (end < items.len()).then(|| encode_cursor(end));
    page(Value::Array(items[start..end].to_vec()), json!({"next_cursor": next}))
}

// Cursors are opaque to clients (PD-PAG); the stand-in's hold the next item's position.
fn encode_cursor(start: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("start:{start}"))
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    let raw = base64::engine::general_purpose::STANDARD.decode(cursor).ok()?;
    String::from_utf8(raw).ok()?.strip_prefix("start:")?.parse().ok()
}

/// `GET /api/v1/persons/{id}/files`.
pub(super) async fn person_files(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    BaseUrl(api_domain): BaseUrl,
    Path(id): Path<u64>,
    Query(query): Params,
) -> Response {
    as_caller(&shared, holder, |company, user| {
        if PIPEDRIVE_FILE_LIST_NEEDS_THE_RECORD && company.visible_person(id, user).is_none() {
            return unreadable("Person", company.persons.iter().any(|p| p.id == id));
        }
        file_list(&shared, company, user, company.files_of(Some(id), None), &api_domain, &query)
    })
}

/// `GET /api/v1/deals/{id}/files`.
pub(super) async fn deal_files(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    BaseUrl(api_domain): BaseUrl,
    Path(id): Path<u64>,
    Query(query): Params,
) -> Response {
    as_caller(&shared, holder, |company, user| {
        if PIPEDRIVE_FILE_LIST_NEEDS_THE_RECORD && company.visible_deal(id, user).is_none() {
            return unreadable("Deal", company.deals.iter().any(|d| d.id == id));
        }
        file_list(&shared, company, user, company.files_of(None, Some(id)), &api_domain, &query)
    })
}

/// A v1 list of the files the user sees, offset-paged by `start` and `limit`.
fn file_list(
    shared: &Shared,
    company: &Company,
    user: &User,
    files: Vec<&super::records::File>,
    api_domain: &str,
    query: &HashMap<String, String>,
) -> Response {
    let Some(limit) = limit(shared, query, FILE_LIMIT) else { return error(PIPEDRIVE_LIMIT_TOO_HIGH, "") };
    let start = query.get("start").and_then(|s| s.parse::<usize>().ok()).unwrap_or(0);
    let visible: Vec<Value> = files
        .into_iter()
        .filter(|file| company.visible_file(file.id, user).is_some())
        .map(|file| shapes::file(file, api_domain))
        .collect();
    let more = visible.len() > start + limit;
    let items: Vec<Value> = visible.into_iter().skip(start).take(limit).collect();
    let data = if items.is_empty() && PIPEDRIVE_EMPTY_FILE_LIST_IS_NULL { Value::Null } else { Value::Array(items) };
    // PD-PAG nests these under `pagination`; the SDK's model of this answer has them directly in
    // `additional_data`. The stand-in follows the documentation page (the relay reads neither).
    let mut pagination = json!({"start": start, "limit": limit, "more_items_in_collection": more});
    if more {
        pagination["next_start"] = (start + limit).into();
    }
    page(data, json!({"pagination": pagination}))
}

/// `GET /api/v1/files/{id}`.
pub(super) async fn file(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    BaseUrl(api_domain): BaseUrl,
    Path(id): Path<u64>,
) -> Response {
    as_caller(&shared, holder, |company, user| match company.visible_file(id, user) {
        Some(file) => ok(shapes::file(file, &api_domain)),
        None => unreadable("File", company.files.iter().any(|f| f.id == id)),
    })
}

/// `GET /api/v1/files/{id}/download`: the bytes; a file listed without bytes is one no client should fetch.
pub(super) async fn download(
    State(shared): State<Arc<Shared>>,
    Extension(holder): Extension<Holder>,
    Path(id): Path<u64>,
) -> Response {
    shared.count_download(id);
    as_caller(&shared, holder, |company, user| match company.visible_file(id, user) {
        Some(file) => match &file.content {
            Some(bytes) => ([("content-type", PIPEDRIVE_DOWNLOAD_CONTENT_TYPE)], bytes.clone()).into_response(),
            None => {
                shared.problem(format!("file {id} was downloaded: its listed size is over every limit"));
                StatusCode::INTERNAL_SERVER_ERROR.into_response()
            }
        },
        None => unreadable("File", company.files.iter().any(|f| f.id == id)),
    })
}
