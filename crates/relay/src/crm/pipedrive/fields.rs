//! Record values to text, keyed `Module.Field label` as merge fields name them, and phones to the wire's
//! [`Phone`]s.

use std::collections::BTreeMap;

use serde_json::Value;
use sidechat_domain::wire::{Phone, PhoneInput};

use super::shapes::{FieldDefinition, V2Phone};
use crate::routes::phones::normalize;

/// Labels for the fields every record has, used when the definitions do not name them.
const BUILT_IN: &[(&str, &str, &str)] = &[
    ("Persons", "name", "Name"),
    ("Persons", "first_name", "First Name"),
    ("Persons", "last_name", "Last Name"),
    ("Deals", "title", "Title"),
];

/// Adds a record's values to `fields` as `module.label`; empty values are left out.
pub(super) fn collect(
    fields: &mut BTreeMap<String, String>,
    module: &str,
    record: &Value,
    definitions: &[FieldDefinition],
) {
    for definition in definitions {
        if let Some(text) = lookup(record, &definition.field_code).and_then(|value| text(value, definition)) {
            fields.insert(format!("{module}.{}", definition.field_name), text);
        }
    }
    for (built_in_module, code, label) in BUILT_IN {
        let defined = definitions.iter().any(|d| d.field_code == *code);
        if *built_in_module == module
            && !defined
            && let Some(value) = record.get(*code).and_then(Value::as_str).filter(|v| !v.trim().is_empty())
        {
            fields.insert(format!("{module}.{label}"), value.to_owned());
        }
    }
}

/// A field's value: a top-level key, or a custom field (v2 keeps those under `custom_fields`).
fn lookup<'a>(record: &'a Value, code: &str) -> Option<&'a Value> {
    match record.get(code) {
        Some(value) if code != "custom_fields" => Some(value),
        _ => record.get("custom_fields").and_then(|custom| custom.get(code)),
    }
}

/// A value as people read it: option ids become their labels, lists are joined, `{value, currency}` money
/// reads `100 EUR`, other objects by their `value`.
fn text(value: &Value, definition: &FieldDefinition) -> Option<String> {
    let text = match value {
        Value::Null => return None,
        Value::String(s) => option_label(definition, value).unwrap_or_else(|| s.trim().to_owned()),
        Value::Number(n) => option_label(definition, value).unwrap_or_else(|| n.to_string()),
        Value::Bool(b) => if *b { "Yes" } else { "No" }.to_owned(),
        Value::Array(items) => items.iter().filter_map(|item| text(item, definition)).collect::<Vec<_>>().join(", "),
        Value::Object(object) => {
            let inner = object.get("value").and_then(|inner| text(inner, definition))?;
            match object.get("currency").and_then(Value::as_str) {
                Some(currency) => format!("{inner} {currency}"),
                None => inner,
            }
        }
    };
    (!text.is_empty()).then_some(text)
}

fn option_label(definition: &FieldDefinition, value: &Value) -> Option<String> {
    let wanted = scalar(value)?;
    definition
        .options
        .as_ref()?
        .iter()
        .find(|option| scalar(&option.id).as_deref() == Some(&wanted))
        .map(|o| o.label.clone())
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A person's phones, the primary first, each read with no country assumed.
pub(super) fn phones(person: &Value) -> Vec<Phone> {
    let stored: Vec<V2Phone> =
        person.get("phones").cloned().and_then(|phones| serde_json::from_value(phones).ok()).unwrap_or_default();
    let mut phones: Vec<Phone> = stored
        .into_iter()
        .filter_map(|phone| {
            let raw = phone.value.filter(|v| !v.trim().is_empty())?;
            let input = PhoneInput {
                label: phone.label.unwrap_or_else(|| "work".to_owned()),
                raw,
                primary: phone.primary.unwrap_or(false),
            };
            Some(normalize(&input, None))
        })
        .collect();
    // A stable sort: the others keep Pipedrive's order.
    phones.sort_by_key(|phone| !phone.primary);
    phones
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn definition(code: &str, label: &str, options: Option<Value>) -> FieldDefinition {
        serde_json::from_value(json!({"field_code": code, "field_name": label, "options": options})).unwrap()
    }

    #[test]
    fn values_read_as_people_see_them() {
        let hash = "a".repeat(40);
        let tier = "b".repeat(40);
        let record = json!({
            "first_name": "Marie", "value": 1200, "active": true, "label_ids": [1, 2], "empty": "",
            "custom_fields": {hash.clone(): {"value": 50, "currency": "EUR"}, tier.clone(): 7}
        });
        let definitions = vec![
            definition("first_name", "First name", None),
            definition("value", "Value", None),
            definition("active", "Active", None),
            definition("label_ids", "Labels", Some(json!([{"id": 1, "label": "Hot"}, {"id": 2, "label": "VIP"}]))),
            definition("empty", "Empty", None),
            definition(&hash, "Budget", None),
            definition(&tier, "Tier", Some(json!([{"id": 7, "label": "Gold"}]))),
            definition("missing", "Missing", None),
        ];
        let mut fields = BTreeMap::new();
        collect(&mut fields, "Persons", &record, &definitions);
        let expected: BTreeMap<String, String> = [
            ("Persons.First name", "Marie"),
            ("Persons.Value", "1200"),
            ("Persons.Active", "Yes"),
            ("Persons.Labels", "Hot, VIP"),
            ("Persons.Budget", "50 EUR"),
            ("Persons.Tier", "Gold"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(fields, expected);
    }

    #[test]
    fn built_in_fields_fill_in_for_missing_definitions() {
        let mut fields = BTreeMap::new();
        collect(&mut fields, "Persons", &json!({"name": "Marie Curie", "first_name": "Marie"}), &[]);
        assert_eq!(fields.get("Persons.Name").map(String::as_str), Some("Marie Curie"));
        assert_eq!(fields.get("Persons.First Name").map(String::as_str), Some("Marie"));
    }

    #[test]
    fn primary_phone_comes_first_and_junk_stays_unresolved() {
        let person = json!({"phones": [
            {"label": "work", "value": "089 636 48018", "primary": false},
            {"label": "mobile", "value": "+49 30 901820", "primary": true},
            {"label": "other", "value": "call me", "primary": false},
            {"label": "home", "value": "  ", "primary": false}
        ]});
        let phones = phones(&person);
        let raws: Vec<&str> = phones.iter().map(|p| p.raw.as_str()).collect();
        assert_eq!(raws, ["+49 30 901820", "089 636 48018", "call me"]);
        assert_eq!(phones[0].e164.as_ref().map(|e| e.as_str()), Some("+4930901820"));
        assert!(phones[1].e164.is_none() && phones[1].needs_country_code);
        assert!(phones[2].e164.is_none() && !phones[2].needs_country_code);
    }
}
