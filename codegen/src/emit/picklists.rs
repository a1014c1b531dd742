//! The picklist newtypes (`TicketStatus`): any integer, with constants for Autotask's system values,
//! tied to their (entity, field) for typed filters and label lookups.

use super::doc_attrs;
use super::kinds::{kind_of, Kind};
use super::names::const_name;
use super::ModelNames;
use crate::schema::EntitySchema;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

pub(super) fn picklists(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let mut out = TokenStream::new();
    for field in entity.fields.iter().filter(|f| f.is_pick_list) {
        let Kind::Picklist(ident) = kind_of(entity, field, models) else {
            continue;
        };
        let repr = if field.data_type == "long" {
            quote!(i64)
        } else {
            quote!(i32)
        };
        let mut doc = format!(
            "Value of the `{}.{}` picklist. Tenants add their own values: the constants are Autotask's \
             system values, and `entityInformation/fields` has each tenant's labels.",
            entity.name, field.name
        );
        if !field.picklist_parent_value_field.is_empty() {
            doc.push_str(&format!(
                " Depends on `{}`: each value belongs to one of its values.",
                field.picklist_parent_value_field
            ));
        }
        let doc = doc_attrs(&doc);
        let mut seen = Vec::new();
        let consts = field
            .picklist_values
            .iter()
            .flatten()
            .filter(|v| v.is_system)
            .filter_map(|v| {
                let value: i64 = v.value.parse().ok()?;
                let mut name = const_name(&v.label);
                if seen.contains(&name) {
                    name = format!("{name}_{value}");
                }
                seen.push(name.clone());
                let name = format_ident!("{}", name);
                let value = Literal::i64_unsuffixed(value);
                let label = &v.label;
                Some(quote!(#name = #value, #label;))
            });
        let (entity_name, field_name) = (&entity.name, &field.name);
        out.extend(quote! {
            picklist! {
                #doc
                #ident(#repr) in #entity_name . #field_name { #(#consts)* }
            }
        });
    }
    out
}
