//! Helpers for Tickets, TicketNotes, TicketAttachments and TicketHistory (feature `service_desk`).
//!
//! Helpers for a ticket's children are reachable from the ticket's handle too:
//! `client.tickets().notes(id)`, `client.tickets().attachments(id)`.
//!
//! ```no_run
//! # async fn demo(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::prelude::*;
//!
//! // Size checked first, then POST /Tickets/7/Attachments and GET /TicketAttachments/{id}.
//! let attachments = client.tickets().attachments(7);
//! let uploaded = attachments
//!     .upload_attachment("logs/crash.txt")
//!     .title("Crash log")
//!     .send()
//!     .await?;
//! // GET /Tickets/7/Attachments/{id}: the only route that returns the file data.
//! if let Some(file) = attachments.download_attachment(uploaded.id).await? {
//!     assert_eq!(file.attachment.id, uploaded.id);
//! }
//! // One POST /TicketHistory/query per 500 entries; the 7-day cut-off is applied locally.
//! let changes = client.ticket_history().get_recent_changes(7, 7).await?;
//! # let _ = changes;
//! # Ok(())
//! # }
//! ```

use super::{Create, CreateChild};
use crate::entities::{
    NewTicket, NewTicketAttachment, NewTicketNote, Ticket, TicketAttachment, TicketAttachmentField,
    TicketAttachmentPublish, TicketField, TicketHistory, TicketHistoryField, TicketIssueType,
    TicketNote, TicketNoteField, TicketNoteNoteType, TicketNotePublish, TicketPatch,
    TicketPriority, TicketQueue, TicketStatus,
};
use crate::error::{Error, Result};
use crate::model::wire::{Base64Data, DateTime};
use crate::ops::{ChildHandle, EntityHandle};
use crate::query::Where;
use futures::stream::{self, StreamExt};
use std::future::Future;
use std::path::{Path, PathBuf};

/// How many status PATCHes [`TicketHelpers::bulk_update_status`] keeps in flight: Autotask allows three
/// concurrent requests per endpoint and integration code.
pub const BULK_UPDATE_CONCURRENCY: usize = 3;

/// The largest attachment [`upload_attachment`](ChildHandle::upload_attachment) sends: 6 MiB (6,291,456 bytes)
/// of file data. Autotask documents "about 6–7 MB per file" without an exact figure; 6 MiB is the figure
/// this SDK and its simulator use. Separately, Autotask accepts at most
/// 10,000,000 bytes of attachments per 5 minutes; going over blocks uploads for 5 minutes (a server
/// error, not checked here because other clients share the window).
pub const MAX_ATTACHMENT_BYTES: u64 = 6 * 1024 * 1024;

/// Helpers on `client.tickets()`.
pub trait TicketHelpers {
    /// A ticket for `company_id` with `title` and `description` (the arguments in
    /// [`NewTicket::new`]'s order, then the extra), priority [`TicketPriority::MEDIUM`] and status
    /// [`TicketStatus::NEW`] (system values; change them with the builder's setters). Nothing is sent
    /// until `send()`: `POST /Tickets` then `GET /Tickets/{id}`.
    fn create_ticket(
        &self,
        company_id: i64,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Create<Ticket>;

    /// Every ticket of company `company_id` (`companyID eq`): one `POST /Tickets/query` per 500 records,
    /// following `nextPageUrl` to the end.
    fn get_by_account(&self, company_id: i64) -> impl Future<Output = Result<Vec<Ticket>>> + Send;

    /// Every ticket whose status is not the system value Complete (5): `status noteq 5`, one
    /// `POST /Tickets/query` per 500 records to the end. Tenants often add their own closed statuses;
    /// use [`get_open_tickets_excluding`](Self::get_open_tickets_excluding) to name them all.
    fn get_open_tickets(&self) -> impl Future<Output = Result<Vec<Ticket>>> + Send;

    /// Every ticket whose status is none of `closed_statuses` (`status notIn [...]`), one
    /// `POST /Tickets/query` per 500 records to the end. An empty list is refused with
    /// [`Error::InvalidInput`] (it would mean "every ticket").
    fn get_open_tickets_excluding(
        &self,
        closed_statuses: &[TicketStatus],
    ) -> impl Future<Output = Result<Vec<Ticket>>> + Send;

    /// Sets `status` on every ticket in `ticket_ids`: one `PATCH /Tickets` (`{"id","status"}`) per id, at
    /// most [`BULK_UPDATE_CONCURRENCY`] in flight. Returns one `(ticket_id, result)` per input id, in input
    /// order; a failed ticket does not stop the others.
    fn bulk_update_status(
        &self,
        ticket_ids: &[i64],
        status: TicketStatus,
    ) -> impl Future<Output = Vec<(i64, Result<()>)>> + Send;
}

impl TicketHelpers for EntityHandle<Ticket> {
    fn create_ticket(
        &self,
        company_id: i64,
        title: impl Into<String>,
        description: impl Into<String>,
    ) -> Create<Ticket> {
        let mut body = NewTicket::new(company_id, TicketPriority::MEDIUM, TicketStatus::NEW, title);
        body.description = Some(description.into());
        Create::new(self.clone(), body)
    }

