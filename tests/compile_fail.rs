//! The compiler's message for an operation the API does not offer says why and what to use instead
//! (`#[diagnostic::on_unimplemented]` on the capability traits and `FieldValue`); the `.stderr` files
//! pin the messages. One test function, a handful of cases: each case is a small program compiled
//! against this crate.

#[test]
fn forbidden_operations_explain_themselves() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/compile_fail/*.rs");
}
