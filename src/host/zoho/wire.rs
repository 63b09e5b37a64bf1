//! Zoho CRM's embedded-app wire protocol as plain data, read from the SDK's own source
//! (`ZohoDevelopers/embeddedApp-js-sdk`, `lib/ZSDK.js` and `lib/ZohoCrmHelper.js`): what the widget's URL says,
//! which messages the panel accepts, what each call puts on the wire and how its answer reads. Nothing here
//! touches the browser, so plain tests cover it.
//!
//! - The widget's URL carries `serviceOrigin` (the CRM's origin).
//! - The widget posts `{type: 'SDK.EVENT', eventName: 'REGISTER', appOrigin}` to its parent, target origin
//!   `serviceOrigin`; the CRM answers `{type: 'FRAMEWORK.EVENT', eventName: 'SET_CONTEXT', data: {uniqueID,
//!   locale, …}}`, then sends page events such as `PageLoad` the same way.
//! - A call is `{type: 'SDK.EVENT', eventName: 'CRM_EVENT', uniqueID, time, promiseid: 'Promise<n>', data,
//!   appOrigin}` with `data.sdkVersion = '1'`; the answer is `EVENT_RESPONSE` (or `EVENT_RESPONSE_FAILURE`) with
//!   the same `promiseid` and the result in `data`.

use serde_json::{Value, json};

/// What `newRequestPromise` stamps on every call.
const SDK_VERSION: &str = "1";

/// What Zoho puts on the widget's URL that the panel needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetUrl {
    /// The CRM page's origin: the only one whose messages count, and the target of everything posted.
    pub service_origin: String,
}

impl WidgetUrl {
    /// Reads the query string; `None` when it is not a Zoho widget URL (no usable `serviceOrigin`).
    pub fn from_query(search: &str) -> Option<Self> {
        let raw = search
            .trim_start_matches('?')
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(name, _)| *name == "serviceOrigin")
            .map(|(_, value)| {
                urlencoding::decode(value).map(|v| v.into_owned()).unwrap_or_else(|_| value.to_owned())
            })?;
        Some(Self { service_origin: origin_of(&raw)? })
    }
}

/// The origin a URL names, as browsers write `MessageEvent.origin`: lower-case scheme and host, no default
/// port, no path. Only `http` and `https`.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default().to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') || authority.contains(char::is_whitespace) {
        return None;
    }
    let authority = match scheme.as_str() {
        "https" => authority.strip_suffix(":443").unwrap_or(&authority).to_owned(),
        "http" => authority.strip_suffix(":80").unwrap_or(&authority).to_owned(),
        _ => return None,
    };
    Some(format!("{scheme}://{authority}"))
}

/// Whether a message comes from the CRM: posted by the parent window, from exactly `serviceOrigin`. The
/// SDK's own check returns a (truthy) `Error` instead of `false`, so it lets everything through; this one
/// does not.
pub fn accepts(from_parent: bool, origin: &str, service_origin: &str) -> bool {
    from_parent && origin == service_origin
}

/// What an accepted message is, from its `type` and `eventName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// `SET_CONTEXT`: the answer to `REGISTER`.
    Context,
    /// `EVENT_RESPONSE` (`ok`) or `EVENT_RESPONSE_FAILURE`: the answer to a call.
    Answer {
        /// Whether the call succeeded.
        ok: bool,
    },
    /// `PageLoad`: which record the widget is on.
    PageLoad,
    /// Anything else (other page events, `UPDATE_CONTEXT`, messages of other kinds).
    Other,
}

impl Incoming {
    /// Classifies a message by its `type` and `eventName`.
    pub fn classify(kind: &str, event_name: &str) -> Self {
        if kind != "FRAMEWORK.EVENT" {
            return Self::Other;
        }
        match event_name {
            "SET_CONTEXT" => Self::Context,
            "EVENT_RESPONSE" => Self::Answer { ok: true },
            "EVENT_RESPONSE_FAILURE" => Self::Answer { ok: false },
            "PageLoad" => Self::PageLoad,
            _ => Self::Other,
        }
    }
}

/// What `SET_CONTEXT` tells the widget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The id every later call carries.
    pub unique_id: String,
    /// The user's locale, as Zoho names it.
    pub locale: Option<String>,
}

impl Context {
    /// Reads `SET_CONTEXT`'s `data`.
    pub fn from_data(data: &Value) -> Option<Self> {
        Some(Self {
            unique_id: scalar(data.get("uniqueID")?)?,
            locale: data.get("locale").and_then(Value::as_str).filter(|l| !l.is_empty()).map(str::to_owned),
        })
    }
}

/// What `PageLoad` tells the widget: the module and the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageLoad {
    /// The module's API name (`Leads`, `Contacts`, `Deals`…).
    pub entity: String,
    /// The record's id (the first, where a button widget gets a list).
    pub entity_id: String,
}