    async fn get_by_account(&self, company_id: i64) -> Result<Vec<Ticket>> {
        self.query()
            .filter(TicketField::CompanyId.eq(company_id))
            .all()
            .await
    }

    async fn get_open_tickets(&self) -> Result<Vec<Ticket>> {
        self.query()
            .filter(TicketField::Status.noteq(TicketStatus::COMPLETE))
            .all()
            .await
    }

    async fn get_open_tickets_excluding(
        &self,
        closed_statuses: &[TicketStatus],
    ) -> Result<Vec<Ticket>> {
        if closed_statuses.is_empty() {
            return Err(Error::InvalidInput(
                "get_open_tickets_excluding needs at least one closed status".into(),
            ));
        }
        self.query()
            .filter(TicketField::Status.not_in(closed_statuses))
            .all()
            .await
    }

    async fn bulk_update_status(
        &self,
        ticket_ids: &[i64],
        status: TicketStatus,
    ) -> Vec<(i64, Result<()>)> {
        let updates = ticket_ids.iter().copied().map(|id| {
            let handle = self.clone();
            async move {
                let mut patch = TicketPatch::new(id);
                patch.status = status.into();
                (id, handle.update(&patch).await.map(|_| ()))
            }
        });
        // `buffered` keeps the input order while running a bounded number at once.
        stream::iter(updates)
            .buffered(BULK_UPDATE_CONCURRENCY)
            .collect()
            .await
    }
}

/// Setters for the common optional ticket fields; any other field: [`Create::with`].
impl Create<Ticket> {
    /// `priority` (default [`TicketPriority::MEDIUM`]).
    pub fn priority(self, priority: impl Into<TicketPriority>) -> Self {
        let priority = priority.into();
        self.with(|t| t.priority = priority)
    }

    /// `status` (default [`TicketStatus::NEW`]).
    pub fn status(self, status: impl Into<TicketStatus>) -> Self {
        let status = status.into();
        self.with(|t| t.status = status)
    }

    /// `queueID`.
    pub fn queue_id(self, queue: impl Into<TicketQueue>) -> Self {
        let queue = queue.into();
        self.with(|t| t.queue_id = Some(queue))
    }

    /// `issueType`.
    pub fn issue_type(self, issue_type: impl Into<TicketIssueType>) -> Self {
        let issue_type = issue_type.into();
        self.with(|t| t.issue_type = Some(issue_type))
    }

    /// `contactID`.
    pub fn contact_id(self, contact_id: i64) -> Self {
        self.with(|t| t.contact_id = Some(contact_id))
    }

    /// `assignedResourceID` (Autotask also requires `assignedResourceRoleID` then: use [`Create::with`]).
    pub fn assigned_resource_id(self, resource_id: i64) -> Self {
        self.with(|t| t.assigned_resource_id = Some(resource_id))
    }

    /// `dueDateTime`.
    pub fn due_date_time(self, due: DateTime) -> Self {
        self.with(|t| t.due_date_time = Some(due))
    }
}

/// Helpers on `client.ticket_notes()`; the same, scoped to one ticket, on `client.tickets().notes(id)`.
pub trait TicketNoteHelpers {
    /// A note on ticket `ticket_id`; the same as `client.tickets().notes(ticket_id)`
    /// [`.create_ticket_note(description, note_type)`](ChildHandle::create_ticket_note).
    fn create_ticket_note(
        &self,
        ticket_id: i64,
        description: impl Into<String>,
        note_type: impl Into<TicketNoteNoteType>,
    ) -> CreateChild<TicketNote>;

