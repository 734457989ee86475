//! The attribute mapping: which old-pool attributes are copied, renamed, dropped or defaulted,
//! and what a migrated user looks like. Bulk export and the trigger both call [`Mapping::apply`].
//!
//! The mapping file is JSON, for example:
//!
//! ```json
//! {
//!   "legacy_sub_attribute": "custom:legacy_sub",
//!   "rename": { "custom:tenant_id": "custom:tenant" },
//!   "drop": ["custom:internal_flag"],
//!   "defaults": { "locale": "en-GB" }
//! }
//! ```
//!
//! Every field is optional; without a file, everything is copied as it is and the old `sub` goes
//! to `custom:legacy_sub`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::attributes::{self, EMAIL, PHONE_NUMBER};
use crate::user::SourceStatus;
use crate::{RejectReason, SourceUser, validate};

/// The custom attribute that carries the old `sub` unless the mapping says otherwise.
pub const DEFAULT_LEGACY_SUB_ATTRIBUTE: &str = "custom:legacy_sub";

fn default_legacy_sub() -> Option<String> {
    Some(DEFAULT_LEGACY_SUB_ATTRIBUTE.to_string())
}

/// How old-pool attributes become new-pool attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The custom attribute that receives the old `sub` (which can never be written as `sub`);
    /// `null` to not carry it.
    #[serde(default = "default_legacy_sub")]
    pub legacy_sub_attribute: Option<String>,
    /// Old name → new name.
    #[serde(default)]
    pub rename: BTreeMap<String, String>,
    /// Old attributes that are not carried over.
    #[serde(default)]
    pub drop: BTreeSet<String>,
    /// New attribute → value, set when the user has no value for it.
    #[serde(default)]
    pub defaults: BTreeMap<String, String>,
}

impl Default for Mapping {
    fn default() -> Mapping {
        Mapping {
            legacy_sub_attribute: default_legacy_sub(),
            rename: BTreeMap::new(),
            drop: BTreeSet::new(),
            defaults: BTreeMap::new(),
        }
    }
}

/// A mapping file that cannot be used, with what to change.
#[derive(Debug, thiserror::Error)]
pub enum MappingError {
    /// The file could not be read.
    #[error("cannot read mapping file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid mapping JSON.
    #[error(
        "mapping file {path} is not valid: {source} (fields: legacy_sub_attribute, rename, drop, defaults)"
    )]
    Parse {
        /// The file (or `<inline>`).
        path: PathBuf,
        /// The JSON error, with line and column.
        source: serde_json::Error,
    },
    /// A rule writes an attribute that Cognito never accepts or that is not a valid name.
    #[error("mapping {field}: {problem}")]
    Rule {
        /// Which field of the file.
        field: String,
        /// What is wrong and what to write instead.
        problem: String,
    },
}

/// A user as the new pool receives it, whichever half of the toolkit migrates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigratedUser {
    /// User name in the new pool (the old one, so sign-in names keep working).
    pub username: String,
    /// The old `sub`, for reports (never written as `sub`).
    pub old_sub: String,
    /// The user's status in the old pool.
    pub old_status: SourceStatus,
    /// False when the user was disabled in the old pool.
    pub enabled: bool,
    /// New-pool attributes, normalised, `sub` never among them.
    pub attributes: BTreeMap<String, String>,
    /// The old user had SMS MFA and the migrated user has a phone number to receive codes.
    pub sms_mfa: bool,
}

impl MigratedUser {
    /// The value of an attribute, if present.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    /// True when the user has `email` and `email_verified` is true.
    pub fn has_verified_email(&self) -> bool {
        self.has_verified(EMAIL)
    }

    /// True when the user has `phone_number` and `phone_number_verified` is true.
    pub fn has_verified_phone(&self) -> bool {
        self.has_verified(PHONE_NUMBER)
    }

    /// True when the user has `attribute` and its verified flag
    /// ([`attributes::verified_flag`]) is true; false for an attribute Cognito never verifies.
    pub fn has_verified(&self, attribute: &str) -> bool {
        attributes::verified_flag(attribute).is_some_and(|flag| {
            self.attributes.contains_key(attribute) && self.attribute(flag) == Some("true")
        })
    }
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> Result<Mapping, MappingError> {
        let text = std::fs::read_to_string(path).map_err(|source| MappingError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Mapping::parse(&text, path)
    }

    /// Parses and checks mapping JSON; `origin` names it in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Mapping, MappingError> {
        let mapping: Mapping =
            serde_json::from_str(text).map_err(|source| MappingError::Parse {
                path: origin.to_path_buf(),
                source,
            })?;
        mapping.check()?;
        Ok(mapping)
    }

    /// The same mapping without the legacy-`sub` attribute (when the new pool lacks it).
    pub fn without_legacy_sub(mut self) -> Mapping {
        self.legacy_sub_attribute = None;
        self
    }

    /// Every new-pool attribute this mapping can write besides copied ones: rename targets,
    /// defaults and the legacy-`sub` attribute. Used to check the new pool has them.
    pub fn written_attributes(&self) -> BTreeSet<&str> {
        self.rename
            .values()
            .chain(self.defaults.keys())
            .chain(self.legacy_sub_attribute.iter())
            .map(String::as_str)
            .collect()
    }