impl PageLoad {
    /// Reads `PageLoad`'s `data`: `{Entity, EntityId}`, where `EntityId` is an array for button widgets.
    pub fn from_data(data: &Value) -> Option<Self> {
        let entity = data.get("Entity")?.as_str().filter(|e| !e.is_empty())?.to_owned();
        let entity_id = match data.get("EntityId")? {
            Value::Array(ids) => ids.iter().find_map(scalar)?,
            id => scalar(id)?,
        };
        Some(Self { entity, entity_id })
    }
}

/// A string or a number as text; nothing for empty strings and other values.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The SDK calls the panel makes, each as `ZohoCrmHelper.js` puts it on the wire.
#[derive(Debug, Clone, PartialEq)]
pub enum Call<'a> {
    /// `ZOHO.CRM.API.getRecord({Entity, RecordID})`.
    Record {
        /// The module.
        entity: &'a str,
        /// The record.
        id: &'a str,
    },
    /// `ZOHO.CRM.API.getRelatedRecords({Entity, RecordID, RelatedList, page, per_page})`.
    Related {
        /// The module.
        entity: &'a str,
        /// The record.
        id: &'a str,
        /// The related list's API name (`Attachments`).
        list: &'a str,
        /// The page, from 1.
        page: u32,
    },
    /// `ZOHO.CRM.META.getFields({Entity})`.
    Fields {
        /// The module.
        entity: &'a str,
    },
    /// `ZOHO.CRM.API.getFile({id})`: a file's bytes by its encrypted file id.
    File {
        /// The file id (an attachment's `$file_id`).
        id: &'a str,
    },
    /// `ZOHO.CRM.UI.Resize({height})`.
    Resize {
        /// The height in pixels.
        height: f64,
    },
}

/// Records asked per page of a related list (the API's maximum).
pub const PER_PAGE: u32 = 200;

impl Call<'_> {
    /// The call's `data`, with the SDK version.
    pub fn data(&self) -> Value {
        let mut data = match self {
            Self::Record { entity, id } => json!({"category": "READ", "APIData": {"Entity": entity, "RecordID": id}}),
            Self::Related { entity, id, list, page } => json!({
                "category": "READ",
                "APIData": {"Entity": entity, "RecordID": id, "RelatedList": list, "page": page, "per_page": PER_PAGE},
            }),
            Self::Fields { entity } => json!({"category": "META", "type": "FIELD_LIST", "Entity": entity}),
            Self::File { id } => json!({"id": id, "category": "FILES", "type": "DOWNLOAD_FILE"}),
            Self::Resize { height } => json!({"action": "RESIZE", "data": {"height": height}, "category": "UI"}),
        };
        data["sdkVersion"] = json!(SDK_VERSION);
        data
    }
}

/// `REGISTER`, the widget's first message.
pub fn register(app_origin: &str) -> Value {
    json!({"type": "SDK.EVENT", "eventName": "REGISTER", "appOrigin": app_origin})
}

