//! A person or a deal as the panel shows it: name, phones, files and field values. A deal's phones and
//! person fields are its person's.

use std::collections::BTreeMap;

use serde_json::Value;
use sidechat_domain::attachment::mime_from_name;
use sidechat_domain::wire::{Record, RecordFile, RecordKind};

use super::PipedriveError;
use super::fields::{collect, phones};
use super::session::Session;
use super::shapes::{FieldDefinition, Page, V1File, parse_id, read_json};
use crate::AppState;
use crate::auth::Caller;

/// The most pages of field definitions read (500 each).
const MAX_FIELD_PAGES: usize = 20;

/// Reads a record with the calling user's own token: a record Pipedrive does not show them is not found.
pub async fn read_record(
    state: &AppState,
    caller: &Caller,
    kind: RecordKind,
    id: &str,
) -> Result<Record, PipedriveError> {
    let id = parse_id(id, kind.as_str())?;
    let session = Session::open(state, &caller.workspace, &caller.user).await?;
    match kind {
        RecordKind::Person => read_person(&session, id).await,
        RecordKind::Deal => read_deal(&session, id).await,
    }
}

async fn read_person(session: &Session<'_>, id: u64) -> Result<Record, PipedriveError> {
    let path = format!("/api/v2/persons/{id}");
    let (person, definitions, files) = futures::try_join!(
        session.get::<Value>(&path, "person"),
        field_definitions(session, "personFields"),
        files(session, "persons", id),
    )?;
    let mut fields = BTreeMap::new();
    collect(&mut fields, "Persons", &person, &definitions);
    Ok(Record {
        id: id.to_string(),
        kind: RecordKind::Person,
        name: text(&person, "name"),
        phones: phones(&person),
        files,
        fields,
    })
}

async fn read_deal(session: &Session<'_>, id: u64) -> Result<Record, PipedriveError> {
    let path = format!("/api/v2/deals/{id}");
    let (deal, deal_definitions, person_definitions, files) = futures::try_join!(
        session.get::<Value>(&path, "deal"),
        field_definitions(session, "dealFields"),
        field_definitions(session, "personFields"),
        files(session, "deals", id),
    )?;
    let mut fields = BTreeMap::new();
    collect(&mut fields, "Deals", &deal, &deal_definitions);
    let person = match deal.get("person_id").and_then(Value::as_u64) {
        Some(person_id) => match session.get::<Value>(&format!("/api/v2/persons/{person_id}"), "person").await {
            Ok(person) => Some(person),
            // A deal may point at a person deleted since: the deal still reads, without phones.
            Err(PipedriveError::NotFound(_)) => None,
            Err(error) => return Err(error),
        },
        None => None,
    };
    if let Some(person) = &person {
        collect(&mut fields, "Persons", person, &person_definitions);
    }
    Ok(Record {
        id: id.to_string(),
        kind: RecordKind::Deal,
        name: text(&deal, "title"),
        phones: person.as_ref().map(phones).unwrap_or_default(),
        files,
        fields,
    })
}

fn text(record: &Value, key: &str) -> String {
    record.get(key).and_then(Value::as_str).unwrap_or_default().trim().to_owned()
}

/// All field definitions of a module (`personFields`, `dealFields`), following the v2 cursor.
async fn field_definitions(session: &Session<'_>, module: &str) -> Result<Vec<FieldDefinition>, PipedriveError> {
    let mut definitions = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..MAX_FIELD_PAGES {
        let mut path = format!("/api/v2/{module}?limit=500");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={}", urlencoding::encode(cursor)));
        }
        let response = session.send(&path, "field list").await?;
        let page: Page<FieldDefinition> = read_json(response, &format!("GET {path}")).await?;
        if !page.success {
            return Err(PipedriveError::Malformed {
                what: format!("GET {path}"),
                problem: "`success` is false".into(),
            });
        }
        definitions.extend(page.data);
        cursor = page.additional_data.and_then(|paging| paging.next_cursor).filter(|c| !c.is_empty());
        if cursor.is_none() {
            return Ok(definitions);
        }
    }
    tracing::warn!(module, "pipedrive field definitions: stopped after {MAX_FIELD_PAGES} pages");
    Ok(definitions)
}

/// A record's files (v1 only; `data` is `null` when there are none).
pub(super) async fn files(session: &Session<'_>, module: &str, id: u64) -> Result<Vec<RecordFile>, PipedriveError> {
    let listed: Option<Vec<V1File>> =
        session.get(&format!("/api/v1/{module}/{id}/files?start=0&limit=100"), kind_of(module)).await?;
    Ok(listed
        .unwrap_or_default()
        .into_iter()
        .filter(|file| file.active_flag != Some(false))
        .map(|file| {
            let name = file.display_name();
            RecordFile {
                id: file.id.to_string(),
                mime: mime_from_name(&name).to_owned(),
                size: file.file_size.unwrap_or(0),
                name,
            }
        })
        .collect())
}

fn kind_of(module: &str) -> &'static str {
    if module == "deals" { "deal" } else { "person" }
}
