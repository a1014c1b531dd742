//! The trait impls that make an entity usable and its forbidden operations fail to compile: `Entity`,
//! `Creatable`/`Updatable`, and one capability marker per route verb the API offers.

use super::names::{field_enum_ident, meta_ident, model_ident, new_ident, patch_ident};
use super::{can_create, can_update, ModelNames};
use crate::schema::EntitySchema;
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn capabilities(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let model = model_ident(entity);
    let field = field_enum_ident(entity, models);
    let meta = meta_ident(entity);
    let name = &entity.name;
    let mut out = quote! {
        impl Entity for #model {
            const NAME: &'static str = #name;
            type Field = #field;
            fn meta() -> &'static EntityMeta { &#meta }
            fn id(&self) -> i64 { self.id }
        }
    };
    if can_create(entity) {
        let new = new_ident(entity);
        out.extend(quote!(impl Creatable for #model { type New = #new; }));
    }
    if can_update(entity) {
        let patch = patch_ident(entity);
        out.extend(quote! {
            impl Updatable for #model { type Patch = #patch; }
            impl PatchBody for #patch { fn id(&self) -> i64 { self.id } }
        });
    }
    let root = &entity.routes.root;
    let markers = [
        ("query", quote!(Query)),
        ("get", quote!(GetById)),
        ("create", quote!(CreateAtRoot)),
        ("patch", quote!(UpdateAtRoot)),
        ("put", quote!(ReplaceAtRoot)),
        ("delete", quote!(DeleteAtRoot)),
    ];
    for (verb, marker) in &markers {
        if root.allows(verb) {
            out.extend(quote!(impl #marker for #model {}));
        }
    }
    if let Some(child) = entity.routes.children.first() {
        let (parent, segment) = (&child.parent, &child.segment);
        out.extend(quote! {
            impl Child for #model {
                const PARENT: &'static str = #parent;
                const SEGMENT: &'static str = #segment;
            }
        });
        let markers = [
            ("list", quote!(ListUnderParent)),
            ("get", quote!(GetUnderParent)),
            ("create", quote!(CreateUnderParent)),
            ("patch", quote!(UpdateUnderParent)),
            ("put", quote!(ReplaceUnderParent)),
            ("delete", quote!(DeleteUnderParent)),
        ];
        for (verb, marker) in &markers {
            if child.allows(verb) {
                out.extend(quote!(impl #marker for #model {}));
            }
        }
    }
    out
}