    fn check(&self) -> Result<(), MappingError> {
        let writable = |field: &str, name: &str| -> Result<(), MappingError> {
            if attributes::NEVER_WRITABLE.contains(&name) {
                return Err(MappingError::Rule {
                    field: field.to_string(),
                    problem: format!(
                        "{name} can never be written to a new pool; carry the old sub with legacy_sub_attribute instead"
                    ),
                });
            }
            if !attributes::is_standard(name) && !attributes::is_custom(name) {
                return Err(MappingError::Rule {
                    field: field.to_string(),
                    problem: format!("{name} is neither a standard attribute nor custom:<name>"),
                });
            }
            Ok(())
        };
        for target in self.rename.values() {
            writable("rename", target)?;
        }
        for (name, value) in &self.defaults {
            writable("defaults", name)?;
            validate::normalize(name, value).map_err(|reason| MappingError::Rule {
                field: "defaults".to_string(),
                problem: reason.to_string(),
            })?;
        }
        if let Some(legacy) = &self.legacy_sub_attribute
            && !attributes::is_custom(legacy)
        {
            return Err(MappingError::Rule {
                field: "legacy_sub_attribute".to_string(),
                problem: format!("{legacy} must be a custom attribute (custom:<name>) or null"),
            });
        }
        Ok(())
    }

    /// Maps one old-pool user to what the new pool receives, or says why it cannot be migrated.
    /// A federated user is refused: neither an import nor the trigger can create one (it becomes
    /// a linked profile instead, [`Mapping::apply_to_federated`]).
    pub fn apply(&self, user: &SourceUser) -> Result<MigratedUser, RejectReason> {
        if user.status == SourceStatus::ExternalProvider {
            return Err(RejectReason::Federated);
        }
        self.map(user)
    }

    /// Maps a federated old user (status `EXTERNAL_PROVIDER`) to the profile `cognito-migrate
    /// links` creates for it and links to its provider identity: the same attributes, rules and
    /// legacy id as [`Mapping::apply`]. Any other user is refused as `apply` would refuse it.
    pub fn apply_to_federated(&self, user: &SourceUser) -> Result<MigratedUser, RejectReason> {
        if user.status != SourceStatus::ExternalProvider {
            return self.apply(user);
        }
        self.map(user)
    }

