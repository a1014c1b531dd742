//! The coverage table: every name of py-autotask's 183-name "Complete Entity List" resolves through
//! `client.entities().get_entity(name)` to a REST collection, an alias of one, or the documented
//! `Error::NotAnEntity`; and `docs/coverage.md` has a row for each name and each feature section.

use crate::sim_support::start;
use autotask::metadata::aliases::NameKind;
use autotask::Error;
use autotask_sim::Seed;
use serde_json::json;

/// The reference's list, copied verbatim (numbering dropped; "Allocation Codes" keeps its space) from
/// py-autotask's API_REFERENCE.md, section "Complete Entity List".
const REFERENCE_NAMES: [&str; 183] = [
    "ActionTypes",
    "AdditionalInvoiceFieldValues",
    "Allocation Codes",
    "Analytics",
    "APIUsageMetrics",
    "Appointments",
    "ArticleAttachments",
    "ArticleConfigurationItemCategoryAssociations",
    "ArticleNotes",
    "ArticlePlainTextContent",
    "ArticleTagAssociations",
    "ArticleTicketAssociations",
    "ArticleToArticleAssociations",
    "ArticleToDocumentAssociations",
    "AttachmentInfo",
    "Attachments",
    "AuditLogs",
    "AutomationRules",
    "BackupConfiguration",
    "BillingCodes",
    "BillingItemApprovalLevels",
    "BillingItems",
    "BusinessDivisions",
    "BusinessRules",
    "ChangeOrderCharges",
    "ChangeRequestLinks",
    "ChangeRequests",
    "ChecklistLibraries",
    "ChecklistLibraryChecklistItems",
    "ClassificationIcons",
    "ClientPortalUsers",
    "ComanagedAssociations",
    "Companies",
    "CompanyAlerts",
    "CompanyAttachments",
    "CompanyCategories",
    "CompanyLocations",
    "CompanyNoteAttachments",
    "CompanyNotes",
    "CompanySiteConfigurations",
    "CompanyTeams",
    "CompanyToDos",
    "CompanyWebhooks",
    "ConfigurationItemAttachments",
    "ConfigurationItemBillingProductAssociations",
    "ConfigurationItemCategories",
    "ConfigurationItemDnsRecords",
    "ConfigurationItemNotes",
    "ConfigurationItemRelatedItems",
    "ConfigurationItems",
    "ConfigurationItemSslSubjectAlternativeNames",
    "ConfigurationItemTypes",
    "ContactBillingProductAssociations",
    "ContactGroups",
    "ContactGroupContacts",
    "ContactNotes",
    "ContactWebhooks",
    "Contacts",
    "ContractBillingRules",
    "ContractBlockHourFactors",
    "ContractBlocks",
    "ContractCharges",
    "ContractExclusions",
    "ContractMilestones",
    "ContractNotes",
    "ContractRetainers",
    "ContractRoles",
    "Contracts",
    "ContractServiceAdjustments",
    "ContractServices",
    "Countries",
    "Currencies",
    "CustomFields",
    "Dashboards",
    "DataExport",
    "DataIntegrations",
    "Departments",
    "DocumentAttachments",
    "DocumentCategories",
    "Documents",
    "DocumentToProcedureAssociations",
    "ExpenseCategories",
    "ExpenseItems",
    "ExpenseReports",
    "Expenses",
    "HolidaySets",
    "InstalledProducts",
    "IntegrationEndpoints",
    "InventoryItems",
    "InventoryLocations",
    "InventoryStockedItems",
    "InventoryTransfers",
    "InvoiceItems",
    "Invoices",
    "NotificationHistory",
    "NotificationRules",
    "NotificationTemplates",
    "Opportunities",
    "OpportunityAttachments",
    "OrganizationalLevelAssociations",
    "OrganizationalLevels",
    "PaymentTerms",
    "PerformanceMetrics",
    "PriceListMaterialCodes",
    "PriceListProducts",
    "PriceListRoles",
    "PriceListServiceBundles",
    "PriceListServices",
    "PriceListWorkTypeModifiers",
    "ProductCategories",
    "ProductNotes",
    "Products",
    "ProductTiers",
    "ProductVendors",
    "ProjectAttachments",
    "ProjectCharges",
    "ProjectCosts",
    "ProjectMilestones",
    "ProjectNotes",
    "ProjectPhases",
    "ProjectReports",
    "Projects",
    "ProjectTemplates",
    "PurchaseApprovals",
    "PurchaseOrderItems",
    "PurchaseOrders",
    "QuoteItems",
    "QuoteLocations",
    "Quotes",
    "QuoteTemplates",
    "Reports",
    "ResourceAllocation",
    "ResourceAttachments",
    "ResourceRoleDepartments",
    "ResourceRoleQueues",
    "ResourceRoles",
    "ResourceRoleSkills",
    "Resources",
    "ResourceServiceDeskRoles",
    "ResourceSkills",
    "Roles",
    "SalesOrders",
    "ServiceCallTicketResources",
    "ServiceCallTickets",
    "ServiceCalls",
    "ServiceLevelAgreementResults",
    "ServiceLevelAgreements",
    "Services",
    "ShippingTypes",
    "SubscriptionPeriods",
    "Subscriptions",
    "SurveyResults",
    "SystemHealth",
    "TaskDependencies",
    "TaskNotes",
    "TaskPredecessors",
    "Tasks",
    "TaskSecondaryResources",
    "TaxCategories",
    "TaxRegions",
    "Teams",
    "TicketAdditionalConfigurationItems",
    "TicketAdditionalContacts",
    "TicketAttachments",
    "TicketCategories",
    "TicketChangeRequestApprovals",
    "TicketChecklistItems",
    "TicketChecklistLibraries",
    "TicketCosts",
    "TicketHistory",
    "TicketNotes",
    "TicketPriorities",
    "Tickets",
    "TicketSecondaryResources",
    "TicketSources",
    "TicketStatuses",
    "TimeEntries",
    "UserDefinedFieldListItems",
    "UserDefinedFields",
    "VendorTypes",
    "WorkflowRules",
    "Workflows",
    "WorkTypes",
];

