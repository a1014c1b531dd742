//! `client.analytics()`: py-autotask's `Analytics` (and `Dashboards`, `Reports`), computed from real
//! `query/count` and `query` requests.

use super::csv::CsvLines;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::helpers::start_of_day;
use crate::metadata::Picklist;
use crate::model::wire::{datetime, decimal, Decimal};
use crate::ops::{DynamicEntity, QueryBuilder};
use crate::query::{Filter, Op};
use chrono::{DateTime, Duration as Span, Utc};
use futures::TryStreamExt;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// The ticket status value Autotask reserves for "Complete" (a system value in every tenant).
const TICKET_COMPLETE: i64 = 5;
/// The project status value Autotask reserves for "Complete".
const PROJECT_COMPLETE: i64 = 5;
/// The contract status value "Active".
const CONTRACT_ACTIVE: i64 = 1;

/// One bucket of a grouped count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCount {
    /// The picklist value; `None` for the "no value" and "not in the picklist" buckets.
    pub value: Option<i64>,
    /// The picklist label, `(none)` or `(not in picklist)`.
    pub label: String,
    /// Open tickets in the bucket.
    pub count: u64,
}

/// The figures of [`Analytics::get_dashboard_data`].
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardData {
    /// When the counts were asked for; "overdue", "last 7 days" and "next 30 days" are relative to it.
    pub generated_at: DateTime<Utc>,
    /// Tickets whose status is not Complete (5).
    pub open_tickets: u64,
    /// Open tickets per status value (Complete excluded). Sums to `open_tickets`.
    pub open_tickets_by_status: Vec<GroupCount>,
    /// Open tickets per priority value. Sums to `open_tickets`.
    pub open_tickets_by_priority: Vec<GroupCount>,
    /// Open tickets per queue, plus tickets with no queue. Sums to `open_tickets`.
    pub open_tickets_by_queue: Vec<GroupCount>,
    /// Open tickets whose `dueDateTime` is before `generated_at`.
    pub overdue_tickets: u64,
    /// Tickets whose `createDate` is within 7 days before `generated_at`.
    pub tickets_created_last_7_days: u64,
    /// Projects whose status is not Complete (5).
    pub active_projects: u64,
    /// Active contracts (status 1) whose `endDate` is from the start (00:00 UTC) of `generated_at`'s
    /// day to 30 days after it, both inclusive; a contract ending today counts (the same window as
    /// `get_expiring_contracts(30)` of the contract helpers).
    pub contracts_expiring_in_30_days: u64,
    /// Invoices with no `paidDate` that are not voided: `isVoided` false or null (the same rule as
    /// `get_unpaid_invoices` of the finance helpers).
    pub unpaid_invoices: u64,
}

/// The reports [`Analytics::generate_report`] builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReportKind {
    /// Open tickets (status not Complete) per company. Streams the open `Tickets` with
    /// `IncludeFields: [id, companyID]` (one query page per 500 tickets). Columns `companyID`,
    /// `openTickets`, by company id. `company_id` narrows it to one company.
    OpenTicketsByCompany,
    /// Hours worked per resource. Streams `TimeEntries` with `IncludeFields: [id, resourceID,
    /// hoursWorked]`, `dateWorked` in `[from, to)` when given (one page per 500 entries). Columns
    /// `resourceID`, `entries`, `hoursWorked`, by resource id; hours are summed as exact decimals
    /// (`0.1 + 0.2` is `0.3`), an entry with no `hoursWorked` adds 0. `company_id` is refused: time
    /// entries carry no company.
    HoursByResource,
    /// Active contracts (status 1) whose `endDate` is from the start (00:00 UTC) of today to `days`
    /// days after it, both inclusive, so a contract ending today is listed (the window of
    /// `get_expiring_contracts` of the contract helpers). Streams `Contracts`. Columns `id`,
    /// `contractName`, `companyID`, `endDate`, by id. A `days` whose window end is past the last
    /// representable date is an [`Error::InvalidInput`] (no request).
    ExpiringContracts,
    /// Invoices with no `paidDate` that are not voided: the filter is
    /// `paidDate notExist AND (isVoided eq false OR isVoided notExist)`, so a null `isVoided` counts
    /// as not voided (as in `get_unpaid_invoices` of the finance helpers). Streams `Invoices`. Columns
    /// `id`, `invoiceNumber`, `companyID`, `invoiceTotal`, `dueDate`, by id.
    UnpaidInvoices,
}

