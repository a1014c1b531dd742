//! The read model: one struct per entity, as `GET` and queries return it (every field optional but `id`,
//! unknown fields kept in `extra`).

use super::doc_attrs;
use super::kinds::{kind_of, rust_type, serde_with, Kind};
use super::names::{field_ident, model_ident};
use super::ModelNames;
use crate::schema::{EntitySchema, FieldInfo};
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// The `#[serde(...)]` attribute of a field for `Serialize` (read models decode through their generated
/// `ReadModel` impl), or nothing when the field needs none (its Rust name is its wire name and it is
/// always sent).
pub(super) fn field_attrs(field: &FieldInfo, kind: &Kind, optional: bool) -> TokenStream {
    let wire = &field.name;
    let mut args = Vec::new();
    if field_ident(wire) != wire.as_str() {
        args.push(quote!(rename = #wire));
    }
    let with = serde_with(kind);
    if optional {
        args.push(quote!(skip_serializing_if = "Option::is_none"));
    }
    if let Some(with) = with {
        let with = if optional {
            format!("{with}::option")
        } else {
            with.to_string()
        };
        args.push(quote!(with = #with));
    }
    if args.is_empty() {
        quote!()
    } else {
        quote!(#[serde(#(#args),*)])
    }
}

pub(super) fn field_doc(field: &FieldInfo) -> String {
    let mut doc = format!("`{}`", field.name);
    if field.is_required {
        doc.push_str(", required");
    }
    if field.is_read_only {
        doc.push_str(", read-only");
    }
    if field.length > 0 {
        doc.push_str(&format!(", at most {} characters", field.length));
    }
    if !field.reference_entity_type.is_empty() {
        doc.push_str(&format!(", references a {}", field.reference_entity_type));
    }
    if !field.picklist_parent_value_field.is_empty() {
        doc.push_str(&format!(
            ", depends on `{}`",
            field.picklist_parent_value_field
        ));
    }
    doc.push('.');
    doc
}

pub(super) fn read_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let ident = model_ident(entity);
    let doc = doc_attrs(&format!(
        "One `{}` record, as `GET /V1.0/{}` and queries return it. Every field but `id` is optional: \
         the API sends `null` for empty values and omits fields left out of `IncludeFields`.",
        entity.model, entity.name
    ));
    let fields = entity.fields.iter().map(|field| {
        let kind = kind_of(entity, field, models);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let doc = doc_attrs(&field_doc(field));
        // Decoding is the generated `ReadModel` impl below; these attributes serve `Serialize` only.
        if field.name == "id" {
            let attrs = field_attrs(field, &kind, false);
            quote! { #doc #attrs pub id: #ty, }
        } else {
            let attrs = field_attrs(field, &kind, true);
            quote! { #doc #attrs pub #name: Option<#ty>, }
        }
    });
    let udfs = entity.info.has_user_defined_fields.then(|| {
        quote! {
            /// User-defined fields, `[{name, value}]` on the wire; empty when the API sends none or `null`.
            #[serde(rename = "userDefinedFields", skip_serializing_if = "Vec::is_empty")]
            pub user_defined_fields: Vec<UserDefinedField>,
        }
    });
    let udf_impl = entity
        .info
        .has_user_defined_fields
        .then(|| udf_access(&ident));
    let decode = read_model_impl(entity, models, &ident);
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[non_exhaustive]
        pub struct #ident {
            #(#fields)*
            #udfs
            /// Fields this version of the SDK does not know, kept so that newer servers decode. A
            /// `replace` (PUT) of a record read with `read_for_replace` sends them back as read; a
            /// record read with `include_fields` lacks every field it did not ask for, which is why
            /// only a whole record can be replaced. `update` (PATCH) sends only the fields it changes.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
        #udf_impl
        #decode
    }
}

/// The read model's decoding: its wire field names (`id` first) and how to read each one's value;
/// `crate::model::read` does the rest (unknown keys into `extra`, without buffering).
fn read_model_impl(entity: &EntitySchema, models: &ModelNames, ident: &Ident) -> TokenStream {
    let model = &entity.model;
    let mut ordered: Vec<&FieldInfo> = entity.fields.iter().filter(|f| f.name == "id").collect();
    assert_eq!(
        ordered.len(),
        1,
        "{}: a read model needs one `id` field",
        entity.name
    );
    ordered.extend(entity.fields.iter().filter(|f| f.name != "id"));
    let mut names: Vec<String> = ordered.iter().map(|f| f.name.clone()).collect();
    let mut empty = Vec::new();
    let mut arms = Vec::new();
    for (index, field) in ordered.iter().enumerate() {
        let index = proc_macro2::Literal::usize_unsuffixed(index);
        let name = field_ident(&field.name);
        let kind = kind_of(entity, field, models);
        let read = match kind {
            _ if field.name == "id" => quote!(map.next_value()?),
            Kind::Decimal => quote!(map.next_value::<read::OptionalDecimal>()?.0),
            Kind::DateTime => quote!(map.next_value::<read::OptionalDateTime>()?.0),
            _ => quote!(map.next_value()?),
        };
        // Every field but `id` must read `null` as its empty value: the SDK's page reader skips the
        // first `null` of those fields (`ReadModel` in the SDK's `model/read.rs`).
        empty.push(if field.name == "id" {
            quote!(id: 0)
        } else {
            quote!(#name: None)
        });
        arms.push(quote!(#index => self.#name = #read,));
    }
    if entity.info.has_user_defined_fields {
        let index = proc_macro2::Literal::usize_unsuffixed(names.len());
        names.push("userDefinedFields".to_string());
        empty.push(quote!(user_defined_fields: Vec::new()));
        arms.push(quote!(#index => self.user_defined_fields = map.next_value::<read::NullAsEmpty<_>>()?.0,));
    }
    quote! {
        impl read::ReadModel for #ident {
            const MODEL: &'static str = #model;
            const FIELDS: &'static [&'static str] = &[#(#names),*];
            fn empty() -> Self {
                Self { #(#empty,)* extra: serde_json::Map::new() }
            }
            fn read_field<'de, A: serde::de::MapAccess<'de>>(&mut self, field: usize, map: &mut A) -> Result<(), A::Error> {
                match field {
                    #(#arms)*
                    _ => {
                        map.next_value::<serde::de::IgnoredAny>()?;
                    }
                }
                Ok(())
            }
            fn extra_mut(&mut self) -> &mut serde_json::Map<String, serde_json::Value> {
                &mut self.extra
            }
        }
        impl<'de> Deserialize<'de> for #ident {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                read::deserialize_record(deserializer)
            }
        }
    }
}

pub(super) fn udf_access(ident: &Ident) -> TokenStream {
    quote! {
        impl HasUserDefinedFields for #ident {
            fn user_defined_fields(&self) -> &[UserDefinedField] { &self.user_defined_fields }
            fn user_defined_fields_mut(&mut self) -> &mut Vec<UserDefinedField> { &mut self.user_defined_fields }
        }
    }
}
