use jiff::Timestamp;
use jiff::civil::date;
use proptest::prelude::*;

use super::*;
use crate::wire::{DeliveryStatus, Direction};

const BUSINESS: &str = "+4930901820";

fn message(id: usize, contact: &str, direction: Direction, at: Timestamp) -> Message {
    let (from, to) = match direction {
        Direction::In => (contact, BUSINESS),
        Direction::Out => (BUSINESS, contact),
    };
    Message {
        id: id.to_string(),
        direction,
        from: E164::parse(from).unwrap(),
        to: E164::parse(to).unwrap(),
        body: String::new(),
        attachments: vec![],
        status: DeliveryStatus::Read,
        error: None,
        timestamp: at,
        author: None,
    }
}

fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

#[test]
fn days_follow_the_time_zone_not_utc() {
    let marie = "+498963648018";
    let messages = vec![
        message(0, marie, Direction::In, at("2026-11-21T22:30:00Z")),
        message(1, marie, Direction::Out, at("2026-11-21T23:30:00Z")),
        message(2, marie, Direction::In, at("2026-11-22T08:00:00Z")),
    ];
    let ids = |days: &[ChatDay<'_>]| -> Vec<(Date, Vec<String>)> {
        days.iter().map(|d| (d.date, d.messages.iter().map(|m| m.id.clone()).collect())).collect()
    };
    let utc = group_by_contact_day(&messages, &TimeZone::UTC);
    assert_eq!(ids(&utc), [(date(2026, 11, 21), vec!["0".into(), "1".into()]), (date(2026, 11, 22), vec!["2".into()])]);
    // Berlin is an hour ahead in November: 23:30 UTC is already the next day
    let berlin = group_by_contact_day(&messages, &TimeZone::get("Europe/Berlin").unwrap());
    assert_eq!(
        ids(&berlin),
        [(date(2026, 11, 21), vec!["0".into()]), (date(2026, 11, 22), vec!["1".into(), "2".into()])]
    );
}

#[test]
fn contacts_are_kept_apart_and_messages_sorted() {
    let messages = vec![
        message(0, "+819012345678", Direction::In, at("2026-11-22T10:00:00Z")),
        message(1, "+498963648018", Direction::Out, at("2026-11-22T09:00:00Z")),
        message(2, "+819012345678", Direction::Out, at("2026-11-22T08:00:00Z")),
    ];
    let days = group_by_contact_day(&messages, &TimeZone::UTC);
    let shape: Vec<(&str, Vec<&str>)> =
        days.iter().map(|d| (d.contact.as_str(), d.messages.iter().map(|m| m.id.as_str()).collect())).collect();
    assert_eq!(shape, [("+498963648018", vec!["1"]), ("+819012345678", vec!["2", "0"])]);
}

#[test]
fn zoho_note_title() {
    assert_eq!(note_title("Marie Curie", date(2026, 3, 7)), "WhatsApp chat with Marie Curie (07/03/2026)");
    assert_eq!(note_title("  Kenji ", date(2026, 12, 31)), "WhatsApp chat with Kenji (31/12/2026)");
}

proptest! {
    #[test]
    fn every_message_lands_in_exactly_one_group_of_its_own_contact_and_day(
        raw in proptest::collection::vec((0usize..3, any::<bool>(), 1_700_000_000i64..1_800_000_000), 0..30),
        zone in prop_oneof![Just("UTC"), Just("Asia/Tokyo"), Just("America/Sao_Paulo"), Just("Asia/Kolkata")],
    ) {
        let contacts = ["+498963648018", "+819012345678", "+5511912345678"];
        let messages: Vec<Message> = raw.iter().enumerate().map(|(i, (c, inbound, secs))| {
            let direction = if *inbound { Direction::In } else { Direction::Out };
            message(i, contacts[*c], direction, Timestamp::from_second(*secs).unwrap())
        }).collect();
        let zone = TimeZone::get(zone).unwrap();
        let days = group_by_contact_day(&messages, &zone);

        let mut seen: Vec<&str> = days.iter().flat_map(|d| d.messages.iter().map(|m| m.id.as_str())).collect();
        seen.sort();
        let mut all: Vec<&str> = messages.iter().map(|m| m.id.as_str()).collect();
        all.sort();
        prop_assert_eq!(seen, all);

        for day in &days {
            for pair in day.messages.windows(2) {
                prop_assert!(pair[0].timestamp <= pair[1].timestamp);
            }
            for m in &day.messages {
                prop_assert_eq!(m.contact(), &day.contact);
                prop_assert_eq!(m.timestamp.to_zoned(zone.clone()).date(), day.date);
            }
        }
        for pair in days.windows(2) {
            prop_assert!((&pair[0].contact, pair[0].date) < (&pair[1].contact, pair[1].date));
        }
    }
}