/// Parameters of [`Analytics::generate_report`]; each [`ReportKind`] says which it uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportParams {
    /// Lower bound (inclusive) of the report's date field.
    pub from: Option<DateTime<Utc>>,
    /// Upper bound (exclusive) of the report's date field.
    pub to: Option<DateTime<Utc>>,
    /// Only this company's records.
    pub company_id: Option<i64>,
    /// Look-ahead in days ([`ReportKind::ExpiringContracts`]); default 30.
    pub days: u32,
}

impl Default for ReportParams {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            company_id: None,
            days: 30,
        }
    }
}

/// A generated report: a header and rows of JSON cells.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The kind of report.
    pub kind: ReportKind,
    /// Column names, as [`ReportKind`] lists them.
    pub columns: Vec<String>,
    /// One row per group or record, cells in `columns` order.
    pub rows: Vec<Vec<Value>>,
}

/// py-autotask's `Analytics`: `client.analytics()`.
#[derive(Debug, Clone)]
pub struct Analytics {
    client: Client,
}

impl Client {
    /// Dashboard figures and reports computed from `query/count` and `query` requests.
    pub fn analytics(&self) -> Analytics {
        Analytics {
            client: self.clone(),
        }
    }
}

fn cond(field: &str, op: Op, value: impl Into<Value>) -> Filter {
    Filter::condition(field, op, value)
}

/// A query of `entity` with `filters` (ANDed).
fn query(entity: &DynamicEntity, filters: Vec<Filter>) -> QueryBuilder<Value> {
    filters
        .into_iter()
        .fold(entity.query(), QueryBuilder::filter)
}

fn open_ticket() -> Filter {
    cond("status", Op::NotEq, TICKET_COMPLETE)
}

/// Not paid and not voided; a null `isVoided` is not voided (as `get_unpaid_invoices` reads it).
fn unpaid_invoice() -> Vec<Filter> {
    vec![
        Filter::condition("paidDate", Op::NotExist, Value::Null),
        Filter::or([
            cond("isVoided", Op::Eq, false),
            Filter::condition("isVoided", Op::NotExist, Value::Null),
        ]),
    ]
}

/// Active contracts whose `endDate` is in `[start of now's day, that + days]` (the window of
/// `get_expiring_contracts`: contract dates are at 00:00 UTC, so one ending today is included).
fn expiring_contracts(now: DateTime<Utc>, days: u32) -> Result<Vec<Filter>> {
    let from = start_of_day(now);
    let until = Span::try_days(i64::from(days))
        .and_then(|span| from.checked_add_signed(span))
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "expiring contracts: a window of {days} days from {} ends past the last date chrono can represent",
                datetime::format(&from)
            ))
        })?;
    Ok(vec![
        cond("status", Op::Eq, CONTRACT_ACTIVE),
        cond("endDate", Op::Gte, datetime::format(&from)),
        cond("endDate", Op::Lte, datetime::format(&until)),
    ])
}

/// A picklist value read from `entityInformation/fields`.
struct GroupValue {
    value: i64,
    label: String,
}

impl Analytics {
    fn entity(&self, name: &str) -> Result<DynamicEntity> {
        self.client.entities().get_entity(name)
    }

