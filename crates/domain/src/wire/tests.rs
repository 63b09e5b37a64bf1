use serde_json::json;

use super::*;

fn e164(raw: &str) -> E164 {
    E164::parse(raw).unwrap()
}

#[test]
fn message_has_the_fixed_field_names() {
    let message = Message {
        id: "m1".into(),
        direction: Direction::Out,
        from: e164("+4930901820"),
        to: e164("+498963648018"),
        body: "<img onerror=alert(1)>".into(),
        attachments: vec![Attachment {
            id: "a1".into(),
            name: "offer.pdf".into(),
            size: 1200,
            mime: "application/pdf".into(),
            url: "/api/v1/attachments/a1?sig=x".into(),
        }],
        status: DeliveryStatus::Failed,
        error: Some(MessageError { code: "131047".into(), message: "Re-engagement message".into() }),
        timestamp: "2026-11-22T09:30:00Z".parse().unwrap(),
        author: Some(Author { id: "u1".into(), name: "Ada Lovelace".into() }),
    };
    let value = serde_json::to_value(&message).unwrap();
    assert_eq!(
        value,
        json!({
            "id": "m1", "direction": "out", "from": "+4930901820", "to": "+498963648018",
            "body": "<img onerror=alert(1)>",
            "attachments": [{"id": "a1", "name": "offer.pdf", "size": 1200, "mime": "application/pdf", "url": "/api/v1/attachments/a1?sig=x"}],
            "status": "failed", "error": {"code": "131047", "message": "Re-engagement message"},
            "timestamp": "2026-11-22T09:30:00Z", "author": {"id": "u1", "name": "Ada Lovelace"}
        })
    );
    assert_eq!(serde_json::from_value::<Message>(value).unwrap(), message);
    assert_eq!(message.contact(), &e164("+498963648018"));
}

#[test]
fn send_request_reads_both_attachment_forms_and_defaults() {
    let request: SendRequest = serde_json::from_value(json!({
        "from": "1001", "to": "089 636 48018", "country": "DE", "body": "Hi",
        "attachments": [{"record_file": "7"}, {"upload": "u1"}]
    }))
    .unwrap();
    assert_eq!(request.country, Some(Country::parse("DE").unwrap()));
    assert_eq!(
        request.attachments,
        [AttachmentRef::RecordFile { record_file: "7".into() }, AttachmentRef::Upload { upload: "u1".into() }]
    );
    assert_eq!(request.template, None);
    let minimal: SendRequest = serde_json::from_value(json!({"from": "1", "to": "+4930901820"})).unwrap();
    assert_eq!(minimal.body, "");
    assert!(serde_json::from_value::<SendRequest>(json!({"from": "1", "to": "x", "country": "Germany"})).is_err());
}

#[test]
fn body_rules_count_code_points() {
    let request = |body: &str, attachments: usize, template: bool| SendRequest {
        from: "1".into(),
        to: "+4930901820".into(),
        country: None,
        body: body.into(),
        attachments: (0..attachments).map(|i| AttachmentRef::Upload { upload: i.to_string() }).collect(),
        template: template.then(|| TemplateSend { name: "hello".into(), language: "en_US".into(), params: vec![] }),
        record: None,
    };
    let cases: &[(String, usize, bool, Result<(), ErrorCode>)] = &[
        ("Hi".into(), 0, false, Ok(())),
        ("  ".into(), 0, false, Err(ErrorCode::EmptyMessage)),
        (String::new(), 1, false, Ok(())),
        (String::new(), 0, true, Ok(())),
        ("é".repeat(4096), 0, false, Ok(())),
        ("日".repeat(4097), 0, false, Err(ErrorCode::BodyTooLong)),
        ("😀".repeat(4096), 0, false, Ok(())),
    ];
    for (body, attachments, template, expected) in cases {
        assert_eq!(check_body(&request(body, *attachments, *template)), *expected, "{} chars", body.chars().count());
    }
}

#[test]
fn error_body_shape_and_statuses() {
    let body = ErrorBody::new(ErrorCode::IdempotencyConflict, "that key was used for another message");
    assert_eq!(
        serde_json::to_value(&body).unwrap(),
        json!({"error": {"code": "idempotency_conflict", "message": "that key was used for another message"}})
    );
    let cases: &[(ErrorCode, &str, u16)] = &[
        (ErrorCode::InvalidRequest, "invalid_request", 400),
        (ErrorCode::Unauthorized, "unauthorized", 401),
        (ErrorCode::NotInstalled, "not_installed", 403),
        (ErrorCode::NotFound, "not_found", 404),
        (ErrorCode::IdempotencyConflict, "idempotency_conflict", 409),
        (ErrorCode::NumberInUse, "number_in_use", 409),
        (ErrorCode::AttachmentTooLarge, "attachment_too_large", 413),
        (ErrorCode::InvalidPhone, "invalid_phone", 422),
        (ErrorCode::EmptyMessage, "empty_message", 422),
        (ErrorCode::BodyTooLong, "body_too_long", 422),
        (ErrorCode::UnknownSender, "unknown_sender", 422),
        (ErrorCode::NotConnected, "not_connected", 422),
        (ErrorCode::ConnectionRejected, "connection_rejected", 422),
        (ErrorCode::WindowClosed, "window_closed", 422),
        (ErrorCode::UnsupportedAttachment, "unsupported_attachment", 422),
        (ErrorCode::InvalidMergeField, "invalid_merge_field", 422),
        (ErrorCode::ModuleImmutable, "module_immutable", 422),
        (ErrorCode::RateLimited, "rate_limited", 429),
        (ErrorCode::TooManyStreams, "too_many_streams", 429),
        (ErrorCode::ProviderUnavailable, "provider_unavailable", 502),
        (ErrorCode::Busy, "busy", 503),
        (ErrorCode::Timeout, "timeout", 503),
    ];
    for (code, name, status) in cases {
        assert_eq!(serde_json::to_value(code).unwrap(), json!(name));
        assert_eq!(code.status(), *status, "{name}");
    }
    assert!(serde_json::from_value::<ErrorCode>(json!("teapot")).is_err());
}

