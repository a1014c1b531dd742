//! Helpers for Invoices (feature `finance`) and Quotes (feature `crm`; `convert_to_project` also needs
//! `projects`).
//!
//! ```no_run
//! # #[cfg(feature = "finance")]
//! # async fn demo(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::prelude::*;
//!
//! for invoice in client.invoices().get_unpaid_invoices().await? {
//!     let totals = client.invoices().calculate_totals(invoice.id).await?;
//!     if totals.matches_invoice() == Some(false) {
//!         println!("invoice {}: items sum to {}", invoice.id, totals.total);
//!     }
//! }
//! # Ok(())
//! # }
//! ```

#[cfg(feature = "crm")]
pub use quotes::*;

#[cfg(feature = "finance")]
pub use invoices::*;

#[cfg(feature = "finance")]
mod invoices {
    use crate::entities::{BillingItemField, Invoice, InvoiceField};
    use crate::error::{Error, Result};
    use crate::model::wire::Decimal;
    use crate::ops::EntityHandle;
    use crate::query::{Filter, Where};
    use std::future::Future;

    /// Helpers on `client.invoices()`.
    pub trait InvoiceHelpers {
        /// Every invoice of company `company_id` (`companyID eq`): one `POST /Invoices/query` per 500
        /// records, to the end.
        fn get_by_account(
            &self,
            company_id: i64,
        ) -> impl Future<Output = Result<Vec<Invoice>>> + Send;

        /// Every invoice not paid and not voided. Invoices have no "paid" flag; the field that records
        /// payment is `paidDate`, so unpaid means `paidDate notExist`, and voided invoices
        /// (`isVoided eq true`) are left out: the filter is
        /// `paidDate notExist AND (isVoided eq false OR isVoided notExist)`. One `POST /Invoices/query`
        /// per 500 records, to the end.
        fn get_unpaid_invoices(&self) -> impl Future<Output = Result<Vec<Invoice>>> + Send;

        /// The totals of invoice `invoice_id`, summed from its billing items and set beside the totals
        /// stored on the invoice. Requests: `GET /Invoices/{invoice_id}`, then one
        /// `POST /BillingItems/query` (`invoiceID eq`, `IncludeFields` `extendedPrice`, `taxDollars`,
        /// `totalAmount` only) per 500 items, to the end. An invoice that does not exist is an
        /// [`Error::InvalidInput`].
        fn calculate_totals(
            &self,
            invoice_id: i64,
        ) -> impl Future<Output = Result<InvoiceTotals>> + Send;
    }

    /// The outcome of [`InvoiceHelpers::calculate_totals`]. Missing amounts on a billing item count as 0.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct InvoiceTotals {
        /// The invoice.
        pub invoice_id: i64,
        /// Its billing items.
        pub line_items: u64,
        /// Sum of the items' `extendedPrice` (before tax).
        pub subtotal: Decimal,
        /// Sum of the items' `taxDollars`.
        pub tax: Decimal,
        /// Sum of the items' `totalAmount`.
        pub total: Decimal,
        /// The invoice's own `invoiceTotal`, as stored.
        pub invoice_total: Option<Decimal>,
        /// The invoice's own `totalTaxValue`, as stored.
        pub invoice_tax: Option<Decimal>,
    }

    impl InvoiceTotals {
        /// True when the stored `invoiceTotal` equals the items' summed `totalAmount`; `None` when the
        /// invoice stores no total.
        pub fn matches_invoice(&self) -> Option<bool> {
            self.invoice_total.map(|stored| stored == self.total)
        }
    }

    impl InvoiceHelpers for EntityHandle<Invoice> {
        async fn get_by_account(&self, company_id: i64) -> Result<Vec<Invoice>> {
            self.query()
                .filter(InvoiceField::CompanyId.eq(company_id))
                .all()
                .await
        }

        async fn get_unpaid_invoices(&self) -> Result<Vec<Invoice>> {
            self.query()
                .filter(InvoiceField::PaidDate.not_exist())
                .filter(Filter::or([
                    InvoiceField::IsVoided.eq(false),
                    InvoiceField::IsVoided.not_exist(),
                ]))
                .all()
                .await
        }

        async fn calculate_totals(&self, invoice_id: i64) -> Result<InvoiceTotals> {
            let invoice = self.get(invoice_id).await?.ok_or_else(|| {
                Error::InvalidInput(format!("invoice {invoice_id} does not exist"))
            })?;
            let items = self
                .client()
                .billing_items()
                .query()
                .filter(BillingItemField::InvoiceId.eq(invoice_id))
                .include_fields([
                    BillingItemField::ExtendedPrice,
                    BillingItemField::TaxDollars,
                    BillingItemField::TotalAmount,
                ])
                .all()
                .await?;
            let sum = |amount: fn(&crate::entities::BillingItem) -> Option<Decimal>| {
                items.iter().filter_map(amount).sum::<Decimal>()
            };
            Ok(InvoiceTotals {
                invoice_id,
                line_items: items.len() as u64,
                subtotal: sum(|i| i.extended_price),
                tax: sum(|i| i.tax_dollars),
                total: sum(|i| i.total_amount),
                invoice_total: invoice.invoice_total,
                invoice_tax: invoice.total_tax_value,
            })
        }
    }
}

