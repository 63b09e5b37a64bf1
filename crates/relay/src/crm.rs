//! The CRMs' APIs, one file each. CRM-specific server code stops here.

pub mod pipedrive;

use crate::AppState;
use crate::auth::{Caller, Crm};
use crate::error::{ApiError, ApiResult};
use crate::store::AttachmentMeta;

/// Fetches a file of the caller's CRM record into the store, for a send.
///
/// Zoho record files reach the relay as uploads (the widget reads them through the Zoho host), so only
/// Pipedrive files are fetched here.
pub async fn fetch_record_file(
    state: &AppState,
    caller: &Caller,
    file_id: &str,
    provider: sidechat_domain::Provider,
) -> ApiResult<AttachmentMeta> {
    match caller.crm {
        Crm::Zoho => Err(ApiError::invalid("Zoho record files are sent as uploads (POST /api/v1/uploads)")),
        Crm::Pipedrive => Ok(pipedrive::fetch_file(state, caller, file_id, provider).await?),
    }
}
