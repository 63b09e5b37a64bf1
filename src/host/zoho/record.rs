//! A Zoho record as the panel needs it, built from what the SDK's calls answer: `getRecord`'s record, the
//! module's field metadata (`META.getFields`), and the record's Attachments related list. Plain data, so plain
//! tests cover it.

use std::collections::BTreeMap;

use serde_json::Value;
use sidechat_domain::attachment::mime_from_name;
use sidechat_domain::wire::{Phone, PhoneInput, Record, RecordFile, RecordKind};

/// The phone fields read, in this order; the first that holds a number is the primary one.
pub const PHONE_FIELDS: [&str; 5] = ["Phone", "Mobile", "Home_Phone", "Other_Phone", "Asst_Phone"];

/// A Zoho record: the module's record, or a deal with its contact's phones and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZohoRecord {
    /// The record's id.
    pub id: String,
    /// Person (a lead or a contact) or deal.
    pub kind: RecordKind,
    /// The person's full name, or the deal's name.
    pub name: String,
    /// Its numbers as stored (a deal's are its contact's), the primary first.
    pub phones: Vec<PhoneInput>,
    /// Its attached files (not links).
    pub files: Vec<RecordFile>,
    /// Field values keyed `Module.Field label`, as merge fields name them (a deal's hold its contact's too).
    pub fields: BTreeMap<String, String>,
}

impl ZohoRecord {
    /// The relay API's record, with the phones as the relay normalized them.
    pub fn into_wire(self, phones: Vec<Phone>) -> Record {
        Record { id: self.id, kind: self.kind, name: self.name, phones, files: self.files, fields: self.fields }
    }
}

/// The kind of record a module holds, for the modules the panel serves.
pub fn kind_of(module: &str) -> Option<RecordKind> {
    match module {
        "Leads" | "Contacts" => Some(RecordKind::Person),
        "Deals" => Some(RecordKind::Deal),
        _ => None,
    }
}

/// A module's field labels by API name, from `META.getFields`' answer `{fields: [{api_name, field_label}]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldLabels(Vec<(String, String)>);

impl FieldLabels {
    /// Reads the metadata; fields without an API name or a label are left out.
    pub fn from_meta(answer: &Value) -> Self {
        let fields = answer.get("fields").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        Self(
            fields
                .iter()
                .filter_map(|field| {
                    let api_name = field.get("api_name")?.as_str()?;
                    let label = field.get("field_label")?.as_str()?.trim();
                    (!label.is_empty()).then(|| (api_name.to_owned(), label.to_owned()))
                })
                .collect(),
        )
    }

    fn label(&self, api_name: &str) -> Option<&str> {
        self.0.iter().find(|(name, _)| name == api_name).map(|(_, label)| label.as_str())
    }
}

/// A module's record with its labels.
#[derive(Debug, Clone, Copy)]
pub struct Labelled<'a> {
    /// The module's API name.
    pub module: &'a str,
    /// The record as `getRecord` gives it.
    pub record: &'a Value,
    /// The module's field labels.
    pub labels: &'a FieldLabels,
}

/// The record `getRecord` answered: `{data: [record]}`.
pub fn first_record(answer: &Value) -> Option<&Value> {
    answer.get("data")?.get(0).filter(|record| record.is_object())
}

/// The contact a deal points at (`Contact_Name: {name, id}`).
pub fn contact_id(deal: &Value) -> Option<String> {
    match deal.get("Contact_Name")?.get("id")? {
        Value::String(id) if !id.is_empty() => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}

/// Builds the record: `main` is the page's record; `contact`, for a deal, its contact.
pub fn assemble(id: &str, main: Labelled<'_>, contact: Option<Labelled<'_>>, files: Vec<RecordFile>) -> ZohoRecord {
    let kind = kind_of(main.module).unwrap_or(RecordKind::Person);
    let mut fields = BTreeMap::new();
    collect(&mut fields, main);
    if let Some(contact) = contact {
        collect(&mut fields, contact);
    }
    let phones = match kind {
        RecordKind::Person => phones(main),
        RecordKind::Deal => contact.map(phones).unwrap_or_default(),
    };
    ZohoRecord { id: id.to_owned(), kind, name: name(main.module, main.record), phones, files, fields }
}

/// Adds a record's labelled values to `fields` as `Module.Field label`; empty values are left out.
fn collect(fields: &mut BTreeMap<String, String>, of: Labelled<'_>) {
    let Some(values) = of.record.as_object() else { return };
    for (api_name, value) in values {
        if let (Some(label), Some(text)) = (of.labels.label(api_name), text(value)) {
            fields.insert(format!("{}.{label}", of.module), text);
        }
    }
}

/// A value as people read it: lookups by their `name`, lists joined, booleans as Yes or No.
fn text(value: &Value) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.to_owned(),
        Value::Array(items) => items.iter().filter_map(text).collect::<Vec<_>>().join(", "),
        Value::Object(object) => return object.get("name").and_then(text),
    };
    (!text.is_empty()).then_some(text)
}

