//! Rust emitter: one entity schema in, thin Rust out (types and tables; behaviour lives in `autotask`).

use crate::schema::{EntitySchema, FieldInfo};
use heck::{ToPascalCase, ToShoutySnakeCase, ToSnakeCase};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};

/// Rust type of one field.
enum Kind {
    Int32,
    Int64,
    Decimal,
    DateTime,
    Bool,
    Text,
    Bytes,
    Json,
    Picklist(Ident),
}

fn kind_of(entity: &EntitySchema, field: &FieldInfo) -> Kind {
    let base = match field.data_type.as_str() {
        "integer" | "short" => Kind::Int32,
        "long" => Kind::Int64,
        "double" | "decimal" => Kind::Decimal,
        "datetime" | "date" => Kind::DateTime,
        "boolean" => Kind::Bool,
        "byte[]" => Kind::Bytes,
        "object" => Kind::Json,
        _ => Kind::Text,
    };
    if field.is_pick_list && matches!(base, Kind::Int32 | Kind::Int64) {
        return Kind::Picklist(picklist_ident(entity, field));
    }
    base
}

fn picklist_ident(entity: &EntitySchema, field: &FieldInfo) -> Ident {
    let field_name = field.name.to_pascal_case();
    let field_name = field_name.strip_suffix("Id").unwrap_or(&field_name);
    format_ident!("{}{}", entity.model, field_name)
}

