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
    /// A text field holding a secret (`secretKey`, `secret`, `password`): `Secret`, hidden from `Debug`.
    Secret,
    Bytes,
    Json,
    Picklist(Ident),
}

fn kind_of(entity: &EntitySchema, field: &FieldInfo, models: &ModelNames) -> Kind {
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
    base
}

/// Text fields whose values are secrets (webhook `secretKey`, vendor `secret`, portal `password`).
pub fn is_secret(field: &str) -> bool {
    ["secretKey", "secret", "password"]
        .iter()
        .any(|name| name.eq_ignore_ascii_case(field))
}

/// `{Model}{Field}` without a trailing `Id`: `TicketStatus` for `Tickets.status`, `TicketQueue` for
/// `queueID`.
fn prefixed_picklist_name(model: &str, field: &str) -> String {
    let field = field.to_pascal_case();
    let field = field.strip_suffix("Id").unwrap_or(&field);
    format!("{model}{field}")
}

/// The picklist type's name. A field that already starts with the model's name is not prefixed twice
/// (`Tickets.ticketType` is `TicketType`, not `TicketTicketType`) unless that name is taken by a model or
/// by another picklist of the same entity.
pub fn picklist_name(entity: &EntitySchema, field: &FieldInfo, models: &ModelNames) -> String {
    let prefixed = prefixed_picklist_name(&entity.model, &field.name);
    let Some(bare) = prefixed_picklist_name("", &field.name)
        .strip_prefix(entity.model.as_str())
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
        .map(|_| prefixed_picklist_name("", &field.name))
    else {
        return prefixed;
    };
    let taken_by_sibling = entity.fields.iter().any(|other| {
        other.is_pick_list
            && other.name != field.name
            && prefixed_picklist_name(&entity.model, &other.name) == bare
    });
    let taken_by_generated_type = models.iter().any(|model| {
        *model == bare
            || format!("New{model}") == bare
            || format!("{model}Patch") == bare
            || field_enum_name(model, models) == bare
    });
    if taken_by_sibling || taken_by_generated_type {
        prefixed
    } else {
        bare
    }
}

