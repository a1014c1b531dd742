//! Embeds the checked-in schema (`schema/entities/*.json`, the data the SDK is generated from) into the
//! simulator. `sim/schema` is a symlink to the repository's `schema/`, so there is one copy in git, and
//! `cargo package` ships the files it points to inside the package. The generator library reads and checks it; the simulator gets it as one compact JSON file
//! in `OUT_DIR` (`src/schema/mod.rs` includes and parses it once). Only data crosses over: no code of the
//! `autotask` crate.

use std::path::Path;

/// Values the simulator understands (`src/schema/mod.rs`); anything else fails the build, not a request.
const DATA_TYPES: &[&str] = &[
    "integer", "short", "long", "double", "decimal", "datetime", "boolean", "string", "byte[]",
    "object",
];
const ROOT_VERBS: &[&str] = &[
    "query",
    "count",
    "get",
    "create",
    "patch",
    "put",
    "delete",
    "entityInformation",
    "fields",
    "userDefinedFields",
];
const CHILD_VERBS: &[&str] = &["list", "get", "create", "patch", "put", "delete"];

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    println!("cargo:rerun-if-changed={}", dir.join("entities").display());
    let entities = codegen::load_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    assert!(!entities.is_empty(), "{} holds no entities", dir.display());
    for entity in &entities {
        for field in &entity.fields {
            assert!(
                DATA_TYPES.contains(&field.data_type.as_str()),
                "{}.{}: unknown dataType {:?}",
                entity.name,
                field.name,
                field.data_type
            );
        }
        for verb in &entity.routes.root.verbs {
            assert!(
                ROOT_VERBS.contains(&verb.as_str()),
                "{}: root verb {verb:?}",
                entity.name
            );
        }
        for child in &entity.routes.children {
            for verb in &child.verbs {
                assert!(
                    CHILD_VERBS.contains(&verb.as_str()),
                    "{}: child verb {verb:?}",
                    entity.name
                );
            }
        }
    }
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("schema.json");
    let text = serde_json::to_string(&entities).expect("the schema serialises");
    std::fs::write(&out, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}
