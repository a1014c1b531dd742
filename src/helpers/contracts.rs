//! Helpers for Contracts and ContractServices (feature `contracts`).
//!
//! ```no_run
//! # async fn demo(client: autotask::Client) -> autotask::Result<()> {
//! use autotask::prelude::*;
//!
//! for contract in client.contracts().get_expiring_contracts(30).await? {
//!     let renewal = client.contracts().renew_contract(contract.id).await?;
//!     for copy in renewal.services.iter().filter(|s| s.result.is_err()) {
//!         eprintln!("service {} was not copied: {:?}", copy.original_id, copy.result);
//!     }
//! }
//! # Ok(())
//! # }
//! ```

use super::{start_of_day, Create, CreateChild};
use crate::entities::{
    Contract, ContractField, ContractService, ContractServiceField, ContractStatus, ContractType,
    NewContract, NewContractService,
};
use crate::error::{Error, Result};
use crate::model::wire::{DateTime, Decimal};
use crate::ops::{ChildHandle, EntityHandle};
use crate::query::Where;
use chrono::{Duration, Months};
use std::future::Future;

/// Helpers on `client.contracts()`.
pub trait ContractHelpers {
    /// An active contract ([`ContractStatus::ACTIVE`]) for company `company_id` named `name`, of type
    /// `contract_type` ([`ContractType::RECURRING_SERVICE`], ...), running from today (00:00 UTC) for one
    /// year (end date: the day before the same date next year), with
    /// `timeReportingRequiresStartAndStopTimes: 0`. Change any of these with the builder's setters.
    /// Nothing is sent until `send()`: `POST /Contracts` then `GET /Contracts/{id}`.
    fn create_contract(
        &self,
        company_id: i64,
        name: impl Into<String>,
        contract_type: impl Into<ContractType>,
    ) -> Create<Contract>;

    /// Every contract of company `company_id` (`companyID eq`): one `POST /Contracts/query` per 500
    /// records, to the end.
    fn get_by_account(&self, company_id: i64)
        -> impl Future<Output = Result<Vec<Contract>>> + Send;

    /// Every active contract (`status eq 1`) whose `endDate` is between today 00:00 UTC and `days` days
    /// later, inclusive: one `POST /Contracts/query` per 500 records, to the end.
    fn get_expiring_contracts(
        &self,
        days: u32,
    ) -> impl Future<Output = Result<Vec<Contract>>> + Send;

    /// Renews contract `contract_id`: a new active contract for the next term, linked to the original,
    /// with the original's services.
    ///
    /// * The new term starts the day after the original's `endDate` and is as long as the original: the
    ///   same number of months when the original spans whole months (`startDate` plus N months is the
    ///   day after `endDate`), otherwise the same number of days.
    /// * Copied from the original: `companyID`, `contractName`, `contractType`, `contractCategory`,
    ///   `contractPeriodType`, `contactID`, `contactName`, `billingPreference`, `billToCompanyID`,
    ///   `billToCompanyContactID`, `contractExclusionSetID`, `exclusionContractID`, `description`,
    ///   `estimatedCost`, `estimatedHours`, `estimatedRevenue`, `overageBillingRate`,
    ///   `internalCurrencyOverageBillingRate`, `organizationalLevelAssociationID`, `purchaseOrderNumber`,
    ///   `serviceLevelAgreementID`, `timeReportingRequiresStartAndStopTimes` and the user-defined fields.
    ///   Not copied: one-off setup fees, `isDefaultContract` (a company has one default) and
    ///   `opportunityID` (the sale that made the original).
    /// * The new contract's `renewedContractID` is set to the original's id (the original is not
    ///   changed). Autotask does not document the direction of this link; this is the reading under
    ///   which a renewal needs no write to the original.
    /// * Each of the original's services is added to the new contract with the same `serviceID`,
    ///   `unitPrice`, `unitCost`, `invoiceDescription` and `internalDescription`.
    ///
    /// Requests: `GET /Contracts/{contract_id}`, `GET /Contracts/{contract_id}/Services` (following
    /// `nextPageUrl`), `POST /Contracts`, `GET /Contracts/{newId}`, then one
    /// `POST /Contracts/{newId}/Services` per service, one at a time. A failure before the new contract
    /// exists is returned as the error. If the new contract was created but cannot be read back, the
    /// error is [`Error::CreatedButUnread`] with its id and no service is copied (renewing again would
    /// make a second contract). After the read, each service's outcome is reported in
    /// [`ContractRenewal::services`], so a partial copy is never hidden.
    fn renew_contract(
        &self,
        contract_id: i64,
    ) -> impl Future<Output = Result<ContractRenewal>> + Send;
}

