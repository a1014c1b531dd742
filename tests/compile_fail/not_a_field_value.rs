// A filter takes a value a field can hold; a list is not one (use `in_list`).
use autotask::entities::TicketField;
use autotask::Where;

fn main() {
    let _ = TicketField::Status.eq(vec![1, 5]);
}
