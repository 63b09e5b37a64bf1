use sidechat_domain::window::ServiceWindow;
use sidechat_domain::wire::RecordKind;

use super::*;

const CLOSED: ServiceWindow = ServiceWindow { enforced: true, open: false, closes_at: None };
const OPEN: ServiceWindow = ServiceWindow { enforced: true, open: true, closes_at: None };
const NO_WINDOW: ServiceWindow = ServiceWindow { enforced: false, open: true, closes_at: None };

fn template() -> TemplateSend {
    TemplateSend { name: "hello".into(), language: "en".into(), params: vec!["Marie".into()] }
}

fn deal() -> RecordRef {
    RecordRef { kind: RecordKind::Deal, id: "42".into() }
}

fn route() -> Route {
    Route { from: "s1".into(), to: "06 12 34 56 78".into(), country: Country::parse("FR").ok(), record: deal() }
}

#[test]
fn characters_are_code_points_like_the_relays() {
    assert_eq!(char_count("héllo"), 5);
    assert_eq!(char_count("こんにちは"), 5);
    assert_eq!(char_count("👍🏽"), 2);
}

#[test]
fn nothing_to_send_is_refused_and_a_file_alone_is_enough() {
    assert_eq!(check("  \n", 0, None, Some(&OPEN)), Err(DraftProblem::Empty));
    assert_eq!(check("", 1, None, Some(&OPEN)), Ok(()));
    assert_eq!(check("Bonjour", 0, None, None), Ok(()));
}

#[test]
fn the_limit_is_4096_characters() {
    assert_eq!(check(&"é".repeat(MAX_BODY_CHARS), 0, None, None), Ok(()));
    assert_eq!(check(&"é".repeat(MAX_BODY_CHARS + 1), 0, None, None), Err(DraftProblem::TooLong));
}

#[test]
fn a_closed_window_takes_only_templates() {
    assert_eq!(check("Hello", 0, None, Some(&CLOSED)), Err(DraftProblem::WindowClosed));
    assert_eq!(check("", 1, None, Some(&CLOSED)), Err(DraftProblem::WindowClosed));
    assert_eq!(check("", 0, Some(&template()), Some(&CLOSED)), Ok(()));
    assert!(free_text_allowed(Some(&NO_WINDOW)));
    assert!(!free_text_allowed(Some(&CLOSED)));
}

#[test]
fn text_and_one_file_make_one_request() {
    let files = vec![AttachmentRef::RecordFile { record_file: "100".into() }];
    let all = requests("k", &route(), "Bonjour", files.clone(), None);
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].0, "k");
    assert_eq!(all[0].1.body, "Bonjour");
    assert_eq!(all[0].1.attachments, files);
    assert_eq!(all[0].1.country.map(|c| c.to_string()).as_deref(), Some("FR"));
}

#[test]
fn each_further_file_is_its_own_message_with_its_own_key() {
    let files = vec![
        AttachmentRef::RecordFile { record_file: "100".into() },
        AttachmentRef::Upload { upload: "u1".into() },
        AttachmentRef::RecordFile { record_file: "101".into() },
    ];
    let all = requests("k", &route(), "Voici", files, None);
    let keys: Vec<&str> = all.iter().map(|(key, _)| key.as_str()).collect();
    assert_eq!(keys, ["k", "k:2", "k:3"]);
    assert_eq!(all[0].1.body, "Voici");
    assert!(all[1].1.body.is_empty() && all[2].1.body.is_empty());
    assert!(all.iter().all(|(_, request)| request.attachments.len() == 1));
}

#[test]
fn a_template_goes_alone() {
    let all = requests("k", &route(), "ignored", vec![], Some(template()));
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].1.template, Some(template()));
    assert!(all[0].1.body.is_empty());
}

#[test]
fn a_request_with_a_record_file_names_the_record_and_no_other_does() {
    let files = vec![
        AttachmentRef::RecordFile { record_file: "100".into() },
        AttachmentRef::Upload { upload: "u1".into() },
        AttachmentRef::RecordFile { record_file: "101".into() },
    ];
    let all = requests("k", &route(), "Voici", files, None);
    let records: Vec<Option<RecordRef>> = all.iter().map(|(_, request)| request.record.clone()).collect();
    assert_eq!(records, [Some(deal()), None, Some(deal())]);

    let text = requests("k", &route(), "Bonjour", vec![], None);
    let template = requests("k", &route(), "", vec![], Some(template()));
    assert_eq!((text[0].1.record.as_ref(), template[0].1.record.as_ref()), (None, None));
}

#[test]
fn a_request_without_a_record_file_is_sent_as_before_without_a_record_field() {
    let upload = requests("k", &route(), "Voici", vec![AttachmentRef::Upload { upload: "u1".into() }], None);
    let json = serde_json::to_value(&upload[0].1).unwrap();
    assert!(json.get("record").is_none(), "{json}");

    let file = requests("k", &route(), "", vec![AttachmentRef::RecordFile { record_file: "100".into() }], None);
    let json = serde_json::to_value(&file[0].1).unwrap();
    assert_eq!(json["record"], serde_json::json!({"kind": "deal", "id": "42"}));
}