/// The feature sections of the same document, each needing a row in the table.
const FEATURE_SECTIONS: [&str; 13] = [
    "CRUD",
    "Query",
    "query_all",
    "Query builder",
    "Batch operations",
    "Transactions",
    "Caching",
    "User-defined fields",
    "Error handling",
    "Connection pooling",
    "Pagination",
    "Rate limiting",
    "Zone detection",
];

#[tokio::test]
async fn every_reference_name_resolves_to_an_entity_an_alias_or_the_documented_error() {
    let (sim, client) = start(Seed::None).await;
    let (mut entities, mut aliases, mut explained) = (0, 0, 0);
    for name in REFERENCE_NAMES {
        match client.entities().get_entity(name) {
            Ok(entity) => match entity.alias() {
                None => {
                    assert!(
                        entity.meta().name.eq_ignore_ascii_case(name),
                        "{name} resolved to {}",
                        entity.meta().name
                    );
                    entities += 1;
                }
                Some(alias) => {
                    assert_eq!(alias.name, name.replace(' ', ""));
                    assert_eq!(alias.entity(), Some(entity.meta().name), "{name}");
                    aliases += 1;
                }
            },
            Err(Error::NotAnEntity {
                name: reported,
                explanation,
            }) => {
                assert_eq!(reported, name);
                let entry =
                    autotask::metadata::aliases::lookup(name).expect("documented in aliases");
                assert_eq!(explanation, entry.explanation());
                let pointer = match entry.kind {
                    NameKind::Picklist { .. } => "client.picklists().field(",
                    NameKind::Service { .. } => "client.",
                    _ => "closest in the real API: ",
                };
                assert!(explanation.contains(pointer), "{name}: {explanation}");
                explained += 1;
            }
            Err(other) => panic!("{name} is unaccounted for: {other}"),
        }
    }
    // PROTOCOL.md section 7: 134 real collections, 49 names that are not (12 of them renamed).
    assert_eq!((entities, aliases, explained), (134, 12, 37));
    assert!(
        sim.requests().is_empty(),
        "resolving names makes no request"
    );
}

