//! Snapshots of the code the emitter generates for small fixture entities (`tests/fixtures/*.json`).
//!
//! Each fixture exercises one shape of entity; a change to the emitter shows up as a reviewable diff of
//! the `.snap` files under `tests/snapshots/`.

use codegen::emit::{entity_tokens, format_file, generate, ModelNames};
use codegen::EntitySchema;
use std::path::Path;

fn fixtures() -> Vec<EntitySchema> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut entities: Vec<EntitySchema> = std::fs::read_dir(&dir)
        .expect("fixture directory")
        .map(|entry| {
            let path = entry.expect("fixture entry").path();
            let text = std::fs::read_to_string(&path).expect("fixture readable");
            serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not a schema file: {e}", path.display()))
        })
        .collect();
    entities.sort_by(|a, b| a.name.cmp(&b.name));
    entities
}

/// The formatted code of one fixture entity, with names chosen against all fixtures.
fn generated(name: &str) -> String {
    let entities = fixtures();
    let models = ModelNames::of(&entities);
    let entity = entities
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no fixture {name}"));
    format_file(entity_tokens(entity, &models))
}

/// Root-level CRUD: create and patch bodies and every root capability marker, no child route.
#[test]
fn root_crud_entity() {
    insta::assert_snapshot!("ActionTypes", generated("ActionTypes"));
}

/// Written only under a parent ticket: `Child` plus `*UnderParent` markers, no `CreateAtRoot`.
#[test]
fn child_only_entity() {
    insta::assert_snapshot!("TicketNotes", generated("TicketNotes"));
}

/// Query-only: no `New*` or `*Patch` body, no write markers.
#[test]
fn read_only_entity() {
    insta::assert_snapshot!("ClassificationIcons", generated("ClassificationIcons"));
}

/// Picklists with system constants, a dependent picklist (`subIssueType` under `issueType`) whose values
/// carry parent values, default/inactive/non-system entries, a de-stuttered name (`TicketType`) and UDFs.
#[test]
fn picklists_and_dependent_picklist() {
    insta::assert_snapshot!("Tickets", generated("Tickets"));
}

/// Base64 `data`, date-times and a decimal (`fileSize`), created and deleted under a parent.
#[test]
fn attachment_with_base64_datetime_and_decimal() {
    insta::assert_snapshot!("TicketAttachments", generated("TicketAttachments"));
}

/// User-defined fields on the record, create and patch bodies, with decimal and date-time fields.
#[test]
fn udf_entity_with_decimals() {
    insta::assert_snapshot!("Services", generated("Services"));
}

/// The registry: the `ALL_ENTITIES` table and the `for_each_entity!` macro over every fixture.
#[test]
fn registry() {
    let code = generate(&fixtures());
    let registry = &code[code
        .find("/// Metadata of every entity compiled")
        .expect("ALL_ENTITIES emitted")..];
    insta::assert_snapshot!("registry", registry);
}
