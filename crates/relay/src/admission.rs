//! Which CRM accounts may use the relay (`SIDECHAT_SIGNUP`), settled when the relay starts.
//!
//! - Closed (the default): the companies in `PIPEDRIVE_COMPANY_IDS` and the orgs in `ZOHO_ORG_IDS`. The first of
//!   each shares the operator workspace, whose WhatsApp connection is the relay's own settings; each further one
//!   gets a workspace of its own. Companies that installed before workspaces are admitted as if listed, and what
//!   they kept (canned texts) follows them. A closed relay with nothing to admit does not start.
//! - Open: any company whose user installs gets a workspace (see `crm::pipedrive::install`); nothing is admitted
//!   here.

use anyhow::Context;
use sidechat_domain::Crm;

use crate::config::{Config, Signup};
use crate::store::{Store, WorkspaceId};

/// The time zone a new workspace takes: the installing admin's, when it is one the relay knows, else UTC.
pub fn time_zone_or_utc(name: Option<&str>) -> String {
    name.filter(|name| jiff::tz::TimeZone::get(name).is_ok()).unwrap_or("UTC").to_owned()
}

/// Admits the listed accounts and the earlier installs; answers the operator workspace.
pub async fn settle(store: &Store, config: &Config) -> anyhow::Result<WorkspaceId> {
    let operator = store.operator_workspace().await.context("reading the operator workspace")?;
    let now = jiff::Timestamp::now().as_millisecond();
    if config.signup == Signup::Closed {
        let companies = config.pipedrive.as_ref().map(|p| p.company_ids.clone()).unwrap_or_default();
        let listed = companies
            .iter()
            .map(|id| (Crm::Pipedrive, id.to_string()))
            .chain(config.zoho_org_ids.iter().map(|id| (Crm::Zoho, id.clone())));
        let mut first_of = Vec::new();
        for (crm, account_id) in listed {
            let first = !first_of.contains(&crm);
            first_of.push(crm);
            let name = format!("{} {account_id}", crm.account_noun());
            let workspace = store
                .admit_account(crm, &account_id, None, first, (&name, "UTC"), now)
                .await
                .with_context(|| format!("admitting {} account {account_id}", crm.as_str()))?;
            // A listed company may also have installed before workspaces: what it kept follows it here too (the
            // loop below only sees earlier installs that are not admitted yet).
            store.settle_legacy_canned_texts(&format!("{}:{account_id}", crm.as_str()), &workspace).await?;
        }
    }
    for legacy in store.pending_legacy_installations().await.context("reading earlier installs")? {
        let name = format!("{} {}", legacy.crm.account_noun(), legacy.company_id);
        let workspace = store
            .admit_account(legacy.crm, &legacy.company_id, legacy.api_domain.as_deref(), true, (&name, "UTC"), now)
            .await
            .context("admitting an earlier install")?;
        let moved = store
            .settle_legacy_canned_texts(&format!("{}:{}", legacy.crm.as_str(), legacy.company_id), &workspace)
            .await?;
        tracing::info!(crm = legacy.crm.as_str(), company_id = legacy.company_id, workspace = %workspace, moved,
            "a company that installed before workspaces is admitted");
    }
    // Whatever else was kept before workspaces (the Zoho installation's texts) stays with the operator.
    store.settle_legacy_canned_texts(Crm::Zoho.as_str(), &operator.id).await?;
    if config.signup == Signup::Closed && store.count_accounts().await? == 0 {
        anyhow::bail!(
            "SIDECHAT_SIGNUP is closed, PIPEDRIVE_COMPANY_IDS and ZOHO_ORG_IDS are empty and no company installed \
             before: list the companies and orgs that may use this relay, or set SIDECHAT_SIGNUP=open"
        );
    }
    Ok(operator.id)
}
