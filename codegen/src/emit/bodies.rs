//! The write bodies: `NewTicket` (a create, whose constructor takes the required fields) and
//! `TicketPatch` (a partial update, tri-state per field).

use super::kinds::{is_id, kind_of, rust_type, serde_with};
use super::names::{field_ident, new_ident, patch_ident};
use super::read_model::{field_attrs, field_doc, udf_access};
use super::{doc_attrs, writable, ModelNames};
use crate::schema::{EntitySchema, FieldInfo};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Clippy's `too_many_arguments` threshold: constructors with more required fields say why they are long.
const MANY_ARGUMENTS: usize = 7;

pub(super) fn new_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let ident = new_ident(entity);
    let doc = doc_attrs(&format!(
        "A `{}` to create. Required fields are the arguments of [`{}::new`]; set the rest directly.",
        entity.model, ident
    ));
    let mut fields = Vec::new();
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for field in writable(entity) {
        let kind = kind_of(entity, field, models);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let doc = doc_attrs(&field_doc(field));
        if field.is_required {
            let attrs = field_attrs(field, &kind, false);
            fields.push(quote! { #doc #attrs pub #name: #ty, });
            inits.push(quote!(#name: #name.into(),));
        } else {
            let attrs = field_attrs(field, &kind, true);
            fields.push(quote! { #doc #attrs pub #name: Option<#ty>, });
            inits.push(quote!(#name: None,));
        }
    }
    for field in constructor_order(entity, models) {
        let name = field_ident(&field.name);
        let ty = rust_type(&kind_of(entity, field, models));
        params.push(quote!(#name: impl Into<#ty>));
    }
    let BodyUdfs {
        field: udfs,
        init: udf_init,
        access: udf_impl,
    } = body_udfs(entity, &ident, "User-defined fields to set.");
    let allow_many =
        (params.len() > MANY_ARGUMENTS).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let new_doc = doc_attrs(if params.is_empty() {
        "Starts an empty record: the API requires no field."
    } else {
        "Starts a record with every field the API requires: the parent's id first (for records created \
         under a parent), then the other ids, then the rest, each in schema order."
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[non_exhaustive]
        pub struct #ident {
            #(#fields)*
            #udfs
        }

        impl #ident {
            #new_doc
            #allow_many
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #udf_init }
            }
        }

        #udf_impl
    }
}

/// The required fields in the order the constructor takes them, the one order the hand-written helpers
/// follow too: the field that references the parent a record is created under (`ticketID` of a ticket
/// note), then the other ids and references, then the remaining fields, each group in schema order.
pub(super) fn constructor_order<'a>(
    entity: &'a EntitySchema,
    models: &ModelNames,
) -> Vec<&'a FieldInfo> {
    let parent_model = entity
        .routes
        .children
        .iter()
        .find(|c| c.allows("create"))
        .and_then(|c| models.model_of(&c.parent));
    let rank = |field: &FieldInfo| {
        if parent_model.is_some_and(|m| field.reference_entity_type == m) {
            0
        } else if is_id(field) {
            1
        } else {
            2
        }
    };
    let mut required: Vec<&FieldInfo> = writable(entity).filter(|f| f.is_required).collect();
    // A stable sort keeps schema order within each group.
    required.sort_by_key(|f| rank(f));
    required
}

/// The parts a create or patch body needs for UDFs, all `None` when the entity has none.
struct BodyUdfs {
    /// The `user_defined_fields` member.
    field: Option<TokenStream>,
    /// Its initialiser in the constructor.
    init: Option<TokenStream>,
    /// `impl HasUserDefinedFields`: bodies get `set_udf` and `udf` too, written as
    /// `userDefinedFields: [{name, value}]`.
    access: Option<TokenStream>,
}

fn body_udfs(entity: &EntitySchema, ident: &Ident, doc: &str) -> BodyUdfs {
    if !entity.info.has_user_defined_fields {
        return BodyUdfs {
            field: None,
            init: None,
            access: None,
        };
    }
    let doc = doc_attrs(doc);
    BodyUdfs {
        field: Some(quote! {
            #doc
            #[serde(rename = "userDefinedFields", skip_serializing_if = "Vec::is_empty")]
            pub user_defined_fields: Vec<UserDefinedField>,
        }),
        init: Some(quote!(user_defined_fields: Vec::new(),)),
        access: Some(udf_access(ident)),
    }
}

pub(super) fn patch_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let ident = patch_ident(entity);
    let doc = doc_attrs(&format!(
        "A partial update of a `{}`: only fields that are not [`Patch::Unchanged`] are sent.",
        entity.model
    ));
    let fields = writable(entity).map(|field| {
        let kind = kind_of(entity, field, models);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let wire = &field.name;
        let doc = doc_attrs(&field_doc(field));
        let rename = (name != wire.as_str()).then(|| quote!(rename = #wire,));
        let with = serde_with(&kind).map(|w| {
            let w = format!("{w}::patch");
            quote!(, with = #w)
        });
        quote! {
            #doc
            #[serde(#rename skip_serializing_if = "Patch::is_unchanged" #with)]
            pub #name: Patch<#ty>,
        }
    });
    let names: Vec<_> = writable(entity).map(|f| field_ident(&f.name)).collect();
    let BodyUdfs {
        field: udfs,
        init: udf_init,
        access: udf_impl,
    } = body_udfs(entity, &ident, "User-defined fields to change.");
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[non_exhaustive]
        pub struct #ident {
            /// The record to change; sent in the body, as the API has no `/{id}` update route.
            pub id: i64,
            #(#fields)*
            #udfs
        }

        impl #ident {
            /// A patch of record `id` that changes nothing yet.
            pub fn new(id: i64) -> Self {
                Self { id, #(#names: Patch::Unchanged,)* #udf_init }
            }
        }

        #udf_impl
    }
}
