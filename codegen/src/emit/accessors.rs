//! Client accessors: `client.tickets()` for every entity and `client.tickets().notes(id)` for every
//! parent-scoped path whose parent is an entity of the same build.

use crate::schema::EntitySchema;
use heck::ToSnakeCase;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// Methods the handles already have; a child accessor with one of these names gets a `_children` suffix.
const TAKEN: &[&str] = &[
    "get",
    "create",
    "update",
    "replace",
    "delete",
    "query",
    "filter",
    "count",
    "meta",
    "client",
    "stream_all",
    "query_builder",
    "create_and_get",
    "read_for_replace",
];

/// `client.tickets()` → `EntityHandle<Ticket>` for each entity, and the parent→child accessors.
pub fn accessor_tokens(entities: &[EntitySchema]) -> TokenStream {
    let roots = entities.iter().map(|e| {
        let method = format_ident!("{}", e.name.to_snake_case());
        let model = format_ident!("{}", e.model);
        let doc = format!(" `{}` (`{}`).", e.name, e.routes.root.path);
        quote! {
            #[doc = #doc]
            pub fn #method(&self) -> EntityHandle<#model> { self.entity() }
        }
    });
    let mut out = quote! {
        impl Client { #(#roots)* }
    };
    for child in entities {
        let Some(route) = child.routes.children.first() else {
            continue;
        };
        let Some(parent) = entities.iter().find(|p| p.name == route.parent) else {
            continue;
        };
        let mut name = route.segment.to_snake_case();
        if TAKEN.contains(&name.as_str()) {
            name.push_str("_children");
        }
        let method = format_ident!("{}", name);
        let parent_model = format_ident!("{}", parent.model);
        let child_model = format_ident!("{}", child.model);
        let param = format_ident!("{}_id", parent.model.to_snake_case());
        let doc = format!(
            " `{}` under one {} (`{}`).",
            child.name, parent.model, route.path
        );
        out.extend(quote! {
            impl EntityHandle<#parent_model> {
                #[doc = #doc]
                pub fn #method(&self, #param: i64) -> ChildHandle<#child_model> { self.client().children(#param) }
            }
        });
    }
    out
}

/// The formatted accessor file.
pub fn generate(entities: &[EntitySchema]) -> String {
    super::format_file(accessor_tokens(entities))
}