    fn map(&self, user: &SourceUser) -> Result<MigratedUser, RejectReason> {
        let mut mapped = BTreeMap::new();
        for (name, value) in &user.attributes {
            if attributes::NEVER_WRITABLE.contains(&name.as_str()) || self.drop.contains(name) {
                continue;
            }
            let target = self.rename.get(name).unwrap_or(name);
            let Some(value) = validate::normalize(target, value)? else {
                continue;
            };
            if mapped.insert(target.clone(), value).is_some() {
                return Err(RejectReason::InvalidValue {
                    attribute: target.clone(),
                    problem: "receives two values (check the mapping's rename rules)".to_string(),
                });
            }
        }
        for (name, value) in &self.defaults {
            if !mapped.contains_key(name)
                && let Some(value) = validate::normalize(name, value)?
            {
                mapped.insert(name.clone(), value);
            }
        }
        if let Some(legacy) = &self.legacy_sub_attribute
            && !user.sub().is_empty()
        {
            // A user that an earlier migration already gave a legacy id keeps the oldest one. The
            // old sub is normalised like any value (Cognito only generates UUIDs, but the model
            // must not trust that).
            if !mapped.contains_key(legacy)
                && let Some(sub) = validate::normalize(legacy, user.sub())?
            {
                mapped.insert(legacy.clone(), sub);
            }
        }
        for (attribute, flag) in attributes::VERIFIABLE {
            if mapped.get(flag).map(String::as_str) == Some("true")
                && !mapped.contains_key(attribute)
            {
                return Err(RejectReason::VerifiedWithoutValue {
                    attribute: attribute.to_string(),
                });
            }
        }
        let sms_mfa = user.mfa.sms && mapped.contains_key(PHONE_NUMBER);
        Ok(MigratedUser {
            username: user.username.clone(),
            old_sub: user.sub().to_string(),
            old_status: user.status.clone(),
            enabled: user.enabled,
            attributes: mapped,
            sms_mfa,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ada() -> SourceUser {
        SourceUser::new("ada", SourceStatus::Confirmed)
            .with("sub", "0f1e2d3c-0000-4000-8000-000000000001")
            .with("email", " ada@example.com ")
            .with("email_verified", "True")
            .with("custom:tenant_id", "acme")
            .with("custom:internal", "x")
            .with("identities", "[]")
    }

    #[test]
    fn default_mapping_copies_everything_but_sub_and_keeps_sub_as_legacy_id() {
        let user = Mapping::default().apply(&ada()).unwrap();
        assert_eq!(user.username, "ada");
        assert_eq!(user.attribute("email"), Some("ada@example.com"));
        assert_eq!(user.attribute("email_verified"), Some("true"));
        assert_eq!(
            user.attribute("custom:legacy_sub"),
            Some("0f1e2d3c-0000-4000-8000-000000000001")
        );
        assert_eq!(user.attribute("sub"), None);
        assert_eq!(user.attribute("identities"), None);
        assert!(user.has_verified_email());
        assert!(!user.has_verified_phone());
    }

    #[test]
    fn rename_drop_and_defaults_apply() {
        let mapping = Mapping::parse(
            r#"{"rename":{"custom:tenant_id":"custom:tenant"},"drop":["custom:internal"],"defaults":{"locale":"en-GB","custom:tenant":"none"},"legacy_sub_attribute":null}"#,
            Path::new("<test>"),
        )
        .unwrap();
        let user = mapping.apply(&ada()).unwrap();
        assert_eq!(user.attribute("custom:tenant"), Some("acme"));
        assert_eq!(user.attribute("custom:tenant_id"), None);
        assert_eq!(user.attribute("custom:internal"), None);
        assert_eq!(user.attribute("locale"), Some("en-GB"));
        assert_eq!(user.attribute("custom:legacy_sub"), None);
    }

    #[test]
    fn an_existing_legacy_id_is_kept() {
        let user = Mapping::default()
            .apply(&ada().with("custom:legacy_sub", "older-id"))
            .unwrap();
        assert_eq!(user.attribute("custom:legacy_sub"), Some("older-id"));
    }

    #[test]
    fn federated_users_are_refused_except_as_a_profile_to_link() {
        let user = SourceUser::new("Google_123", SourceStatus::ExternalProvider)
            .with("sub", "0f1e2d3c-0000-4000-8000-000000000009")
            .with("email", "g@example.com")
            .with(
                "identities",
                r#"[{"userId":"123","providerName":"Google"}]"#,
            );
        assert_eq!(
            Mapping::default().apply(&user).unwrap_err(),
            RejectReason::Federated
        );
        let profile = Mapping::default().apply_to_federated(&user).unwrap();
        assert_eq!(profile.attribute("email"), Some("g@example.com"));
        assert_eq!(
            profile.attribute("custom:legacy_sub"),
            Some("0f1e2d3c-0000-4000-8000-000000000009")
        );
        assert_eq!(profile.attribute("identities"), None, "never written");
        assert_eq!(
            Mapping::default().apply_to_federated(&ada()),
            Mapping::default().apply(&ada()),
            "a native user is mapped as apply maps it"
        );
    }

    #[test]
    fn verified_flags_are_copied_never_invented_and_need_their_value() {
        let unverified =
            SourceUser::new("bo", SourceStatus::Confirmed).with("email", "bo@example.com");
        let user = Mapping::default().apply(&unverified).unwrap();
        assert_eq!(user.attribute("email_verified"), None);
        assert!(!user.has_verified_email());

        let broken =
            SourceUser::new("cy", SourceStatus::Confirmed).with("phone_number_verified", "true");
        assert_eq!(
            Mapping::default().apply(&broken).unwrap_err().to_string(),
            "phone_number_verified is true but phone_number is empty"
        );
    }

    #[test]
    fn invalid_values_name_the_field() {
        let user = SourceUser::new("di", SourceStatus::Confirmed).with("phone_number", "0151 1234");
        assert_eq!(
            Mapping::default().apply(&user).unwrap_err().to_string(),
            "phone_number not E.164 (+ then 2 to 15 digits)"
        );
    }

    #[test]
    fn two_sources_for_one_attribute_are_refused() {
        let mapping =
            Mapping::parse(r#"{"rename":{"custom:mail":"email"}}"#, Path::new("<t>")).unwrap();
        let user = SourceUser::new("ed", SourceStatus::Confirmed)
            .with("email", "a@example.com")
            .with("custom:mail", "b@example.com");
        assert_eq!(mapping.apply(&user).unwrap_err().code(), "invalid-value");
    }

    #[test]
    fn sms_mfa_needs_a_phone() {
        let mut user =
            SourceUser::new("fay", SourceStatus::Confirmed).with("phone_number", "+15555550100");
        user.mfa.sms = true;
        assert!(Mapping::default().apply(&user).unwrap().sms_mfa);
        user.attributes.remove("phone_number");
        assert!(!Mapping::default().apply(&user).unwrap().sms_mfa);
    }

    #[test]
    fn bad_mapping_files_say_what_to_change() {
        let err =
            Mapping::parse(r#"{"rename":{"custom:id":"sub"}}"#, Path::new("m.json")).unwrap_err();
        assert!(
            err.to_string().contains("sub can never be written"),
            "{err}"
        );
        let err = Mapping::parse(r#"{"legacy_sub_attribute":"legacy"}"#, Path::new("m.json"))
            .unwrap_err();
        assert!(
            err.to_string().contains("must be a custom attribute"),
            "{err}"
        );
        let err = Mapping::parse(r#"{"renames":{}}"#, Path::new("m.json")).unwrap_err();
        assert!(err.to_string().contains("m.json"), "{err}");
        let err = Mapping::parse(
            r#"{"defaults":{"phone_number":"123"}}"#,
            Path::new("m.json"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("E.164"), "{err}");
    }
}