/// The outcome of [`ContractHelpers::renew_contract`].
#[derive(Debug)]
pub struct ContractRenewal {
    /// The new contract, as read back after creation.
    pub contract: Contract,
    /// One entry per service of the original contract, in the order they were listed.
    pub services: Vec<ServiceCopy>,
}

impl ContractRenewal {
    /// True when every service was copied.
    pub fn all_services_copied(&self) -> bool {
        self.services.iter().all(|s| s.result.is_ok())
    }
}

/// One service copied (or not) by a renewal.
#[derive(Debug)]
pub struct ServiceCopy {
    /// The ContractService id on the original contract.
    pub original_id: i64,
    /// The service (`serviceID`).
    pub service_id: Option<i64>,
    /// The new ContractService id, or why it could not be created.
    pub result: Result<i64>,
}

fn one_year_from(start: DateTime) -> DateTime {
    start
        .checked_add_months(Months::new(12))
        .map(|next| next - Duration::days(1))
        .unwrap_or(start)
}

impl ContractHelpers for EntityHandle<Contract> {
    fn create_contract(
        &self,
        company_id: i64,
        name: impl Into<String>,
        contract_type: impl Into<ContractType>,
    ) -> Create<Contract> {
        let start = start_of_day(chrono::Utc::now());
        let body = NewContract::new(
            company_id,
            name,
            contract_type,
            one_year_from(start),
            start,
            ContractStatus::ACTIVE,
            0,
        );
        Create::new(self.clone(), body)
    }

    async fn get_by_account(&self, company_id: i64) -> Result<Vec<Contract>> {
        self.query()
            .filter(ContractField::CompanyId.eq(company_id))
            .all()
            .await
    }

    async fn get_expiring_contracts(&self, days: u32) -> Result<Vec<Contract>> {
        let from = start_of_day(chrono::Utc::now());
        let to = from
            .checked_add_signed(Duration::days(i64::from(days)))
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "{days} days from today is past the last representable date"
                ))
            })?;
        self.query()
            .filter(ContractField::Status.eq(ContractStatus::ACTIVE))
            .filter(ContractField::EndDate.gte(from))
            .filter(ContractField::EndDate.lte(to))
            .all()
            .await
    }

    async fn renew_contract(&self, contract_id: i64) -> Result<ContractRenewal> {
        let original = self
            .get(contract_id)
            .await?
            .ok_or_else(|| Error::InvalidInput(format!("contract {contract_id} does not exist")))?;
        let services = self
            .client()
            .children::<ContractService>(contract_id)
            .list()
            .await?;
        let body = renewal_body(&original)?;
        let contract = self.create_and_get(&body).await?;
        let under_new = self.client().children::<ContractService>(contract.id);
        let mut copies = Vec::with_capacity(services.len());
        for service in services {
            let result = match service.service_id {
                Some(service_id) => {
                    let mut copy = NewContractService::new(contract.id, service_id);
                    copy.unit_price = service.unit_price;
                    copy.unit_cost = service.unit_cost;
                    copy.invoice_description = service.invoice_description.clone();
                    copy.internal_description = service.internal_description.clone();
                    under_new.create(&copy).await
                }
                None => Err(Error::Protocol(format!(
                    "ContractServices {} has no serviceID to copy",
                    service.id
                ))),
            };
            copies.push(ServiceCopy {
                original_id: service.id,
                service_id: service.service_id,
                result,
            });
        }
        Ok(ContractRenewal {
            contract,
            services: copies,
        })
    }
}

/// The term after `start..=end`: it starts the day after `end`. A term of whole months (the usual
/// case: a year, a quarter) is repeated in months, so a year stays a year across a leap day; any other
/// term is repeated in days.
fn next_term(start: DateTime, end: DateTime) -> (DateTime, DateTime) {
    let next_start = end + Duration::days(1);
    for months in (1..=120).map(Months::new) {
        match start.checked_add_months(months) {
            Some(day) if day == next_start => {
                if let Some(after) = next_start.checked_add_months(months) {
                    return (next_start, after - Duration::days(1));
                }
                break;
            }
            Some(day) if day < next_start => continue,
            _ => break,
        }
    }
    (next_start, next_start + (end - start))
}

