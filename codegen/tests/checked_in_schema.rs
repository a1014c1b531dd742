//! Consistency of the checked-in `schema/` (what `build.rs` generates from and the simulator serves).

use codegen::{load_dir, EntitySchema};
use std::collections::BTreeMap;
use std::path::Path;

fn schema() -> Vec<EntitySchema> {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../schema")).expect("schema/ loads")
}

/// Children whose records carry no field with the parent's id: the plain-text content of an article or
/// document is keyed by the parent's own id, an SLA result's parent segment has no collection, and an
/// approval is an action.
const NO_PARENT_FIELD: [&str; 4] = [
    "ArticlePlainTextContent",
    "DocumentPlainTextContent",
    "ServiceLevelAgreementResults",
    "TimeOffRequestsApprove",
];

#[test]
fn every_child_marks_the_field_that_holds_its_parents_id_as_a_reference() {
    let entities = schema();
    let model_of: BTreeMap<String, String> = entities
        .iter()
        .map(|e| (e.name.to_ascii_lowercase(), e.model.clone()))
        .collect();
    let mut checked = 0;
    let mut missing = Vec::new();
    for entity in &entities {
        if NO_PARENT_FIELD.contains(&entity.name.as_str()) {
            continue;
        }
        for route in &entity.routes.children {
            let parent_model = match route.parent.as_str() {
                "Expenses" => "ExpenseReport".to_string(),
                "UserDefinedFields" => "UserDefinedFieldDefinition".to_string(),
                parent => model_of[&parent.to_ascii_lowercase()].clone(),
            };
            checked += 1;
            let marked = entity.fields.iter().any(|f| {
                f.is_reference && f.reference_entity_type.eq_ignore_ascii_case(&parent_model)
            });
            if !marked {
                missing.push(format!("{} under {}", entity.name, route.parent));
            }
        }
    }
    assert!(missing.is_empty(), "no parent reference: {missing:?}");
    assert!(checked > 130, "only {checked} child routes checked");
}
