//! The demo CRM: persons, deals, their fields and files, answered in the shapes Pipedrive's API documents
//! (v2 persons, deals and field definitions; v1 files), behind a Bearer token like the real one.

use axum::Json;
use axum::Router;
use axum::extract::{Path, Request};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

use super::DEMO_ACCESS_TOKEN;
use super::seed::{DEALS, FILES, PEOPLE, file_bytes, file_size};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/users/me", get(users_me))
        .route("/api/v2/persons/{id}", get(person))
        .route("/api/v2/deals/{id}", get(deal))
        .route("/api/v2/personFields", get(person_fields))
        .route("/api/v2/dealFields", get(deal_fields))
        .route("/api/v1/persons/{id}/files", get(person_files))
        .route("/api/v1/deals/{id}/files", get(deal_files))
        .route("/api/v1/files/{id}", get(file))
        .route("/api/v1/files/{id}/download", get(download))
        .layer(axum::middleware::from_fn(authorized))
}

/// The custom field "Preferred language" of persons.
const LANGUAGE_KEY: &str = "5b3f0d6c2a9e4f1b8c7d6e5f4a3b2c1d0e9f8a7b";
/// The custom field "Installation date" of deals.
const INSTALL_KEY: &str = "a1c3e5f7b9d2f4a6c8e0b2d4f6a8c0e2b4d6f8a0";

/// Every call needs the demo company's access token, as Pipedrive's API needs a real one.
async fn authorized(request: Request, next: Next) -> Response {
    let expected = format!("Bearer {DEMO_ACCESS_TOKEN}");
    if request.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()) == Some(expected.as_str()) {
        next.run(request).await
    } else {
        (StatusCode::UNAUTHORIZED, Json(json!({"success": false, "error": "unauthorized access", "errorCode": 401})))
            .into_response()
    }
}

fn ok(data: Value) -> Response {
    Json(json!({"success": true, "data": data})).into_response()
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({"success": false, "error": "Not found", "errorCode": 404}))).into_response()
}

async fn users_me() -> Response {
    ok(
        json!({"id": super::DEMO_USER_ID, "name": "Demo User", "email": "demo@example.com", "company_id": super::DEMO_COMPANY_ID,
        "company_name": "Sidechat Demo", "company_domain": "sidechat-demo"}),
    )
}

async fn person(Path(id): Path<u64>) -> Response {
    let Some(p) = PEOPLE.iter().find(|p| p.id == id) else { return not_found() };
    let phones: Vec<Value> = p
        .phones
        .iter()
        .map(|(label, value, primary)| json!({"label": label, "value": value, "primary": primary}))
        .collect();
    ok(json!({
        "id": p.id, "name": format!("{} {}", p.first_name, p.last_name), "first_name": p.first_name, "last_name": p.last_name,
        "owner_id": super::DEMO_USER_ID, "org_id": null, "add_time": "2026-09-01T09:00:00Z", "update_time": "2026-11-01T09:00:00Z",
        "emails": [{"label": "work", "value": p.email, "primary": true}], "phones": phones, "is_deleted": false,
        "visible_to": 3, "label_ids": [], "picture_id": null, "custom_fields": {LANGUAGE_KEY: p.language},
    }))
}

async fn deal(Path(id): Path<u64>) -> Response {
    let Some(d) = DEALS.iter().find(|d| d.id == id) else { return not_found() };
    ok(json!({
        "id": d.id, "title": d.title, "creator_user_id": super::DEMO_USER_ID, "owner_id": super::DEMO_USER_ID,
        "value": d.value, "currency": d.currency, "person_id": d.person_id, "org_id": null, "stage_id": 1, "pipeline_id": 1,
        "status": "open", "add_time": "2026-10-01T09:00:00Z", "update_time": "2026-11-01T09:00:00Z", "is_deleted": false,
        "visible_to": 3, "label_ids": [], "custom_fields": {INSTALL_KEY: d.installation_date},
    }))
}

fn definition(code: &str, name: &str) -> Value {
    json!({"field_name": name, "field_code": code, "field_type": "varchar", "options": null, "subfields": null,
        "is_custom_field": true, "is_optional_response_field": false})
}

async fn person_fields() -> Response {
    Json(json!({"success": true, "data": [definition(LANGUAGE_KEY, "Preferred language")], "additional_data": {"next_cursor": null}}))
        .into_response()
}

async fn deal_fields() -> Response {
    Json(json!({"success": true, "data": [definition(INSTALL_KEY, "Installation date")], "additional_data": {"next_cursor": null}}))
        .into_response()
}

fn file_item(id: u64) -> Option<Value> {
    let f = FILES.iter().find(|f| f.id == id)?;
    Some(json!({
        "id": f.id, "user_id": super::DEMO_USER_ID, "deal_id": f.deal_id, "person_id": f.person_id, "org_id": null,
        "product_id": null, "activity_id": null, "lead_id": null, "add_time": "2026-10-02 09:00:00",
        "update_time": "2026-10-02 09:00:00", "file_name": f.name, "file_size": file_size(f), "active_flag": true,
        "inline_flag": false, "remote_location": "s3", "remote_id": format!("demo-{}", f.id), "name": f.name, "description": "",
        "url": format!("/api/v1/files/{}/download", f.id),
    }))
}

async fn person_files(Path(id): Path<u64>) -> Response {
    let items: Vec<Value> = FILES.iter().filter(|f| f.person_id == Some(id)).filter_map(|f| file_item(f.id)).collect();
    ok(if items.is_empty() { Value::Null } else { Value::Array(items) })
}

async fn deal_files(Path(id): Path<u64>) -> Response {
    let items: Vec<Value> = FILES.iter().filter(|f| f.deal_id == Some(id)).filter_map(|f| file_item(f.id)).collect();
    ok(if items.is_empty() { Value::Null } else { Value::Array(items) })
}

async fn file(Path(id): Path<u64>) -> Response {
    file_item(id).map_or_else(not_found, ok)
}

async fn download(Path(id): Path<u64>) -> Response {
    match file_bytes(id) {
        Some(bytes) => ([(header::CONTENT_TYPE, "application/octet-stream")], bytes).into_response(),
        None => not_found(),
    }
}
