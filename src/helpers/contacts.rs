//! Helpers for Contacts (feature `crm`). Contacts are created only under their company
//! (`POST /Companies/{id}/Contacts`) and read through the root `Contacts` query.

use super::CreateChild;
use crate::entities::{Contact, ContactField, NewContact};
use crate::error::{Error, Result};
use crate::ops::{ChildHandle, EntityHandle};
use crate::query::{Filter, Where};
use std::future::Future;

/// Helpers on `client.contacts()`.
pub trait ContactHelpers {
    /// A contact of company `company_id`; the same as `client.companies().contacts(company_id)`
    /// [`.create_contact(first_name, last_name, email)`](ChildHandle::create_contact).
    fn create_contact(
        &self,
        company_id: i64,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> CreateChild<Contact>;

    /// Every contact of company `company_id` (`companyID eq`): one `POST /Contacts/query` per 500
    /// records, to the end.
    fn get_by_company(&self, company_id: i64) -> impl Future<Output = Result<Vec<Contact>>> + Send;

    /// Every contact with `email` as any of its three addresses (`emailAddress`, `emailAddress2` or
    /// `emailAddress3` equal, case-insensitive): one `POST /Contacts/query` per 500 records, to the end.
    /// An empty `email` is refused with [`Error::InvalidInput`].
    fn search_by_email(&self, email: &str) -> impl Future<Output = Result<Vec<Contact>>> + Send;

    /// Every contact marked as its company's primary contact (`primaryContact eq true`): one
    /// `POST /Contacts/query` per 500 records, to the end.
    fn get_primary_contacts(&self) -> impl Future<Output = Result<Vec<Contact>>> + Send;
}

impl ContactHelpers for EntityHandle<Contact> {
    fn create_contact(
        &self,
        company_id: i64,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> CreateChild<Contact> {
        self.client()
            .children::<Contact>(company_id)
            .create_contact(first_name, last_name, email)
    }

    async fn get_by_company(&self, company_id: i64) -> Result<Vec<Contact>> {
        self.query()
            .filter(ContactField::CompanyId.eq(company_id))
            .all()
            .await
    }

    async fn search_by_email(&self, email: &str) -> Result<Vec<Contact>> {
        let email = email.trim();
        if email.is_empty() {
            return Err(Error::InvalidInput(
                "search_by_email needs a non-empty address".into(),
            ));
        }
        self.query()
            .filter(Filter::or([
                ContactField::EmailAddress.eq(email),
                ContactField::EmailAddress2.eq(email),
                ContactField::EmailAddress3.eq(email),
            ]))
            .all()
            .await
    }

    async fn get_primary_contacts(&self) -> Result<Vec<Contact>> {
        self.query()
            .filter(ContactField::PrimaryContact.eq(true))
            .all()
            .await
    }
}

/// Contact helpers of one company: `client.companies().contacts(company_id)`.
impl ChildHandle<Contact> {
    /// An active contact (`isActive: 1`) of this company with `emailAddress` `email`. Nothing is sent
    /// until `send()`: `POST /Companies/{company_id}/Contacts` then `GET /Contacts/{id}`.
    pub fn create_contact(
        &self,
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
    ) -> CreateChild<Contact> {
        let mut body = NewContact::new(self.parent_id(), first_name, 1, last_name);
        body.email_address = Some(email.into());
        CreateChild::new(self.clone(), body)
    }
}

/// Setters for common optional contact fields; any other field: [`CreateChild::with`].
impl CreateChild<Contact> {
    /// `phone`.
    pub fn phone(self, phone: impl Into<String>) -> Self {
        let phone = phone.into();
        self.with(|c| c.phone = Some(phone))
    }

    /// `title` (job title).
    pub fn title(self, title: impl Into<String>) -> Self {
        let title = title.into();
        self.with(|c| c.title = Some(title))
    }

    /// `primaryContact`.
    pub fn primary(self, primary: bool) -> Self {
        self.with(|c| c.primary_contact = Some(primary))
    }
}
