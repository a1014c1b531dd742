//! The metadata tables: one `EntityMeta` static per entity (fields, flags, picklists, routes) and the
//! registry of all of them (`ALL_ENTITIES`, `for_each_entity!`).

use super::doc_attrs;
use super::names::{meta_ident, model_ident};
use crate::schema::{EntitySchema, FieldInfo};
use proc_macro2::{Ident, Literal, TokenStream};
use quote::{format_ident, quote};

fn data_type_tokens(field: &FieldInfo) -> TokenStream {
    match field.data_type.as_str() {
        "integer" => quote!(Integer),
        "short" => quote!(Short),
        "long" => quote!(Long),
        "double" => quote!(Double),
        "decimal" => quote!(Decimal),
        "datetime" | "date" => quote!(DateTime),
        "boolean" => quote!(Boolean),
        "byte[]" => quote!(Bytes),
        "object" => quote!(Object),
        _ => quote!(String),
    }
}

fn picklist_entry_tokens(value: &crate::schema::PicklistValue) -> TokenStream {
    let (wire, label) = (&value.value, &value.label);
    let order = Literal::i32_unsuffixed(value.sort_order);
    let mut entry = quote!(PicklistEntry::new(#wire, #label, #order));
    if !value.parent_value.is_empty() {
        let parent = &value.parent_value;
        entry = quote!(#entry.with_parent_value(#parent));
    }
    if value.is_default_value {
        entry = quote!(#entry.marked_default());
    }
    if !value.is_active {
        entry = quote!(#entry.marked_inactive());
    }
    if !value.is_system {
        entry = quote!(#entry.marked_non_system());
    }
    entry
}

pub(super) fn meta_table(entity: &EntitySchema) -> TokenStream {
    let ident = meta_ident(entity);
    let name = &entity.name;
    let model = &entity.model;
    let group = &entity.group;
    let info = &entity.info;
    let (cc, cd, cq, cu) = (
        info.can_create,
        info.can_delete,
        info.can_query,
        info.can_update,
    );
    let (udf, webhooks) = (info.has_user_defined_fields, info.supports_webhook_callouts);
    let fields = entity.fields.iter().map(|f| {
        let wire = &f.name;
        let data_type = data_type_tokens(f);
        let length = Literal::u32_unsuffixed(f.length);
        let mut flags = Vec::new();
        if f.is_required {
            flags.push(quote!(REQUIRED));
        }
        if f.is_read_only {
            flags.push(quote!(READ_ONLY));
        }
        if f.is_queryable {
            flags.push(quote!(QUERYABLE));
        }
        if f.is_supported_webhook_field {
            flags.push(quote!(WEBHOOK));
        }
        let flags = if flags.is_empty() {
            quote!(0)
        } else {
            quote!(#(#flags)|*)
        };
        let reference = &f.reference_entity_type;
        let mut field = quote!(FieldMeta::new(#wire, DataType::#data_type, #length, #flags));
        if !reference.is_empty() {
            field = quote!(#field.references(#reference));
        }
        if f.is_pick_list {
            let parent = &f.picklist_parent_value_field;
            let values = f
                .picklist_values
                .iter()
                .flatten()
                .map(picklist_entry_tokens);
            field = quote!(#field.picklist(&[#(#values),*]));
            if !parent.is_empty() {
                field = quote!(#field.depends_on(#parent));
            }
        }
        field
    });
    let root_path = &entity.routes.root.path;
    let root_verbs = verbs_tokens(&entity.routes.root.verbs);
    let child = match entity.routes.children.first() {
        Some(c) => {
            let (parent, segment, path) = (&c.parent, &c.segment, &c.path);
            let verbs = verbs_tokens(&c.verbs);
            quote!(Some(ChildRoute { parent: #parent, segment: #segment, path: #path, verbs: #verbs }))
        }
        None => quote!(None),
    };
    let doc = doc_attrs(&format!(
        "Metadata of `{}`, from `schema/entities/{}.json`.",
        entity.name, entity.name
    ));
    quote! {
        #doc
        pub static #ident: EntityMeta = EntityMeta {
            name: #name,
            model: #model,
            group: #group,
            can_create: #cc,
            can_delete: #cd,
            can_query: #cq,
            can_update: #cu,
            has_user_defined_fields: #udf,
            supports_webhook_callouts: #webhooks,
            fields: &[#(#fields),*],
            root_path: #root_path,
            root_verbs: #root_verbs,
            child: #child,
        };
    }
}

pub(super) fn verbs_tokens(verbs: &[String]) -> TokenStream {
    let flags: Vec<Ident> = verbs
        .iter()
        .filter_map(|v| {
            let flag = match v.as_str() {
                "query" => "QUERY",
                "count" => "COUNT",
                "get" => "GET",
                "list" => "LIST",
                "create" => "CREATE",
                "patch" => "PATCH",
                "put" => "PUT",
                "delete" => "DELETE",
                "entityInformation" => "INFO",
                "fields" => "FIELDS",
                "userDefinedFields" => "UDF_INFO",
                _ => return None,
            };
            Some(format_ident!("{}", flag))
        })
        .collect();
    if flags.is_empty() {
        quote!(Verbs::NONE)
    } else {
        quote!(Verbs::of(&[#(Verbs::#flags),*]))
    }
}

/// The registry of every emitted entity: the `ALL_ENTITIES` metadata table.
pub fn registry_tokens(entities: &[EntitySchema]) -> TokenStream {
    let metas = entities.iter().map(meta_ident);
    let count = Literal::usize_unsuffixed(entities.len());
    quote! {
        /// Metadata of every entity compiled into this build (depends on the enabled cargo features).
        pub static ALL_ENTITIES: [&EntityMeta; #count] = [#(&#metas),*];
    }
}

/// The `for_each_entity!` macro, as text (`prettyplease` cannot lay out a `macro_rules!` body).
///
/// It hands every `metadata => type` pair to a caller's macro, so code that needs each entity's type
/// (round-trip tests, dispatch by name) is written once and instantiated only where it is used: the
/// library itself pays nothing for it.
pub fn for_each_entity_macro(entities: &[EntitySchema]) -> String {
    let mut out = String::from(
        "/// Calls `$callback! { $crate::entities::TICKETS => $crate::entities::Ticket, ... }` with the\n\
         /// metadata static and the record type of every entity compiled into this build.\n\
         #[macro_export]\n\
         macro_rules! for_each_entity {\n    \
             ($callback:ident) => {\n        \
                 $callback! {\n",
    );
    for entity in entities {
        out.push_str(&format!(
            "            $crate::entities::{} => $crate::entities::{},\n",
            meta_ident(entity),
            model_ident(entity)
        ));
    }
    out.push_str("        }\n    };\n}\n");
    out
}
