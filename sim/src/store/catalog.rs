//! The simulated tenant's metadata: entity lookup by URL segment, the parent field of each child route,
//! effective picklists (the schema's values, replaced by the tenant's where it has its own) and UDF
//! definitions.

use crate::config::{PicklistValue, UdfDefinition};
use crate::schema::{self, ChildRoute, Entity, Field};
use std::collections::HashMap;

/// A child route resolved from `/{parent}/{id}/{segment}`.
#[derive(Debug, Clone, Copy)]
pub struct ChildAccess {
    /// The child entity.
    pub entity: &'static Entity,
    /// The route and its verbs.
    pub route: &'static ChildRoute,
    /// The child's field holding the parent id (`ticketID` of `TicketNotes`), if found.
    pub parent_field: Option<&'static str>,
    /// The parent collection, when the parent segment is one (`Expenses` is not).
    pub parent: Option<&'static Entity>,
}

/// Everything about the tenant's entities that does not change while the simulator runs.
#[derive(Debug)]
pub struct Catalog {
    by_child: HashMap<(String, String), ChildAccess>,
    picklists: HashMap<(String, String), Vec<PicklistValue>>,
    udfs: HashMap<String, Vec<UdfDefinition>>,
}

impl Catalog {
    /// The catalog of the schema plus the demo tenant's picklists, `extra_picklists` (which win) and
    /// `udfs`.
    pub fn new(
        extra_picklists: Vec<(String, String, Vec<PicklistValue>)>,
        udfs: Vec<UdfDefinition>,
    ) -> Self {
        let mut by_child = HashMap::new();
        for entity in schema::all() {
            for route in &entity.children {
                let parent = schema::entity(&route.parent).filter(|p| p.name == route.parent);
                by_child.insert(
                    (
                        route.parent.to_ascii_lowercase(),
                        route.segment.to_ascii_lowercase(),
                    ),
                    ChildAccess {
                        entity,
                        route,
                        parent_field: find_parent_field(entity, &route.parent, parent),
                        parent,
                    },
                );
            }
        }
        let mut picklists = HashMap::new();
        for (entity, field, values) in super::tenant::default_picklists()
            .into_iter()
            .chain(extra_picklists)
        {
            picklists.insert(
                (entity.to_ascii_lowercase(), field.to_ascii_lowercase()),
                values,
            );
        }
        let mut udf_map: HashMap<String, Vec<UdfDefinition>> = HashMap::new();
        for udf in udfs {
            udf_map
                .entry(udf.entity.to_ascii_lowercase())
                .or_default()
                .push(udf);
        }
        Self {
            by_child,
            picklists,
            udfs: udf_map,
        }
    }

    /// The entity whose collection name is `segment` (case-insensitive).
    pub fn root(&self, segment: &str) -> Option<&'static Entity> {
        schema::entity(segment).filter(|e| e.name.eq_ignore_ascii_case(segment))
    }

    /// The entity whose singular model name is `model` (`Company`).
    pub fn by_model(&self, model: &str) -> Option<&'static Entity> {
        schema::entity(model).filter(|e| e.model.eq_ignore_ascii_case(model))
    }

    /// The child route `/{parent}/{id}/{segment}`.
    pub fn child(&self, parent: &str, segment: &str) -> Option<ChildAccess> {
        self.by_child
            .get(&(parent.to_ascii_lowercase(), segment.to_ascii_lowercase()))
            .copied()
    }

    /// The effective picklist of a field: the tenant's values when configured, else the schema's.
    /// `None` when the field is not a picklist; an empty list means "any integer".
    pub fn picklist(&self, entity: &Entity, field: &Field) -> Option<Vec<PicklistValue>> {
        if let Some(values) = self.picklists.get(&(
            entity.name.to_ascii_lowercase(),
            field.name.to_ascii_lowercase(),
        )) {
            return Some(values.clone());
        }
        if !field.is_pick_list {
            return None;
        }
        Some(field.picklist_values.clone().unwrap_or_default())
    }

    /// True when `value` is allowed for the picklist field (any value when the list is empty).
    pub fn picklist_allows(&self, entity: &Entity, field: &Field, value: i64) -> bool {
        match self.picklist(entity, field) {
            Some(values) if !values.is_empty() => values.iter().any(|v| v.value == value),
            _ => true,
        }
    }

    /// The UDF definitions of an entity.
    pub fn udfs(&self, entity: &Entity) -> &[UdfDefinition] {
        self.udfs
            .get(&entity.name.to_ascii_lowercase())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The UDF called `name` (case-insensitive).
    pub fn udf(&self, entity: &Entity, name: &str) -> Option<&UdfDefinition> {
        self.udfs(entity)
            .iter()
            .find(|u| u.name.eq_ignore_ascii_case(name))
    }
}

/// Finds the field of `child` that stores the parent id: a reference to the parent's model, else a field
/// named after the parent model (or its last word), else a few known irregular names, else `parentID`.
fn find_parent_field(
    child: &'static Entity,
    parent_segment: &str,
    parent: Option<&Entity>,
) -> Option<&'static str> {
    if let Some(parent) = parent {
        if let Some(f) = child
            .fields
            .iter()
            .find(|f| f.reference.eq_ignore_ascii_case(&parent.model))
        {
            return Some(f.name.as_str());
        }
        if let Some(f) = child.field(&format!("{}ID", parent.model)) {
            return Some(f.name.as_str());
        }
        let last_word = parent
            .model
            .rfind(|c: char| c.is_ascii_uppercase())
            .map(|i| &parent.model[i..])
            .unwrap_or(&parent.model);
        if let Some(f) = child.field(&format!("{last_word}ID")) {
            if last_word != "Item" {
                return Some(f.name.as_str());
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
    child.field(irregular).map(|f| f.name.as_str())
}