    /// Counts open tickets per dashboard group and the six summary figures.
    ///
    /// Requests, all `POST {Entity}/query/count` except the first:
    ///
    /// 1. `GET /Tickets/entityInformation/fields` through the client's metadata cache (the same
    ///    cached answer [`Client::picklists`] uses), for the tenant's status, priority and queue
    ///    picklists (queues are tenant-specific, so the compiled metadata cannot know them); while
    ///    the cache holds it (one hour by default), later calls make no such request;
    /// 2. one count per status value other than Complete, plus one for statuses outside the picklist;
    /// 3. one per priority value, plus one for priorities outside the picklist;
    /// 4. one per queue value, plus one for queues outside the picklist and one for tickets with no queue;
    /// 5. six summary counts: open tickets, overdue, created in the last 7 days (`Tickets`), active
    ///    `Projects`, expiring `Contracts`, unpaid `Invoices`.
    ///
    /// So `1 + (S - 1 + 1) + (P + 1) + (Q + 2) + 6` requests for S statuses, P priorities and Q queues
    /// (the first only when not cached). "Outside the picklist" buckets catch values a tenant
    /// deleted, so every bucket list sums to `open_tickets`; buckets with no tickets are kept.
    ///
    /// Concurrency: after the fields read, all the bucket counts of steps 2-4 are started together,
    /// and once they are done the six summary counts are started together. The client's
    /// per-endpoint limit (3 by default, see
    /// [`ClientBuilder::max_concurrent_per_endpoint`](crate::ClientBuilder::max_concurrent_per_endpoint))
    /// still applies, so with the default at most 3 bucket counts (all on `Tickets`) are in flight at
    /// once, and at most 6 summary counts (3 on `Tickets`, 1 each on `Projects`, `Contracts` and
    /// `Invoices`); the rest wait. The counts are not one snapshot, so a ticket changed meanwhile can
    /// make the sums differ by one.
    pub async fn get_dashboard_data(&self) -> Result<DashboardData> {
        let tickets = self.entity("Tickets")?;
        let now = Utc::now();
        let picklists = self.client.picklists().all("Tickets").await?;
        let statuses: Vec<GroupValue> = picklist(&picklists, "status")?
            .into_iter()
            .filter(|v| v.value != TICKET_COMPLETE)
            .collect();
        let open_tickets_by_status =
            self.grouped(&tickets, "status", statuses, &[TICKET_COMPLETE], false);
        let open_tickets_by_priority = self.grouped(
            &tickets,
            "priority",
            picklist(&picklists, "priority")?,
            &[],
            false,
        );
        let open_tickets_by_queue = self.grouped(
            &tickets,
            "queueID",
            picklist(&picklists, "queueID")?,
            &[],
            true,
        );
        let (by_status, by_priority, by_queue) = futures::try_join!(
            open_tickets_by_status,
            open_tickets_by_priority,
            open_tickets_by_queue
        )?;
        let text = |t: DateTime<Utc>| datetime::format(&t);
        let projects = self.entity("Projects")?;
        let contracts = self.entity("Contracts")?;
        let invoices = self.entity("Invoices")?;
        let open = query(&tickets, vec![open_ticket()]);
        let overdue = query(
            &tickets,
            vec![open_ticket(), cond("dueDateTime", Op::Lt, text(now))],
        );
        let created = query(
            &tickets,
            vec![cond("createDate", Op::Gte, text(now - Span::days(7)))],
        );
        let active_projects = query(&projects, vec![cond("status", Op::NotEq, PROJECT_COMPLETE)]);
        let expiring = query(&contracts, expiring_contracts(now, 30)?);
        let unpaid = query(&invoices, unpaid_invoice());
        let (open, overdue, created, active_projects, expiring, unpaid) = futures::try_join!(
            open.count(),
            overdue.count(),
            created.count(),
            active_projects.count(),
            expiring.count(),
            unpaid.count(),
        )?;
        Ok(DashboardData {
            generated_at: now,
            open_tickets: open,
            open_tickets_by_status: by_status,
            open_tickets_by_priority: by_priority,
            open_tickets_by_queue: by_queue,
            overdue_tickets: overdue,
            tickets_created_last_7_days: created,
            active_projects,
            contracts_expiring_in_30_days: expiring,
            unpaid_invoices: unpaid,
        })
    }

