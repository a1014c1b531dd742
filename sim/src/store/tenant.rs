//! The demo tenant's metadata: picklist values for the fields the schema leaves empty or sparse, and
//! UDF definitions. Values are per tenant on the real API (PROTOCOL.md §6.6); these are the simulator's.

use crate::config::{PicklistValue, UdfDefinition, UdfType};

fn values(entries: &[(i64, &str)]) -> Vec<PicklistValue> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (value, label))| {
            let mut v = PicklistValue::new(*value, *label);
            v.sort_order = i as i32;
            v
        })
        .collect()
}

fn system(entries: &[(i64, &str)]) -> Vec<PicklistValue> {
    values(entries)
        .into_iter()
        .map(PicklistValue::system)
        .collect()
}

/// The demo tenant's picklists: realistic values for the fields the schema leaves empty.
pub fn default_picklists() -> Vec<(String, String, Vec<PicklistValue>)> {
    let mut out = Vec::new();
    let mut add = |entity: &str, field: &str, list: Vec<PicklistValue>| {
        out.push((
            entity.to_ascii_lowercase(),
            field.to_ascii_lowercase(),
            list,
        ))
    };
    let mut status = system(&[
        (1, "New"),
        (5, "Complete"),
        (7, "Waiting Customer"),
        (8, "In Progress"),
        (9, "Waiting Materials"),
        (10, "Dispatched"),
        (12, "Escalate"),
        (13, "Waiting Vendor"),
    ]);
    status[0].is_default = true;
    add("Tickets", "status", status);
    let mut priority = system(&[(1, "High"), (2, "Medium"), (3, "Low"), (4, "Critical")]);
    priority[1].is_default = true;
    add("Tickets", "priority", priority);
    add(
        "Tickets",
        "queueID",
        values(&[
            (5, "Client Portal"),
            (6, "Post Sale"),
            (8, "Monitoring Alert"),
            (29682833, "Level I Support"),
            (29682969, "Level II Support"),
            (29683354, "Recurring Tickets"),
        ]),
    );
    add(
        "Tickets",
        "source",
        system(&[
            (-2, "Insourced"),
            (-1, "Client Portal"),
            (1, "Other"),
            (2, "Phone"),
            (4, "Email"),
            (6, "Web Portal"),
            (8, "Monitoring Alert"),
            (13, "In Person / Onsite"),
        ]),
    );
    add(
        "Tickets",
        "issueType",
        values(&[
            (4, "Hardware"),
            (5, "Software"),
            (6, "Network"),
            (7, "Security"),
        ]),
    );
    add(
        "Tickets",
        "subIssueType",
        vec![
            PicklistValue::new(101, "Printer").under(4),
            PicklistValue::new(102, "Workstation").under(4),
            PicklistValue::new(103, "Server").under(4),
            PicklistValue::new(201, "Office Suite").under(5),
            PicklistValue::new(202, "Line of Business").under(5),
            PicklistValue::new(301, "Connectivity").under(6),
            PicklistValue::new(302, "Wireless").under(6),
            PicklistValue::new(401, "Malware").under(7),
            PicklistValue::new(402, "Phishing").under(7),
        ],
    );
    add(
        "Tickets",
        "ticketCategory",
        system(&[(1, "Standard"), (2, "AEM Alert"), (3, "RMA"), (4, "Change")]),
    );
    add(
        "Tickets",
        "serviceLevelAgreementID",
        values(&[(1, "Standard SLA"), (2, "Premium SLA")]),
    );
    add(
        "TicketNotes",
        "noteType",
        system(&[
            (1, "Task Summary"),
            (2, "Task Detail"),
            (3, "Task Notes"),
            (13, "Internal Notes"),
        ]),
    );
    add(
        "Companies",
        "classification",
        values(&[(1, "Gold"), (2, "Silver"), (3, "Bronze")]),
    );
    add(
        "Projects",
        "projectType",
        system(&[
            (1, "Baseline"),
            (2, "Template"),
            (4, "Proposal"),
            (5, "Client"),
            (6, "Internal"),
        ]),
    );
    add(
        "Tasks",
        "taskType",
        system(&[(1, "Fixed Work"), (2, "Fixed Duration")]),
    );
    add(
        "Contracts",
        "contractType",
        system(&[
            (1, "Time & Materials"),
            (3, "Fixed Price"),
            (4, "Block Hours"),
            (6, "Retainer"),
            (7, "Recurring Service"),
            (8, "Per Ticket"),
        ]),
    );
    add(
        "Projects",
        "status",
        system(&[
            (0, "Inactive"),
            (1, "New"),
            (2, "In Progress"),
            (3, "On Hold"),
            (5, "Complete"),
        ]),
    );
    add(
        "Opportunities",
        "status",
        system(&[
            (0, "Inactive"),
            (1, "Active"),
            (2, "Lost"),
            (3, "Closed"),
            (4, "Implemented"),
        ]),
    );
    add(
        "Opportunities",
        "stage",
        values(&[
            (1, "Qualification"),
            (2, "Proposal"),
            (3, "Negotiation"),
            (4, "Closed"),
        ]),
    );
    out
}

/// The default UDF definitions of the demo tenant.
pub fn default_udfs() -> Vec<UdfDefinition> {
    let mut tier = UdfDefinition::new("Companies", "Support Tier", UdfType::List);
    tier.picklist = values(&[(1, "Bronze"), (2, "Silver"), (3, "Gold")]);
    vec![
        UdfDefinition::new("Companies", "Number of Employees", UdfType::Number),
        tier,
        UdfDefinition::new("Tickets", "Customer Reference", UdfType::String),
        UdfDefinition::new("Tickets", "Billable Override", UdfType::Boolean),
        UdfDefinition::new("Contacts", "Preferred Channel", UdfType::String),
        UdfDefinition::new("ConfigurationItems", "Warranty Expires", UdfType::DateTime),
    ]
}