    /// Every note of ticket `ticket_id` (`ticketID eq`): one `POST /TicketNotes/query` per 500 records,
    /// to the end.
    fn get_by_ticket(&self, ticket_id: i64)
        -> impl Future<Output = Result<Vec<TicketNote>>> + Send;
}

impl TicketNoteHelpers for EntityHandle<TicketNote> {
    fn create_ticket_note(
        &self,
        ticket_id: i64,
        description: impl Into<String>,
        note_type: impl Into<TicketNoteNoteType>,
    ) -> CreateChild<TicketNote> {
        self.client()
            .children::<TicketNote>(ticket_id)
            .create_ticket_note(description, note_type)
    }

    async fn get_by_ticket(&self, ticket_id: i64) -> Result<Vec<TicketNote>> {
        self.query()
            .filter(TicketNoteField::TicketId.eq(ticket_id))
            .all()
            .await
    }
}

/// Note helpers of one ticket: `client.tickets().notes(ticket_id)`.
impl ChildHandle<TicketNote> {
    /// A note on this ticket. `note_type` is a tenant picklist value (the schema has no system values,
    /// so the SDK does not guess one); `publish` defaults to [`TicketNotePublish::ALL_AUTOTASK_USERS`],
    /// the title to none (set them with the builder). Nothing is sent until `send()`:
    /// `POST /Tickets/{ticket_id}/Notes` then `GET /TicketNotes/{id}`.
    pub fn create_ticket_note(
        &self,
        description: impl Into<String>,
        note_type: impl Into<TicketNoteNoteType>,
    ) -> CreateChild<TicketNote> {
        let body = NewTicketNote::new(
            self.parent_id(),
            description,
            note_type,
            TicketNotePublish::ALL_AUTOTASK_USERS,
        );
        CreateChild::new(self.clone(), body)
    }
}

impl CreateChild<TicketNote> {
    /// `title`.
    pub fn title(self, title: impl Into<String>) -> Self {
        let title = title.into();
        self.with(|n| n.title = Some(title))
    }

    /// `publish` (default [`TicketNotePublish::ALL_AUTOTASK_USERS`]).
    pub fn publish(self, publish: impl Into<TicketNotePublish>) -> Self {
        let publish = publish.into();
        self.with(|n| n.publish = publish)
    }
}

/// An attachment read with its file data.
#[derive(Debug, Clone)]
pub struct AttachmentFile {
    /// The attachment record (its `data` field is moved into [`bytes`](Self::bytes)).
    pub attachment: TicketAttachment,
    /// The decoded file content.
    pub bytes: Vec<u8>,
}

/// An upload prepared by [`upload_attachment`](ChildHandle::upload_attachment). Nothing is read or sent
/// until [`send`](Self::send).
#[must_use = "nothing is uploaded until `send()`"]
pub struct AttachmentUpload {
    handle: ChildHandle<TicketAttachment>,
    source: Source,
    title: Option<String>,
    publish: TicketAttachmentPublish,
}

enum Source {
    File(PathBuf),
    Bytes { file_name: String, bytes: Vec<u8> },
}

impl AttachmentUpload {
    /// The attachment's `title` (default: the file name).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Who sees it (default [`TicketAttachmentPublish::ALL_AUTOTASK_USERS`]).
    pub fn publish(mut self, publish: impl Into<TicketAttachmentPublish>) -> Self {
        self.publish = publish.into();
        self
    }