/// The name people know the record by: a person's full name, a deal's name.
fn name(module: &str, record: &Value) -> String {
    let field = |key: &str| record.get(key).and_then(Value::as_str).map(str::trim).unwrap_or_default();
    if module == "Deals" {
        return field("Deal_Name").to_owned();
    }
    match field("Full_Name") {
        "" => [field("First_Name"), field("Last_Name")]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        full => full.to_owned(),
    }
}

/// The record's numbers from [`PHONE_FIELDS`] in that order, each labelled as the module labels it.
fn phones(of: Labelled<'_>) -> Vec<PhoneInput> {
    let stored = PHONE_FIELDS.iter().filter_map(|api_name| {
        let raw = of.record.get(*api_name)?.as_str()?.trim();
        let label = of.labels.label(api_name).map(str::to_owned).unwrap_or_else(|| api_name.replace('_', " "));
        (!raw.is_empty()).then(|| (label, raw.to_owned()))
    });
    stored.enumerate().map(|(index, (label, raw))| PhoneInput { label, raw, primary: index == 0 }).collect()
}

/// The files of an Attachments related list (`{data: [{$type, $file_id, File_Name, Size}]}`); links are left
/// out. A file's id is its `$file_id`, what `getFile` reads its bytes by.
pub fn files(answer: &Value) -> Vec<RecordFile> {
    let items = answer.get("data").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    items
        .iter()
        .filter(|item| item.get("$type").and_then(Value::as_str) == Some("File"))
        .filter_map(|item| {
            let id = item.get("$file_id")?.as_str().filter(|id| !id.is_empty())?.to_owned();
            let name = item.get("File_Name")?.as_str()?.trim().to_owned();
            let size = match item.get("Size") {
                Some(Value::String(size)) => size.trim().parse().unwrap_or(0),
                Some(Value::Number(size)) => size.as_u64().unwrap_or(0),
                _ => 0,
            };
            Some(RecordFile { id, mime: mime_from_name(&name).to_owned(), name, size })
        })
        .collect()
}

