//! The admin endpoints the settings view calls (built into the settings module only).

use gloo_net::http::Request;
use sidechat_domain::wire::{
    AdminLog, AdminLogEntry, ConnectRequest, ConnectionResponse, ConnectionUpdate, WhatsAppConnection,
    WhatsAppConnections, WorkspaceSettings, WorkspaceUser, WorkspaceUsers,
};

use super::{Relay, RelayError, encode};

impl Relay {
    /// `GET /api/v1/admin/workspace`.
    pub async fn workspace_settings(&self) -> Result<WorkspaceSettings, RelayError> {
        self.call(Request::get, "/api/v1/admin/workspace", None::<&()>).await
    }

    /// `PUT /api/v1/admin/workspace`.
    pub async fn save_workspace_settings(&self, settings: &WorkspaceSettings) -> Result<WorkspaceSettings, RelayError> {
        self.call(Request::put, "/api/v1/admin/workspace", Some(settings)).await
    }

    /// `GET /api/v1/admin/whatsapp`.
    pub async fn connections(&self) -> Result<Vec<WhatsAppConnection>, RelayError> {
        let answer: WhatsAppConnections = self.call(Request::get, "/api/v1/admin/whatsapp", None::<&()>).await?;
        Ok(answer.connections)
    }

    /// `POST /api/v1/admin/whatsapp`.
    pub async fn connect_whatsapp(&self, request: &ConnectRequest) -> Result<WhatsAppConnection, RelayError> {
        let answer: ConnectionResponse = self.call(Request::post, "/api/v1/admin/whatsapp", Some(request)).await?;
        Ok(answer.connection)
    }

    /// `PATCH /api/v1/admin/whatsapp/{id}`.
    pub async fn update_connection(
        &self,
        id: &str,
        update: &ConnectionUpdate,
    ) -> Result<WhatsAppConnection, RelayError> {
        let path = format!("/api/v1/admin/whatsapp/{}", encode(id));
        let answer: ConnectionResponse = self.call(Request::patch, &path, Some(update)).await?;
        Ok(answer.connection)
    }

    /// `DELETE /api/v1/admin/whatsapp/{id}`.
    pub async fn disconnect(&self, id: &str) -> Result<(), RelayError> {
        let url = self.url(&format!("/api/v1/admin/whatsapp/{}", encode(id)));
        self.respond(|credential| super::authorized(Request::delete(&url), credential).send()).await?;
        Ok(())
    }

    /// `GET /api/v1/admin/users`.
    pub async fn workspace_users(&self) -> Result<Vec<WorkspaceUser>, RelayError> {
        let answer: WorkspaceUsers = self.call(Request::get, "/api/v1/admin/users", None::<&()>).await?;
        Ok(answer.users)
    }

    /// `GET /api/v1/admin/log`.
    pub async fn admin_log(&self) -> Result<Vec<AdminLogEntry>, RelayError> {
        let answer: AdminLog = self.call(Request::get, "/api/v1/admin/log?limit=50", None::<&()>).await?;
        Ok(answer.entries)
    }
}
