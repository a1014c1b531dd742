//! Generates one typed module per enabled entity group from `schema/` (see `codegen`).

use std::path::Path;

fn main() {
    let schema_dir = Path::new("schema");
    println!("cargo:rerun-if-changed=schema");
    let entities = codegen::load_dir(schema_dir).unwrap_or_else(|e| panic!("schema/: {e}"));

    // Only what the enabled cargo features need (CARGO_FEATURE_<GROUP> is set for each enabled feature).
    let groups: Vec<String> = codegen::curated::GROUPS
        .iter()
        .filter(|g| std::env::var_os(format!("CARGO_FEATURE_{}", g.to_ascii_uppercase())).is_some())
        .map(|g| g.to_string())
        .collect();
    // Names are chosen against every model of the schema, so that they do not depend on the features.
    let models: codegen::emit::ModelNames = entities.iter().map(|e| e.model.clone()).collect();
    let entities = codegen::select_groups(entities, &groups);

    let code = codegen::emit::generate_with_models(&entities, &models);
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("entities.rs");
    std::fs::write(&out, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
