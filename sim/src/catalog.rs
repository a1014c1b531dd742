//! The simulated tenant's metadata: entity lookup by URL segment, the parent field of each child route,
//! effective picklists (schema values merged with the simulator's tenant values) and UDF definitions.

use crate::config::{PicklistValue, UdfDefinition, UdfType};
use autotask::meta::{EntityMeta, FieldMeta};
use std::collections::HashMap;

/// Everything about the tenant's entities that does not change while the simulator runs.
#[derive(Debug)]
pub struct Catalog {
    by_root: HashMap<String, &'static EntityMeta>,
    by_model: HashMap<String, &'static EntityMeta>,
    by_child: HashMap<(String, String), &'static EntityMeta>,
    parent_fields: HashMap<&'static str, &'static str>,
    picklists: HashMap<(String, String), Vec<PicklistValue>>,
    udfs: HashMap<String, Vec<UdfDefinition>>,
}

impl Catalog {
    /// Builds the catalog from the compiled metadata plus tenant picklists and UDFs.
    pub fn new(
        extra_picklists: Vec<(String, String, Vec<PicklistValue>)>,
        udfs: Vec<UdfDefinition>,
    ) -> Self {
        let mut by_root = HashMap::new();
        let mut by_model = HashMap::new();
        let mut by_child = HashMap::new();
        let mut parent_fields = HashMap::new();
        for &meta in autotask::all_entities() {
            by_root.insert(meta.name.to_ascii_lowercase(), meta);
            by_model.insert(meta.model.to_ascii_lowercase(), meta);
        }
        for &meta in autotask::all_entities() {
            if let Some(child) = &meta.child {
                by_child.insert(
                    (
                        child.parent.to_ascii_lowercase(),
                        child.segment.to_ascii_lowercase(),
                    ),
                    meta,
                );
                let parent = by_root.get(&child.parent.to_ascii_lowercase()).copied();
                if let Some(field) = find_parent_field(meta, child.parent, parent) {
                    parent_fields.insert(meta.name, field);
                }
            }
        }
        let mut picklists = HashMap::new();
        for (entity, field, values) in default_tenant_picklists().into_iter().chain(
            extra_picklists
                .into_iter()
                .map(|(e, f, v)| (e.to_ascii_lowercase(), f.to_ascii_lowercase(), v)),
        ) {
            picklists.insert((entity, field), values);
        }
        let mut udf_map: HashMap<String, Vec<UdfDefinition>> = HashMap::new();
        for udf in udfs {
            udf_map
                .entry(udf.entity.to_ascii_lowercase())
                .or_default()
                .push(udf);
        }
        Self {
            by_root,
            by_model,
            by_child,
            parent_fields,
            picklists,
            udfs: udf_map,
        }
    }

    /// The entity whose collection name is `segment` (case-insensitive).
    pub fn root(&self, segment: &str) -> Option<&'static EntityMeta> {
        self.by_root.get(&segment.to_ascii_lowercase()).copied()
    }

    /// The entity whose singular model name is `model` (`Company`).
    pub fn by_model(&self, model: &str) -> Option<&'static EntityMeta> {
        self.by_model.get(&model.to_ascii_lowercase()).copied()
    }

    /// The entity reached by `/{parent}/{id}/{segment}`.
    pub fn child(&self, parent: &str, segment: &str) -> Option<&'static EntityMeta> {
        self.by_child
            .get(&(parent.to_ascii_lowercase(), segment.to_ascii_lowercase()))
            .copied()
    }

    /// The field of a child entity that holds its parent's id (`ticketID` of `TicketNotes`).
    pub fn parent_field(&self, meta: &EntityMeta) -> Option<&'static str> {
        self.parent_fields.get(meta.name).copied()
    }

    /// The effective picklist of a field: the tenant's values when configured, else the schema's.
    /// `None` when the field is not a picklist; an empty list means "any integer".
    pub fn picklist(&self, meta: &EntityMeta, field: &FieldMeta) -> Option<Vec<PicklistValue>> {
        if let Some(values) = self.picklists.get(&(
            meta.name.to_ascii_lowercase(),
            field.name.to_ascii_lowercase(),
        )) {
            return Some(values.clone());
        }
        field.picklist.map(|entries| {
            entries
                .iter()
                .filter_map(|entry| {
                    Some(PicklistValue {
                        value: entry.value.parse().ok()?,
                        label: entry.label.to_string(),
                        is_default: entry.is_default,
                        sort_order: entry.sort_order,
                        parent_value: entry.parent_value.parse().ok(),
                        is_active: entry.is_active,
                        is_system: entry.is_system,
                    })
                })
                .collect()
        })
    }

    /// True when `value` is allowed for the picklist field (any value when the list is empty).
    pub fn picklist_allows(&self, meta: &EntityMeta, field: &FieldMeta, value: i64) -> bool {
        match self.picklist(meta, field) {
            Some(values) if !values.is_empty() => values.iter().any(|v| v.value == value),
            _ => true,
        }
    }

    /// The UDF definitions of an entity.
    pub fn udfs(&self, meta: &EntityMeta) -> &[UdfDefinition] {
        self.udfs
            .get(&meta.name.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The UDF called `name` (case-insensitive).
    pub fn udf(&self, meta: &EntityMeta, name: &str) -> Option<&UdfDefinition> {
        self.udfs(meta)
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }
}

/// Finds the field of `child` that stores the parent id: a reference to the parent's model, else a field
/// named after the parent model, else a few known irregular names, else `parentID`.
fn find_parent_field(
    child: &EntityMeta,
    parent_segment: &str,
    parent: Option<&EntityMeta>,
) -> Option<&'static str> {
    if let Some(parent) = parent {
        if let Some(f) = child
            .fields
            .iter()
            .find(|f| f.reference.eq_ignore_ascii_case(parent.model))
        {
            return Some(f.name);
        }
        if let Some(f) = child.field(&format!("{}ID", parent.model)) {
            return Some(f.name);
        }
        let last_word = parent
            .model
            .rfind(|c: char| c.is_ascii_uppercase())
            .map(|i| &parent.model[i..])
            .unwrap_or(parent.model);
        if let Some(f) = child.field(&format!("{last_word}ID")) {
            if last_word != "Item" {
                return Some(f.name);
            }
        }
    }
    let irregular = match parent_segment.to_ascii_lowercase().as_str() {
        "expenses" => "expenseReportID",
        "userdefinedfields" => "udfFieldId",
        "configurationitems" => "installedProductID",
        "contactgroups" => "contactGroupId",
        "servicelevelagreements" => "serviceLevelAgreementID",
        "knowledgebasearticles" => "articleID",
        _ => "parentID",
    };
    child.field(irregular).map(|f| f.name)
}

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
fn default_tenant_picklists() -> Vec<(String, String, Vec<PicklistValue>)> {
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
