//! Names from the py-autotask entity list that are **not** Autotask REST collections, and what each one
//! really is (PROTOCOL.md section 7.1).
//!
//! py-autotask promised 183 "entities"; 134 are real REST collections and are reached directly through
//! [`Entities::get_entity`](crate::Entities::get_entity). The other 49 are listed here, each with one
//! honest answer:
//!
//! * [`NameKind::Alias`]: an old or SOAP name of a real collection (`InstalledProducts` is
//!   `ConfigurationItems`); `get_entity` resolves it and the [`DynamicEntity`](crate::DynamicEntity)
//!   remembers the alias.
//! * [`NameKind::Picklist`]: the "entity" is the value list of one field (`TicketStatuses` is the picklist
//!   of `Tickets.status`).
//! * [`NameKind::Service`]: no endpoint exists, but this SDK computes the same information from real
//!   requests (`APIUsageMetrics` is [`Client::api_usage`](crate::Client::api_usage)).
//! * [`NameKind::NotInApi`]: no endpoint exists and nothing in the SDK pretends otherwise; the entry
//!   names what comes closest.
//!
//! For the last three, `get_entity` fails with [`Error::NotAnEntity`](crate::Error::NotAnEntity) whose
//! text is [`ReferenceName::explanation`].
//!
//! ```
//! use autotask::metadata::aliases::{lookup, NameKind};
//!
//! let teams = lookup("Teams").unwrap();
//! assert!(matches!(teams.kind, NameKind::Alias { entity: "CompanyTeams", .. }));
//! // Matching ignores case, spaces and underscores, as the reference spells "Allocation Codes".
//! assert!(lookup("allocation codes").is_some());
//! assert!(lookup("Tickets").is_none(), "real collections are not aliases");
//! ```

/// What a non-entity reference name stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameKind {
    /// Another name of the real REST collection `entity`; `note` says what differs, if anything.
    Alias {
        /// The real collection (`ConfigurationItems`).
        entity: &'static str,
        /// What differs from the name's promise, or `""`.
        note: &'static str,
    },
    /// The values of the picklist field `field` of the REST collection `entity`.
    Picklist {
        /// The collection that has the field (`Tickets`).
        entity: &'static str,
        /// The picklist field (`status`).
        field: &'static str,
    },
    /// Not an endpoint; the SDK service reached by `accessor` (`client.analytics()`) provides it.
    Service {
        /// How to reach the service (`client.analytics()`).
        accessor: &'static str,
        /// Where the service's data comes from.
        note: &'static str,
    },
    /// Not an endpoint and not emulated; `closest` says what the real API offers instead.
    NotInApi {
        /// What the real API offers instead, in words.
        closest: &'static str,
    },
}

/// One name of the reference list that is not a REST collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferenceName {
    /// The name as the reference spells it (without spaces).
    pub name: &'static str,
    /// What the name stands for.
    pub kind: NameKind,
}

impl ReferenceName {
    /// The real collection this name resolves to, for [`NameKind::Alias`].
    pub fn entity(&self) -> Option<&'static str> {
        match self.kind {
            NameKind::Alias { entity, .. } => Some(entity),
            _ => None,
        }
    }

    /// One sentence saying what the name is in the real API and what to use instead.
    pub fn explanation(&self) -> String {
        match self.kind {
            NameKind::Alias { entity, note: "" } => {
                format!(
                    "{} is the old name of the REST collection {entity}",
                    self.name
                )
            }
            NameKind::Alias { entity, note } => format!(
                "{} is the old name of the REST collection {entity} ({note})",
                self.name
            ),
            NameKind::Picklist { entity, field } => format!(
                "its values are the picklist of the {entity}.{field} field, served by \
                 GET /{entity}/entityInformation/fields; read them with \
                 client.picklists().field(\"{entity}\", \"{field}\").await"
            ),
            NameKind::Service { accessor, note } => {
                format!("no Autotask endpoint backs it; {note}: use the SDK service {accessor}")
            }
            NameKind::NotInApi { closest } => {
                format!("no Autotask endpoint backs it; closest in the real API: {closest}")
            }
        }
    }
}