#[cfg(feature = "crm")]
mod quotes {
    use crate::entities::{NewQuote, Quote, QuoteField};
    use crate::error::Result;
    use crate::helpers::{start_of_day, Create};
    use crate::model::wire::DateTime;
    use crate::ops::EntityHandle;
    use crate::query::Where;
    use chrono::Duration;
    use std::future::Future;

    #[cfg(feature = "projects")]
    use crate::entities::{NewProject, Project, ProjectStatus, ProjectType, QuotePatch};
    #[cfg(feature = "projects")]
    use crate::error::Error;

    /// How long a quote made by [`QuoteHelpers::create_quote`] is valid unless set otherwise.
    pub const DEFAULT_QUOTE_VALIDITY_DAYS: i64 = 30;

    /// Helpers on `client.quotes()`.
    pub trait QuoteHelpers {
        /// A quote named `name` for company `company_id`. Autotask requires its bill-to, ship-to and
        /// sold-to locations (QuoteLocations) and the opportunity the quote belongs to; `location_id`
        /// is used for all three locations (change them with [`Create::with`]). The ids come first, in
        /// [`NewQuote::new`]'s order, then `company_id`, then `name`. Active (`isActive: true`), effective
        /// today (00:00 UTC), valid for [`DEFAULT_QUOTE_VALIDITY_DAYS`] days. Nothing is sent until
        /// `send()`: `POST /Quotes` then `GET /Quotes/{id}`.
        fn create_quote(
            &self,
            location_id: i64,
            opportunity_id: i64,
            company_id: i64,
            name: impl Into<String>,
        ) -> Create<Quote>;

        /// Every pending quote. Autotask records whether a quote was accepted on its opportunity, not
        /// on the quote, so pending means: active and not yet expired
        /// (`isActive eq true AND expirationDate gte today 00:00 UTC`). One `POST /Quotes/query` per
        /// 500 records, to the end.
        fn get_pending_quotes(&self) -> impl Future<Output = Result<Vec<Quote>>> + Send;

