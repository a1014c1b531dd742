// Generated records and bodies are #[non_exhaustive], so that a schema refresh that adds a field is not
// a breaking change: bodies are built with their constructor and field assignment.
use autotask::entities::TicketPatch;

fn main() {
    let _ = TicketPatch {
        id: 7,
        ..TicketPatch::new(7)
    };
}
