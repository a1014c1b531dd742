//! Facts the published swagger does not carry, kept small and named so that a reviewer can check each.
//!
//! A `refresh` from a live tenant replaces all of this with the tenant's own `entityInformation/fields`.

/// The cargo feature group of an entity. First matching rule wins.
pub fn group_for(entity: &str) -> &'static str {
    const RULES: &[(&str, &str)] = &[
        ("Webhook", "webhooks"),
        ("Article", "knowledge"),
        ("KnowledgeBase", "knowledge"),
        ("Document", "knowledge"),
        ("Tag", "knowledge"),
        ("ConfigurationItem", "configuration_items"),
        ("DomainRegistrars", "configuration_items"),
        ("Ticket", "service_desk"),
        ("DeletedTicket", "service_desk"),
        ("ServiceCall", "service_desk"),
        ("ServiceLevelAgreement", "service_desk"),
        ("ChangeRequestLinks", "service_desk"),
        ("ChecklistLibrar", "service_desk"),
        ("TimeEntr", "service_desk"),
        ("Appointments", "service_desk"),
        ("Project", "projects"),
        ("Phases", "projects"),
        ("Task", "projects"),
        ("DeletedTask", "projects"),
        ("Contract", "contracts"),
        ("ServiceBundle", "contracts"),
        ("Services", "contracts"),
        ("Subscription", "contracts"),
        ("Inventory", "inventory"),
        ("Product", "inventory"),
        ("PurchaseOrder", "inventory"),
        ("ShippingTypes", "inventory"),
        ("Invoice", "finance"),
        ("AdditionalInvoice", "finance"),
        ("Billing", "finance"),
        ("Currencies", "finance"),
        ("Tax", "finance"),
        ("PaymentTerms", "finance"),
        ("Expense", "finance"),
        ("PurchaseApprovals", "finance"),
        ("ChangeOrderCharges", "finance"),
        ("WorkTypeModifiers", "finance"),
        ("PriceList", "finance"),
        ("Compan", "crm"),
        ("Contact", "crm"),
        ("Opportunit", "crm"),
        ("Quote", "crm"),
        ("SalesOrder", "crm"),
        ("ClientPortalUsers", "crm"),
        ("ComanagedAssociations", "crm"),
        ("ActionTypes", "crm"),
        ("Countries", "crm"),
        ("ClassificationIcons", "crm"),
        ("Survey", "crm"),
    ];
    RULES
        .iter()
        .find(|(prefix, _)| {
            entity.starts_with(prefix) || (prefix.contains("Webhook") && entity.contains(prefix))
        })
        .map(|(_, group)| *group)
        .unwrap_or("administration")
}

/// Every feature group, in the order the README lists them.
pub const GROUPS: &[&str] = &[
    "service_desk",
    "crm",
    "configuration_items",
    "contracts",
    "projects",
    "finance",
    "inventory",
    "knowledge",
    "administration",
    "webhooks",
];

/// Audit fields that Autotask fills itself; the swagger marks only `id` and a few attachment fields read-only.
pub fn is_audit_field(field: &str) -> bool {
    matches!(
        field,
        "id" | "createDate"
            | "createDateTime"
            | "createdDateTime"
            | "lastActivityDate"
            | "lastModifiedDate"
            | "lastModifiedDateTime"
            | "lastTrackedModificationDateTime"
            | "impersonatorCreatorResourceID"
            | "impersonatorUpdaterResourceID"
            | "creatorResourceID"
            | "lastActivityResourceID"
            | "lastActivityPersonType"
            | "ticketNumber"
            | "projectNumber"
            | "contractNumber"
            | "invoiceNumber"
            | "attachDate"
            | "fileSize"
            | "contentType"
    )
}

/// Fields the API fills itself although the swagger marks them writable: the audit fields, and a
/// webhook's `isReady` (PROTOCOL.md 6.8: read-only; Autotask sets it once a subscribed field exists).
pub fn is_read_only(entity: &str, field: &str) -> bool {
    is_audit_field(field) || (entity.ends_with("Webhooks") && field == "isReady")
}

