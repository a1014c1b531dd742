//! The Rust type of each field: its [`Kind`] from the schema's data type, and the serde form of the kinds
//! whose wire form is not the type's own.

use super::names::{is_secret, picklist_name};
use super::ModelNames;
use crate::schema::{EntitySchema, FieldInfo};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

/// Rust type of one field.
pub(super) enum Kind {
    /// A plain 32-bit number (a count, a position, a type code without a picklist).
    Int32,
    /// A record id or a reference to one: `i64` everywhere, whatever width the API reports (its range
    /// is checked against the field's data type before sending).
    Id,
    /// A 64-bit number that is not an id.
    Int64,
    Decimal,
    DateTime,
    Bool,
    Text,
    /// A text field holding a secret (`secretKey`, `secret`, `password`): `Secret`, hidden from `Debug`.
    Secret,
    Bytes,
    Json,
    Picklist(Ident),
}

pub(super) fn kind_of(entity: &EntitySchema, field: &FieldInfo, models: &ModelNames) -> Kind {
    let base = match field.data_type.as_str() {
        "integer" | "short" => Kind::Int32,
        "long" => Kind::Int64,
        "double" | "decimal" => Kind::Decimal,
        "datetime" | "date" => Kind::DateTime,
        "boolean" => Kind::Bool,
        "byte[]" => Kind::Bytes,
        "object" => Kind::Json,
        _ if is_secret(&field.name) => Kind::Secret,
        _ => Kind::Text,
    };
    if field.is_pick_list && matches!(base, Kind::Int32 | Kind::Int64) {
        return Kind::Picklist(format_ident!("{}", picklist_name(entity, field, models)));
    }
    if matches!(base, Kind::Int32 | Kind::Int64) && is_id(field) {
        return Kind::Id;
    }
    base
}

/// A record id or a reference to a record: `id`, a field named `…ID`, or one the schema marks as a
/// reference. One type for all of them (`i64`), so that an id read from one record goes into another's
/// field or a helper's argument without a cast.
pub(super) fn is_id(field: &FieldInfo) -> bool {
    field.name == "id"
        || field.name.ends_with("ID")
        || field.name.ends_with("Id")
        || !field.reference_entity_type.is_empty()
}

pub(super) fn rust_type(kind: &Kind) -> TokenStream {
    match kind {
        Kind::Int32 => quote!(i32),
        Kind::Int64 | Kind::Id => quote!(i64),
        Kind::Decimal => quote!(Decimal),
        Kind::DateTime => quote!(DateTime),
        Kind::Bool => quote!(bool),
        Kind::Text => quote!(String),
        Kind::Secret => quote!(Secret),
        Kind::Bytes => quote!(Base64Data),
        Kind::Json => quote!(serde_json::Value),
        Kind::Picklist(ident) => quote!(#ident),
    }
}

/// `with` module for kinds whose serde form is not the type's own.
pub(super) fn serde_with(kind: &Kind) -> Option<&'static str> {
    match kind {
        Kind::Decimal => Some("crate::model::wire::decimal"),
        Kind::DateTime => Some("crate::model::wire::datetime"),
        _ => None,
    }
}
