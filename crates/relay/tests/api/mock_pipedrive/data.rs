//! What the mock Pipedrive holds: persons 101 (three phones, files) and 102, deals 501 (person 102) and 502
//! (no person), field definitions and files, in the shapes Pipedrive's API documents.

use serde_json::{Value, json};

// Custom field keys are 40 hex characters, as Pipedrive makes them.

/// "Customer tier", an option field.
pub const TIER_KEY: &str = "4c2d8b1e0f9a7c6b5d4e3f2a1b0c9d8e7f6a5b4c";
/// "Preferred language", a text field.
pub const LANGUAGE_KEY: &str = "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432";
/// "Installation fee", a monetary deal field.
pub const FEE_KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567";

/// The bytes of the files the mock serves.
pub fn file_bytes(id: u64) -> Option<Vec<u8>> {
    match id {
        9001 => Some(b"%PDF-1.4 the offer for Marie".to_vec()),
        9002 => Some(vec![0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4]),
        9003 => Some(b"%PDF-1.4 the contract".to_vec()),
        _ => None,
    }
}

/// A v2 person.
pub fn person(id: u64) -> Option<Value> {
    let phone = |label: &str, value: &str, primary: bool| json!({"label": label, "value": value, "primary": primary});
    let (first, last, phones, custom) = match id {
        101 => (
            "Marie",
            "Curie",
            vec![
                phone("work", "089 636 48018", false),
                phone("mobile", "+49 30 901820", true),
                phone("other", "n/a", false),
            ],
            json!({TIER_KEY: 12, LANGUAGE_KEY: "French"}),
        ),
        102 => (
            "Pierre",
            "Curie",
            vec![phone("mobile", "+33 6 12 34 56 78", true)],
            json!({TIER_KEY: null, LANGUAGE_KEY: null}),
        ),
        _ => return None,
    };
    Some(json!({
        "id": id, "name": format!("{first} {last}"), "first_name": first, "last_name": last, "owner_id": 42,
        "org_id": null, "add_time": "2025-01-02T10:00:00Z", "update_time": "2025-03-04T11:00:00Z",
        "emails": [{"label": "work", "value": format!("{}@example.com", first.to_lowercase()), "primary": true}],
        "phones": phones, "is_deleted": false, "visible_to": 3, "label_ids": [], "picture_id": null,
        "custom_fields": custom,
    }))
}

/// A v2 deal.
pub fn deal(id: u64) -> Option<Value> {
    let (title, person_id) = match id {
        501 => ("Solar roof for the lab", json!(102)),
        502 => ("Deal without a person", Value::Null),
        _ => return None,
    };
    Some(json!({
        "id": id, "title": title, "creator_user_id": 42, "owner_id": 42, "value": 12000, "currency": "EUR",
        "person_id": person_id, "org_id": null, "stage_id": 1, "pipeline_id": 1, "status": "open",
        "add_time": "2025-01-02T10:00:00Z", "update_time": "2025-03-04T11:00:00Z", "is_deleted": false,
        "visible_to": 3, "label_ids": [], "custom_fields": {FEE_KEY: {"value": 500, "currency": "EUR"}},
    }))
}

/// A v2 field definition.
pub fn definition(code: &str, name: &str, field_type: &str, options: Value, custom: bool) -> Value {
    json!({"field_name": name, "field_code": code, "field_type": field_type, "options": options,
        "subfields": null, "is_custom_field": custom, "is_optional_response_field": false})
}

/// A v1 file item.
pub fn file_item(id: u64) -> Option<Value> {
    let (file_name, size, person_id, deal_id) = match id {
        9001 => ("offer.pdf", file_bytes(id)?.len() as u64, json!(101), Value::Null),
        9002 => ("photo.JPG", file_bytes(id)?.len() as u64, json!(101), Value::Null),
        9003 => ("contract.pdf", file_bytes(id)?.len() as u64, Value::Null, json!(501)),
        9009 => ("site-survey.mp4", 200_000_000, json!(101), Value::Null),
        _ => return None,
    };
    Some(json!({
        "id": id, "user_id": 42, "deal_id": deal_id, "person_id": person_id, "org_id": null, "product_id": null,
        "activity_id": null, "lead_id": null, "add_time": "2025-02-01 09:00:00", "update_time": "2025-02-01 09:00:00",
        "file_name": file_name, "file_type": "img", "file_size": size, "active_flag": true, "inline_flag": false,
        "remote_location": "s3", "remote_id": format!("remote-{id}"), "cid": "", "s3_bucket": "", "mail_message_id": "",
        "mail_template_id": "", "deal_name": "", "person_name": "", "org_name": "", "product_name": "", "lead_name": "",
        "url": format!("https://example.pipedrive.com/v1/files/{id}/download"), "name": file_name, "description": "",
    }))
}