/// Whether the related list has another page (`info.more_records`).
pub fn more_records(answer: &Value) -> bool {
    answer.get("info").and_then(|info| info.get("more_records")).and_then(Value::as_bool).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> FieldLabels {
        let fields: Vec<Value> =
            pairs.iter().map(|(api, label)| json!({"api_name": api, "field_label": label})).collect();
        FieldLabels::from_meta(&json!({ "fields": fields }))
    }

    #[test]
    fn fields_are_keyed_by_module_and_label_as_merge_fields_are() {
        let lead = json!({
            "id": "1", "First_Name": "Aiko", "Last_Name": "Tanaka", "Full_Name": "Aiko Tanaka",
            "Owner": {"name": "Demo User", "id": "9"}, "Email_Opt_Out": false, "No_of_Employees": 40,
            "Tags": ["vip", "tokyo"], "Fax": null, "City": "  ", "$approved": true,
        });
        let labels = labels(&[
            ("First_Name", "First Name"),
            ("Last_Name", "Last Name"),
            ("Owner", "Lead Owner"),
            ("Email_Opt_Out", "Email Opt Out"),
            ("No_of_Employees", "No. of Employees"),
            ("Tags", "Tag"),
            ("Fax", "Fax"),
            ("City", "City"),
        ]);
        let record = assemble("1", Labelled { module: "Leads", record: &lead, labels: &labels }, None, vec![]);
        let expected: BTreeMap<String, String> = [
            ("Leads.First Name", "Aiko"),
            ("Leads.Last Name", "Tanaka"),
            ("Leads.Lead Owner", "Demo User"),
            ("Leads.Email Opt Out", "No"),
            ("Leads.No. of Employees", "40"),
            ("Leads.Tag", "vip, tokyo"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(record.fields, expected, "unlabelled, empty and `$` keys are left out");
        assert_eq!(record.name, "Aiko Tanaka");
        assert_eq!(record.kind, RecordKind::Person);
    }

    #[test]
    fn phones_are_read_in_field_order_and_the_first_is_primary() {
        let contact = json!({
            "Asst_Phone": "+33 6 98 76 54 32", "Mobile": "06 12 34 56 78", "Phone": "", "Home_Phone": "+33 4 91 55 20 10",
            "Other_Phone": null, "Fax": "+33 1 00 00 00 00",
        });
        let labels = labels(&[("Mobile", "Mobile"), ("Home_Phone", "Home Phone"), ("Asst_Phone", "Asst Phone")]);
        let record = assemble("2", Labelled { module: "Contacts", record: &contact, labels: &labels }, None, vec![]);
        let phone = |label: &str, raw: &str, primary| PhoneInput { label: label.into(), raw: raw.into(), primary };
        assert_eq!(
            record.phones,
            vec![
                phone("Mobile", "06 12 34 56 78", true),
                phone("Home Phone", "+33 4 91 55 20 10", false),
                phone("Asst Phone", "+33 6 98 76 54 32", false),
            ]
        );
    }

    #[test]
    fn a_deal_has_its_contacts_phones_and_both_modules_fields() {
        let deal = json!({"id": "7", "Deal_Name": "Lisbon office fit-out", "Amount": 48000, "Contact_Name": {"name": "João Silva", "id": "3"}});
        let contact =
            json!({"id": "3", "Full_Name": "João Silva", "Mobile": "+55 11 91234-5678", "Phone": "(21) 2345-6789"});
        let deal_labels = labels(&[("Deal_Name", "Deal Name"), ("Amount", "Amount"), ("Contact_Name", "Contact Name")]);
        let contact_labels = labels(&[("Full_Name", "Full Name"), ("Mobile", "Mobile"), ("Phone", "Phone")]);
        assert_eq!(contact_id(&deal).as_deref(), Some("3"));
        let record = assemble(
            "7",
            Labelled { module: "Deals", record: &deal, labels: &deal_labels },
            Some(Labelled { module: "Contacts", record: &contact, labels: &contact_labels }),
            vec![],
        );
        assert_eq!(record.kind, RecordKind::Deal);
        assert_eq!(record.name, "Lisbon office fit-out");
        assert_eq!(record.fields["Deals.Contact Name"], "João Silva");
        assert_eq!(record.fields["Deals.Amount"], "48000");
        assert_eq!(record.fields["Contacts.Full Name"], "João Silva");
        assert_eq!(
            record.phones.iter().map(|p| (p.raw.as_str(), p.primary)).collect::<Vec<_>>(),
            [("(21) 2345-6789", true), ("+55 11 91234-5678", false)]
        );
    }

    #[test]
    fn a_deal_without_contact_has_no_phones() {
        let deal = json!({"Deal_Name": "Osaka", "Phone": "+81 6 6345 6789"});
        let record =
            assemble("8", Labelled { module: "Deals", record: &deal, labels: &FieldLabels::default() }, None, vec![]);
        assert!(record.phones.is_empty());
        assert_eq!(contact_id(&deal), None);
    }

    #[test]
    fn names_fall_back_to_first_and_last() {
        assert_eq!(name("Leads", &json!({"First_Name": "Rahul", "Last_Name": "Sharma"})), "Rahul Sharma");
        assert_eq!(name("Contacts", &json!({"Last_Name": "Watanabe"})), "Watanabe");
    }

    #[test]
    fn attachments_keep_files_with_size_and_inferred_type() {
        let answer = json!({"data": [
            {"id": "a1", "$file_id": "f1", "File_Name": "floor-plan.png", "Size": "2048", "$type": "File"},
            {"id": "a2", "$file_id": "", "File_Name": "x.pdf", "Size": "1", "$type": "File"},
            {"id": "a3", "File_Name": "site", "$link_url": "https://example.com", "$type": "Link URL"},
            {"id": "a4", "$file_id": "f4", "File_Name": "site-visit.mp4", "Size": 17000000, "$type": "File"},
        ], "info": {"more_records": false}});
        let files = files(&answer);
        assert_eq!(
            files,
            vec![
                RecordFile { id: "f1".into(), name: "floor-plan.png".into(), size: 2048, mime: "image/png".into() },
                RecordFile {
                    id: "f4".into(),
                    name: "site-visit.mp4".into(),
                    size: 17_000_000,
                    mime: "video/mp4".into()
                },
            ]
        );
        assert!(!more_records(&answer));
        assert!(more_records(&json!({"info": {"more_records": true}})));
        assert!(super::files(&json!("")).is_empty(), "an empty related list");
    }

    #[test]
    fn modules_map_to_kinds() {
        assert_eq!(kind_of("Leads"), Some(RecordKind::Person));
        assert_eq!(kind_of("Contacts"), Some(RecordKind::Person));
        assert_eq!(kind_of("Deals"), Some(RecordKind::Deal));
        assert_eq!(kind_of("Accounts"), None);
        assert_eq!(first_record(&json!({"data": [{"id": "1"}]})).unwrap()["id"], "1");
        assert_eq!(first_record(&json!({"data": []})), None);
    }
}
