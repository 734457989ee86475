//! The decision for one old-pool user: an import row, a rejection with its reason, or a skip.

use shared::import_csv::ImportHeader;
use shared::{Mapping, RejectReason, SourceUser, TargetRules};

use super::select::{Select, SkipReason, TargetIndex};

/// What happens to one user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Written to an import file.
    Export {
        /// The encoded row, with its line break.
        row: String,
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

impl Classifier<'_> {
    /// Selection first (a skipped user is left for another run), then the mapping, the new pool's
    /// rules and the CSV format, in the order the import job would meet them.
    pub fn classify(&self, user: &SourceUser) -> Outcome {
        if let Some(reason) = self.select.skip_reason(user, self.index) {
            return Outcome::Skip(reason);
        }
        let encoded = self.mapping.apply(user).and_then(|migrated| {
            self.rules.check(&migrated)?;
            self.header
                .encode(&migrated, self.rules.mfa_enabled(&migrated))
        });
        match encoded {
            Ok(row) => Outcome::Export { row },
            Err(reason) => Outcome::Reject(reason),
        }
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
            classifier.classify(&confirmed),
            Outcome::Skip(SkipReason::PasswordSurvivesSignIn)
        );

        let temporary = SourceUser::new("bo", SourceStatus::ForceChangePassword)
            .with("sub", "s-1")
            .with("email", "bo@example.com")
            .with("email_verified", "true");
        assert_eq!(
            classifier.classify(&temporary),
            Outcome::Export {
                row: ",bo@example.com,TRUE,,,FALSE,bo,s-1\n".into()
            }
        );

        let unverified =
            SourceUser::new("cy", SourceStatus::ResetRequired).with("email", "cy@example.com");
        match classifier.classify(&unverified) {
            Outcome::Reject(reason) => assert_eq!(reason.code(), "no-verified-contact"),
            other => panic!("{other:?}"),
        }
    }
}
