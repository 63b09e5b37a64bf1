//! `POST /api/v1/phones/normalize`: stored numbers to E.164, for records whose data comes through the widget
//! (Zoho) and for previewing a number with a chosen country. The widget carries no phone metadata.

use axum::extract::rejection::JsonRejection;
use axum::routing::post;
use axum::{Json, Router};
use sidechat_domain::Country;
use sidechat_domain::input;
use sidechat_domain::phone::Phone as Parsed;
use sidechat_domain::wire::{NormalizeRequest, NormalizeResponse, Phone, PhoneInput};

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};

/// The most numbers one request may carry.
const MAX_PHONES: usize = 50;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/phones/normalize", post(normalize_phones))
}

async fn normalize_phones(
    _caller: Caller,
    body: Result<Json<NormalizeRequest>, JsonRejection>,
) -> ApiResult<Json<NormalizeResponse>> {
    let Json(request) = body?;
    if request.phones.len() > MAX_PHONES {
        return Err(ApiError::invalid(format!("at most {MAX_PHONES} numbers per request")));
    }
    let phones = request.phones.iter().map(|input| normalize(input, request.country)).collect();
    Ok(Json(NormalizeResponse { phones }))
}

/// Reads one stored number. Junk gets `e164: null` and never breaks the rest; a number without country code
/// stays unresolved unless a country was given: no default region is assumed.
pub fn normalize(input: &PhoneInput, country: Option<Country>) -> Phone {
    // Junk does not need a country code: no country would make it a number.
    let needs_country_code = input::clean(&input.raw).is_ok_and(|clean| !clean.has_country_code());
    let e164 = Parsed::parse(&input.raw, country).ok().map(|parsed| parsed.e164().clone());
    Phone { label: input.label.clone(), raw: input.raw.clone(), e164, needs_country_code, primary: input.primary }
}