const fn alias(name: &'static str, entity: &'static str, note: &'static str) -> ReferenceName {
    ReferenceName {
        name,
        kind: NameKind::Alias { entity, note },
    }
}

const fn picklist(name: &'static str, entity: &'static str, field: &'static str) -> ReferenceName {
    ReferenceName {
        name,
        kind: NameKind::Picklist { entity, field },
    }
}

const fn service(name: &'static str, accessor: &'static str, note: &'static str) -> ReferenceName {
    ReferenceName {
        name,
        kind: NameKind::Service { accessor, note },
    }
}

const fn missing(name: &'static str, closest: &'static str) -> ReferenceName {
    ReferenceName {
        name,
        kind: NameKind::NotInApi { closest },
    }
}

/// The 49 names of the reference list that are not REST collections (PROTOCOL.md section 7.1).
pub static REFERENCE_NAMES: [ReferenceName; 49] = [
    // Renamed collections.
    alias("AllocationCodes", "BillingCodes", "SOAP called billing codes allocation codes; read-only"),
    alias("InstalledProducts", "ConfigurationItems", "SOAP called configuration items installed products"),
    alias("ProjectCosts", "ProjectCharges", "created and updated only under /Projects/{id}/Charges"),
    alias("TicketCosts", "TicketCharges", "created and updated only under /Tickets/{id}/Charges"),
    alias("ProjectPhases", "Phases", "reached under /Projects/{id}/Phases"),
    alias("TaskDependencies", "TaskPredecessors", "reached under /Tasks/{id}/Predecessors"),
    alias("UserDefinedFields", "UserDefinedFieldDefinitions", "UDF definitions; values travel in each record's userDefinedFields list"),
    alias("CustomFields", "UserDefinedFieldDefinitions", "Autotask's custom fields are user-defined fields (UDFs)"),
    alias("Teams", "CompanyTeams", ""),
    alias("Expenses", "ExpenseReports", "`Expenses` is only the parent segment of /Expenses/{id}/Items"),
    alias("InvoiceItems", "BillingItems", "an invoice's lines are the BillingItems whose invoiceID is the invoice: filter on invoiceID (the alias alone reaches every billing item), or use InvoiceHelpers::calculate_totals"),
    alias("Attachments", "AttachmentInfo", "cross-entity and read-only; each entity's own *Attachments collection creates them"),
    // Picklists of real fields.
    picklist("TicketStatuses", "Tickets", "status"),
    picklist("TicketPriorities", "Tickets", "priority"),
    picklist("TicketSources", "Tickets", "source"),
    picklist("ExpenseCategories", "ExpenseItems", "expenseCategory"),
    picklist("ProductCategories", "Products", "productCategory"),
    picklist("VendorTypes", "Companies", "companyType"),
    // Computed by this SDK from real requests.
    service("Analytics", "client.analytics()", "dashboards and reports are computed from query/count and query requests"),
    service("Dashboards", "client.analytics()", "get_dashboard_data() computes dashboard figures from query/count requests"),
    service("Reports", "client.analytics()", "generate_report() builds the documented report kinds from queries"),
    service("ProjectReports", "client.analytics()", "generate_report() builds project and time reports from queries"),
    service("APIUsageMetrics", "client.api_usage()", "the real usage figure is GET /ThresholdInformation"),
    service("AuditLogs", "client.audit_log()", "history comes from TicketHistory and the Deleted*Logs collections"),
    service("SystemHealth", "client.health()", "version, zone, latency and threshold usage come from real requests"),
    service("DataExport", "client.export()", "exports stream query results to JSON Lines or CSV"),
    service("BackupConfiguration", "client.export()", "a backup is a resumable export of the collections you choose"),
    service("PerformanceMetrics", "client.performance()", "latency and error counts are measured by this client"),
    // Nothing behind them.
    missing("AutomationRules", "workflow rules are configured in the Autotask UI only; webhooks (TicketWebhooks and the other *Webhooks collections, autotask::webhooks) notify you of changes"),
    missing("BusinessRules", "business rules are configured in the Autotask UI only; webhooks (autotask::webhooks) notify you of changes"),
    missing("WorkflowRules", "workflow rules are configured in the Autotask UI only; webhooks (autotask::webhooks) notify you of changes"),
    missing("Workflows", "workflows are configured in the Autotask UI only; webhooks (autotask::webhooks) notify you of changes"),
    missing("NotificationRules", "notification rules are configured in the UI; NotificationHistory (read-only) lists notifications sent"),
    missing("NotificationTemplates", "templates are configured in the UI; NotificationHistory (read-only) lists notifications sent"),
    missing("DataIntegrations", "IntegrationVendorInsights and IntegrationVendorWidgets describe vendor integrations"),
    missing("IntegrationEndpoints", "the API has fixed endpoints; GET /V1.0/EntityInformation lists every collection"),
    missing("ResourceAllocation", "assignments live on Tasks (assignedResourceID), TaskSecondaryResources, ServiceCallTaskResources and ResourceDailyAvailabilities"),
    missing("ProjectTemplates", "projects can be created only from scratch through the API (Projects); templates are applied in the UI"),
    missing("ContactNotes", "CompanyNotes, whose contactID links a note to a contact"),
    missing("ProjectMilestones", "Phases (/Projects/{id}/Phases) and Tasks structure a project; ContractMilestones are billing milestones"),
    missing("DocumentToProcedureAssociations", "DocumentToArticleAssociations and DocumentToDocumentAssociations"),
    missing("OrganizationalLevels", "OrganizationalLevel1s and OrganizationalLevel2s (with OrganizationalLevelAssociations)"),
    missing("ServiceLevelAgreements", "ServiceLevelAgreementResults (/ServiceLevelAgreements/{id}/Results); SLA definitions are not exposed"),
    missing("ContractExclusions", "ContractExclusionSets, ContractExclusionRoles and ContractExclusionBillingCodes"),
    missing("ContractRoles", "ContractRoleCosts (and ContractExclusionRoles)"),
    missing("ResourceRoleSkills", "ResourceSkills and Skills"),
    missing("BusinessDivisions", "SOAP-only; the REST API has no business divisions (OrganizationalLevel1s are the nearest grouping)"),
    missing("ChangeRequests", "change requests are Tickets with ticketType 4 (Change Request); see also ChangeRequestLinks and TicketChangeRequestApprovals"),
    missing("WorkTypes", "work types are BillingCodes (billingCodeType/useType) and WorkTypeModifiers"),
];

