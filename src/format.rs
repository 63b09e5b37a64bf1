//! Times, days, sizes and country names in the user's language, through the browser's `Intl`, and lower case
//! through its `String` (the widget carries no locale or Unicode case data of its own).

use jiff::Timestamp;
use sidechat_domain::calling_code::CALLING_CODES;
use wasm_bindgen::JsValue;

use crate::i18n::Lang;

/// A JS object `{key: value, …}` of string options for `Intl`.
fn options(pairs: &[(&str, &str)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), &(*value).into());
    }
    object.into()
}

fn date(at: Timestamp) -> js_sys::Date {
    js_sys::Date::new(&JsValue::from_f64(at.as_millisecond() as f64))
}

/// `14:05` (or the locale's form) in the user's time zone.
pub fn time_of(at: Timestamp, lang: Lang) -> String {
    date(at)
        .to_locale_time_string_with_options(lang.tag(), &options(&[("hour", "2-digit"), ("minute", "2-digit")]))
        .into()
}

/// The day a moment falls on in the user's time zone, in the locale's long form (`22 November 2026`).
pub fn day_of(at: Timestamp, lang: Lang) -> String {
    date(at).to_locale_date_string(lang.tag(), &options(&[("dateStyle", "long")])).into()
}

/// Day and time (`22 Nov 2026, 14:05`).
pub fn date_time(at: Timestamp, lang: Lang) -> String {
    date(at).to_locale_string(lang.tag(), &options(&[("dateStyle", "medium"), ("timeStyle", "short")])).into()
}

/// A size in decimal units, as the providers state their limits (`16 MB`, `850 KB`).
pub fn size(bytes: u64) -> String {
    sidechat_domain::attachment::megabytes(bytes).to_string()
}

/// Lower case through the browser's `String.prototype.toLowerCase`: the same Unicode mapping as
/// `str::to_lowercase`, without its case tables in the module.
pub fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// Every country with a calling code, named in the user's language and sorted by that name:
/// `(ISO code, "France (+33)")`.
pub fn countries(lang: Lang) -> Vec<(String, String)> {
    let names = region_names(lang);
    let mut all: Vec<(String, String)> = CALLING_CODES
        .iter()
        .map(|(id, code, _)| {
            let name = names.as_ref().and_then(|of| of(id)).unwrap_or_else(|| (*id).to_owned());
            ((*id).to_owned(), format!("{name} (+{code})"))
        })
        .collect();
    all.sort_by(|a, b| a.1.cmp(&b.1));
    all
}

/// `Intl.DisplayNames` for regions, where the browser has it.
fn region_names(lang: Lang) -> Option<impl Fn(&str) -> Option<String>> {
    let intl = js_sys::Reflect::get(&js_sys::global(), &"Intl".into()).ok()?;
    let constructor: js_sys::Function = js_sys::Reflect::get(&intl, &"DisplayNames".into()).ok()?.into();
    let arguments = js_sys::Array::of2(&lang.tag().into(), &options(&[("type", "region")]));
    let display = js_sys::Reflect::construct(&constructor, &arguments).ok()?;
    let of: js_sys::Function = js_sys::Reflect::get(&display, &"of".into()).ok()?.into();
    Some(move |id: &str| of.call1(&display, &id.into()).ok().and_then(|name| name.as_string()))
}