#[test]
fn record_and_phone_shapes() {
    let record = Record {
        id: "12".into(),
        kind: RecordKind::Deal,
        name: "Zylker renewal".into(),
        phones: vec![Phone {
            label: "work".into(),
            raw: "089 636 48018".into(),
            e164: None,
            needs_country_code: true,
            primary: true,
        }],
        files: vec![RecordFile { id: "3".into(), name: "offer.pdf".into(), size: 10, mime: "application/pdf".into() }],
        fields: [("Deals.Title".to_owned(), "Zylker renewal".to_owned())].into(),
    };
    assert_eq!(
        serde_json::to_value(&record).unwrap(),
        json!({
            "id": "12", "kind": "deal", "name": "Zylker renewal",
            "phones": [{"label": "work", "raw": "089 636 48018", "e164": null, "needs_country_code": true, "primary": true}],
            "files": [{"id": "3", "name": "offer.pdf", "size": 10, "mime": "application/pdf"}],
            "fields": {"Deals.Title": "Zylker renewal"}
        })
    );
}

#[test]
fn a_send_names_the_record_of_its_files_and_hashes_as_before_without_one() {
    let request: SendRequest = serde_json::from_value(json!({
        "from": "1001", "to": "+4930901820", "attachments": [{"record_file": "7"}],
        "record": {"kind": "deal", "id": "501"}
    }))
    .unwrap();
    assert_eq!(request.record, Some(RecordRef { kind: RecordKind::Deal, id: "501".into() }));
    let without: SendRequest = serde_json::from_value(json!({"from": "1", "to": "+4930901820"})).unwrap();
    let written = serde_json::to_value(&without).unwrap();
    assert!(written.get("record").is_none(), "idempotency hashes of earlier requests stay the same: {written}");
}

#[test]
fn account_answers_have_the_fixed_field_names() {
    let me = MeResponse {
        user: MeUser { id: "u1".into(), name: "Ada".into(), email: Some("ada@example.com".into()), role: Role::Admin },
        workspace: MeWorkspace {
            id: "w1".into(),
            name: "Acme".into(),
            time_zone: "Europe/Berlin".into(),
            whatsapp_connected: true,
        },
    };
    assert_eq!(
        serde_json::to_value(&me).unwrap(),
        json!({"user": {"id": "u1", "name": "Ada", "email": "ada@example.com", "role": "admin"},
               "workspace": {"id": "w1", "name": "Acme", "time_zone": "Europe/Berlin", "whatsapp_connected": true}})
    );
    let ticket = TicketResponse { ticket: "t".into(), expires_at: "2026-12-02T10:00:00Z".parse().unwrap() };
    assert_eq!(serde_json::to_value(&ticket).unwrap(), json!({"ticket": "t", "expires_at": "2026-12-02T10:00:00Z"}));
}

#[test]
fn error_extras_appear_only_with_their_codes() {
    let plain = serde_json::to_value(ErrorBody::new(ErrorCode::Forbidden, "admins only")).unwrap();
    assert_eq!(plain, json!({"error": {"code": "forbidden", "message": "admins only"}}));
    let mut setting = ErrorBody::new(ErrorCode::InvalidSetting, "not a time zone");
    setting.error.field = Some("time_zone".into());
    assert_eq!(
        serde_json::to_value(&setting).unwrap(),
        json!({"error": {"code": "invalid_setting", "message": "not a time zone", "field": "time_zone"}})
    );
    assert_eq!(ErrorCode::NotConnectedUser.status(), 403);
    assert_eq!(ErrorCode::InvalidSetting.status(), 422);
}

#[test]
fn connect_requests_are_tagged_by_provider() {
    let cloud: ConnectRequest = serde_json::from_value(json!({"provider": "cloud", "access_token": "EAAG",
        "waba_id": "88", "phone_number_ids": ["1", "2"]}))
    .unwrap();
    assert_eq!(
        cloud,
        ConnectRequest::Cloud {
            access_token: "EAAG".into(),
            waba_id: "88".into(),
            phone_number_ids: vec!["1".into(), "2".into()],
            label: None
        }
    );
    let timelines: ConnectRequest =
        serde_json::from_value(json!({"provider": "timelines", "api_token": "t", "label": "Sales"})).unwrap();
    assert_eq!(timelines, ConnectRequest::Timelines { api_token: "t".into(), label: Some("Sales".into()) });
    assert!(serde_json::from_value::<ConnectRequest>(json!({"provider": "telegram"})).is_err());
    assert!(serde_json::from_value::<ConnectRequest>(json!({"provider": "cloud", "waba_id": "1"})).is_err());
}

#[test]
fn a_connection_update_tells_absent_from_null() {
    let absent: ConnectionUpdate = serde_json::from_value(json!({"label": "Sales"})).unwrap();
    assert_eq!(absent.allowed_users, None);
    let everyone: ConnectionUpdate = serde_json::from_value(json!({"allowed_users": null})).unwrap();
    assert_eq!(everyone.allowed_users, Some(None));
    let some: ConnectionUpdate = serde_json::from_value(json!({"allowed_users": ["u1"]})).unwrap();
    assert_eq!(some.allowed_users, Some(Some(vec!["u1".to_owned()])));
    assert_eq!(serde_json::to_value(&everyone).unwrap(), json!({"allowed_users": null}));
}