#[tokio::test]
async fn an_alias_sends_requests_to_the_real_collection() {
    let (sim, client) = start(Seed::None).await;
    sim.insert(
        "ConfigurationItems",
        json!({"companyID": 0, "configurationItemType": 1, "productID": 0, "isActive": true}),
    )
    .unwrap();
    let installed = client.entities().get_entity("InstalledProducts").unwrap();
    assert_eq!(installed.meta().name, "ConfigurationItems");
    let found: Vec<_> = installed.query().all().await.unwrap();
    assert_eq!(found.len(), 1);
    let requests = sim.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].path,
        "/ATServicesRest/V1.0/ConfigurationItems/query"
    );
}

#[tokio::test]
async fn picklist_and_invented_names_explain_the_real_alternative() {
    let (_sim, client) = start(Seed::None).await;
    let statuses = client.entities().get_entity("TicketStatuses").unwrap_err();
    assert_eq!(
        statuses.to_string(),
        "\"TicketStatuses\" is not part of the Autotask REST API: its values are the picklist of the \
         Tickets.status field, served by GET /Tickets/entityInformation/fields; read them with \
         client.picklists().field(\"Tickets\", \"status\").await"
    );
    let workflows = client.entities().get_entity("Workflows").unwrap_err();
    assert!(
        workflows
            .to_string()
            .contains("no Autotask endpoint backs it")
            && workflows.to_string().contains("webhooks"),
        "{workflows}"
    );
    let usage = client.entities().get_entity("apiusagemetrics").unwrap_err();
    assert!(usage.to_string().contains("client.api_usage()"), "{usage}");
    let unknown = client.entities().get_entity("Spaceships").unwrap_err();
    assert!(matches!(unknown, Error::InvalidInput(_)), "{unknown:?}");
}

/// The table's rows: the first cell of every `| ... |` line.
fn table_rows() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/coverage.md");
    let text = std::fs::read_to_string(path).expect("docs/coverage.md exists");
    text.lines()
        .filter_map(|line| line.strip_prefix('|'))
        .filter_map(|line| line.split('|').next())
        .map(|cell| cell.trim().trim_matches('`').to_string())
        .collect()
}

#[test]
fn the_coverage_table_has_a_row_for_every_name_and_feature() {
    let rows = table_rows();
    for name in REFERENCE_NAMES.iter().chain(FEATURE_SECTIONS.iter()) {
        let count = rows.iter().filter(|row| row == name).count();
        assert_eq!(
            count, 1,
            "docs/coverage.md needs exactly one row for {name:?}"
        );
    }
}

/// Every test the table cites as proof exists: `tests/<file>.rs::name` and `coverage::name` references
/// name a function in that file, and every cited `tests/...` file or directory exists.
#[test]
fn every_test_the_coverage_table_cites_exists() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("docs/coverage.md")).expect("docs/coverage.md");
    let mut checked = 0;
    for cited in text.split('`').skip(1).step_by(2) {
        let (path, function) = match cited.split_once("::") {
            Some((path, function)) if path.starts_with("tests/") => (path.to_string(), function),
            Some(("coverage", function)) => ("tests/services/coverage.rs".to_string(), function),
            _ if cited.starts_with("tests/") => (cited.to_string(), ""),
            _ => continue,
        };
        let file = root.join(&path);
        assert!(
            file.exists(),
            "docs/coverage.md cites {path}, which does not exist"
        );
        if !function.is_empty() {
            let source = std::fs::read_to_string(&file).expect("cited test file");
            assert!(
                source.contains(&format!("fn {function}(")),
                "docs/coverage.md cites {path}::{function}, which is not a test there"
            );
        }
        checked += 1;
    }
    assert!(checked > 200, "only {checked} citations found");
}