/// Known maximum string lengths (vendor entity documentation); 0 elsewhere means "not known from swagger".
pub fn known_length(entity: &str, field: &str) -> Option<u32> {
    if entity.ends_with("Webhooks") {
        return match field {
            "name" => Some(50),
            "webhookUrl" | "deactivationUrl" => Some(500),
            "secretKey" => Some(64),
            "notificationEmailAddress" => Some(150),
            "webhookGUID" => Some(100),
            _ => None,
        };
    }
    match (entity, field) {
        ("Tickets", "title") => Some(255),
        ("Tickets", "description") => Some(8000),
        ("Tickets", "resolution") => Some(32000),
        ("TicketNotes", "title") => Some(250),
        ("TicketNotes", "description") => Some(32000),
        ("CompanyNotes", "description") => Some(32000),
        ("Companies", "companyName") => Some(100),
        ("Contacts", "firstName") | ("Contacts", "lastName") => Some(50),
        ("Contacts", "emailAddress") => Some(254),
        ("Projects", "projectName") => Some(100),
        ("Tasks", "title") => Some(255),
        ("Contracts", "contractName") => Some(100),
        ("ConfigurationItems", "referenceTitle") => Some(200),
        ("ConfigurationItems", "serialNumber") => Some(100),
        (_, "fullPath") => Some(255),
        (_, "title") if entity.ends_with("Attachments") => Some(255),
        _ => None,
    }
}

/// A system picklist value known to be the same in every tenant.
pub struct KnownValue {
    /// The stored value (written to the schema as its string, `"1"`).
    pub value: i64,
    /// The label Autotask shows for it.
    pub label: &'static str,
}

/// A picklist field known from the vendor documentation.
pub struct KnownPicklist {
    /// REST collection name (`Tickets`).
    pub entity: &'static str,
    /// Exact wire name of the field (`status`), matched case-sensitively by the importer.
    pub field: &'static str,
    /// Parent field of a dependent picklist.
    pub parent: &'static str,
    /// System values; tenant values (queues, issue types, ...) are never listed here.
    pub values: &'static [KnownValue],
}

const fn v(value: i64, label: &'static str) -> KnownValue {
    KnownValue { value, label }
}

const PUBLISH: &[KnownValue] = &[
    v(1, "All Autotask Users"),
    v(2, "Internal Users Only"),
    v(4, "Internal & Co-Managed"),
];

/// Every picklist [`import`](crate::import) marks as such; values are listed in display order and
/// imported as active system values, none of them the default.
pub const PICKLISTS: &[KnownPicklist] = &[
    KnownPicklist {
        entity: "Tickets",
        field: "status",
        parent: "",
        values: &[
            v(1, "New"),
            v(5, "Complete"),
            v(7, "Waiting Customer"),
            v(8, "In Progress"),
        ],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "priority",
        parent: "",
        values: &[v(1, "High"), v(2, "Medium"), v(3, "Low"), v(4, "Critical")],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "ticketType",
        parent: "",
        values: &[
            v(1, "Service Request"),
            v(2, "Incident"),
            v(3, "Problem"),
            v(4, "Change Request"),
            v(5, "Alert"),
        ],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "queueID",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "source",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "issueType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "subIssueType",
        parent: "issueType",
        values: &[],
    },
    KnownPicklist {
        entity: "Tickets",
        field: "ticketCategory",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "TicketNotes",
        field: "publish",
        parent: "",
        values: PUBLISH,
    },
    KnownPicklist {
        entity: "TicketNotes",
        field: "noteType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "TicketAttachments",
        field: "publish",
        parent: "",
        values: PUBLISH,
    },
    KnownPicklist {
        entity: "Companies",
        field: "companyType",
        parent: "",
        values: &[
            v(1, "Customer"),
            v(2, "Lead"),
            v(3, "Prospect"),
            v(4, "Dead"),
            v(6, "Cancelation"),
            v(7, "Vendor"),
            v(8, "Partner"),
        ],
    },
    KnownPicklist {
        entity: "Companies",
        field: "classification",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "CompanyNotes",
        field: "actionType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "CompanyToDos",
        field: "actionType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Contracts",
        field: "contractType",
        parent: "",
        values: &[
            v(1, "Time & Materials"),
            v(3, "Fixed Price"),
            v(4, "Block Hours"),
            v(6, "Retainer"),
            v(7, "Recurring Service"),
            v(8, "Per Ticket"),
        ],
    },
    KnownPicklist {
        entity: "Contracts",
        field: "status",
        parent: "",
        values: &[v(0, "Inactive"), v(1, "Active")],
    },
    KnownPicklist {
        entity: "Contracts",
        field: "contractCategory",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Projects",
        field: "status",
        parent: "",
        values: &[v(5, "Complete")],
    },
    KnownPicklist {
        entity: "Projects",
        field: "projectType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Tasks",
        field: "status",
        parent: "",
        values: &[v(1, "New"), v(5, "Complete")],
    },
    KnownPicklist {
        entity: "Tasks",
        field: "priorityLabel",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "ConfigurationItems",
        field: "configurationItemType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Quotes",
        field: "quoteType",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Opportunities",
        field: "status",
        parent: "",
        values: &[],
    },
    KnownPicklist {
        entity: "Opportunities",
        field: "stage",
        parent: "",
        values: &[],
    },
];
