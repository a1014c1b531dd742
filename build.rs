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
    let models = codegen::emit::ModelNames::of(&entities);
    let entities = codegen::select_groups(entities, &groups);

    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    let entities_code = codegen::emit::generate_with_models(&entities, &models);
    write(Path::new(&out_dir).join("entities.rs"), entities_code);
    write(
        Path::new(&out_dir).join("accessors.rs"),
        codegen::emit::accessors::generate(&entities),
    );
}

fn write(path: std::path::PathBuf, code: String) {
    std::fs::write(&path, code).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
