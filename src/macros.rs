//! Small macros the generated code uses for its repetitive parts.

/// A field-name enum with exact wire names, `as_str()`, `Display` and case-insensitive `FromStr`.
macro_rules! field_enum {
    ($(#[$attr:meta])* $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $(#[doc = concat!("`", $wire, "`")] $variant,)*
        }

        impl $crate::entity::FieldName for $name {
            const ALL: &'static [Self] = &[$($name::$variant,)*];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire,)* }
            }
        }

        impl $name {
            /// The exact wire name.
            pub fn as_str(self) -> &'static str {
                $crate::entity::FieldName::as_str(self)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownField;
            /// Matches wire names case-insensitively, as the API does.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <Self as $crate::entity::FieldName>::ALL
                    .iter()
                    .copied()
                    .find(|f| f.as_str().eq_ignore_ascii_case(s))
                    .ok_or_else(|| $crate::UnknownField { entity: stringify!($name), field: s.to_string() })
            }
        }
    };
}

/// A transparent integer newtype for a picklist field, with named constants for system values.
/// Never a closed enum: tenants add their own values.
macro_rules! picklist {
    ($(#[$attr:meta])* $name:ident($repr:ty) { $($konst:ident = $value:literal, $label:literal;)* }) => {
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
    };
}
