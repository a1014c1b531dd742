//! The field-name enums (`TicketField`), for filters and `IncludeFields`.

use super::doc_attrs;
use super::names::{field_enum_ident, variant_ident};
use super::ModelNames;
use crate::schema::EntitySchema;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn field_enum(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let ident = field_enum_ident(entity, models);
    let doc = doc_attrs(&format!(
        "Field names of `{}`, for filters and `IncludeFields`.",
        entity.model
    ));
    let variants = entity.fields.iter().map(|f| {
        let variant = variant_ident(&f.name);
        let wire = &f.name;
        quote!(#variant => #wire,)
    });
    quote! {
        field_enum! {
            #doc
            #ident { #(#variants)* }
        }
    }
}