    /// Checks the size against [`MAX_ATTACHMENT_BYTES`] (for a file: from its metadata, before reading
    /// it), reads and base64-encodes it, then `POST /Tickets/{ticket_id}/Attachments`
    /// (`attachmentType: FILE_ATTACHMENT`, `fullPath`: the file name) and `GET /TicketAttachments/{id}`
    /// (two requests; the record read back carries no `data`, as Autotask returns it only from the
    /// parent-path GET). Too large a file, or one that cannot be read, is an [`Error::InvalidInput`] and
    /// nothing is sent.
    pub async fn send(self) -> Result<TicketAttachment> {
        let (file_name, bytes) = match self.source {
            Source::Bytes { file_name, bytes } => {
                if file_name.trim().is_empty() {
                    return Err(Error::InvalidInput(
                        "an attachment needs a file name (its fullPath)".into(),
                    ));
                }
                check_attachment_size(&file_name, bytes.len() as u64)?;
                (file_name, bytes)
            }
            Source::File(path) => read_attachment(path).await?,
        };
        let mut body = NewTicketAttachment::new(
            "FILE_ATTACHMENT",
            file_name.clone(),
            self.publish,
            self.title.unwrap_or(file_name),
        );
        body.data = Some(Base64Data(bytes));
        self.handle.create_and_get(&body).await
    }
}

fn check_attachment_size(name: &str, size: u64) -> Result<()> {
    if size > MAX_ATTACHMENT_BYTES {
        return Err(Error::InvalidInput(format!(
            "attachment {name:?} is {size} bytes; Autotask accepts at most {MAX_ATTACHMENT_BYTES} bytes per file"
        )));
    }
    Ok(())
}

/// Reads a file on a blocking thread, refusing it by its metadata size before reading.
async fn read_attachment(path: PathBuf) -> Result<(String, Vec<u8>)> {
    let shown = path.display().to_string();
    let read = tokio::task::spawn_blocking(move || -> Result<(String, Vec<u8>)> {
        let cannot = |e: std::io::Error| {
            Error::InvalidInput(format!("cannot read attachment {}: {e}", path.display()))
        };
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| {
                Error::InvalidInput(format!("{} does not name a file", path.display()))
            })?;
        let metadata = std::fs::metadata(&path).map_err(cannot)?;
        if !metadata.is_file() {
            return Err(Error::InvalidInput(format!(
                "{} is not a regular file",
                path.display()
            )));
        }
        check_attachment_size(&file_name, metadata.len())?;
        let bytes = std::fs::read(&path).map_err(cannot)?;
        // The file may have grown between the two calls.
        check_attachment_size(&file_name, bytes.len() as u64)?;
        Ok((file_name, bytes))
    });
    read.await
        .map_err(|e| Error::InvalidInput(format!("reading attachment {shown} failed: {e}")))?
}

/// Helpers on `client.ticket_attachments()`; the same, scoped to one ticket, on
/// `client.tickets().attachments(id)`.
pub trait TicketAttachmentHelpers {
    /// `client.tickets().attachments(ticket_id)`[`.upload_attachment(path)`](ChildHandle::upload_attachment).
    fn upload_attachment(&self, ticket_id: i64, path: impl AsRef<Path>) -> AttachmentUpload;

    /// `client.tickets().attachments(ticket_id)`
    /// [`.upload_attachment_bytes(file_name, bytes)`](ChildHandle::upload_attachment_bytes).
    fn upload_attachment_bytes(
        &self,
        ticket_id: i64,
        file_name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> AttachmentUpload;

    /// `client.tickets().attachments(ticket_id)`
    /// [`.download_attachment(attachment_id)`](ChildHandle::download_attachment).
    fn download_attachment(
        &self,
        ticket_id: i64,
        attachment_id: i64,
    ) -> impl Future<Output = Result<Option<AttachmentFile>>> + Send;

    /// Every attachment of ticket `ticket_id` (`ticketID eq`), without data: one
    /// `POST /TicketAttachments/query` per 500 records, to the end.
    fn get_by_ticket(
        &self,
        ticket_id: i64,
    ) -> impl Future<Output = Result<Vec<TicketAttachment>>> + Send;
}

impl TicketAttachmentHelpers for EntityHandle<TicketAttachment> {
    fn upload_attachment(&self, ticket_id: i64, path: impl AsRef<Path>) -> AttachmentUpload {
        self.client()
            .children::<TicketAttachment>(ticket_id)
            .upload_attachment(path)
    }

