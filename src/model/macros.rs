//! Small macros the generated code uses for its repetitive parts.

/// A field-name enum with exact wire names, `as_str()`, `Display` and case-insensitive `FromStr`.
/// `#[non_exhaustive]`: a schema refresh that adds a field is not a breaking change.
macro_rules! field_enum {
    ($(#[$attr:meta])* $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $(#[doc = concat!("`", $wire, "`")] $variant,)*
        }

        impl $crate::model::entity::FieldName for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }
        }

        impl $name {
            /// The exact wire name.
            pub fn as_str(self) -> &'static str {
                $crate::model::entity::FieldName::as_str(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::model::entity::UnknownField;
            /// Matches wire names case-insensitively, as the API does.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::model::entity::FieldName>::ALL
                    .iter()
                    .copied()
                    .find(|f| f.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::model::entity::UnknownField { entity: stringify!($name), field: s.to_string() })
            }
        }
    };
}

/// A transparent integer newtype for the picklist field `$field` of `$entity`, with named constants for
/// system values. Never a closed enum: tenants add their own values. It is a
/// [`FieldValue`](crate::model::value::FieldValue) of exactly that field (a filter on another field
/// refuses it) and a [`PicklistType`](crate::model::value::PicklistType) (labels from `client.picklists()`).
macro_rules! picklist {
    ($(#[$attr:meta])* $name:ident($repr:ty) in $entity:literal . $field:literal {
        $($konst:ident = $value:literal, $label:literal;)*
    }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub $repr);

        impl $name {
            $(#[doc = concat!("System value `", $label, "`.")] pub const $konst: $name = $name($value);)*

            /// The system label of a known value (tenants may rename it; ask `client.picklists()`).
            pub fn system_label(self) -> Option<&'static str> {
                match self.0 {
                    $($value => Some($label),)*
                    _ => None,
                }
            }
        }

        impl From<$repr> for $name {
            fn from(value: $repr) -> Self {
                $name(value)
            }
        }

        impl From<$name> for $repr {
            fn from(value: $name) -> Self {
                value.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl $crate::model::value::FieldValue for $name {
            fn into_typed(self) -> $crate::model::value::TypedValue {
                $crate::model::value::TypedValue::new(
                    ::serde_json::Value::from(self.0),
                    $crate::model::value::ValueKind::Picklist {
                        entity: $entity,
                        field: $field,
                        type_name: stringify!($name),
                    },
                )
            }
        }

        impl $crate::model::value::PicklistType for $name {
            const ENTITY: &'static str = $entity;
            const FIELD: &'static str = $field;

            fn from_value(value: i64) -> Option<Self> {
                <$repr>::try_from(value).ok().map($name)
            }

            fn value(self) -> i64 {
                i64::from(self.0)
            }
        }
    };
}