/// The create body of the contract that renews `original` (see `renew_contract` for the rules).
fn renewal_body(original: &Contract) -> Result<NewContract> {
    let missing = |field: &str| {
        Error::Protocol(format!(
            "contract {} has no {field}; cannot compute the next term",
            original.id
        ))
    };
    let start = original.start_date.ok_or_else(|| missing("startDate"))?;
    let end = original.end_date.ok_or_else(|| missing("endDate"))?;
    let company_id = original.company_id.ok_or_else(|| missing("companyID"))?;
    let contract_type = original
        .contract_type
        .ok_or_else(|| missing("contractType"))?;
    let name = original
        .contract_name
        .clone()
        .ok_or_else(|| missing("contractName"))?;
    let (next_start, next_end) = next_term(start, end);
    let mut body = NewContract::new(
        company_id,
        name,
        contract_type,
        next_end,
        next_start,
        ContractStatus::ACTIVE,
        original
            .time_reporting_requires_start_and_stop_times
            .unwrap_or(0),
    );
    body.contract_category = original.contract_category;
    body.contract_period_type = original.contract_period_type;
    body.contact_id = original.contact_id;
    body.contact_name = original.contact_name.clone();
    body.billing_preference = original.billing_preference;
    body.bill_to_company_id = original.bill_to_company_id;
    body.bill_to_company_contact_id = original.bill_to_company_contact_id;
    body.contract_exclusion_set_id = original.contract_exclusion_set_id;
    body.exclusion_contract_id = original.exclusion_contract_id;
    body.description = original.description.clone();
    body.estimated_cost = original.estimated_cost;
    body.estimated_hours = original.estimated_hours;
    body.estimated_revenue = original.estimated_revenue;
    body.overage_billing_rate = original.overage_billing_rate;
    body.internal_currency_overage_billing_rate = original.internal_currency_overage_billing_rate;
    body.organizational_level_association_id = original.organizational_level_association_id;
    body.purchase_order_number = original.purchase_order_number.clone();
    body.service_level_agreement_id = original.service_level_agreement_id;
    body.user_defined_fields = original.user_defined_fields.clone();
    body.renewed_contract_id = Some(original.id);
    Ok(body)
}

/// Setters for common optional contract fields; any other field: [`Create::with`].
impl Create<Contract> {
    /// `startDate` and `endDate` (default: today for one year).
    pub fn period(self, start: DateTime, end: DateTime) -> Self {
        self.with(|c| {
            c.start_date = start;
            c.end_date = end;
        })
    }

    /// `status` (default [`ContractStatus::ACTIVE`]).
    pub fn status(self, status: impl Into<ContractStatus>) -> Self {
        let status = status.into();
        self.with(|c| c.status = status)
    }

    /// `description`.
    pub fn description(self, description: impl Into<String>) -> Self {
        let description = description.into();
        self.with(|c| c.description = Some(description))
    }

    /// `contactID`.
    pub fn contact_id(self, contact_id: i64) -> Self {
        self.with(|c| c.contact_id = Some(contact_id))
    }
}

/// Helpers on `client.contract_services()`; the same, scoped to one contract, on
/// `client.contracts().services(id)`.
pub trait ContractServiceHelpers {
    /// Adds service `service_id` to contract `contract_id`; the same as
    /// `client.contracts().services(contract_id)`
    /// [`.add_service_to_contract(service_id)`](ChildHandle::add_service_to_contract).
    fn add_service_to_contract(
        &self,
        contract_id: i64,
        service_id: i64,
    ) -> CreateChild<ContractService>;

    /// Every service of contract `contract_id` (`contractID eq`): one `POST /ContractServices/query` per
    /// 500 records, to the end.
    fn get_by_contract(
        &self,
        contract_id: i64,
    ) -> impl Future<Output = Result<Vec<ContractService>>> + Send;
}

impl ContractServiceHelpers for EntityHandle<ContractService> {
    fn add_service_to_contract(
        &self,
        contract_id: i64,
        service_id: i64,
    ) -> CreateChild<ContractService> {
        self.client()
            .children::<ContractService>(contract_id)
            .add_service_to_contract(service_id)
    }

    async fn get_by_contract(&self, contract_id: i64) -> Result<Vec<ContractService>> {
        self.query()
            .filter(ContractServiceField::ContractId.eq(contract_id))
            .all()
            .await
    }
}

/// Service helpers of one contract: `client.contracts().services(contract_id)`.
impl ChildHandle<ContractService> {
    /// Adds service `service_id` to this contract. Nothing is sent until `send()`:
    /// `POST /Contracts/{contract_id}/Services` then `GET /ContractServices/{id}`.
    pub fn add_service_to_contract(&self, service_id: i64) -> CreateChild<ContractService> {
        CreateChild::new(
            self.clone(),
            NewContractService::new(self.parent_id(), service_id),
        )
    }
}

/// Setters for the prices of a contract service; any other field: [`CreateChild::with`].
impl CreateChild<ContractService> {
    /// `unitPrice`.
    pub fn unit_price(self, price: Decimal) -> Self {
        self.with(|s| s.unit_price = Some(price))
    }

    /// `unitCost`.
    pub fn unit_cost(self, cost: Decimal) -> Self {
        self.with(|s| s.unit_cost = Some(cost))
    }

    /// `invoiceDescription`.
    pub fn invoice_description(self, text: impl Into<String>) -> Self {
        let text = text.into();
        self.with(|s| s.invoice_description = Some(text))
    }
}