    /// Open tickets per value of `field`; `excluded` values are known but not open (Complete).
    async fn grouped(
        &self,
        tickets: &DynamicEntity,
        field: &str,
        values: Vec<GroupValue>,
        excluded: &[i64],
        nullable: bool,
    ) -> Result<Vec<GroupCount>> {
        let mut known: Vec<Value> = values.iter().map(|v| json!(v.value)).collect();
        known.extend(excluded.iter().map(|v| json!(v)));
        let mut buckets: Vec<(GroupCount, QueryBuilder<Value>)> = values
            .into_iter()
            .map(|v| {
                let spec = query(tickets, vec![open_ticket(), cond(field, Op::Eq, v.value)]);
                let bucket = GroupCount {
                    value: Some(v.value),
                    label: v.label,
                    count: 0,
                };
                (bucket, spec)
            })
            .collect();
        // Values a tenant removed from the picklist still sit on old tickets.
        let outside = if known.is_empty() {
            cond(field, Op::Exist, Value::Null)
        } else {
            cond(field, Op::NotIn, Value::Array(known))
        };
        buckets.push((
            GroupCount {
                value: None,
                label: "(not in picklist)".into(),
                count: 0,
            },
            query(tickets, vec![open_ticket(), outside]),
        ));
        if nullable {
            buckets.push((
                GroupCount {
                    value: None,
                    label: "(none)".into(),
                    count: 0,
                },
                query(
                    tickets,
                    vec![
                        open_ticket(),
                        Filter::condition(field, Op::NotExist, Value::Null),
                    ],
                ),
            ));
        }
        let counts =
            futures::future::try_join_all(buckets.iter().map(|(_, query)| query.count())).await?;
        Ok(buckets
            .into_iter()
            .zip(counts)
            .map(|((bucket, _), count)| GroupCount { count, ..bucket })
            .collect())
    }

    /// Builds a report of `kind` (see [`ReportKind`] for the requests each makes and its columns).
    ///
    /// Records are read page by page (one query request at a time). Aggregating reports
    /// ([`OpenTicketsByCompany`](ReportKind::OpenTicketsByCompany),
    /// [`HoursByResource`](ReportKind::HoursByResource)) keep only one row per group, not the
    /// records. Listing reports ([`ExpiringContracts`](ReportKind::ExpiringContracts),
    /// [`UnpaidInvoices`](ReportKind::UnpaidInvoices)) keep one row per record, so the whole
    /// result is in memory in the returned [`Report`].
    ///
    /// ```no_run
    /// # async fn demo(client: autotask::Client) -> autotask::Result<()> {
    /// use autotask::services::{ReportKind, ReportParams};
    /// let analytics = client.analytics();
    /// let report = analytics
    ///     .generate_report(ReportKind::ExpiringContracts, &ReportParams { days: 60, ..Default::default() })
    ///     .await?;
    /// let mut out = Vec::new();
    /// analytics.export_to_csv(&report, &mut out)?;
    /// # Ok(()) }
    /// ```
    pub async fn generate_report(&self, kind: ReportKind, params: &ReportParams) -> Result<Report> {
        let date_range = |field: &str, filters: &mut Vec<Filter>| {
            if let Some(from) = params.from {
                filters.push(cond(field, Op::Gte, datetime::format(&from)));
            }
            if let Some(to) = params.to {
                filters.push(cond(field, Op::Lt, datetime::format(&to)));
            }
        };
        let company = |field: &str, filters: &mut Vec<Filter>| {
            if let Some(id) = params.company_id {
                filters.push(cond(field, Op::Eq, id));
            }
        };
        let (entity, columns, mut filters, include): (&str, &[&str], Vec<Filter>, &[&str]) =
            match kind {
                ReportKind::OpenTicketsByCompany => (
                    "Tickets",
                    &["companyID", "openTickets"],
                    vec![open_ticket()],
                    &["companyID"],
                ),
                ReportKind::HoursByResource => {
                    if params.company_id.is_some() {
                        return Err(Error::InvalidInput(
                            "HoursByResource cannot be narrowed to a company: TimeEntries carry no companyID"
                                .into(),
                        ));
                    }
                    let mut filters = Vec::new();
                    date_range("dateWorked", &mut filters);
                    (
                        "TimeEntries",
                        &["resourceID", "entries", "hoursWorked"],
                        filters,
                        &["resourceID", "hoursWorked"],
                    )
                }
                ReportKind::ExpiringContracts => (
                    "Contracts",
                    &["id", "contractName", "companyID", "endDate"],
                    expiring_contracts(Utc::now(), params.days)?,
                    &["contractName", "companyID", "endDate"],
                ),
                ReportKind::UnpaidInvoices => (
                    "Invoices",
                    &[
                        "id",
                        "invoiceNumber",
                        "companyID",
                        "invoiceTotal",
                        "dueDate",
                    ],
                    unpaid_invoice(),
                    &["invoiceNumber", "companyID", "invoiceTotal", "dueDate"],
                ),
            };
        company("companyID", &mut filters);
        let mut records = query(&self.entity(entity)?, filters)
            .include_fields(include.iter().copied())
            .stream();
        let mut rows = Vec::new();
        match kind {
            ReportKind::OpenTicketsByCompany => {
                let mut per_company: BTreeMap<i64, u64> = BTreeMap::new();
                while let Some(ticket) = records.try_next().await? {
                    let company = ticket["companyID"].as_i64().ok_or_else(|| {
                        Error::Protocol(format!("ticket without companyID: {ticket}"))
                    })?;
                    *per_company.entry(company).or_default() += 1;
                }
                rows.extend(
                    per_company
                        .into_iter()
                        .map(|(company, n)| vec![json!(company), json!(n)]),
                );
            }
            ReportKind::HoursByResource => {
                let mut per_resource: BTreeMap<i64, (u64, Decimal)> = BTreeMap::new();
                while let Some(entry) = records.try_next().await? {
                    let resource = entry["resourceID"].as_i64().ok_or_else(|| {
                        Error::Protocol(format!("time entry without resourceID: {entry}"))
                    })?;
                    let hours = match &entry["hoursWorked"] {
                        Value::Null => Decimal::ZERO,
                        hours => decimal::deserialize(hours).map_err(|e| {
                            Error::Protocol(format!("time entry hoursWorked {hours}: {e}"))
                        })?,
                    };
                    let sum = per_resource.entry(resource).or_default();
                    sum.0 += 1;
                    sum.1 += hours;
                }
                for (resource, (n, hours)) in per_resource {
                    let hours = decimal::serialize(&hours, serde_json::value::Serializer)
                        .map_err(|e| Error::Protocol(format!("hours sum {hours}: {e}")))?;
                    rows.push(vec![json!(resource), json!(n), hours]);
                }
            }
            ReportKind::ExpiringContracts | ReportKind::UnpaidInvoices => {
                while let Some(record) = records.try_next().await? {
                    rows.push(columns.iter().map(|c| record[*c].clone()).collect());
                }
            }
        }
        Ok(Report {
            kind,
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows,
        })
    }

