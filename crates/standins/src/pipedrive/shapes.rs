//! The world's records in the JSON shapes Pipedrive documents: v2 persons, deals and field definitions, v1 files
//! and the v1 current user, and the `{success, data}` envelope. Values the sources document as fields but the
//! world does not model (organisations, labels, pictures, remote storage) are filled with their empty forms.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::records::{Deal, FieldDefinition, File, Labelled, Person};
use super::world::{Company, User};
use crate::assumptions::{self, PIPEDRIVE_IS_ADMIN_IS_A_NUMBER, PIPEDRIVE_ME_CARRIES_IS_ADMIN, PipedriveError};

/// `{success: true, data}`.
pub(super) fn ok(data: Value) -> Response {
    Json(json!({"success": true, "data": data})).into_response()
}

/// `{success: true, data, additional_data}`.
pub(super) fn page(data: Value, additional_data: Value) -> Response {
    Json(json!({"success": true, "data": data, "additional_data": additional_data})).into_response()
}

/// An error answer about a `kind` of thing (`Person`, `File`…).
pub(super) fn error(error: PipedriveError, kind: &str) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, Json(error.body(kind))).into_response()
}

fn labelled(entries: &[Labelled]) -> Value {
    entries.iter().map(|e| json!({"label": e.label, "value": e.value, "primary": e.primary})).collect()
}

/// A v2 person.
pub(super) fn person(person: &Person) -> Value {
    json!({
        "id": person.id, "name": person.name(), "first_name": person.first_name, "last_name": person.last_name,
        "owner_id": person.owner_id, "org_id": null, "add_time": person.add_time, "update_time": person.update_time,
        "emails": labelled(&person.emails), "phones": labelled(&person.phones), "is_deleted": false,
        "visible_to": person.visible_to.0, "label_ids": [], "picture_id": null, "custom_fields": person.custom_fields,
    })
}

/// A v2 deal.
pub(super) fn deal(deal: &Deal) -> Value {
    json!({
        "id": deal.id, "title": deal.title, "creator_user_id": deal.owner_id, "owner_id": deal.owner_id,
        "value": deal.value, "currency": deal.currency, "person_id": deal.person_id, "org_id": null,
        "stage_id": 1, "pipeline_id": 1, "status": deal.status, "add_time": deal.add_time,
        "update_time": deal.update_time, "is_deleted": false, "visible_to": deal.visible_to.0, "label_ids": [],
        "custom_fields": deal.custom_fields,
    })
}

/// A v2 field definition.
pub(super) fn definition(field: &FieldDefinition) -> Value {
    json!({"field_name": field.name, "field_code": field.code, "field_type": field.field_type,
        "options": field.options, "subfields": null, "is_custom_field": field.is_custom,
        "is_optional_response_field": false})
}

/// A v1 file item; `api_domain` is where its download is.
pub(super) fn file(file: &File, api_domain: &str) -> Value {
    json!({
        "id": file.id, "user_id": file.user_id, "deal_id": file.deal_id, "person_id": file.person_id,
        "org_id": null, "product_id": null, "activity_id": null, "lead_id": null, "add_time": file.add_time,
        "update_time": file.add_time, "file_name": file.name, "file_size": file.size, "active_flag": true,
        "inline_flag": false, "remote_location": "s3", "remote_id": format!("remote-{}", file.id), "cid": "",
        "s3_bucket": "", "mail_message_id": "", "mail_template_id": "", "deal_name": "", "person_name": "",
        "org_name": "", "product_name": "", "lead_name": "",
        "url": assumptions::pipedrive_file_url(api_domain, file.id), "name": file.name, "description": "",
    })
}

/// `GET /v1/users/me`: the token's user, with its company.
pub(super) fn me(user: &User, company: &Company) -> Value {
    let (language, country) = user.locale.split_once('_').unwrap_or((user.locale.as_str(), ""));
    let mut me = json!({
        "id": user.id, "name": user.name, "email": user.email, "lang": 1, "locale": user.locale,
        "timezone_name": user.timezone_name, "active_flag": true, "activated": true, "is_you": true,
        "is_deleted": false, "access": [{"app": "global", "admin": user.is_admin}],
        "language": {"language_code": language, "country_code": country},
        "company_id": company.id, "company_name": company.name, "company_domain": company.domain,
        "company_country": company.country,
    });
    if PIPEDRIVE_ME_CARRIES_IS_ADMIN {
        me["is_admin"] =
            if PIPEDRIVE_IS_ADMIN_IS_A_NUMBER { u8::from(user.is_admin).into() } else { user.is_admin.into() };
    }
    me
}