fn rust_type(kind: &Kind) -> TokenStream {
    match kind {
        Kind::Int32 => quote!(i32),
        Kind::Int64 => quote!(i64),
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
    out.extend(picklists(entity, models));
    out.extend(read_model(entity, models));
    out.extend(field_enum(entity, models));
    if can_create(entity) {
        out.extend(new_model(entity, models));
    }
    if can_update(entity) {
        out.extend(patch_model(entity, models));
    }
    out.extend(meta_table(entity));
    out.extend(capabilities(entity, models));
    out
}

/// Width that generated doc comments wrap at (after `/// `).
const DOC_WIDTH: usize = 96;

/// `#[doc]` attributes for `text`, wrapped at [`DOC_WIDTH`] so the generated file reads like a person's.
fn doc_attrs(text: &str) -> TokenStream {
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

fn picklists(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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
        out.extend(quote! {
            picklist! {
                #doc
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

/// Which struct a field attribute is for: the read model decodes, create bodies only encode.
#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Decode,
    EncodeOnly,
}

/// The `#[serde(...)]` attribute of a read-model or create-body field, or nothing when the field needs
/// none (its Rust name is its wire name and it is always sent).
fn field_attrs(
    field: &FieldInfo,
    kind: &Kind,
    optional: bool,
    direction: Direction,
) -> TokenStream {
    let wire = &field.name;
    let mut args = Vec::new();
    if field_ident(wire) != wire.as_str() {
        args.push(quote!(rename = #wire));
    }
    let with = serde_with(kind);
    if optional {
        // Plain `Option` fields default to `None` by themselves; a `with` module needs `default`.
        if with.is_some() && direction == Direction::Decode {
            args.push(quote!(default));
        }
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

fn field_doc(field: &FieldInfo) -> String {
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

fn read_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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
        if field.name == "id" {
            let attrs = field_attrs(field, &kind, false, Direction::Decode);
            quote! { #doc #attrs pub id: #ty, }
        } else {
            let attrs = field_attrs(field, &kind, true, Direction::Decode);
            quote! { #doc #attrs pub #name: Option<#ty>, }
        }
    });
    let udfs = entity.info.has_user_defined_fields.then(|| {
        quote! {
            /// User-defined fields, `[{name, value}]` on the wire; empty when the API sends none or `null`.
            #[serde(
                rename = "userDefinedFields",
                default,
                deserialize_with = "crate::wire::null_as_empty",
                skip_serializing_if = "Vec::is_empty"
            )]
            pub user_defined_fields: Vec<UserDefinedField>,
        }
    });
    let udf_impl = entity
        .info
        .has_user_defined_fields
        .then(|| udf_access(&ident));
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    }
}

fn field_enum(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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

/// Clippy's `too_many_arguments` threshold: constructors with more required fields say why they are long.
const MANY_ARGUMENTS: usize = 7;

fn new_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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
            let attrs = field_attrs(field, &kind, false, Direction::EncodeOnly);
            fields.push(quote! { #doc #attrs pub #name: #ty, });
            params.push(quote!(#name: impl Into<#ty>));
            inits.push(quote!(#name: #name.into(),));
        } else {
            let attrs = field_attrs(field, &kind, true, Direction::EncodeOnly);
            fields.push(quote! { #doc #attrs pub #name: Option<#ty>, });
            inits.push(quote!(#name: None,));
        }
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
        "Starts a record with every field the API requires."
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Serialize)]
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

/// `HasUserDefinedFields` for a type with a `user_defined_fields` vector.
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

fn udf_access(ident: &Ident) -> TokenStream {
    quote! {
        impl HasUserDefinedFields for #ident {
            fn user_defined_fields(&self) -> &[UserDefinedField] { &self.user_defined_fields }
            fn user_defined_fields_mut(&mut self) -> &mut Vec<UserDefinedField> { &mut self.user_defined_fields }
        }
    }
}

fn patch_model(entity: &EntitySchema, models: &ModelNames) -> TokenStream {
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

fn verbs_tokens(verbs: &[String]) -> TokenStream {
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

/// Formats generated tokens as a Rust file, with a header naming its origin.
///
/// Items go through `prettyplease` one by one, separated by blank lines. Invocations of the crate's
/// `picklist!` and `field_enum!` macros are laid out here, one entry per line, since `prettyplease` can only
/// guess at a macro body's shape.
pub fn format_file(tokens: TokenStream) -> String {
    let file: syn::File = syn::parse2(tokens).expect("generated code parses");
    let mut out = String::from("// @generated by codegen from schema/; do not edit.\n");
    for item in file.items {
        out.push('\n');
        match &item {
            syn::Item::Macro(mac) if mac.mac.path.is_ident("picklist") => {
                out.push_str(&layout_macro(mac, ";"))
            }
            syn::Item::Macro(mac) if mac.mac.path.is_ident("field_enum") => {
                out.push_str(&layout_macro(mac, ","))
            }
            _ => out.push_str(&prettyplease::unparse(&syn::File {
                shebang: None,
                attrs: Vec::new(),
                items: vec![item],
            })),
        }
    }
    out
}

/// Lays out `name! { #[doc = ...]* Head { entry<sep> entry<sep> ... } }` with doc comments and one entry
/// per line.
fn layout_macro(mac: &syn::ItemMacro, separator: &str) -> String {
    use proc_macro2::{Delimiter, Spacing, TokenTree};
    let name = mac.mac.path.get_ident().expect("macro name").to_string();
    let mut out = format!("{name}! {{\n");
    let mut tokens = mac.mac.tokens.clone().into_iter().peekable();
    // Doc attributes: `#` followed by a bracket group `[doc = "..."]`.
    while matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == '#') {
        tokens.next();
        let Some(TokenTree::Group(group)) = tokens.next() else {
            panic!("{name}!: attribute without brackets");
        };
        let attr: syn::MetaNameValue =
            syn::parse2(group.stream()).expect("generated macro attributes are #[doc = \"...\"]");
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(text),
            ..
        }) = &attr.value
        else {
            panic!("{name}!: non-string doc attribute");
        };
        out.push_str(&format!("    ///{}\n", text.value()));
    }
    let mut head = String::new();
    let mut body = None;
    for token in tokens {
        match token {
            TokenTree::Group(group) if group.delimiter() == Delimiter::Brace => body = Some(group),
            other => head.push_str(&other.to_string()),
        }
    }
    let body = body.unwrap_or_else(|| panic!("{name}!: no braced body"));
    let mut entries = Vec::new();
    let mut entry = String::new();
    for token in body.stream() {
        match &token {
            TokenTree::Punct(p) if p.as_char().to_string() == separator => {
                entries.push(format!("{}{separator}", entry.trim_end()));
                entry.clear();
            }
            TokenTree::Punct(p) if p.as_char() == ',' => entry.push_str(", "),
            // The `=` of `=>` is joint with its `>`.
            TokenTree::Punct(p) if p.as_char() == '=' && p.spacing() == Spacing::Joint => {
                entry.push_str(" =")
            }
            TokenTree::Punct(p) if p.as_char() == '=' => entry.push_str(" = "),
            TokenTree::Punct(p) if p.as_char() == '>' => entry.push_str("> "),
            other => entry.push_str(&other.to_string()),
        }
    }
    if entries.is_empty() {
        out.push_str(&format!("    {head} {{}}\n}}\n"));
    } else {
        out.push_str(&format!("    {head} {{\n"));
        for entry in entries {
            out.push_str(&format!("        {entry}\n"));
        }
        out.push_str("    }\n}\n");
    }
    out
}

/// The whole generated module for `entities`, sorted by name.
pub fn generate(entities: &[EntitySchema]) -> String {
    let models: ModelNames = entities.iter().map(|e| e.model.clone()).collect();
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
