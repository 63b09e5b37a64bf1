use sidechat_domain::E164;
use sidechat_domain::wire::{Direction, MessageError};

use super::*;

fn message(id: &str, at: &str, status: DeliveryStatus) -> Message {
    Message {
        id: id.to_owned(),
        direction: Direction::Out,
        from: E164::parse("+4915112345678").unwrap(),
        to: E164::parse("+33612345678").unwrap(),
        body: format!("body of {id}"),
        attachments: vec![],
        status,
        error: None,
        timestamp: at.parse().unwrap(),
        author: None,
    }
}

fn ids(timeline: &Timeline) -> Vec<&str> {
    timeline.messages().iter().map(|m| m.id.as_str()).collect()
}

#[test]
fn messages_are_kept_oldest_first_whatever_order_they_arrive_in() {
    let mut timeline = Timeline::new(vec![
        message("b", "2026-11-20T10:00:00Z", DeliveryStatus::Read),
        message("a", "2026-11-20T09:00:00Z", DeliveryStatus::Read),
    ]);
    timeline.upsert(message("c", "2026-11-20T09:30:00Z", DeliveryStatus::Sent));
    assert_eq!(ids(&timeline), ["a", "c", "b"]);
}

#[test]
fn a_repeated_or_late_message_never_moves_its_status_back() {
    let mut timeline = Timeline::new(vec![message("a", "2026-11-20T09:00:00Z", DeliveryStatus::Read)]);
    timeline.upsert(message("a", "2026-11-20T09:00:00Z", DeliveryStatus::Sent));
    assert_eq!(timeline.messages().len(), 1);
    assert_eq!(timeline.messages()[0].status, DeliveryStatus::Read);
    timeline.apply(&StatusEvent { id: "a".into(), status: DeliveryStatus::Delivered, error: None });
    assert_eq!(timeline.messages()[0].status, DeliveryStatus::Read);
}

#[test]
fn a_failure_keeps_its_reason_until_a_delivery_proves_otherwise() {
    let mut timeline = Timeline::new(vec![message("a", "2026-11-20T09:00:00Z", DeliveryStatus::Sent)]);
    let error = MessageError { code: "131047".into(), message: "Re-engagement message".into() };
    timeline.apply(&StatusEvent { id: "a".into(), status: DeliveryStatus::Failed, error: Some(error.clone()) });
    assert_eq!(timeline.messages()[0].error, Some(error));
    timeline.apply(&StatusEvent { id: "a".into(), status: DeliveryStatus::Delivered, error: None });
    assert_eq!(timeline.messages()[0].status, DeliveryStatus::Delivered);
    assert_eq!(timeline.messages()[0].error, None);
}

#[test]
fn events_for_unknown_messages_are_ignored() {
    let mut timeline = Timeline::default();
    timeline.apply(&StatusEvent { id: "x".into(), status: DeliveryStatus::Read, error: None });
    assert!(timeline.messages().is_empty());
}

#[test]
fn a_stand_in_is_replaced_by_the_relays_message_even_if_the_stream_was_faster() {
    let mut timeline = Timeline::default();
    timeline.add_local(message(&local_id("k1"), "2026-11-20T09:00:00Z", DeliveryStatus::Queued));
    // The event stream delivers the relay's message before the POST answers.
    timeline.upsert(message("m1", "2026-11-20T09:00:01Z", DeliveryStatus::Sent));
    timeline.confirm_local("k1", message("m1", "2026-11-20T09:00:01Z", DeliveryStatus::Queued));
    assert_eq!(ids(&timeline), ["m1"]);
    assert_eq!(timeline.messages()[0].status, DeliveryStatus::Sent);
}

#[test]
fn a_refused_send_leaves_no_stand_in() {
    let mut timeline = Timeline::default();
    timeline.add_local(message(&local_id("k1"), "2026-11-20T09:00:00Z", DeliveryStatus::Queued));
    timeline.drop_local("k1");
    assert!(timeline.messages().is_empty());
}

#[test]
fn days_group_consecutive_messages() {
    let messages = vec![
        message("a", "2026-11-19T09:00:00Z", DeliveryStatus::Read),
        message("b", "2026-11-19T23:00:00Z", DeliveryStatus::Read),
        message("c", "2026-11-20T08:00:00Z", DeliveryStatus::Read),
    ];
    let days = by_day(&messages, |m| m.timestamp.to_string()[..10].to_owned());
    let shape: Vec<(&str, usize)> = days.iter().map(|(day, run)| (day.as_str(), run.len())).collect();
    assert_eq!(shape, [("2026-11-19", 2), ("2026-11-20", 1)]);
}
