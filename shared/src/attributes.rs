//! Names of Cognito user attributes and what the migration may do with each.
//!
//! Why a fixed list: Cognito's standard attributes are defined by AWS (OIDC claims), and a few of
//! them can never be written to a new pool. Keeping the list here lets both halves refuse the same
//! attributes.

/// The OIDC standard attributes a Cognito user pool knows, in the order `GetCSVHeader` lists them.
pub const STANDARD: [&str; 19] = [
    "name",
    "given_name",
    "family_name",
    "middle_name",
    "nickname",
    "preferred_username",
    "profile",
    "picture",
    "website",
    "email",
    "email_verified",
    "gender",
    "birthdate",
    "zoneinfo",
    "locale",
    "phone_number",
    "phone_number_verified",
    "address",
    "updated_at",
];

/// The old pool's immutable user id. Cognito generates a fresh one in the new pool and refuses a
/// written value, so it is only ever carried as a custom attribute (see `Mapping`).
pub const SUB: &str = "sub";

/// Attributes Cognito maintains itself and never accepts from a migration: `sub` (generated) and
/// `identities` (links to federated identity providers, set by federated sign-in only).
pub const NEVER_WRITABLE: [&str; 2] = [SUB, "identities"];

/// Attributes whose values are booleans.
pub const BOOLEAN: [&str; 2] = [EMAIL_VERIFIED, PHONE_NUMBER_VERIFIED];

/// The attributes Cognito verifies, each with the flag that says it is verified: "Only the email
/// and phone_number attributes can be verified"
/// (<https://docs.aws.amazon.com/cognito/latest/developerguide/user-pool-settings-attributes.html>).
pub const VERIFIABLE: [(&str, &str); 2] = [
    (EMAIL, EMAIL_VERIFIED),
    (PHONE_NUMBER, PHONE_NUMBER_VERIFIED),
];

/// The email attribute.
pub const EMAIL: &str = "email";
/// Whether the email address was verified.
pub const EMAIL_VERIFIED: &str = "email_verified";
/// The name a user can choose and change, an alias when the pool allows it.
pub const PREFERRED_USERNAME: &str = "preferred_username";
/// The phone number attribute (E.164).
pub const PHONE_NUMBER: &str = "phone_number";
/// Whether the phone number was verified.
pub const PHONE_NUMBER_VERIFIED: &str = "phone_number_verified";
/// Birth date, `YYYY-MM-DD` in the API (OIDC), `mm/dd/yyyy` in the import CSV.
pub const BIRTHDATE: &str = "birthdate";
/// Last profile update, epoch seconds.
pub const UPDATED_AT: &str = "updated_at";

/// Prefix of custom attributes.
pub const CUSTOM_PREFIX: &str = "custom:";

/// Import-CSV column holding the user name.
pub const CSV_USERNAME: &str = "cognito:username";
/// Import-CSV column holding whether MFA is enabled.
pub const CSV_MFA_ENABLED: &str = "cognito:mfa_enabled";

/// The longest value Cognito accepts for a standard string attribute.
pub const STANDARD_MAX_LEN: usize = 2048;

/// True when `name` is a standard attribute (not custom, not `sub`).
pub fn is_standard(name: &str) -> bool {
    STANDARD.contains(&name)
}

/// True when `name` is a custom attribute (`custom:...`).
pub fn is_custom(name: &str) -> bool {
    name.starts_with(CUSTOM_PREFIX) && name.len() > CUSTOM_PREFIX.len()
}

/// The flag that says `attribute` is verified (`email_verified`, `phone_number_verified`), or
/// `None` for an attribute Cognito never verifies.
pub fn verified_flag(attribute: &str) -> Option<&'static str> {
    VERIFIABLE
        .iter()
        .find(|(verifiable, _)| *verifiable == attribute)
        .map(|(_, flag)| *flag)
}

/// True when `name` holds a boolean.
pub fn is_boolean(name: &str) -> bool {
    BOOLEAN.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_email_and_phone_have_a_verified_flag() {
        assert_eq!(verified_flag(EMAIL), Some("email_verified"));
        assert_eq!(verified_flag(PHONE_NUMBER), Some("phone_number_verified"));
        assert_eq!(verified_flag(PREFERRED_USERNAME), None);
        assert!(VERIFIABLE.iter().all(|(_, flag)| is_boolean(flag)));
    }
}