    fn upload_attachment_bytes(
        &self,
        ticket_id: i64,
        file_name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> AttachmentUpload {
        self.client()
            .children::<TicketAttachment>(ticket_id)
            .upload_attachment_bytes(file_name, bytes)
    }

    async fn download_attachment(
        &self,
        ticket_id: i64,
        attachment_id: i64,
    ) -> Result<Option<AttachmentFile>> {
        self.client()
            .children::<TicketAttachment>(ticket_id)
            .download_attachment(attachment_id)
            .await
    }

    async fn get_by_ticket(&self, ticket_id: i64) -> Result<Vec<TicketAttachment>> {
        self.query()
            .filter(TicketAttachmentField::TicketId.eq(ticket_id))
            .all()
            .await
    }
}

/// Attachment helpers of one ticket: `client.tickets().attachments(ticket_id)`.
impl ChildHandle<TicketAttachment> {
    /// Prepares an upload of the file at `path` to this ticket; see [`AttachmentUpload::send`] for the
    /// size check and the requests.
    pub fn upload_attachment(&self, path: impl AsRef<Path>) -> AttachmentUpload {
        self.upload(Source::File(path.as_ref().to_path_buf()))
    }

    /// Like [`upload_attachment`](Self::upload_attachment), for data already in memory.
    pub fn upload_attachment_bytes(
        &self,
        file_name: impl Into<String>,
        bytes: Vec<u8>,
    ) -> AttachmentUpload {
        self.upload(Source::Bytes {
            file_name: file_name.into(),
            bytes,
        })
    }

    fn upload(&self, source: Source) -> AttachmentUpload {
        AttachmentUpload {
            handle: self.clone(),
            source,
            title: None,
            publish: TicketAttachmentPublish::ALL_AUTOTASK_USERS,
        }
    }

    /// One attachment with its data: one `GET /Tickets/{ticket_id}/Attachments/{attachment_id}` (the
    /// only route that returns `data`). `None` when there is no such attachment; a record without data
    /// is an [`Error::Protocol`].
    pub async fn download_attachment(&self, attachment_id: i64) -> Result<Option<AttachmentFile>> {
        let Some(mut attachment) = self.get(attachment_id).await? else {
            return Ok(None);
        };
        let Some(Base64Data(bytes)) = attachment.data.take() else {
            return Err(Error::Protocol(format!(
                "TicketAttachments {attachment_id} of ticket {} came back without data",
                self.parent_id()
            )));
        };
        Ok(Some(AttachmentFile { attachment, bytes }))
    }
}

/// Helpers on `client.ticket_history()`.
///
/// TicketHistory is read-only. Both helpers filter on `ticketID eq` only; the date cut-off of
/// [`get_recent_changes`](Self::get_recent_changes) is applied to the answer, so the helpers do not depend
/// on which other TicketHistory fields the API lets a query filter on.
pub trait TicketHistoryHelpers {
    /// Every history entry of ticket `ticket_id`, oldest id first: one `POST /TicketHistory/query` per
    /// 500 records, to the end.
    fn get_ticket_history(
        &self,
        ticket_id: i64,
    ) -> impl Future<Output = Result<Vec<TicketHistory>>> + Send;

    /// The history entries of ticket `ticket_id` dated within the last `days` days (entry `date` at or
    /// after now minus `days`), sorted by date: the same requests as
    /// [`get_ticket_history`](Self::get_ticket_history). Entries without a date are left out.
    fn get_recent_changes(
        &self,
        ticket_id: i64,
        days: u32,
    ) -> impl Future<Output = Result<Vec<TicketHistory>>> + Send;
}

impl TicketHistoryHelpers for EntityHandle<TicketHistory> {
    async fn get_ticket_history(&self, ticket_id: i64) -> Result<Vec<TicketHistory>> {
        self.query()
            .filter(TicketHistoryField::TicketId.eq(ticket_id))
            .all()
            .await
    }

    async fn get_recent_changes(&self, ticket_id: i64, days: u32) -> Result<Vec<TicketHistory>> {
        // A window reaching before the first representable date simply includes every entry.
        let since = chrono::Utc::now()
            .checked_sub_signed(chrono::Duration::days(i64::from(days)))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC);
        let mut recent: Vec<TicketHistory> = self
            .get_ticket_history(ticket_id)
            .await?
            .into_iter()
            .filter(|entry| entry.date.is_some_and(|date| date >= since))
            .collect();
        recent.sort_by_key(|entry| (entry.date, entry.id));
        Ok(recent)
    }
}