/// The entry for `name`, matched ignoring case, spaces and underscores; `None` for real collections
/// and for names the reference does not use.
pub fn lookup(name: &str) -> Option<&'static ReferenceName> {
    let wanted: String = name
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_')
        .collect();
    REFERENCE_NAMES
        .iter()
        .find(|entry| entry.name.eq_ignore_ascii_case(&wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique() {
        for (i, entry) in REFERENCE_NAMES.iter().enumerate() {
            assert!(
                REFERENCE_NAMES[..i].iter().all(|e| e.name != entry.name),
                "{} listed twice",
                entry.name
            );
        }
    }

    /// Every alias and picklist points at a collection and field that exist (all groups compiled).
    #[cfg(feature = "full")]
    #[test]
    fn targets_exist_in_the_schema() {
        for entry in &REFERENCE_NAMES {
            assert!(
                crate::model::meta::entity_meta(entry.name).is_none(),
                "{} is a real collection",
                entry.name
            );
            match entry.kind {
                NameKind::Alias { entity, .. } => {
                    assert!(
                        crate::model::meta::entity_meta(entity).is_some(),
                        "{entity}"
                    )
                }
                // The field exists; the checked-in schema (swagger types only) does not flag
                // ExpenseItems.expenseCategory and Products.productCategory as picklists, though
                // a tenant's entityInformation/fields does.
                NameKind::Picklist { entity, field } => {
                    let meta = crate::model::meta::entity_meta(entity).expect(entity);
                    assert!(meta.field(field).is_some(), "{entity} has no {field}");
                }
                _ => {}
            }
        }
    }
}
