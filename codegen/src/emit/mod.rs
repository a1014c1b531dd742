//! The Rust emitter: entity schemas in, thin Rust out (types and tables; behaviour lives in the
//! `autotask` crate). One file per thing emitted:
//!
//! * [`names`]: the names of types, fields, variants, constants and statics;
//! * `kinds`: each field's Rust type (ids and references are `i64`, picklists their newtype);
//! * `picklists`: the picklist newtypes; `field_enums`: `TicketField`;
//! * `read_model`: `Ticket`; `bodies`: `NewTicket` and `TicketPatch`;
//! * `metadata`: the `EntityMeta` tables and the registry; `capabilities`: the trait impls;
//! * [`accessors`]: `client.tickets()` and `client.tickets().notes(id)`;
//! * `layout`: formatting the tokens as a file.

pub mod accessors;
mod bodies;
mod capabilities;
mod field_enums;
mod kinds;
mod layout;
mod metadata;
pub mod names;
mod picklists;
mod read_model;

pub use layout::format_file;
pub use metadata::{for_each_entity_macro, registry_tokens};
pub use names::{field_enum_name, field_ident, is_secret, meta_ident, picklist_name, ModelNames};

use crate::schema::{EntitySchema, FieldInfo};
use proc_macro2::TokenStream;
use quote::quote;

pub(crate) fn can_create(entity: &EntitySchema) -> bool {
    entity.routes.root.allows("create") || entity.routes.children.iter().any(|c| c.allows("create"))
}

pub(crate) fn can_update(entity: &EntitySchema) -> bool {
    let r = &entity.routes;
    r.root.allows("patch")
        || r.root.allows("put")
        || r.children
            .iter()
            .any(|c| c.allows("patch") || c.allows("put"))
}

/// Fields a caller may write: everything but read-only fields and `id`.
pub(crate) fn writable(entity: &EntitySchema) -> impl Iterator<Item = &FieldInfo> {
    entity
        .fields
        .iter()
        .filter(|f| !f.is_read_only && f.name != "id")
}

/// Generates the code of one entity.
pub fn entity_tokens(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let mut out = TokenStream::new();
    out.extend(picklists::picklists(entity, models));
    out.extend(read_model::read_model(entity, models));
    out.extend(field_enums::field_enum(entity, models));
    if can_create(entity) {
        out.extend(bodies::new_model(entity, models));
    }
    if can_update(entity) {
        out.extend(bodies::patch_model(entity, models));
    }
    out.extend(metadata::meta_table(entity));
    out.extend(capabilities::capabilities(entity, models));
    out
}

/// Width that generated doc comments wrap at (after `/// `).
const DOC_WIDTH: usize = 96;

/// `#[doc]` attributes for `text`, wrapped at [`DOC_WIDTH`] so the generated file reads like a person's.
pub(crate) fn doc_attrs(text: &str) -> TokenStream {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > DOC_WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    let lines = lines.into_iter().map(|l| format!(" {l}"));
    quote!(#(#[doc = #lines])*)
}

/// The whole generated module for `entities`, sorted by name.
pub fn generate(entities: &[EntitySchema]) -> String {
    let models = ModelNames::of(entities);
    generate_with_models(entities, &models)
}

/// Like [`generate`], with names chosen against `models`: the build script passes every model of the
/// schema, so that a type's name does not depend on which feature groups are enabled.
pub fn generate_with_models(entities: &[EntitySchema], models: &ModelNames) -> String {
    let mut tokens = TokenStream::new();
    for entity in entities {
        tokens.extend(entity_tokens(entity, models));
    }
    tokens.extend(registry_tokens(entities));
    let mut code = format_file(tokens);
    code.push('\n');
    code.push_str(&for_each_entity_macro(entities));
    code
}
