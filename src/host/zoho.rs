//! Zoho CRM's embedded-app protocol, as `ZohoDevelopers/embeddedApp-js-sdk` speaks it, without the SDK: the
//! widget registers with its parent page, gets its context and the `PageLoad` event, and reads the record, its
//! field metadata and its attachments through calls the CRM answers by promise id. Who the user is, the relay
//! learns from Zoho itself when they sign in (see `relay::session`): nothing the page says is trusted for it. The wire
//! forms live in [`wire`], the record built from the answers in [`record`], the browser side in `channel`.
//!
//! Files: an attachment's bytes come through `ZOHO.CRM.API.getFile({id})` (`FILES` / `DOWNLOAD_FILE`) with the
//! attachment's `$file_id`, which the CRM answers with the file as a `Blob`. The SDK has no call for
//! `GET /{module}/{id}/Attachments/{att_id}` itself; `CONNECTOR`/`HTTP` calls go out through Zoho's server
//! without the user's CRM session, and a `CONNECTION` needs one set up by an admin.

mod channel;
pub mod record;
pub mod wire;

use std::rc::Rc;

use wasm_bindgen::JsCast;

use super::{HostError, RecordRef};
use channel::Channel;
use record::{FieldLabels, Labelled, ZohoRecord};
use sidechat_domain::wire::RecordFile;
use wire::{Call, WidgetUrl};

/// Pages of attachments read at most (200 each).
const MAX_ATTACHMENT_PAGES: u32 = 5;

/// The Zoho CRM host.
#[derive(Clone)]
pub struct Zoho {
    channel: Rc<Channel>,
}

impl Zoho {
    /// The host for a Zoho widget URL (one that carries `serviceOrigin`); `None` for any other.
    pub fn from_query(search: &str) -> Option<Self> {
        let url = WidgetUrl::from_query(search)?;
        Some(Self { channel: Rc::new(Channel::new(url.service_origin)) })
    }

    /// Registers with the CRM page and waits for its context and `PageLoad`.
    pub async fn connect(&self) -> Result<(), HostError> {
        let outcome = self.channel.connect().await;
        self.channel.finish_connecting(&outcome);
        outcome
    }

    /// The user's locale from the context (`en`, `pt_BR`…).
    pub fn locale(&self) -> Option<String> {
        self.channel.context()?.locale
    }

    /// The module of the page's record (`Leads`, `Contacts`, `Deals`).
    pub fn module(&self) -> Option<String> {
        Some(self.channel.page()?.entity)
    }

    /// The record the widget is on, once `PageLoad` has said, in a module the panel serves.
    pub fn record(&self) -> Option<RecordRef> {
        let page = self.channel.page()?;
        Some(RecordRef { kind: record::kind_of(&page.entity)?, id: page.entity_id })
    }

    /// Reads the record, its module's field labels and its attached files; for a deal, its contact too.
    pub async fn read_record(&self) -> Result<ZohoRecord, HostError> {
        self.channel.ready().await?;
        let page = self.channel.page().ok_or(HostError::NoHost)?;
        let (module, id) = (page.entity.as_str(), page.entity_id.as_str());
        let main = self.read_one(module, id).await?;
        let files = self.attachments(module, id).await?;
        let contact = match record::contact_id(&main.0) {
            Some(contact_id) if module == "Deals" => Some(self.read_one("Contacts", &contact_id).await?),
            _ => None,
        };
        let main = Labelled { module, record: &main.0, labels: &main.1 };
        let contact = contact.as_ref().map(|(record, labels)| Labelled { module: "Contacts", record, labels });
        Ok(record::assemble(id, main, contact, files))
    }

    /// A record and its module's field labels.
    async fn read_one(&self, module: &str, id: &str) -> Result<(serde_json::Value, FieldLabels), HostError> {
        let answer = self.channel.call_json(&Call::Record { entity: module, id }).await?;
        let found = record::first_record(&answer)
            .cloned()
            .ok_or_else(|| HostError::Malformed(format!("getRecord found no {module} record {id}")))?;
        let labels = FieldLabels::from_meta(&self.channel.call_json(&Call::Fields { entity: module }).await?);
        Ok((found, labels))
    }

    /// The files of the record's Attachments related list, page by page.
    async fn attachments(&self, module: &str, id: &str) -> Result<Vec<RecordFile>, HostError> {
        let mut files = Vec::new();
        for page in 1..=MAX_ATTACHMENT_PAGES {
            let call = Call::Related { entity: module, id, list: "Attachments", page };
            let answer = self.channel.call_json(&call).await?;
            files.extend(record::files(&answer));
            if !record::more_records(&answer) {
                break;
            }
        }
        Ok(files)
    }

    /// An attachment's bytes by its `$file_id` (`API.getFile`), as the CRM gives them.
    pub async fn file_bytes(&self, file_id: &str) -> Result<web_sys::Blob, HostError> {
        self.channel.ready().await?;
        let answer = self.channel.call(&Call::File { id: file_id }).await?;
        if let Some(blob) = answer.dyn_ref::<web_sys::Blob>() {
            return Ok(blob.clone());
        }
        if answer.is_instance_of::<js_sys::ArrayBuffer>() || answer.is_instance_of::<js_sys::Uint8Array>() {
            let parts = js_sys::Array::of1(&answer);
            return web_sys::Blob::new_with_buffer_source_sequence(&parts)
                .map_err(|_| HostError::Malformed("getFile answered unreadable bytes".to_owned()));
        }
        Err(HostError::Malformed("getFile answered no file".to_owned()))
    }

    /// A record file's bytes, typed by its name (Zoho answers `application/x-download`).
    pub async fn file(&self, file: &RecordFile) -> Result<web_sys::Blob, HostError> {
        let blob = self.file_bytes(&file.id).await?;
        blob.slice_with_f64_and_f64_and_content_type(0.0, blob.size(), &file.mime)
            .map_err(|_| HostError::Malformed("the file cannot be read".to_owned()))
    }

    /// `UI.Resize` to the panel's height (fire and forget; nothing before the CRM has answered `REGISTER`).
    pub fn resize(&self, height: f64) {
        if self.channel.context().is_none() {
            return;
        }
        let channel = self.channel.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let _ = channel.call(&Call::Resize { height }).await;
        });
    }
}
