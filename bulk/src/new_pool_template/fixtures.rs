//! Schema attributes for the tests of `new-pool` (the template's and the field account's), built
//! one way.

use aws_sdk_cognitoidentityprovider::types::builders::SchemaAttributeTypeBuilder;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, SchemaAttributeType, StringAttributeConstraintsType,
};

/// The builder every fixture starts from: `name`, of type `kind`, `mutable` or not.
fn described(name: &str, kind: AttributeDataType, mutable: bool) -> SchemaAttributeTypeBuilder {
    SchemaAttributeType::builder()
        .name(name)
        .attribute_data_type(kind)
        .mutable(mutable)
}

/// A schema attribute `name` of type `kind`, `mutable` or not, with no constraints.
pub(super) fn attribute(name: &str, kind: AttributeDataType, mutable: bool) -> SchemaAttributeType {
    described(name, kind, mutable).build()
}

/// A required string attribute `name`, `mutable` or not (a standard attribute the pool asks for).
pub(super) fn required_string(name: &str, mutable: bool) -> SchemaAttributeType {
    described(name, AttributeDataType::String, mutable)
        .required(true)
        .build()
}

/// A mutable string attribute `name` of `min_length` to `max_length` characters
/// (`StringAttributeConstraints`, which the API gives as strings).
pub(super) fn string_of_length(
    name: &str,
    min_length: &str,
    max_length: &str,
) -> SchemaAttributeType {
    described(name, AttributeDataType::String, true)
        .string_attribute_constraints(
            StringAttributeConstraintsType::builder()
                .min_length(min_length)
                .max_length(max_length)
                .build(),
        )
        .build()
}
