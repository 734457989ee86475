//! The decision for one old-pool user: an import row, a rejection with its reason, or a skip.
//! Export files users by it; plan counts by it; verify asks it why a user cannot be imported.

mod select;

use shared::import_csv::ImportHeader;
use shared::sign_in::SignInKey;
use shared::{Mapping, RejectReason, SourceUser, TargetRules};

pub use select::{Select, SkipReason};

use crate::pools::ImportTarget;
use crate::target_index::TargetIndex;

/// What happens to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written to an import file.
    Export {
        /// The encoded row, with its line break.
        row: String,
        /// `cognito:username` in the new pool (the old user name, or the e-mail or phone in a
        /// pool that signs in by them).
        new_username: String,
        /// The values the user signs in with, which no other exported user may share.
        keys: Vec<SignInKey>,
    },
    /// Written to `rejected.csv`.
    Reject(RejectReason),
    /// Written to `skipped.csv`.
    Skip(SkipReason),
}

/// Everything that decides a user's outcome, fixed for the run.
pub struct Classifier<'a> {
    /// Selection mode.
    pub select: Select,
    /// Users the new pool already has (only filled for `--select not-in-target`).
    pub index: &'a TargetIndex,
    /// The attribute mapping.
    pub mapping: &'a Mapping,
    /// The new pool's header.
    pub header: &'a ImportHeader,
    /// The new pool's per-user rules.
    pub rules: &'a TargetRules,
}

impl<'a> Classifier<'a> {
    /// The classifier for one new pool: its import target and the mapping resolved against it.
    pub fn new(
        select: Select,
        index: &'a TargetIndex,
        mapping: &'a Mapping,
        target: &'a ImportTarget,
    ) -> Classifier<'a> {
        Classifier {
            select,
            index,
            mapping,
            header: &target.header,
            rules: &target.rules,
        }
    }

    /// Selection first (a skipped user is left for another run), then the mapping, the new
    /// pool's user name, its rules and the CSV format, in the order the import job would meet
    /// them. Collisions between users are the sink's to find: they need more than one user.
    /// An error: the index of the new pool could not be read.
    pub fn classify(&self, user: &SourceUser) -> anyhow::Result<Outcome> {
        if let Some(reason) = self.select.skip_reason(user, self.index)? {
            return Ok(Outcome::Skip(reason));
        }
        let encoded = self.mapping.apply(user).and_then(|mut migrated| {
            let new_username = self.rules.shape.new_username(&migrated)?;
            migrated.username = new_username;
            self.rules.check(&migrated)?;
            let row = self
                .header
                .encode(&migrated, self.rules.mfa_enabled(&migrated))?;
            let keys = self.rules.shape.sign_in_keys(&migrated.username, &migrated);
            Ok(Outcome::Export {
                row,
                new_username: migrated.username,
                keys,
            })
        });
        Ok(encoded.unwrap_or_else(Outcome::Reject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::SourceStatus;
    use shared::target::MfaMode;

    fn header() -> ImportHeader {
        ImportHeader::new(
            [
                "name",
                "email",
                "email_verified",
                "phone_number",
                "phone_number_verified",
                "cognito:mfa_enabled",
                "cognito:username",
                "custom:legacy_sub",
            ]
            .map(String::from)
            .to_vec(),
        )
        .unwrap()
    }

    fn rules(header: &ImportHeader) -> TargetRules {
        TargetRules {
            pool_id: "new".into(),
            required: Default::default(),
            auto_verified: vec!["email".into()],
            mfa: MfaMode::Off,
            sms_mfa_available: false,
            software_token_mfa_available: false,
            shape: shared::PoolShape::default(),
            max_lengths: Default::default(),
            number_attributes: Default::default(),
            writable: header.attribute_columns(),
        }
    }

    #[test]
    fn users_are_exported_rejected_or_skipped_with_reasons() {
        let header = header();
        let rules = rules(&header);
        let index = TargetIndex::default();
        let mapping = Mapping::default();
        let classifier = Classifier {
            select: Select::Passwordless,
            index: &index,
            mapping: &mapping,
            header: &header,
            rules: &rules,
        };

        let confirmed = SourceUser::new("ada", SourceStatus::Confirmed);
        assert_eq!(
            classifier.classify(&confirmed).unwrap(),
            Outcome::Skip(SkipReason::PasswordSurvivesSignIn)
        );

        let temporary = SourceUser::new("bo", SourceStatus::ForceChangePassword)
            .with("sub", "s-1")
            .with("email", "bo@example.com")
            .with("email_verified", "true");
        match classifier.classify(&temporary).unwrap() {
            Outcome::Export { row, .. } => assert_eq!(row, ",bo@example.com,TRUE,,,FALSE,bo,s-1\n"),
            other => panic!("{other:?}"),
        }

        let unverified =
            SourceUser::new("cy", SourceStatus::ResetRequired).with("email", "cy@example.com");
        match classifier.classify(&unverified).unwrap() {
            Outcome::Reject(reason) => assert_eq!(reason.code(), "no-verified-contact"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_email_pool_writes_the_email_as_user_name_and_keeps_the_legacy_sub() {
        let header = header();
        let mut rules = rules(&header);
        rules.shape = shared::PoolShape {
            username_attributes: vec!["email".into()],
            alias_attributes: vec![],
            case_sensitive: false,
        };
        let index = TargetIndex::default();
        let mapping = Mapping::default();
        let classifier = Classifier {
            select: Select::All,
            index: &index,
            mapping: &mapping,
            header: &header,
            rules: &rules,
        };
        let uuid = "0b8f3f4e-1111-4000-8000-000000000001";
        let ada = SourceUser::new(uuid, SourceStatus::ResetRequired)
            .with("sub", uuid)
            .with("email", "Ada@Example.com")
            .with("email_verified", "true");
        match classifier.classify(&ada).unwrap() {
            Outcome::Export {
                row,
                new_username,
                keys,
            } => {
                assert_eq!(
                    row,
                    format!(",Ada@Example.com,TRUE,,,FALSE,Ada@Example.com,{uuid}\n")
                );
                assert_eq!(new_username, "Ada@Example.com");
                assert_eq!(keys.len(), 1);
                assert_eq!(keys[0].value, "ada@example.com");
            }
            other => panic!("{other:?}"),
        }
        let phone_only = SourceUser::new("u2", SourceStatus::ResetRequired)
            .with("phone_number", "+15555550100")
            .with("phone_number_verified", "true");
        match classifier.classify(&phone_only).unwrap() {
            Outcome::Reject(reason) => assert_eq!(reason.code(), "no-sign-in-value"),
            other => panic!("{other:?}"),
        }
    }
}