    /// Writes `report` as CSV (RFC 4180: a header line, CRLF line ends, cells quoted when they hold
    /// commas, quotes or line breaks; `null` empty, numbers as JSON). No request is made.
    pub fn export_to_csv<W: Write + ?Sized>(&self, report: &Report, writer: &mut W) -> Result<()> {
        let io = |source| Error::Io {
            what: "report CSV".into(),
            source,
        };
        let mut csv = CsvLines::new(false);
        let header = csv
            .header(report.columns.iter().map(String::as_str))
            .map_err(io)?;
        writer.write_all(header).map_err(io)?;
        for row in &report.rows {
            let line = csv.line(row.iter().map(Some)).map_err(io)?;
            writer.write_all(line).map_err(io)?;
        }
        writer.flush().map_err(io)
    }
}

/// The values of picklist `field` among `Tickets`' picklists (empty when the tenant has none); an
/// error when the field is not a picklist or a value is not an integer.
fn picklist(picklists: &[Picklist], field: &str) -> Result<Vec<GroupValue>> {
    let list = picklists
        .iter()
        .find(|p| p.field().eq_ignore_ascii_case(field))
        .ok_or_else(|| {
            Error::Protocol(format!(
                "Tickets/entityInformation/fields has no picklist field {field}"
            ))
        })?;
    list.entries()
        .iter()
        .map(|v| {
            let value = v.as_i64().ok_or_else(|| {
                Error::Protocol(format!("{field} picklist value is not an integer: {v}"))
            })?;
            Ok(GroupValue {
                value,
                label: v.label.clone(),
            })
        })
        .collect()
}