/// A call as posted: `CRM_EVENT` with the context's id, the time, the promise id and the call's data.
pub fn crm_event(unique_id: &str, time: f64, promise_id: &str, call: &Call<'_>, app_origin: &str) -> Value {
    json!({
        "type": "SDK.EVENT",
        "eventName": "CRM_EVENT",
        "uniqueID": unique_id,
        "time": time,
        "promiseid": promise_id,
        "data": call.data(),
        "appOrigin": app_origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zoho_widget_url_carries_its_service_origin() {
        let url =
            WidgetUrl::from_query("?serviceOrigin=https%3A%2F%2Fcrm.zoho.eu&frameorigin=https%3A%2F%2Fcrm.zoho.eu")
                .unwrap();
        assert_eq!(url.service_origin, "https://crm.zoho.eu");
        assert_eq!(
            WidgetUrl::from_query("serviceOrigin=http%3A%2F%2F127.0.0.1%3A8788%2F").unwrap().service_origin,
            "http://127.0.0.1:8788"
        );
        assert_eq!(WidgetUrl::from_query("?id=1&token=a.b.c"), None);
        assert_eq!(WidgetUrl::from_query("?serviceOrigin="), None);
        assert_eq!(WidgetUrl::from_query("?serviceOrigin=javascript%3Aalert(1)"), None);
    }

    #[test]
    fn origins_are_written_as_browsers_write_them() {
        assert_eq!(origin_of("HTTPS://CRM.Zoho.com:443/crm/tab").as_deref(), Some("https://crm.zoho.com"));
        assert_eq!(origin_of("http://localhost:80").as_deref(), Some("http://localhost"));
        assert_eq!(origin_of("http://127.0.0.1:8788?x=1").as_deref(), Some("http://127.0.0.1:8788"));
        assert_eq!(origin_of("https://evil@crm.zoho.com"), None);
        assert_eq!(origin_of("ftp://crm.zoho.com"), None);
        assert_eq!(origin_of("crm.zoho.com"), None);
    }

    #[test]
    fn only_the_parent_from_the_service_origin_is_heard() {
        let service = "https://crm.zoho.com";
        assert!(accepts(true, "https://crm.zoho.com", service));
        assert!(!accepts(false, "https://crm.zoho.com", service), "another window of the same origin");
        assert!(!accepts(true, "https://evil.example", service));
        assert!(!accepts(true, "https://crm.zoho.com.evil.example", service));
        assert!(!accepts(true, "http://crm.zoho.com", service));
        assert!(!accepts(true, "null", service));
        assert!(!accepts(true, "", service));
    }

    #[test]
    fn messages_are_classified_by_type_and_event_name() {
        assert_eq!(Incoming::classify("FRAMEWORK.EVENT", "SET_CONTEXT"), Incoming::Context);
        assert_eq!(Incoming::classify("FRAMEWORK.EVENT", "EVENT_RESPONSE"), Incoming::Answer { ok: true });
        assert_eq!(Incoming::classify("FRAMEWORK.EVENT", "EVENT_RESPONSE_FAILURE"), Incoming::Answer { ok: false });
        assert_eq!(Incoming::classify("FRAMEWORK.EVENT", "PageLoad"), Incoming::PageLoad);
        assert_eq!(Incoming::classify("SDK.EVENT", "PageLoad"), Incoming::Other);
        assert_eq!(Incoming::classify("FRAMEWORK.EVENT", "DialerActive"), Incoming::Other);
    }

    #[test]
    fn page_load_takes_the_first_id_of_a_button_widget() {
        let related = PageLoad::from_data(&json!({"Entity": "Leads", "EntityId": "3000000032096"})).unwrap();
        assert_eq!(related, PageLoad { entity: "Leads".into(), entity_id: "3000000032096".into() });
        let button =
            PageLoad::from_data(&json!({"Entity": "Deals", "EntityId": ["111", "222"], "ButtonPosition": "ListView"}));
        assert_eq!(button.unwrap().entity_id, "111");
        assert_eq!(PageLoad::from_data(&json!({"Entity": "Deals", "EntityId": 42})).unwrap().entity_id, "42");
        assert_eq!(PageLoad::from_data(&json!({"Entity": "Deals", "EntityId": []})), None);
        assert_eq!(PageLoad::from_data(&json!({"EntityId": "1"})), None);
    }

    #[test]
    fn the_context_gives_the_unique_id_and_locale() {
        let context = Context::from_data(&json!({"uniqueID": "w1", "locale": "pt_BR", "model": {}})).unwrap();
        assert_eq!(context, Context { unique_id: "w1".into(), locale: Some("pt_BR".into()) });
        assert_eq!(Context::from_data(&json!({"uniqueID": 7, "locale": ""})).unwrap().locale, None);
        assert_eq!(Context::from_data(&json!({"locale": "en"})), None);
    }

    #[test]
    fn calls_go_on_the_wire_as_the_sdk_puts_them() {
        assert_eq!(
            Call::Record { entity: "Deals", id: "9" }.data(),
            json!({"category": "READ", "APIData": {"Entity": "Deals", "RecordID": "9"}, "sdkVersion": "1"})
        );
        assert_eq!(
            Call::Related { entity: "Leads", id: "1", list: "Attachments", page: 2 }.data()["APIData"],
            json!({"Entity": "Leads", "RecordID": "1", "RelatedList": "Attachments", "page": 2, "per_page": 200})
        );
        assert_eq!(
            Call::Fields { entity: "Contacts" }.data(),
            json!({"category": "META", "type": "FIELD_LIST", "Entity": "Contacts", "sdkVersion": "1"})
        );
        assert_eq!(
            Call::File { id: "f00d" }.data(),
            json!({"id": "f00d", "category": "FILES", "type": "DOWNLOAD_FILE", "sdkVersion": "1"})
        );
        assert_eq!(
            Call::Resize { height: 320.0 }.data(),
            json!({"action": "RESIZE", "data": {"height": 320.0}, "category": "UI", "sdkVersion": "1"})
        );
        let event = crm_event("w1", 1.0, "Promise100", &Call::File { id: "f1" }, "https%3A%2F%2Fx");
        assert_eq!(event["type"], "SDK.EVENT");
        assert_eq!(event["eventName"], "CRM_EVENT");
        assert_eq!(event["promiseid"], "Promise100");
        assert_eq!(register("a")["eventName"], "REGISTER");
    }
}
