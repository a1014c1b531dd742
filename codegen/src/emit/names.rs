//! The names the generator gives: types (`Ticket`, `NewTicket`, `TicketPatch`, `TicketField`, picklist
//! newtypes), identifiers of fields and variants, constants of picklist values, metadata statics.

use crate::schema::{EntitySchema, FieldInfo};
use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Ident, Span};
use quote::format_ident;
use std::collections::{BTreeMap, BTreeSet};

/// Names of every entity of the schema, so that derived names can avoid them (`CompanyWebhook` +
/// `Field` is itself an entity, `CompanyWebhookField`) and a parent path's collection can be told its
/// model. The build script collects them from the whole schema, so that a type's name does not depend
/// on which feature groups are enabled.
#[derive(Debug, Clone, Default)]
pub struct ModelNames {
    models: BTreeSet<String>,
    collections: BTreeMap<String, String>,
}

impl ModelNames {
    /// The names of `entities`.
    pub fn of(entities: &[EntitySchema]) -> Self {
        Self {
            models: entities.iter().map(|e| e.model.clone()).collect(),
            collections: entities
                .iter()
                .map(|e| (e.name.clone(), e.model.clone()))
                .collect(),
        }
    }

    /// True when `name` is a model's name.
    pub fn contains(&self, name: &str) -> bool {
        self.models.contains(name)
    }

    /// Every model name.
    pub fn iter(&self) -> impl Iterator<Item = &String> {
        self.models.iter()
    }

    /// The model of the REST collection `collection` (`Ticket` for `Tickets`).
    pub fn model_of(&self, collection: &str) -> Option<&str> {
        self.collections.get(collection).map(String::as_str)
    }
}

/// `{Model}{Field}` without a trailing `Id`: `TicketStatus` for `Tickets.status`, `TicketQueue` for
/// `queueID`.
pub(super) fn prefixed_picklist_name(model: &str, field: &str) -> String {
    let field = field.to_pascal_case();
    let field = field.strip_suffix("Id").unwrap_or(&field);
    format!("{model}{field}")
}

/// The picklist type's name. A field that already starts with the model's name is not prefixed twice
/// (`Tickets.ticketType` is `TicketType`, not `TicketTicketType`) unless that name is taken by a model or
/// by another picklist of the same entity.
pub fn picklist_name(entity: &EntitySchema, field: &FieldInfo, models: &ModelNames) -> String {
    let prefixed = prefixed_picklist_name(&entity.model, &field.name);
    let Some(bare) = prefixed_picklist_name("", &field.name)
        .strip_prefix(entity.model.as_str())
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|_| prefixed_picklist_name("", &field.name))
    else {
        return prefixed;
    };
    let taken_by_sibling = entity.fields.iter().any(|other| {
        other.is_pick_list
            && other.name != field.name
            && prefixed_picklist_name(&entity.model, &other.name) == bare
    });
    let taken_by_generated_type = models.iter().any(|model| {
        *model == bare
            || format!("New{model}") == bare
            || format!("{model}Patch") == bare
            || field_enum_name(model, models) == bare
    });
    if taken_by_sibling || taken_by_generated_type {
        prefixed
    } else {
        bare
    }
}

/// A snake_case identifier for a wire name, escaping keywords.
pub fn field_ident(wire: &str) -> Ident {
    let snake = wire.to_snake_case();
    match snake.as_str() {
        "type" | "match" | "ref" | "use" | "mod" | "loop" | "move" | "impl" | "fn" | "struct"
        | "enum" | "trait" | "where" | "self" | "super" | "crate" | "async" | "await" | "dyn"
        | "abstract" | "final" | "override" | "yield" | "box" | "priv" | "virtual" | "macro"
        | "static" | "const" => {
            format_ident!("{}_", snake)
        }
        _ => Ident::new(&snake, Span::call_site()),
    }
}

pub(super) fn variant_ident(wire: &str) -> Ident {
    let pascal = wire.to_pascal_case();
    if pascal.starts_with(|c: char| c.is_ascii_digit()) {
        format_ident!("F{}", pascal)
    } else {
        Ident::new(&pascal, Span::call_site())
    }
}

/// Identifier of the entity's metadata static: `TICKETS`.
pub fn meta_ident(entity: &EntitySchema) -> Ident {
    format_ident!("{}", entity.name.to_shouty_snake_case())
}

/// `TicketField`, or `CompanyWebhookFieldName` where `{Model}Field` is another model's name.
pub fn field_enum_name(model: &str, models: &ModelNames) -> String {
    let name = format!("{model}Field");
    if models.contains(&name) {
        format!("{name}Name")
    } else {
        name
    }
}

pub(super) fn field_enum_ident(entity: &EntitySchema, models: &ModelNames) -> Ident {
    format_ident!("{}", field_enum_name(&entity.model, models))
}

pub(super) fn model_ident(entity: &EntitySchema) -> Ident {
    format_ident!("{}", entity.model)
}

pub(super) fn new_ident(entity: &EntitySchema) -> Ident {
    format_ident!("New{}", entity.model)
}

pub(super) fn patch_ident(entity: &EntitySchema) -> Ident {
    format_ident!("{}Patch", entity.model)
}

pub(super) fn const_name(label: &str) -> String {
    let cleaned: String = label
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' })
        .collect();
    let name = cleaned.to_shouty_snake_case();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V_{name}")
    } else {
        name
    }
}

/// Text fields whose values are secrets (webhook `secretKey`, vendor `secret`, portal `password`).
pub fn is_secret(field: &str) -> bool {
    ["secretKey", "secret", "password"]
        .iter()
        .any(|name| name.eq_ignore_ascii_case(field))
}