        /// Makes a project from quote `quote_id` and links the quote to it.
        ///
        /// The project gets the quote's `companyID`, its `name` as `projectName` (`Quote {id}` if it has
        /// none), and its
        /// `description`, `opportunityID` and `purchaseOrderNumber`; project type, status and schedule
        /// are tenant choices, so they are arguments (in [`NewProject::new`]'s order). The quote's `proposalProjectID` (its only field
        /// that references a project) is then set to the new project. Quote items are not copied:
        /// projects have no line items (their charges and tasks are separate entities).
        ///
        /// Requests: `GET /Quotes/{quote_id}`, `POST /Projects`, `GET /Projects/{id}`, then
        /// `PATCH /Quotes` with `{"id","proposalProjectID"}`. A quote that does not exist or has no
        /// company is an [`Error::InvalidInput`] and nothing is created. A project created but not
        /// readable back is [`Error::CreatedButUnread`] with its id (the quote is not linked). Once the
        /// project is read, a failed link is reported in [`QuoteConversion::link`], not hidden.
        #[cfg(feature = "projects")]
        fn convert_to_project(
            &self,
            quote_id: i64,
            end: DateTime,
            project_type: ProjectType,
            start: DateTime,
            status: ProjectStatus,
        ) -> impl Future<Output = Result<QuoteConversion>> + Send;
    }

    /// The outcome of [`QuoteHelpers::convert_to_project`].
    #[cfg(feature = "projects")]
    #[derive(Debug)]
    pub struct QuoteConversion {
        /// The new project, as read back after creation.
        pub project: Project,
        /// Whether the quote's `proposalProjectID` was set to the project.
        pub link: Result<()>,
    }

    impl QuoteHelpers for EntityHandle<Quote> {
        fn create_quote(
            &self,
            location_id: i64,
            opportunity_id: i64,
            company_id: i64,
            name: impl Into<String>,
        ) -> Create<Quote> {
            let effective = start_of_day(chrono::Utc::now());
            let mut body = NewQuote::new(
                location_id,
                opportunity_id,
                location_id,
                location_id,
                effective,
                effective + Duration::days(DEFAULT_QUOTE_VALIDITY_DAYS),
                name,
            );
            body.company_id = Some(company_id);
            body.is_active = Some(true);
            Create::new(self.clone(), body)
        }

        async fn get_pending_quotes(&self) -> Result<Vec<Quote>> {
            let today = start_of_day(chrono::Utc::now());
            self.query()
                .filter(QuoteField::IsActive.eq(true))
                .filter(QuoteField::ExpirationDate.gte(today))
                .all()
                .await
        }

        #[cfg(feature = "projects")]
        async fn convert_to_project(
            &self,
            quote_id: i64,
            end: DateTime,
            project_type: ProjectType,
            start: DateTime,
            status: ProjectStatus,
        ) -> Result<QuoteConversion> {
            let quote = self
                .get(quote_id)
                .await?
                .ok_or_else(|| Error::InvalidInput(format!("quote {quote_id} does not exist")))?;
            let company_id = quote.company_id.ok_or_else(|| {
                Error::InvalidInput(format!(
                    "quote {quote_id} has no company to make a project for"
                ))
            })?;
            let name = quote
                .name
                .clone()
                .unwrap_or_else(|| format!("Quote {quote_id}"));
            let mut body = NewProject::new(company_id, end, name, project_type, start, status);
            body.description = quote.description.clone();
            body.opportunity_id = quote.opportunity_id;
            body.purchase_order_number = quote.purchase_order_number.clone();
            let project = self.client().projects().create_and_get(&body).await?;
            let mut patch = QuotePatch::new(quote_id);
            patch.proposal_project_id = project.id.into();
            let link = self.update(&patch).await.map(|_| ());
            Ok(QuoteConversion { project, link })
        }
    }

    /// Setters for common optional quote fields; any other field: [`Create::with`].
    impl Create<Quote> {
        /// `effectiveDate` and `expirationDate` (default: today for
        /// [`DEFAULT_QUOTE_VALIDITY_DAYS`] days).
        pub fn validity(self, effective: DateTime, expiration: DateTime) -> Self {
            self.with(|q| {
                q.effective_date = effective;
                q.expiration_date = expiration;
            })
        }

        /// `description`.
        pub fn description(self, description: impl Into<String>) -> Self {
            let description = description.into();
            self.with(|q| q.description = Some(description))
        }

        /// `contactID`.
        pub fn contact_id(self, contact_id: i64) -> Self {
            self.with(|q| q.contact_id = Some(contact_id))
        }
    }
}