fn rust_type(kind: &Kind) -> TokenStream {
    match kind {
        Kind::Int32 => quote!(i32),
        Kind::Int64 => quote!(i64),
        Kind::Decimal => quote!(Decimal),
        Kind::DateTime => quote!(DateTime),
        Kind::Bool => quote!(bool),
        Kind::Text => quote!(String),
        Kind::Bytes => quote!(Base64Data),
        Kind::Json => quote!(serde_json::Value),
        Kind::Picklist(ident) => quote!(#ident),
    }
}

/// `with` module for kinds whose serde form is not the type's own.
fn serde_with(kind: &Kind) -> Option<&'static str> {
    match kind {
        Kind::Decimal => Some("crate::wire::decimal"),
        Kind::DateTime => Some("crate::wire::datetime"),
        _ => None,
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

fn variant_ident(wire: &str) -> Ident {
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

/// Names of every model in the generated file, so that derived names can avoid them
/// (`CompanyWebhook` + `Field` is itself an entity, `CompanyWebhookField`).
pub type ModelNames = std::collections::BTreeSet<String>;

/// `TicketField`, or `CompanyWebhookFieldName` where `{Model}Field` is another model's name.
pub fn field_enum_name(model: &str, models: &ModelNames) -> String {
    let name = format!("{model}Field");
    if models.contains(&name) {
        format!("{name}Name")
    } else {
        name
    }
}

fn field_enum_ident(entity: &EntitySchema, models: &ModelNames) -> Ident {
    format_ident!("{}", field_enum_name(&entity.model, models))
}

fn model_ident(entity: &EntitySchema) -> Ident {
    format_ident!("{}", entity.model)
}

fn new_ident(entity: &EntitySchema) -> Ident {
    format_ident!("New{}", entity.model)
}

fn patch_ident(entity: &EntitySchema) -> Ident {
    format_ident!("{}Patch", entity.model)
}

fn can_create(entity: &EntitySchema) -> bool {
    entity.routes.root.allows("create") || entity.routes.children.iter().any(|c| c.allows("create"))
}

fn can_update(entity: &EntitySchema) -> bool {
    let r = &entity.routes;
    r.root.allows("patch")
        || r.root.allows("put")
        || r.children
            .iter()
            .any(|c| c.allows("patch") || c.allows("put"))
}

/// Fields a caller may write: everything but read-only fields and `id`.
fn writable(entity: &EntitySchema) -> impl Iterator<Item = &FieldInfo> {
    entity
        .fields
        .iter()
        .filter(|f| !f.is_read_only && f.name != "id")
}

/// Generates the code of one entity.
pub fn entity_tokens(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let mut out = TokenStream::new();
    out.extend(picklists(entity));
    out.extend(read_model(entity));
    out.extend(field_enum(entity, models));
    if can_create(entity) {
        out.extend(new_model(entity));
    }
    if can_update(entity) {
        out.extend(patch_model(entity));
    }
    out.extend(meta_table(entity));
    out.extend(capabilities(entity, models));
    out
}

fn picklists(entity: &EntitySchema) -> TokenStream {
    let mut out = TokenStream::new();
    for field in entity.fields.iter().filter(|f| f.is_pick_list) {
        let Kind::Picklist(ident) = kind_of(entity, field) else {
            continue;
        };
        let repr = if field.data_type == "long" {
            quote!(i64)
        } else {
            quote!(i32)
        };
        let doc = format!(
            " Value of the `{}.{}` picklist. Values differ per tenant: the constants are Autotask's system values; \
             labels come from `entityInformation/fields`.",
            entity.name, field.name
        );
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
        out.extend(quote! {
            picklist! {
                #[doc = #doc]
                #ident(#repr) { #(#consts)* }
            }
        });
    }
    out
}

fn const_name(label: &str) -> String {
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

fn field_attrs(field: &FieldInfo, kind: &Kind, optional: bool) -> TokenStream {
    let wire = &field.name;
    let with = serde_with(kind).map(|w| {
        let w = if optional {
            format!("{w}::option")
        } else {
            w.to_string()
        };
        quote!(, with = #w)
    });
    if optional {
        quote!(#[serde(rename = #wire, default, skip_serializing_if = "Option::is_none" #with)])
    } else {
        quote!(#[serde(rename = #wire #with)])
    }
}

fn field_doc(field: &FieldInfo) -> String {
    let mut doc = format!(" `{}`", field.name);
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

fn read_model(entity: &EntitySchema) -> TokenStream {
    let ident = model_ident(entity);
    let doc = format!(
        " One `{}` record, as `GET /V1.0/{}` and queries return it. Every field but `id` is optional: the API \
         sends `null` for empty values and omits fields left out of `IncludeFields`.",
        entity.model, entity.name
    );
    let fields = entity.fields.iter().map(|field| {
        let kind = kind_of(entity, field);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let doc = field_doc(field);
        if field.name == "id" {
            let attrs = field_attrs(field, &kind, false);
            quote! { #[doc = #doc] #attrs pub id: #ty, }
        } else {
            let attrs = field_attrs(field, &kind, true);
            quote! { #[doc = #doc] #attrs pub #name: Option<#ty>, }
        }
    });
    let udfs = entity.info.has_user_defined_fields.then(|| {
        quote! {
            /// User-defined fields, `[{name, value}]` on the wire.
            #[serde(rename = "userDefinedFields", default)]
            pub user_defined_fields: Vec<UserDefinedField>,
        }
    });
    let udf_impl = entity.info.has_user_defined_fields.then(|| {
        quote! {
            impl HasUserDefinedFields for #ident {
                fn user_defined_fields(&self) -> &[UserDefinedField] { &self.user_defined_fields }
                fn user_defined_fields_mut(&mut self) -> &mut Vec<UserDefinedField> { &mut self.user_defined_fields }
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        pub struct #ident {
            #(#fields)*
            #udfs
            /// Fields this version of the SDK does not know, kept so that newer servers decode and a
            /// read-modify-write loses nothing.
            #[serde(flatten)]
            pub extra: serde_json::Map<String, serde_json::Value>,
        }
        #udf_impl
    }
}

fn field_enum(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
    let ident = field_enum_ident(entity, models);
    let doc = format!(
        " Field names of `{}`, for filters and `IncludeFields`.",
        entity.model
    );
    let variants = entity.fields.iter().map(|f| {
        let variant = variant_ident(&f.name);
        let wire = &f.name;
        quote!(#variant => #wire,)
    });
    quote! {
        field_enum! {
            #[doc = #doc]
            #ident { #(#variants)* }
        }
    }
}

fn new_model(entity: &EntitySchema) -> TokenStream {
    let ident = new_ident(entity);
    let doc = format!(
        " A `{}` to create. Required fields are constructor arguments of [`{}::new`]; set the rest directly.",
        entity.model, ident
    );
    let mut fields = Vec::new();
    let mut params = Vec::new();
    let mut inits = Vec::new();
    for field in writable(entity) {
        let kind = kind_of(entity, field);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let doc = field_doc(field);
        if field.is_required {
            let attrs = field_attrs(field, &kind, false);
            fields.push(quote! { #[doc = #doc] #attrs pub #name: #ty, });
            params.push(quote!(#name: impl Into<#ty>));
            inits.push(quote!(#name: #name.into(),));
        } else {
            let attrs = field_attrs(field, &kind, true);
            fields.push(quote! { #[doc = #doc] #attrs pub #name: Option<#ty>, });
            inits.push(quote!(#name: None,));
        }
    }
    let udfs = entity.info.has_user_defined_fields.then(|| {
        quote! {
            /// User-defined fields to set.
            #[serde(rename = "userDefinedFields", default, skip_serializing_if = "Vec::is_empty")]
            pub user_defined_fields: Vec<UserDefinedField>,
        }
    });
    let udf_init = entity
        .info
        .has_user_defined_fields
        .then(|| quote!(user_defined_fields: Vec::new(),));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct #ident {
            #(#fields)*
            #udfs
        }

        impl #ident {
            /// Starts a record with every field the API requires.
            #[allow(clippy::too_many_arguments)]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* #udf_init }
            }
        }
    }
}

fn patch_model(entity: &EntitySchema) -> TokenStream {
    let ident = patch_ident(entity);
    let doc = format!(
        " A partial update of a `{}`: only fields that are not [`Patch::Unchanged`] are sent.",
        entity.model
    );
    let fields = writable(entity).map(|field| {
        let kind = kind_of(entity, field);
        let name = field_ident(&field.name);
        let ty = rust_type(&kind);
        let wire = &field.name;
        let doc = field_doc(field);
        let with = serde_with(&kind).map(|w| {
            let w = format!("{w}::patch");
            quote!(, with = #w)
        });
        quote! {
            #[doc = #doc]
            #[serde(rename = #wire, skip_serializing_if = "Patch::is_unchanged" #with)]
            pub #name: Patch<#ty>,
        }
    });
    let names: Vec<_> = writable(entity).map(|f| field_ident(&f.name)).collect();
    let udfs = entity.info.has_user_defined_fields.then(|| {
        quote! {
            /// User-defined fields to change.
            #[serde(rename = "userDefinedFields", skip_serializing_if = "Vec::is_empty")]
            pub user_defined_fields: Vec<UserDefinedField>,
        }
    });
    let udf_init = entity
        .info
        .has_user_defined_fields
        .then(|| quote!(user_defined_fields: Vec::new(),));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, PartialEq, Serialize)]
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
    }
}

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

fn meta_table(entity: &EntitySchema) -> TokenStream {
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
        let length = f.length;
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
        let flags = if flags.is_empty() { quote!(0) } else { quote!(#(#flags)|*) };
        let reference = &f.reference_entity_type;
        let mut field = quote!(FieldMeta::new(#wire, DataType::#data_type, #length, #flags));
        if !reference.is_empty() {
            field = quote!(#field.references(#reference));
        }
        if f.is_pick_list {
            let parent = &f.picklist_parent_value_field;
            let values = f.picklist_values.iter().flatten().map(|v| {
                let (value, label, order) = (&v.value, &v.label, v.sort_order);
                let (active, system, default) = (v.is_active, v.is_system, v.is_default_value);
                let parent_value = &v.parent_value;
                quote!(PicklistEntry { value: #value, label: #label, sort_order: #order, parent_value: #parent_value, is_active: #active, is_system: #system, is_default: #default })
            });
            field = quote!(#field.picklist(&[#(#values),*], #parent));
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
    let doc = format!(
        " Metadata of `{}`, from `schema/entities/{}.json`.",
        entity.name, entity.name
    );
    quote! {
        #[doc = #doc]
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

fn verbs_tokens(verbs: &[String]) -> TokenStream {
    let flags: Vec<TokenStream> = verbs
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
            let flag = format_ident!("{}", flag);
            Some(quote!(Verbs::#flag))
        })
        .collect();
    if flags.is_empty() {
        quote!(Verbs::NONE)
    } else {
        quote!(Verbs::NONE #(.with(#flags))*)
    }
}

fn capabilities(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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

/// The registry of every emitted entity: `ALL_ENTITIES` and `entity_meta(name)`.
pub fn registry_tokens(entities: &[EntitySchema]) -> TokenStream {
    let metas = entities.iter().map(meta_ident);
    let count = entities.len();
    quote! {
        /// Metadata of every entity compiled into this build (depends on the enabled cargo features).
        pub static ALL_ENTITIES: [&EntityMeta; #count] = [#(&#metas),*];
    }
}

/// Formats generated tokens as a Rust file, with a header naming its origin.
pub fn format_file(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("generated code parses");
    let body = prettyplease::unparse(&file);
    format!("// @generated by codegen from schema/; do not edit.\n\n{body}")
}

/// The whole generated module for `entities`, sorted by name.
pub fn generate(entities: &[EntitySchema]) -> String {
    let models: ModelNames = entities.iter().map(|e| e.model.clone()).collect();
    let mut tokens = TokenStream::new();
    for entity in entities {
        tokens.extend(entity_tokens(entity, &models));
    }
    tokens.extend(registry_tokens(entities));
    format_file(tokens)
}
