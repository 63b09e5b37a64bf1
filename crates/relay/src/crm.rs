//! The CRMs' APIs, one file each. CRM-specific server code stops here.

pub mod pipedrive;
pub mod zoho;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::store::AttachmentMeta;
use sidechat_domain::Crm;
use sidechat_domain::wire::RecordRef;

/// Fetches a file of the caller's CRM record into the store, for a send.
///
/// Zoho record files reach the relay as uploads (the widget reads them through the Zoho host), so only
/// Pipedrive files are fetched here.
pub async fn fetch_record_file(
    state: &AppState,
    caller: &Caller,
    record: &RecordRef,
    file_id: &str,
    provider: sidechat_domain::Provider,
) -> ApiResult<AttachmentMeta> {
    match caller.crm {
        Crm::Zoho => Err(ApiError::invalid("Zoho record files are sent as uploads (POST /api/v1/uploads)")),
        Crm::Pipedrive => {
            pipedrive::fetch_file(state, caller, record, file_id, provider).await.map_err(|e| api_error(state, e))
        }
    }
}

/// A Pipedrive failure as the caller sees it; a user who must connect their account is told where.
pub fn api_error(state: &AppState, error: pipedrive::PipedriveError) -> ApiError {
    let error = ApiError::from(error);
    match pipedrive::connect_url(state) {
        Some(url) => error.with_connect_url(url),
        None => error,
    }
}
