//! [`Where`]: typed conditions on a field, through the entity's field enum (`TicketField::Status`) or a
//! field found by name in the dynamic API (`tickets.field("status")?`).

use super::filter::{Filter, Op};
use crate::model::entity::FieldName;
use crate::model::value::FieldValue;

/// Conditions on a field: `TicketField::Status.noteq(TicketStatus::COMPLETE)`,
/// `TicketField::CreateDate.gte(chrono::Utc::now() - chrono::Duration::days(7))`.
///
/// Values are [`FieldValue`]s: typed, so that a value that is not a value at all does not compile, and
/// one whose kind does not fit the field (a date-time on a number field, a picklist value of another
/// field) is refused before sending with the reason.
pub trait Where: Sized {
    /// The field's wire name.
    fn field_name(&self) -> &'static str;

    /// `eq`.
    fn eq(self, value: impl FieldValue) -> Filter {
        self.op(Op::Eq, value)
    }
    /// `noteq`.
    fn noteq(self, value: impl FieldValue) -> Filter {
        self.op(Op::NotEq, value)
    }
    /// `gt`.
    fn gt(self, value: impl FieldValue) -> Filter {
        self.op(Op::Gt, value)
    }
    /// `gte`.
    fn gte(self, value: impl FieldValue) -> Filter {
        self.op(Op::Gte, value)
    }
    /// `lt`.
    fn lt(self, value: impl FieldValue) -> Filter {
        self.op(Op::Lt, value)
    }
    /// `lte`.
    fn lte(self, value: impl FieldValue) -> Filter {
        self.op(Op::Lte, value)
    }
    /// `beginsWith` (text fields).
    fn begins_with(self, text: impl Into<String>) -> Filter {
        self.op(Op::BeginsWith, text.into())
    }
    /// `endsWith` (text fields).
    fn ends_with(self, text: impl Into<String>) -> Filter {
        self.op(Op::EndsWith, text.into())
    }
    /// `contains` (text fields).
    fn contains(self, text: impl Into<String>) -> Filter {
        self.op(Op::Contains, text.into())
    }
    /// `exist`: the field is not null.
    fn exist(self) -> Filter {
        Filter::typed_list(self.field_name(), Op::Exist, Vec::new())
    }
    /// `notExist`: the field is null.
    fn not_exist(self) -> Filter {
        Filter::typed_list(self.field_name(), Op::NotExist, Vec::new())
    }
    /// `in`; lists longer than [`MAX_LIST_VALUES`](super::MAX_LIST_VALUES) are split into several
    /// queries and merged.
    fn in_list<V: FieldValue>(self, values: impl IntoIterator<Item = V>) -> Filter {
        let values = values.into_iter().map(FieldValue::into_typed).collect();
        Filter::typed_list(self.field_name(), Op::In, values)
    }
    /// `notIn`; lists longer than [`MAX_LIST_VALUES`](super::MAX_LIST_VALUES) are split into several
    /// ANDed conditions.
    fn not_in<V: FieldValue>(self, values: impl IntoIterator<Item = V>) -> Filter {
        let values = values.into_iter().map(FieldValue::into_typed).collect();
        Filter::typed_list(self.field_name(), Op::NotIn, values)
    }
    /// A condition with an operator chosen at run time (`in`/`notIn` take the value as a one-element
    /// list).
    fn op(self, op: Op, value: impl FieldValue) -> Filter {
        Filter::typed_list(self.field_name(), op, vec![value.into_typed()])
    }
}

impl<F: FieldName> Where for F {
    fn field_name(&self) -> &'static str {
        self.as_str()
    }
}
