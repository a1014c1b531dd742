//! Helpers for Companies and CompanyNotes (feature `crm`).

use super::{Create, CreateChild};
use crate::entities::{
    Company, CompanyField, CompanyNote, CompanyNoteActionType, CompanyNoteField, CompanyType,
    NewCompany, NewCompanyNote,
};
use crate::error::{Error, Result};
use crate::model::wire::DateTime;
use crate::ops::{ChildHandle, EntityHandle};
use crate::query::Where;
use std::future::Future;

/// Helpers on `client.companies()`.
pub trait CompanyHelpers {
    /// A company named `name`. Autotask requires `ownerResourceID` (the account manager) and `phone`,
    /// so they are arguments too, in [`NewCompany::new`]'s order; the company is created active
    /// (`isActive: true`). Nothing is sent until `send()`: `POST /Companies` then
    /// `GET /Companies/{id}`.
    fn create_company(
        &self,
        owner_resource_id: i64,
        name: impl Into<String>,
        phone: impl Into<String>,
    ) -> Create<Company>;

    /// Every company whose `companyName` contains `name` (case-insensitive, as Autotask compares text):
    /// one `POST /Companies/query` per 500 records, to the end. An empty `name` is refused with
    /// [`Error::InvalidInput`] (it would match every company).
    fn search_by_name(&self, name: &str) -> impl Future<Output = Result<Vec<Company>>> + Send;

    /// Every company with `isActive eq true`: one `POST /Companies/query` per 500 records, to the end.
    fn get_active_companies(&self) -> impl Future<Output = Result<Vec<Company>>> + Send;

    /// Every company of type `company_type` (`companyType eq`; system values [`CompanyType::CUSTOMER`],
    /// [`CompanyType::PROSPECT`], ...): one `POST /Companies/query` per 500 records, to the end.
    fn get_by_type(
        &self,
        company_type: CompanyType,
    ) -> impl Future<Output = Result<Vec<Company>>> + Send;
}

impl CompanyHelpers for EntityHandle<Company> {
    fn create_company(
        &self,
        owner_resource_id: i64,
        name: impl Into<String>,
        phone: impl Into<String>,
    ) -> Create<Company> {
        let mut body = NewCompany::new(owner_resource_id, name, phone);
        body.is_active = Some(true);
        Create::new(self.clone(), body)
    }

    async fn search_by_name(&self, name: &str) -> Result<Vec<Company>> {
        if name.trim().is_empty() {
            return Err(Error::InvalidInput(
                "search_by_name needs a non-empty name".into(),
            ));
        }
        self.query()
            .filter(CompanyField::CompanyName.contains(name))
            .all()
            .await
    }

    async fn get_active_companies(&self) -> Result<Vec<Company>> {
        self.query()
            .filter(CompanyField::IsActive.eq(true))
            .all()
            .await
    }

    async fn get_by_type(&self, company_type: CompanyType) -> Result<Vec<Company>> {
        self.query()
            .filter(CompanyField::CompanyType.eq(company_type))
            .all()
            .await
    }
}

/// Setters for common optional company fields; any other field: [`Create::with`].
impl Create<Company> {
    /// `companyType`.
    pub fn company_type(self, company_type: impl Into<CompanyType>) -> Self {
        let company_type = company_type.into();
        self.with(|c| c.company_type = Some(company_type))
    }

    /// `isActive` (default `true`).
    pub fn active(self, active: bool) -> Self {
        self.with(|c| c.is_active = Some(active))
    }

    /// `address1`, `city`, `postalCode`.
    pub fn address(
        self,
        address1: impl Into<String>,
        city: impl Into<String>,
        postal_code: impl Into<String>,
    ) -> Self {
        let (address1, city, postal_code) = (address1.into(), city.into(), postal_code.into());
        self.with(|c| {
            c.address1 = Some(address1);
            c.city = Some(city);
            c.postal_code = Some(postal_code);
        })
    }

    /// `webAddress`.
    pub fn web_address(self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.with(|c| c.web_address = Some(url))
    }
}

/// Helpers on `client.company_notes()`; the same, scoped to one company, on
/// `client.companies().notes(id)`.
pub trait CompanyNoteHelpers {
    /// A note on company `company_id`; the same as `client.companies().notes(company_id)`
    /// [`.create_company_note(assigned_resource_id, action_type, note)`](ChildHandle::create_company_note).
    fn create_company_note(
        &self,
        company_id: i64,
        assigned_resource_id: i64,
        action_type: impl Into<CompanyNoteActionType>,
        note: impl Into<String>,
    ) -> CreateChild<CompanyNote>;

    /// Every note of company `company_id` (`companyID eq`): one `POST /CompanyNotes/query` per 500
    /// records, to the end.
    fn get_by_company(
        &self,
        company_id: i64,
    ) -> impl Future<Output = Result<Vec<CompanyNote>>> + Send;
}

impl CompanyNoteHelpers for EntityHandle<CompanyNote> {
    fn create_company_note(
        &self,
        company_id: i64,
        assigned_resource_id: i64,
        action_type: impl Into<CompanyNoteActionType>,
        note: impl Into<String>,
    ) -> CreateChild<CompanyNote> {
        self.client()
            .children::<CompanyNote>(company_id)
            .create_company_note(assigned_resource_id, action_type, note)
    }

    async fn get_by_company(&self, company_id: i64) -> Result<Vec<CompanyNote>> {
        self.query()
            .filter(CompanyNoteField::CompanyId.eq(company_id))
            .all()
            .await
    }
}

/// Note helpers of one company: `client.companies().notes(company_id)`.
impl ChildHandle<CompanyNote> {
    /// A note with text `note` on this company, assigned to `assigned_resource_id`. Autotask requires
    /// an action type (a tenant picklist without system values) and the resource; start and end default
    /// to now (a note about something that just happened). Nothing is sent until `send()`:
    /// `POST /Companies/{company_id}/Notes` then `GET /CompanyNotes/{id}`.
    pub fn create_company_note(
        &self,
        assigned_resource_id: i64,
        action_type: impl Into<CompanyNoteActionType>,
        note: impl Into<String>,
    ) -> CreateChild<CompanyNote> {
        let now = chrono::Utc::now();
        let mut body = NewCompanyNote::new(
            self.parent_id(),
            assigned_resource_id,
            action_type,
            now,
            now,
        );
        body.note = Some(note.into());
        CreateChild::new(self.clone(), body)
    }
}

/// Setters for common optional company-note fields; any other field: [`CreateChild::with`].
impl CreateChild<CompanyNote> {
    /// `name` (the note's title).
    pub fn name(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.with(|n| n.name = Some(name))
    }

    /// `startDateTime` and `endDateTime` (default: both now).
    pub fn period(self, start: DateTime, end: DateTime) -> Self {
        self.with(|n| {
            n.start_date_time = start;
            n.end_date_time = end;
        })
    }

    /// `contactID`.
    pub fn contact_id(self, contact_id: i64) -> Self {
        self.with(|n| n.contact_id = Some(contact_id))
    }
}
